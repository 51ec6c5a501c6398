<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="82"/>
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="83"/>
        <source>&amp;Display name</source>
        <translation>显示名称(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="86"/>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="87"/>
        <source>&amp;Repeat password</source>
        <translation>再次输入密码(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="93"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>AddUserDialog</name>
    <message>
        <location filename="../../ui/dialogs/user_dialog.py" line="20"/>
        <source>Add a staff account</source>
        <translation>新增员工账号</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/user_dialog.py" line="28"/>
        <source>Tell the person this first password; at their first sign-in they choose their own.</source>
        <translation>请把这个初始密码告诉本人；本人首次登录时会设置自己的密码。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/user_dialog.py" line="31"/>
        <source>typed to sign in, e.g. chenli</source>
        <translation>登录时输入，例如 chenli</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/user_dialog.py" line="32"/>
        <source>e.g. 陈丽</source>
        <translation>例如 陈丽</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/user_dialog.py" line="26"/>
        <source>Supervisors also manage accounts, change shared settings, delete segments and save files with full phone numbers</source>
        <translation>主管还可管理账号、修改共享设置、删除分群、保存含完整手机号的文件</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/user_dialog.py" line="32"/>
        <source>R&amp;ole</source>
        <translation>角色(&amp;O)</translation>
    </message>
</context>
<context>
    <name>AuditTableModel</name>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="26"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="26"/>
        <source>Person</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="26"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="27"/>
        <source>About</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="27"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="48"/>
        <source>(nobody signed in)</source>
        <translation>（未登录）</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <location filename="../../ui/views/audit_view.py" line="63"/>
        <source>Everyone</source>
        <translation>所有人</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="65"/>
        <source>Every action</source>
        <translation>所有操作</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="67"/>
        <source>Customer no.</source>
        <translation>客户编号</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="70"/>
        <source>&amp;Show</source>
        <translation>显示(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="77"/>
        <source>No entries for this person, action, customer and period.</source>
        <translation>这段时间内没有符合所选人员、操作和客户的记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="88"/>
        <source>Select an entry to see its details in full.</source>
        <translation>选中一条记录，可在此查看完整详情。</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="96"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="98"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="135"/>
        <location filename="../../ui/views/audit_view.py" line="174"/>
        <source>Loading the audit trail</source>
        <translation>正在读取审计日志</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="183"/>
        <source>The newest %1 of %2 entries</source>
        <translation>共 %2 条，显示最新 %1 条</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="186"/>
        <source>Entries: %1</source>
        <translation>共 %1 条</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="202"/>
        <source>As recorded:</source>
        <translation>原始记录：</translation>
    </message>
</context>
<context>
    <name>BackupsPanel</name>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="57"/>
        <source>Empty: a backups folder beside the database file</source>
        <translation>留空：数据库文件旁的 backups 文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="58"/>
        <source>C&amp;hoose…</source>
        <translation>选择(&amp;H)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="65"/>
        <source>Save &amp;backup settings</source>
        <translation>保存备份设置(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="78"/>
        <source>Backup folder (every PC)</source>
        <translation>备份文件夹（所有电脑）</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="79"/>
        <source>Automatic backups kept</source>
        <translation>保留的自动备份数</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="83"/>
        <source>Revisit backs up the database once a day and before every upgrade, import and erase; the oldest automatic backups are deleted beyond the number kept. Backups made with “Back up now” are kept until you delete them.</source>
        <translation>回访每天备份一次数据库，并在每次升级、导入和擦除之前备份；自动备份超过保留数时删除最早的。用“立即备份”做的备份会一直保留，直到您自己删除。</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="87"/>
        <source>A PostgreSQL database is backed up on its server (pg_dump -Fc, restored with pg_restore). “Back up now” runs pg_dump on this PC when PostgreSQL&apos;s client tools are installed.</source>
        <translation>PostgreSQL 数据库在其服务器上备份（pg_dump -Fc，用 pg_restore 恢复）。本机装有 PostgreSQL 客户端工具时，“立即备份”会在本机运行 pg_dump。</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="94"/>
        <source>Made</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="94"/>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="94"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="100"/>
        <source>No backup in this folder yet.</source>
        <translation>此文件夹中还没有备份。</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="105"/>
        <source>Back up &amp;now</source>
        <translation>立即备份(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="107"/>
        <source>&amp;Restore…</source>
        <translation>恢复(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="112"/>
        <source>Restore a PostgreSQL database on its server with pg_restore.</source>
        <translation>请在服务器上用 pg_restore 恢复 PostgreSQL 数据库。</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="146"/>
        <source>Daily</source>
        <translation>每日</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="147"/>
        <source>Before an upgrade</source>
        <translation>升级前</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="148"/>
        <source>Before an import</source>
        <translation>导入前</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="149"/>
        <source>Before an erase</source>
        <translation>擦除前</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="150"/>
        <source>Backed up by hand</source>
        <translation>手动备份</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="151"/>
        <source>Replaced by a restore</source>
        <translation>恢复时被替换</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="153"/>
        <source>%1 (damaged or not Revisit&apos;s)</source>
        <translation>%1（已损坏或不是回访的备份）</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="182"/>
        <source>Choose the backup folder</source>
        <translation>选择备份文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="200"/>
        <source>Saving settings</source>
        <translation>正在保存设置</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="205"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="213"/>
        <source>Backups</source>
        <translation>备份</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="214"/>
        <source>Reload the backup settings now?</source>
        <translation>现在重新载入备份设置吗？</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="267"/>
        <location filename="../../ui/views/backups_panel.py" line="223"/>
        <source>Backing up the database</source>
        <translation>正在备份数据库</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="259"/>
        <location filename="../../ui/views/backups_panel.py" line="226"/>
        <source>Backed up to %1</source>
        <translation>已备份到 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="242"/>
        <source>Choose a backup to restore</source>
        <translation>选择要恢复的备份</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="243"/>
        <source>Revisit backups (*.bak *.sqlite3);;All files (*)</source>
        <translation>回访备份 (*.bak *.sqlite3);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="248"/>
        <location filename="../../ui/views/backups_panel.py" line="251"/>
        <location filename="../../ui/views/backups_panel.py" line="272"/>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="249"/>
        <source>Wait until the work in progress has finished, then restore.</source>
        <translation>请等正在进行的工作完成后再恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="252"/>
        <source>Put the backup %1 in place of the database?

Everything saved after it was made is replaced; the current database is kept as a backup first. Revisit must be closed on every other PC. Afterwards Revisit closes here; open it again to work with the restored database.</source>
        <translation>用备份 %1 替换当前数据库吗？

该备份之后保存的所有内容都会被替换；当前数据库会先另存为一份备份。其他所有电脑上的回访必须先关闭。完成后本机的回访会关闭，请重新打开以使用恢复后的数据库。</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="266"/>
        <source>Restoring a backup</source>
        <translation>正在恢复备份</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="269"/>
        <source>The database it replaced is kept as %1.</source>
        <translation>被替换的数据库已保存为 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/views/backups_panel.py" line="273"/>
        <source>The backup %1 is now the database. %2

Revisit closes now; open it again to work with the restored database.</source>
        <translation>备份 %1 现在已成为数据库。%2

回访现在关闭，请重新打开以使用恢复后的数据库。</translation>
    </message>
</context>
<context>
    <name>BatchesPanel</name>
    <message>
        <location filename="../../ui/views/import_batches.py" line="41"/>
        <source>Batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="41"/>
        <source>Imported</source>
        <translation>导入时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="41"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="41"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="42"/>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="42"/>
        <source>New</source>
        <translation>新增</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="42"/>
        <source>Updated</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="42"/>
        <source>Unchanged</source>
        <translation>未变</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="43"/>
        <source>Not imported</source>
        <translation>未导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="43"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="48"/>
        <source>No import yet: files imported under New import are listed here, each one batch that can be undone.</source>
        <translation>还没有导入记录：在“新建导入”中导入的文件会列在这里，每个文件为一批，可以撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="50"/>
        <source>&amp;Undo this import…</source>
        <translation>撤销这次导入(&amp;U)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="55"/>
        <source>Undo deletes what the import created and puts back the values it changed. Undo later imports of the same records first.</source>
        <translation>撤销会删除该次导入新建的内容，并恢复其修改过的值。如果之后还导入过相同记录，请先撤销后面的导入。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="58"/>
        <source>Only a supervisor may undo an import.</source>
        <translation>只有主管可以撤销导入。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="91"/>
        <source>Loading past imports</source>
        <translation>正在加载以往导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="124"/>
        <source>This import stopped part-way (the connection to the database was lost or ended, or its program stopped) and took back what it had written: nothing of it is stored. Nobody undid it; import the file again if it is wanted.</source>
        <translation>这次导入中途停止（与数据库的连接断开或被结束，或程序被关闭），已把写入的内容撤回：没有保存任何数据。这不是有人撤销的；如仍需要，请重新导入该文件。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="129"/>
        <source>Undone except the customers colleagues had worked on since: %1 rows of this import stay with them.</source>
        <translation>已撤销，但保留了同事此后跟进过的客户：本次导入的 %1 条记录随这些客户保留。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="138"/>
        <source>This import stopped before its last rows; import #%1 of the same file completed it. Undoing #%1 undoes this one too.</source>
        <translation>该次导入在最后几行之前停止；同一文件的第 %1 号导入已将其补完。撤销第 %1 号导入时会一并撤销此次导入。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="143"/>
        <source>This import stopped before its last rows (its program was closed or killed); the rows counted here are stored. Import the file again to finish it (undoing that import then undoes this one too), or undo it.</source>
        <translation>该次导入在最后几行之前停止（程序被关闭或被终止）；此处统计的行已存入。再次导入该文件即可补完（之后撤销那次导入时会一并撤销此次），也可以撤销此次导入。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="154"/>
        <source>interrupted, not stored</source>
        <translation>中途中断，未保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="156"/>
        <source>partly undone %1</source>
        <translation>%1 部分撤销</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="159"/>
        <source>undone %1</source>
        <translation>已撤销 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="161"/>
        <source>completed by #%1</source>
        <translation>已由 #%1 补完</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="162"/>
        <source>unfinished</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="183"/>
        <source>Reading import #%1</source>
        <translation>正在读取导入 #%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="207"/>
        <source>Undoing import #%1</source>
        <translation>正在撤销导入 #%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_batches.py" line="232"/>
        <source>%n customer(s) this import created have been worked on since (a call, a list, a profile change): %1. They are kept, with what the import created for them, and the rest of the import is undone.</source>
        <translation>
            <numerusform>本次导入新建的客户中有 %n 位此后已有人跟进（电话、名单或资料修改）：%1。这些客户及导入为他们新建的记录将保留，导入的其余部分撤销。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="236"/>
        <source>Undo the rest, &amp;keep these customers</source>
        <translation>撤销其余部分，保留这些客户(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="250"/>
        <source>Undo import #%1 of “%2” (%3)? What it created (%4 new rows) is deleted and the values it changed in %5 rows are put back as they were.</source>
        <translation>撤销“%2”的导入 #%1（%3）？该次导入新建的内容（%4 行新增）将被删除，%5 行中被修改的值将恢复原样。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="262"/>
        <source>It completed the stopped import %1 of the same file, which is undone with it.</source>
        <translation>它补完了同一文件中途停止的导入 %1，该导入将一并撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="215"/>
        <location filename="../../ui/views/import_batches.py" line="229"/>
        <source>Undo an import</source>
        <translation>撤销导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="269"/>
        <source>Import #%1 undone: %2 rows deleted, %3 values put back.</source>
        <translation>导入 #%1 已撤销：删除 %2 行，恢复 %3 个值。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="273"/>
        <source>The stopped import %1 it completed was undone with it.</source>
        <translation>它补完的中途停止的导入 %1 已一并撤销。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_batches.py" line="276"/>
        <source>%n value(s) changed by hand since were left as they are.</source>
        <translation>
            <numerusform>其间手工修改过的 %n 个值保持不变。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_batches.py" line="281"/>
        <source>Kept %n customer(s) worked on since (%1), with %2 rows of the import.</source>
        <translation>
            <numerusform>保留了此后有人跟进的 %n 位客户（%1），以及本次导入的 %2 条记录。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="290"/>
        <source>Undo of import #%1 cancelled; the import is as it was.</source>
        <translation>已取消撤销导入 #%1，该导入保持原样。</translation>
    </message>
</context>
<context>
    <name>BriefView</name>
    <message>
        <location filename="../../ui/views/brief_view.py" line="73"/>
        <source>Suggested step</source>
        <translation>建议下一步</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="74"/>
        <source>Last contact</source>
        <translation>上次联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="75"/>
        <source>Last spend</source>
        <translation>上次消费</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="76"/>
        <source>Satisfaction</source>
        <translation>满意度</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="77"/>
        <source>Since the car</source>
        <translation>购车以来</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="78"/>
        <source>Money and person</source>
        <translation>出资与个性</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="79"/>
        <source>Cars</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="80"/>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="81"/>
        <source>Intent</source>
        <translation>购车意向</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="82"/>
        <source>How to reach</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="83"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="84"/>
        <source>Referrals</source>
        <translation>转介绍</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="85"/>
        <source>Service due</source>
        <translation>保养到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="105"/>
        <source>Record referral…</source>
        <translation>记录转介绍…</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="108"/>
        <source>Declined repair…</source>
        <translation>记录未做维修…</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="111"/>
        <source>Log a call…</source>
        <translation>记录通话…</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="113"/>
        <source>A call made or taken, or a WeChat conversation, with this customer: what came of it, what they said, when to call again</source>
        <translation>与该客户的一次通话（打出或接听）或微信沟通：结果如何、客户说了什么、何时再联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="167"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="175"/>
        <source>no survey yet</source>
        <translation>尚无满意度调查</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="197"/>
        <source>today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="197"/>
        <source>yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="198"/>
        <source>%1 days ago</source>
        <translation>%1 天前</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="215"/>
        <source>trend %1</source>
        <translation>趋势 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="230"/>
        <source>(since %1)</source>
        <translation>（%1 起）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="242"/>
        <source>bought %1, %2 years</source>
        <translation>%1 购车，%2 年</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="245"/>
        <source>about %1 km</source>
        <translation>约 %1 公里</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="249"/>
        <source>(%1 km a year since %2)</source>
        <translation>（%2 以来每年 %1 公里）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="252"/>
        <source>(%1 km a year)</source>
        <translation>（每年 %1 公里）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="259"/>
        <source>earlier:</source>
        <translation>以前：</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="265"/>
        <source>%n resolved</source>
        <translation>
            <numerusform>已解决 %n 起</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="266"/>
        <source>none open</source>
        <translation>无未解决投诉</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="268"/>
        <source>OPEN since %1: %2</source>
        <translation>未解决（%1 起）：%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="277"/>
        <source>interest: %1</source>
        <translation>意向：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="278"/>
        <source>buying: %1</source>
        <translation>预计购车：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="279"/>
        <source>budget: %1</source>
        <translation>预算：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="281"/>
        <source>models: %1</source>
        <translation>车型：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="288"/>
        <source>ask for %1</source>
        <translation>找 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="298"/>
        <source>marketing consent given</source>
        <translation>已同意营销</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="299"/>
        <source>no marketing consent</source>
        <translation>未同意营销</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="300"/>
        <source>marketing consent not asked</source>
        <translation>未询问营销同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="305"/>
        <source>do not contact: %1 (%2)</source>
        <translation>勿扰：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="306"/>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="317"/>
        <source>introduced by %1 (%2)</source>
        <translation>由 %1 介绍（%2）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="321"/>
        <source>introduced %n people</source>
        <translation>
            <numerusform>介绍了 %n 人</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="322"/>
        <source>%n bought</source>
        <translation>
            <numerusform>%n 人购车</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="322"/>
        <source>%n came for service</source>
        <translation>
            <numerusform>%n 人到店</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="334"/>
        <source>introduced %1</source>
        <translation>%1 介绍</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="336"/>
        <source>bought %1</source>
        <translation>%1 购车</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="338"/>
        <source>came %1</source>
        <translation>%1 到店</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="359"/>
        <source>maintenance (none on record: by the regular interval)</source>
        <translation>保养（无保养记录，按常规间隔）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="361"/>
        <source>in %n day(s)</source>
        <translation>
            <numerusform>%n 天后</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="360"/>
        <source>maintenance</source>
        <translation>保养</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="106"/>
        <source>Who introduced this customer, or whom they introduced</source>
        <translation>谁介绍了这位客户，或这位客户介绍了谁（老带新）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="109"/>
        <source>A repair the advisor recommended and the customer did not have done</source>
        <translation>服务顾问建议、客户未做的维修（建议维修项目）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="326"/>
        <source>%n more people</source>
        <translation>
            <numerusform>另有 %n 人</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="346"/>
        <source>%n day(s) overdue</source>
        <translation>
            <numerusform>逾期 %n 天</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="348"/>
        <source>%n month(s) overdue</source>
        <translation>
            <numerusform>逾期 %n 个月</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="349"/>
        <source>%n year(s) overdue</source>
        <translation>
            <numerusform>逾期 %n 年</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="357"/>
        <source>first service</source>
        <translation>首保</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="363"/>
        <source>as told at the last service, %1</source>
        <translation>上次保养时告知，%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="367"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="367"/>
        <source>refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="371"/>
        <source>due %1</source>
        <translation>%1 到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="373"/>
        <source>due about %1 (a month after it was advised)</source>
        <translation>约 %1 到期（建议后一个月）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="375"/>
        <source>declined: %1</source>
        <translation>未做：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="36"/>
        <source>Not here</source>
        <translation>此处不可用</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="36"/>
        <source>Open the customer from the Customers area to record this.</source>
        <translation>请从“客户”区打开该客户后再记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="57"/>
        <source>Saving</source>
        <translation>正在保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="71"/>
        <source>Referral recorded for %1</source>
        <translation>已为 %1 记录转介绍</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="106"/>
        <source>Declined repair recorded for %1</source>
        <translation>已为 %1 记录未做维修项目</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="123"/>
        <source>Marked done</source>
        <translation>已标记为已完成</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="124"/>
        <source>Marked refused</source>
        <translation>已标记为已拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="146"/>
        <source>Suggestion dismissed for %1</source>
        <translation>已忽略对 %1 的建议</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="149"/>
        <source>%1: this call is now a %2 call</source>
        <translation>%1：本次通话改为%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="158"/>
        <source>%1 for %2: %3</source>
        <translation>%2：%1（%3）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="155"/>
        <source>Accepted</source>
        <translation>已采纳</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="156"/>
        <source>Changed</source>
        <translation>已更改</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="160"/>
        <source>Log the call…</source>
        <translation>记录通话…</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="196"/>
        <source>Call logged for %1: %2</source>
        <translation>已记录 %1 的通话：%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="215"/>
        <location filename="../../ui/views/brief_actions.py" line="261"/>
        <source>Loading the brief</source>
        <translation>正在载入简报</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_actions.py" line="231"/>
        <source>Brief: %1</source>
        <translation>客户简报：%1</translation>
    </message>
</context>
<context>
    <name>ChangePurposeDialog</name>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="37"/>
        <source>Use another purpose</source>
        <translation>改用其他目的</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="44"/>
        <source>Why, e.g. the customer is free only next month</source>
        <translation>原因，例如：客户说下月才有空</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="47"/>
        <source>Suggested: %1 (rule “%2”)</source>
        <translation>建议：%1（规则“%2”）</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="49"/>
        <source>&amp;Purpose</source>
        <translation>目的(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="50"/>
        <source>&amp;Note</source>
        <translation>备注(&amp;N)</translation>
    </message>
</context>
<context>
    <name>ConditionRow</name>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="65"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="66"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="73"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="99"/>
        <source>none recorded</source>
        <translation>无记录</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="99"/>
        <source>one of</source>
        <translation>属于其一</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="130"/>
        <source>choose…</source>
        <translation>请选择…</translation>
    </message>
</context>
<context>
    <name>ContactDialog</name>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="81"/>
        <source>Cars</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="82"/>
        <source>Km reading</source>
        <translation>里程</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="86"/>
        <source>Reload</source>
        <translation>重新载入</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="87"/>
        <source>Show what is stored now; what you typed is lost</source>
        <translation>显示当前保存的内容；已输入的内容将丢失</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="109"/>
        <source>Whom to ask for, if not the customer: a company&apos;s 王经理</source>
        <translation>不是客户本人时要找的人，如公司的王经理</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="112"/>
        <source>11 digits, e.g. 13800138000</source>
        <translation>11 位数字，例如 13800138000</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="114"/>
        <source>Landlines, a second mobile; separate with commas</source>
        <translation>固定电话、第二个手机号；用逗号分隔</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="122"/>
        <source>Contact person</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="123"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="124"/>
        <source>Other phones</source>
        <translation>其他电话</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="125"/>
        <source>Province</source>
        <translation>省份</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="126"/>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="127"/>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="128"/>
        <source>Street</source>
        <translation>街道地址</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="129"/>
        <source>Postcode</source>
        <translation>邮编</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="79"/>
        <source>Contact details</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="75"/>
        <source>Details and cars of %1</source>
        <translation>%1 的资料与车辆</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="80"/>
        <source>Customer</source>
        <translation>客户信息</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="130"/>
        <source>Save contact details</source>
        <translation>保存联系方式</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="141"/>
        <source>Not known</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="144"/>
        <source>Birthday known</source>
        <translation>已知生日</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="152"/>
        <source>e.g. wxid_chen88 (not the nickname)</source>
        <translation>例如 wxid_chen88（不是昵称）</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="156"/>
        <source>as the DMS writes it, e.g. KH20080139</source>
        <translation>按 DMS 中的写法，例如 KH20080139</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="158"/>
        <source>What staff should know, e.g. VIP; never on a weekend</source>
        <translation>同事需要知道的事，例如：VIP；周末不要打扰</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="163"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="164"/>
        <source>Gender</source>
        <translation>性别</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="165"/>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="167"/>
        <source>WeChat ID</source>
        <translation>微信号</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="168"/>
        <source>Employer</source>
        <translation>工作单位</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="169"/>
        <source>DMS customer number</source>
        <translation>DMS 客户编号</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="170"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="171"/>
        <source>Save customer&apos;s details</source>
        <translation>保存客户信息</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="182"/>
        <source>Mark as sold / no longer theirs</source>
        <translation>标记为已售出/不再拥有</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="189"/>
        <source>e.g. 粤A12345</source>
        <translation>例如 粤A12345</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="190"/>
        <source>17 characters; optional</source>
        <translation>17 位；可不填</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="191"/>
        <source>e.g. 158000 or 15.8万; optional</source>
        <translation>例如 158000 或 15.8万；可不填</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="192"/>
        <source>Purchase date known</source>
        <translation>已知购车日期</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="195"/>
        <source>Brand</source>
        <translation>品牌</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="196"/>
        <source>Model</source>
        <translation>车型</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="197"/>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="198"/>
        <source>VIN</source>
        <translation>车架号</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="199"/>
        <source>Bought on</source>
        <translation>购车日期</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="200"/>
        <source>Price paid</source>
        <translation>购车价格</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="201"/>
        <source>Add car</source>
        <translation>添加车辆</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="204"/>
        <source>A car bought here or elsewhere</source>
        <translation>在本店或别处购买的车辆</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="216"/>
        <source>e.g. 86000 or 8.6万</source>
        <translation>例如 86000 或 8.6万</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="221"/>
        <source>Record km</source>
        <translation>记录里程</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="224"/>
        <source>Car</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="225"/>
        <source>Last reading</source>
        <translation>上次读数</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="226"/>
        <source>Km</source>
        <translation>公里数</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="227"/>
        <source>Read on</source>
        <translation>读数日期</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="248"/>
        <source>Known without its year: %1 (birthday greetings go out on it). Tick Birthday known and enter the whole date once the year is known.</source>
        <translation>只知道月日：%1（生日关怀按此日发送）。得知年份后，勾选“已知生日”并填写完整日期。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="275"/>
        <source>(sold / no longer theirs)</source>
        <translation>（已售出/不再拥有）</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="329"/>
        <source>Not saved</source>
        <translation>尚未保存</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="330"/>
        <source>What you typed on %1 is not saved. Close and lose it?</source>
        <translation>“%1”中填写的内容尚未保存。关闭并放弃这些内容吗？</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="331"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="350"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="374"/>
        <source>Saving</source>
        <translation>正在保存</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="407"/>
        <source>Contact details saved.</source>
        <translation>联系方式已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="418"/>
        <source>Customer&apos;s details saved.</source>
        <translation>客户信息已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="430"/>
        <source>Car added.</source>
        <translation>车辆已添加。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="440"/>
        <source>Car marked as no longer theirs.</source>
        <translation>车辆已标记为不再拥有。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="454"/>
        <source>Km reading recorded.</source>
        <translation>里程已记录。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="466"/>
        <source>%1 km</source>
        <translation>%1 公里</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/contact_dialog.py" line="482"/>
        <source>Loading customer</source>
        <translation>正在读取客户</translation>
    </message>
</context>
<context>
    <name>CustomerPage</name>
    <message>
        <location filename="../../ui/views/customer_page.py" line="230"/>
        <source>Record a change…</source>
        <translation>记录变更…</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="232"/>
        <source>Record what changed (married, new job, km…) with its date and source (Ctrl+E)</source>
        <translation>记录客户的变化（结婚、换工作、里程…）及日期和来源（Ctrl+E）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="235"/>
        <source>Erase…</source>
        <translation>擦除…</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="237"/>
        <source>Erase this customer&apos;s personal data on their request (supervisors; cannot be undone)</source>
        <translation>应客户要求擦除其个人信息（主管操作，不可撤销）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="241"/>
        <source>Details and cars…</source>
        <translation>资料与车辆…</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="243"/>
        <source>Record a new mobile or phone, a new address, a contact person, the name put right, a birthday, a car bought or sold, a km reading</source>
        <translation>记录新手机或电话、新地址、联系人、更正姓名、生日、买入或卖出的车辆、里程读数</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="253"/>
        <source>Brief</source>
        <translation>简报</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="254"/>
        <location filename="../../ui/views/customer_page.py" line="258"/>
        <source>Attribute</source>
        <translation>属性</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="254"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="254"/>
        <source>Since</source>
        <translation>起始日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="257"/>
        <source>Effective</source>
        <translation>生效日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="259"/>
        <source>Change</source>
        <translation>变更</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="260"/>
        <location filename="../../ui/views/customer_page.py" line="287"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="261"/>
        <source>Recorded</source>
        <translation>记录时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="262"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="268"/>
        <source>Profile</source>
        <translation>客户画像</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="272"/>
        <location filename="../../ui/views/customer_page.py" line="293"/>
        <location filename="../../ui/views/customer_page.py" line="298"/>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="273"/>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="283"/>
        <source>VIN</source>
        <translation>车架号</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="274"/>
        <source>Bought</source>
        <translation>购车日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="223"/>
        <source>This customer was just changed on another PC. &lt;a href=&quot;reload&quot;&gt;Show the latest&lt;/a&gt;</source>
        <translation>这位客户刚在其他电脑上有更新。&lt;a href=&quot;reload&quot;&gt;显示最新&lt;/a&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="275"/>
        <source>Price paid</source>
        <translation>成交价</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="276"/>
        <source>Payment</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="277"/>
        <source>Insurance until</source>
        <translation>保险到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="278"/>
        <source>Warranty until</source>
        <translation>质保到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="279"/>
        <source>Inspection due</source>
        <translation>年检到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="280"/>
        <source>Loan ends</source>
        <translation>贷款到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="287"/>
        <location filename="../../ui/views/customer_page.py" line="293"/>
        <location filename="../../ui/views/customer_page.py" line="298"/>
        <location filename="../../ui/views/customer_page.py" line="307"/>
        <location filename="../../ui/views/customer_page.py" line="341"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="287"/>
        <location filename="../../ui/views/customer_page.py" line="293"/>
        <source>Km</source>
        <translation>里程（公里）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="291"/>
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="293"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="293"/>
        <location filename="../../ui/views/customer_page.py" line="298"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="294"/>
        <source>Work done</source>
        <translation>维修内容</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="298"/>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="299"/>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="304"/>
        <source>Spending</source>
        <translation>到店消费</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="308"/>
        <source>Overall</source>
        <translation>总体评分</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="309"/>
        <source>Repair quality</source>
        <translation>维修质量</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="310"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="311"/>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="312"/>
        <source>Attitude</source>
        <translation>接待态度</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="313"/>
        <source>Comment</source>
        <translation>评价</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="316"/>
        <source>Surveys</source>
        <translation>满意度调查</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="319"/>
        <source>Opened</source>
        <translation>投诉日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="320"/>
        <source>Topic</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="321"/>
        <source>Resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="322"/>
        <source>Resolved on</source>
        <translation>解决日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="323"/>
        <source>How</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="326"/>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="329"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="330"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="331"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="332"/>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="333"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="334"/>
        <source>Next follow-up</source>
        <translation>下次跟进</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="335"/>
        <source>What they said</source>
        <translation>客户反馈</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="338"/>
        <source>Contacts</source>
        <translation>联系记录</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="342"/>
        <source>Strength</source>
        <translation>意向强度</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="343"/>
        <source>Window</source>
        <translation>预计购买时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="344"/>
        <source>Expected price</source>
        <translation>预期价格</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="345"/>
        <source>Models</source>
        <translation>意向车型</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="346"/>
        <source>Why</source>
        <translation>购车原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="349"/>
        <source>Intent</source>
        <translation>购车意向</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="353"/>
        <source>Preferences</source>
        <translation>联系偏好与同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="355"/>
        <source>Contact preferences, marketing consent and do-not-contact</source>
        <translation>联系偏好、营销同意和勿扰设置</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="358"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="359"/>
        <source>The customer&apos;s tags: add and remove them</source>
        <translation>客户的标签：添加和移除</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="392"/>
        <source>Nothing of the customer&apos;s life is on file yet.</source>
        <translation>还没有记录客户的任何画像信息。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="393"/>
        <source>No change recorded yet: “Record a change…” adds one.</source>
        <translation>还没有变更记录：点“记录变更…”添加。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="394"/>
        <source>No vehicle on file.</source>
        <translation>没有车辆记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="395"/>
        <source>No km reading of this vehicle on file.</source>
        <translation>这辆车没有里程记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="396"/>
        <source>No workshop visit on file.</source>
        <translation>没有到店维修保养记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="397"/>
        <source>No insurance, accessory or other purchase on file.</source>
        <translation>没有保险、精品或其他消费记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="398"/>
        <source>No satisfaction survey on file.</source>
        <translation>没有满意度调查记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="399"/>
        <source>No complaint on file.</source>
        <translation>没有投诉记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="401"/>
        <source>No contact logged yet: “Log a call…” in the brief records one.</source>
        <translation>还没有联系记录：在“简报”中点“记录通话…”添加。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="402"/>
        <source>No purchase intent recorded.</source>
        <translation>没有购车意向记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="418"/>
        <source>No customer selected</source>
        <translation>未选择客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="420"/>
        <source>Pick a customer in the list (↓ from the search field goes into it).</source>
        <translation>请在左侧列表中选择一位客户（在搜索框按 ↓ 可进入列表）。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="435"/>
        <source>(sold)</source>
        <translation>（已售出）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="540"/>
        <source>%1 (not yet taken off a purchase)</source>
        <translation>%1（尚未冲抵消费）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="543"/>
        <source>%1 (%2 refunded)</source>
        <translation>%1（已退 %2）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="551"/>
        <source>%1 km</source>
        <translation>%1 公里</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="556"/>
        <source>next service %1</source>
        <translation>下次保养 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="555"/>
        <source>%1 or %2</source>
        <translation>%1 或 %2</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="563"/>
        <source>birthday %1 (year not known)</source>
        <translation>生日 %1（年份不详）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="569"/>
        <source>marketing consent given</source>
        <translation>已同意营销</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="570"/>
        <source>no marketing consent</source>
        <translation>未同意营销</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="571"/>
        <source>marketing consent not asked</source>
        <translation>未询问营销同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="574"/>
        <source>DMS no. %1</source>
        <translation>DMS 客户编号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="575"/>
        <source>contact person: %1</source>
        <translation>联系人：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="561"/>
        <source>born %1</source>
        <translation>生于 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="578"/>
        <source>no mobile</source>
        <translation>无手机</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="582"/>
        <source>owner: %1</source>
        <translation>负责人：%1</translation>
    </message>
</context>
<context>
    <name>CustomerTableModel</name>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="38"/>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="39"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="40"/>
        <source>Gender</source>
        <translation>性别</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="41"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="42"/>
        <source>Area</source>
        <translation>地区</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="43"/>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="44"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="45"/>
        <source>Last visit</source>
        <translation>最近到店</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="46"/>
        <source>Last contact</source>
        <translation>最近联系</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="98"/>
        <source>Right-click to choose which columns are shown</source>
        <translation>右键单击列标题可选择显示哪些列</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="109"/>
        <source>contact person: %1</source>
        <translation>联系人：%1</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/customer_table.py" line="131"/>
        <source>(sold)</source>
        <translation>（已售出）</translation>
    </message>
</context>
<context>
    <name>CustomerTagsPanel</name>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="52"/>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="52"/>
        <source>Given by</source>
        <translation>添加人</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="52"/>
        <source>On</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="60"/>
        <source>&amp;Remove tag</source>
        <translation>移除标签(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="64"/>
        <source>Type a tag, or its pinyin initials</source>
        <translation>输入标签或其拼音首字母</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="73"/>
        <source>&amp;Add tag</source>
        <translation>添加标签(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="77"/>
        <source>This customer&apos;s tags</source>
        <translation>该客户的标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="81"/>
        <source>Add a tag</source>
        <translation>添加标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="115"/>
        <source>Loading tags</source>
        <translation>正在加载标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="136"/>
        <source>%1 (retired)</source>
        <translation>%1（已停用）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="142"/>
        <source>Retired: the customer keeps it; nobody new is given it</source>
        <translation>已停用：已有的客户保留，不再给新客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="222"/>
        <source>Saving</source>
        <translation>正在保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="225"/>
        <source>Tag %1 added</source>
        <translation>已添加标签 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_tags_panel.py" line="226"/>
        <source>Tag %1 removed</source>
        <translation>已移除标签 %1</translation>
    </message>
</context>
<context>
    <name>CustomersView</name>
    <message>
        <location filename="../../ui/views/customers_view.py" line="198"/>
        <source>Search name, pinyin or initials (zw = 张伟), mobile, plate or VIN  (Ctrl+F)</source>
        <translation>搜索姓名、拼音、首字母（zw = 张伟）、手机、车牌、车架号（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="208"/>
        <source>No customer matches “%1”. Search by name, pinyin or initials, mobile, plate or VIN.</source>
        <translation>没有与“%1”相符的客户。可按姓名、拼音或首字母、手机号、车牌或车架号查找。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="348"/>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="353"/>
        <source>Searching</source>
        <translation>正在搜索</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/customers_view.py" line="448"/>
        <source>%n customer(s)</source>
        <translation>
            <numerusform>%n 位客户</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="480"/>
        <source>Columns in their first order</source>
        <translation>恢复默认列顺序</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="548"/>
        <location filename="../../ui/views/customers_view.py" line="592"/>
        <source>Loading customer</source>
        <translation>正在加载客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="622"/>
        <source>Saving</source>
        <translation>正在保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="643"/>
        <source>Change saved for %1</source>
        <translation>已为 %1 保存变更</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="647"/>
        <source>Nothing recorded for %1: on %2 %3 was already “%4”.</source>
        <translation>%1 没有记录任何变化：%2 时 %3 已经是“%4”。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="631"/>
        <source>Reload opens the form again with their value as “Now” and what you typed kept in it, to save yours after theirs or cancel. Cancel drops what you typed.</source>
        <translation>“重新载入”会重新打开表单：“当前值”显示同事保存的值，您输入的内容仍保留在表单里，可以在其后保存您的值，也可以取消。若选“取消”，您输入的内容将被放弃。</translation>
    </message>
</context>
<context>
    <name>DashboardTab</name>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="77"/>
        <source>Owners by replacement-matrix cell (vehicles; change since a month earlier)</source>
        <translation>换车九宫格各格车主（车辆；与一个月前相比）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="79"/>
        <source>Customers by RFM class</source>
        <translation>客户 RFM 分类</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="80"/>
        <source>Contacts per week by channel</source>
        <translation>每周联系次数（按渠道）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="81"/>
        <source>Contacts per week by staff</source>
        <translation>每周联系次数（按员工）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="82"/>
        <source>Per month</source>
        <translation>按月</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="83"/>
        <source>Outcome mix</source>
        <translation>联系结果构成</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="84"/>
        <source>Reach by channel (attempts, reached, rate)</source>
        <translation>各渠道接通（尝试、接通、接通率）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="85"/>
        <source>Reach per staff member (attempts, reached, rate)</source>
        <translation>各员工接通（尝试、接通、接通率）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="86"/>
        <source>Appointments made and kept per staff member</source>
        <translation>各员工预约与到店</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="92"/>
        <source>No service visit in 12 months (vehicles)</source>
        <translation>12 个月未到店（车辆）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="93"/>
        <source>No service visit in 18 months (vehicles)</source>
        <translation>18 个月未到店（车辆）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="94"/>
        <source>Consent and do-not-contact (customers)</source>
        <translation>营销同意与勿扰（客户）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="97"/>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="97"/>
        <location filename="../../ui/views/report_dashboard.py" line="162"/>
        <location filename="../../ui/views/report_dashboard.py" line="168"/>
        <source>Contacts</source>
        <translation>联系次数</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="97"/>
        <location filename="../../ui/views/report_dashboard.py" line="237"/>
        <location filename="../../ui/views/report_dashboard.py" line="243"/>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="97"/>
        <source>Reach rate</source>
        <translation>接通率</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="98"/>
        <location filename="../../ui/views/report_dashboard.py" line="163"/>
        <source>Appointments</source>
        <translation>预约</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="98"/>
        <location filename="../../ui/views/report_dashboard.py" line="247"/>
        <source>Kept</source>
        <translation>已到店</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="98"/>
        <source>Follow-ups due in the period</source>
        <translation>本期到期的跟进</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="99"/>
        <source>Overdue at the end (customers)</source>
        <translation>期末逾期（客户）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="157"/>
        <location filename="../../ui/views/report_dashboard.py" line="255"/>
        <source>(no staff recorded)</source>
        <translation>（未记录经办人）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/report_dashboard.py" line="191"/>
        <source>%1: first %n day(s) only</source>
        <translation>
            <numerusform>%1仅前 %n 天</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="210"/>
        <source>%1 contacts, reach rate %2 · appointments %3 made, %4 kept · %5 follow-ups due in the period · at its end: %6 customers with a follow-up overdue, %7 open complaints of %8 customers (the oldest %9 days) · marketing consent %10</source>
        <translation>联系 %1 次，接通率 %2 · 预约 %3 个，到店 %4 个 · 本期到期的跟进 %5 项 · 期末：跟进逾期的客户 %6 位，未解决的投诉 %7 件，涉及客户 %8 位（最早 %9 天）· 营销同意 %10</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="249"/>
        <source>Follow-ups due</source>
        <translation>待跟进</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="250"/>
        <source>Overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="144"/>
        <source>Now</source>
        <translation>现在</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="87"/>
        <source>Follow-ups due in the period, and customers overdue at its end, per staff member</source>
        <translation>各员工本期到期的跟进与期末跟进逾期的客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="123"/>
        <source>Work per staff member (click a number for its customers)</source>
        <translation>各员工工作量（点击数字查看对应客户）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="146"/>
        <source>A month earlier</source>
        <translation>一个月前</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="162"/>
        <location filename="../../ui/views/report_dashboard.py" line="238"/>
        <location filename="../../ui/views/report_dashboard.py" line="244"/>
        <source>Reached</source>
        <translation>已接通</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="172"/>
        <location filename="../../ui/views/report_dashboard.py" line="179"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="90"/>
        <source>Customers by the age of their oldest open complaint (days)</source>
        <translation>按最早未解决投诉已开启天数统计的客户</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/report_dashboard.py" line="174"/>
        <source>%n customer(s) whose oldest open complaint is %1 days old; click to open them</source>
        <translation>
            <numerusform>%n 位客户的最早未解决投诉已开启 %1 天；点击查看这些客户</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="246"/>
        <source>Appointments made</source>
        <translation>预约数</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/report_dashboard.py" line="269"/>
        <source>%n customer(s) behind it; click to open them</source>
        <translation>
            <numerusform>背后有 %n 位客户；点击查看</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/report_dashboard.py" line="278"/>
        <source>%n customer(s)</source>
        <translation>
            <numerusform>%n 位客户</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="288"/>
        <source>%1 years</source>
        <translation>%1 年</translation>
    </message>
</context>
<context>
    <name>DeclinedItemDialog</name>
    <message>
        <location filename="../../ui/dialogs/declined_item_dialog.py" line="27"/>
        <source>Declined repair</source>
        <translation>未做的建议维修</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/declined_item_dialog.py" line="29"/>
        <source>e.g. front brake pads worn, replacement advised</source>
        <translation>例如：前刹车片磨损，建议更换</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/declined_item_dialog.py" line="35"/>
        <source>not said</source>
        <translation>未说明</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/declined_item_dialog.py" line="38"/>
        <source>Due on</source>
        <translation>到期日</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/declined_item_dialog.py" line="50"/>
        <source>&amp;Repair</source>
        <translation>维修项目(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/declined_item_dialog.py" line="51"/>
        <source>&amp;Car</source>
        <translation>车辆(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/declined_item_dialog.py" line="52"/>
        <source>Noted on</source>
        <translation>记录日期</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/declined_item_dialog.py" line="54"/>
        <source>&amp;Note</source>
        <translation>备注(&amp;N)</translation>
    </message>
</context>
<context>
    <name>DuplicatesView</name>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="64"/>
        <source>&amp;Look again</source>
        <translation>重新查找(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="68"/>
        <source>One customer</source>
        <translation>客户甲</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="68"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="68"/>
        <source>The other</source>
        <translation>客户乙</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="69"/>
        <source>Evidence</source>
        <translation>依据</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="95"/>
        <source>Merge the chosen pair</source>
        <translation>合并所选的一对客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="106"/>
        <source>&amp;Merge…</source>
        <translation>合并(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="109"/>
        <source>Everything of the other customer moves to the one kept; empty fields are filled from it. A merge can be undone.</source>
        <translation>另一位客户的所有内容都将移到保留的客户名下，空白字段会用其数据补齐。合并可以撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="112"/>
        <source>Only a supervisor may merge customers or undo a merge.</source>
        <translation>只有主管可以合并客户或撤销合并。</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="117"/>
        <source>Keep:</source>
        <translation>保留：</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="126"/>
        <source>Past merges</source>
        <translation>以往合并</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="128"/>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="128"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="128"/>
        <source>Kept</source>
        <translation>保留客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="128"/>
        <source>Merged</source>
        <translation>被合并客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="129"/>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="129"/>
        <source>Undone</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="132"/>
        <source>U&amp;ndo this merge…</source>
        <translation>撤销这次合并(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="158"/>
        <source>Looking for duplicates…</source>
        <translation>正在查找重复客户…</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="168"/>
        <source>Looking for duplicate customers</source>
        <translation>正在查找重复客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="179"/>
        <source>The search for duplicates did not finish.</source>
        <translation>重复客户查找未完成。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/duplicates_view.py" line="191"/>
        <source>%n pair(s) of customers look like one person.</source>
        <translation>
            <numerusform>有 %n 对客户疑似同一人。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="193"/>
        <source>No two customers look like one person.</source>
        <translation>未发现疑似同一人的客户。</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="196"/>
        <source>The strongest %1 are listed.</source>
        <translation>仅列出可能性最高的 %1 对。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/duplicates_view.py" line="200"/>
        <source>%n value(s) on too many customers to be one person are left out.</source>
        <translation>
            <numerusform>有 %n 个值出现在过多客户名下，不可能属于同一人，已排除。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/duplicates_view.py" line="260"/>
        <source>%1 (%n car(s), on file since %2)</source>
        <translation>
            <numerusform>%1（%n 辆车，%2 起建档）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="264"/>
        <source>(choose a pair above)</source>
        <translation>（请在上方选择一对客户）</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="276"/>
        <source>Working out what the merge would move…</source>
        <translation>正在计算合并将移动的内容…</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="297"/>
        <source>Moves to %1: %2.</source>
        <translation>移至 %1：%2。</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="298"/>
        <source>nothing</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="301"/>
        <source>Already held by %1, so dropped: %2.</source>
        <translation>%1 已有，因此舍弃：%2。</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="307"/>
        <source>Filled in from %1: %2.</source>
        <translation>从 %1 补填：%2。</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="309"/>
        <source>Then %1 is removed.</source>
        <translation>随后删除 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="316"/>
        <source>staff member in charge</source>
        <translation>负责员工</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="327"/>
        <source>Merge two customers</source>
        <translation>合并两位客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="328"/>
        <source>Merge %1 into %2? Everything of %1 moves to %2 and %1 is removed. The merge can be undone under Past merges.</source>
        <translation>将 %1 合并到 %2？%1 的所有内容都将移到 %2 名下，%1 将被删除。合并可在“以往合并”中撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="344"/>
        <source>Merging customers</source>
        <translation>正在合并客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="351"/>
        <source>%1 merged into %2 (merge #%3).</source>
        <translation>%1 已合并到 %2（合并 #%3）。</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="373"/>
        <source>Undo a merge</source>
        <translation>撤销合并</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="374"/>
        <source>Undo merge #%1? %2 %3 comes back with exactly what moved to %4.</source>
        <translation>撤销合并 #%1？%2 %3 将恢复，并取回当初移到 %4 名下的全部内容。</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="389"/>
        <source>Undoing merge #%1</source>
        <translation>正在撤销合并 #%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/duplicates_view.py" line="402"/>
        <source>Merge #%1 undone: %2 is back.</source>
        <translation>合并 #%1 已撤销：%2 已恢复。</translation>
    </message>
</context>
<context>
    <name>EffectTab</name>
    <message>
        <location filename="../../ui/views/report_effect.py" line="42"/>
        <source>Excluded members of the run</source>
        <translation>名单中被排除的人</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="43"/>
        <source>Same segment, left out of the run</source>
        <translation>同一分群中未进名单的人</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="46"/>
        <source>Run date</source>
        <translation>名单日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="46"/>
        <source>Segment</source>
        <translation>分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="46"/>
        <source>Members</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="46"/>
        <location filename="../../ui/views/report_effect.py" line="142"/>
        <source>Contacted</source>
        <translation>已联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="47"/>
        <location filename="../../ui/views/report_effect.py" line="143"/>
        <source>Comparison</source>
        <translation>对照组</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="47"/>
        <source>Came back in 90 days</source>
        <translation>90 天内到店</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="47"/>
        <source>Difference</source>
        <translation>差异</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="49"/>
        <source>Group</source>
        <translation>组</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="49"/>
        <source>People</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="51"/>
        <source>Contacted against comparison (rate, %)</source>
        <translation>已联系组与对照组（比例，%）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="55"/>
        <source>Show the week of the latest run</source>
        <translation>显示最近一次名单所在的周</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="59"/>
        <source>Compare with:</source>
        <translation>对比：</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="81"/>
        <source>Came back</source>
        <translation>到店</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="81"/>
        <source>Spent</source>
        <translation>消费</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="82"/>
        <source>Bought a car</source>
        <translation>购车</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="83"/>
        <source>%1, %2 days</source>
        <translation>%1，%2 天</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="120"/>
        <source>No list run has been finished yet. A run&apos;s effect shows here once its files are written, in the week of its date.</source>
        <translation>还没有完成的名单。名单的文件写好后，它的效果会显示在它的日期所在的那一周。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="123"/>
        <source>No finished list run has its date in this period. The latest is dated %1.</source>
        <translation>这段时间里没有完成的名单。最近一次的日期是 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="126"/>
        <source>The person chosen made no contact for the list runs of this period.</source>
        <translation>所选的人在这段时间的名单中没有联系记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="127"/>
        <source>No finished list run has its date in this period.</source>
        <translation>此期间没有已完成的名单。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="134"/>
        <source>Comparison group</source>
        <translation>对照组</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="136"/>
        <source>All contacted</source>
        <translation>全部已联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="137"/>
        <source>(no staff recorded)</source>
        <translation>（未记录经办人）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="146"/>
        <source>The groups are too small to compare (under %1 people in one of them): the difference cannot be trusted.</source>
        <translation>组太小，无法比较（其中一组少于 %1 人）：差异不可信。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="151"/>
        <source>Not over yet: the %1-day window; later visits and purchases will still count.</source>
        <translation>%1 天观察期尚未结束，之后的到店和购车仍会计入。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="154"/>
        <source>Excluded members were left out for a reason (a refusal, no consent, a recent contact, a complaint), so the difference is a hint, not a proof.</source>
        <translation>被排除的人是有原因的（拒绝、未同意、近期联系过、有投诉），所以差异只是参考，不是证明。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_effect.py" line="157"/>
        <source>%1 members of the run were not contacted and are in neither group.</source>
        <translation>名单中有 %1 人未被联系，不在任何一组中。</translation>
    </message>
</context>
<context>
    <name>EraseDialog</name>
    <message>
        <location filename="../../ui/dialogs/erase_dialog.py" line="31"/>
        <source>Erase personal data</source>
        <translation>擦除个人信息</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/erase_dialog.py" line="35"/>
        <source>This removes %1&apos;s name, contact person, birthday, phones, address, WeChat id, employer, notes, plates and VINs from every record, past lists and the history included. Visits, amounts and dates stay for the statistics, and no list will contact them again. It cannot be undone.</source>
        <translation>这将从所有记录（包括以往名单和历史）中删除 %1 的姓名、联系人、生日、电话、地址、微信号、工作单位、备注、车牌和车架号。到店、金额和日期保留用于统计，以后任何名单都不会再联系该客户。此操作不可撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/erase_dialog.py" line="42"/>
        <source>e.g. the customer asked by phone on 11-30</source>
        <translation>例如：客户 11-30 来电要求</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/erase_dialog.py" line="46"/>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/erase_dialog.py" line="47"/>
        <source>Type %1 to confirm:</source>
        <translation>输入 %1 以确认：</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/erase_dialog.py" line="49"/>
        <source>Erase</source>
        <translation>擦除</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/erase_dialog.py" line="76"/>
        <source>Erasing personal data</source>
        <translation>正在擦除个人信息</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/erase_dialog.py" line="79"/>
        <source>Personal data of %1 erased</source>
        <translation>已擦除 %1 的个人信息</translation>
    </message>
</context>
<context>
    <name>FilterEditor</name>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="44"/>
        <source>between</source>
        <translation>介于</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="45"/>
        <source>contains</source>
        <translation>包含</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="46"/>
        <source>starts with</source>
        <translation>开头是</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="47"/>
        <source>is one of</source>
        <translation>属于其中之一</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="48"/>
        <source>is none of</source>
        <translation>不属于其中任何一个</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="49"/>
        <source>is unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="50"/>
        <source>is known</source>
        <translation>已知</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="51"/>
        <source>falls due within (days)</source>
        <translation>在以下天数内到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="52"/>
        <source>within the last (days)</source>
        <translation>在最近以下天数内</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="53"/>
        <source>has any of</source>
        <translation>含任一标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="54"/>
        <source>has all of</source>
        <translation>含全部标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="55"/>
        <source>has none of</source>
        <translation>不含这些标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="332"/>
        <source>anyone</source>
        <translation>任何人</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="337"/>
        <source>+ &amp;Condition</source>
        <translation>+ 条件(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="338"/>
        <source>+ &amp;Group</source>
        <translation>+ 条件组(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="339"/>
        <source>AND ↔ OR</source>
        <translation>且 ↔ 或</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="340"/>
        <source>&amp;NOT</source>
        <translation>取反(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="341"/>
        <source>&amp;Remove</source>
        <translation>删除(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="342"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="343"/>
        <source>Undo the last change to the conditions (Ctrl+Z)</source>
        <translation>撤销对条件的上一次修改（Ctrl+Z）</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="379"/>
        <source>&amp;Field</source>
        <translation>字段(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="380"/>
        <source>&amp;Operator</source>
        <translation>比较方式(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="381"/>
        <source>&amp;Value</source>
        <translation>值(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="458"/>
        <source>All of these (AND)</source>
        <translation>满足以下全部（且）</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="458"/>
        <source>Any of these (OR)</source>
        <translation>满足以下任一（或）</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="463"/>
        <source>NOT</source>
        <translation>不满足以下（非）</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="601"/>
        <source>any</source>
        <translation>不限</translation>
    </message>
</context>
<context>
    <name>FirstSteps</name>
    <message>
        <location filename="../../ui/views/customers_view.py" line="147"/>
        <source>No customers yet</source>
        <translation>还没有客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="150"/>
        <source>Import the customers, vehicles and service visits exported from the DMS in Import (Ctrl+6). Segments, lists and reports count what is imported.</source>
        <translation>在“导入”（Ctrl+6）中导入从 DMS 导出的客户、车辆和维修保养记录。客户分群、名单和报表都按导入的数据统计。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="154"/>
        <source>Fill in the shop&apos;s name, phone, address and SMS signature in Settings (Ctrl+7): lists, labels and text messages use them.</source>
        <translation>在“设置”（Ctrl+7）中填写门店名称、电话、地址和短信签名：名单、标签和短信都会用到。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="158"/>
        <source>Open Import</source>
        <translation>打开导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="160"/>
        <source>Open Settings</source>
        <translation>打开设置</translation>
    </message>
</context>
<context>
    <name>FirstSupervisorDialog</name>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="171"/>
        <source>Create the first supervisor</source>
        <translation>创建首位主管</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="174"/>
        <source>Nobody can sign in to this database yet. Create the first supervisor account: supervisors add the other staff in Settings and may change shared settings, delete segments and save files with full phone numbers.</source>
        <translation>此数据库还没有可登录的账号。请创建首位主管账号：主管可在“设置”中添加其他员工，并可修改共享设置、删除分群、保存含完整手机号的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="178"/>
        <source>e.g. wangli</source>
        <translation>例如 wangli</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="178"/>
        <source>e.g. 王丽</source>
        <translation>例如 王丽</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="180"/>
        <source>Create and sign in</source>
        <translation>创建并登录</translation>
    </message>
</context>
<context>
    <name>FollowUpView</name>
    <message>
        <location filename="../../ui/views/followup_view.py" line="83"/>
        <source>Whose calls to show; remembered on this PC</source>
        <translation>显示哪位回访员的电话；本机会记住此选择</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="87"/>
        <source>Which calls to list: all of them, the promised follow-ups, or one list&apos;s</source>
        <translation>列出哪些电话：全部、约定的回访，或某一份名单的</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="91"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="112"/>
        <source>Key %1, or Alt+%1 while typing</source>
        <translation>按 %1；正在输入文字时按 Alt+%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="124"/>
        <source>Do not call again for this purpose (sets a phone do-not-contact)</source>
        <translation>不再为此目的致电（设为电话勿扰）</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="136"/>
        <source>What did they say? e.g. just married, wants a bigger car</source>
        <translation>客户说了什么？例如：刚结婚，想换个大点的车</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="140"/>
        <source>Call again on</source>
        <translation>再次致电</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="148"/>
        <source>%1 days</source>
        <translation>%1 天</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="157"/>
        <source>not asked</source>
        <translation>未询问</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="158"/>
        <source> km</source>
        <translation> 公里</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="162"/>
        <source>The car the km reading is of</source>
        <translation>这个里程读数所属的车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="164"/>
        <source>no change</source>
        <translation>无变化</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="177"/>
        <source>When the call was made: now, or the day and time on the paper sheet when typing calls up later</source>
        <translation>通话时间：默认为现在；事后按纸质跟进表录入时，请改为表上的日期和时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="179"/>
        <source>Save and next (Ctrl+Enter)</source>
        <translation>保存并下一个（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="183"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="185"/>
        <source>Called &amp;at</source>
        <translation>通话时间(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="192"/>
        <source>&amp;Feedback</source>
        <translation>客户反馈(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="193"/>
        <source>Next follow-up</source>
        <translation>下次跟进</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="197"/>
        <source>&amp;Km now</source>
        <translation>当前里程(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="204"/>
        <source>&amp;Profile change</source>
        <translation>画像变更(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="225"/>
        <source>Caller:</source>
        <translation>回访员：</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="323"/>
        <source>All calls</source>
        <translation>全部电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="324"/>
        <source>Promised follow-ups</source>
        <translation>约定回访</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="327"/>
        <source>List #%1 %2 (%3)</source>
        <translation>名单 #%1 %2（%3）</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="345"/>
        <source>Loading calls</source>
        <translation>正在加载待拨电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="359"/>
        <source>List #%1 %2 was withdrawn; your other calls are listed.</source>
        <translation>名单 #%1 %2 已撤回：下面列出您其余的电话。</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="361"/>
        <source>List #%1 %2 has no calls left to make; your other calls are listed.</source>
        <translation>名单 #%1 %2 的电话已全部拨完：下面列出您其余的电话。</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="377"/>
        <source>follow up on %1</source>
        <translation>约定 %1 跟进</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="392"/>
        <source>No longer in your queue: what you typed stays until you save it or open another call.</source>
        <translation>这通电话已不在您的待拨列表中：您填写的内容保留，直到保存或打开其他电话。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/followup_view.py" line="418"/>
        <source>%n call(s) to make</source>
        <translation>
            <numerusform>待拨 %n 个电话</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/followup_view.py" line="420"/>
        <source>; the first %n are listed</source>
        <translation>
            <numerusform>，下面列出前 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="422"/>
        <source> (choose a list to see all of its calls)</source>
        <translation>（选择一份名单可查看其全部电话）</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="455"/>
        <source>No calls due. Well done.</source>
        <translation>没有待拨的电话，辛苦了！</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="457"/>
        <source>Calls come here when a call list is made with this caller among its callers (Lists), and on the day a follow-up set after a call is due.</source>
        <translation>在“名单”中生成电话名单并选中此回访员时，名单中的电话会出现在这里；通话后设定的下次跟进到期当天，也会出现在这里。</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="461"/>
        <source>no number to call</source>
        <translation>无可拨打的号码</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="470"/>
        <source>%1 (was %2, from the suggestion)</source>
        <translation>%1（原为 %2，来自建议）</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="474"/>
        <source>best time: %1</source>
        <translation>最佳时间：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="476"/>
        <source>attempt %1</source>
        <translation>第 %1 次拨打</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="480"/>
        <source>To raise: %1</source>
        <translation>本次要点：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="503"/>
        <source>Loading the brief</source>
        <translation>正在载入简报</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="530"/>
        <source>the call&apos;s car</source>
        <translation>本次通话的车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="563"/>
        <source>now: %1</source>
        <translation>现为：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="564"/>
        <source>not recorded</source>
        <translation>未记录</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="611"/>
        <source>Pick an outcome first: keys 1 … 6</source>
        <translation>请先选择结果：按键 1 … 6</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="617"/>
        <source>The customer&apos;s profile is still loading; nothing was saved: save again once it shows the value recorded now beside the change.</source>
        <translation>客户画像仍在加载，未保存：请等变更旁显示当前记录的值后再保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="660"/>
        <source>Saved for %1: %2</source>
        <translation>已保存 %1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="652"/>
        <source>Saving call</source>
        <translation>正在保存通话结果</translation>
    </message>
</context>
<context>
    <name>GroupsTab</name>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="192"/>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="192"/>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="192"/>
        <source>Counted</source>
        <translation>计数单位</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="197"/>
        <source>Due soon counts the next 30 days. Double-click a row to open it in the builder.</source>
        <translation>“即将到期”统计未来 30 天。双击某一行，可在分群编辑器中打开。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="208"/>
        <source>Counting groups</source>
        <translation>正在统计分组</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="212"/>
        <source>customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="212"/>
        <source>vehicles</source>
        <translation>车辆</translation>
    </message>
</context>
<context>
    <name>ImportView</name>
    <message>
        <location filename="../../ui/views/import_view.py" line="125"/>
        <source>◀ &amp;Back</source>
        <translation>◀ 上一步(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="153"/>
        <source>New import</source>
        <translation>新建导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="154"/>
        <source>Past imports</source>
        <translation>以往导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="155"/>
        <source>Duplicate customers</source>
        <translation>重复客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="177"/>
        <source>Choose the file to import</source>
        <translation>选择要导入的文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="218"/>
        <source>Reading the file</source>
        <translation>正在读取文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="241"/>
        <source>A list Revisit wrote</source>
        <translation>这是回访系统导出的名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="242"/>
        <source>“%1” is a list Revisit wrote: it has the columns 编号 and 结果. What the callers typed into it is read back under Lists → Past runs, not imported.</source>
        <translation>“%1”是回访系统导出的名单：它有“编号”和“结果”两列。回访员在名单里填写的内容应在“名单 → 历史名单”中读回，而不是导入。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="246"/>
        <source>&amp;Read it back</source>
        <translation>去读回(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="247"/>
        <source>&amp;Import it anyway</source>
        <translation>仍然导入(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="292"/>
        <source>Recognised from the file&apos;s headers; fields marked yellow are guesses to check. Change any column with its box.</source>
        <translation>已根据文件的列标题识别；标黄的字段为推测，请核对。每列都可以在其下拉框中更改。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="319"/>
        <source>From the saved mapping “%1”.</source>
        <translation>来自已保存的列对应方案“%1”。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="336"/>
        <source>Save the columns as a mapping</source>
        <translation>将各列保存为列对应方案</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="337"/>
        <source>Name of the mapping, e.g. the system the file comes from:</source>
        <translation>列对应方案名称，例如文件来源系统：</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="350"/>
        <source>Mapping “%1” saved.</source>
        <translation>列对应方案“%1”已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="386"/>
        <source>Checking every row against the database… Nothing is written. Progress and Cancel are at the bottom of the window.</source>
        <translation>正在将每一行与数据库核对…不会写入任何数据。进度和“取消”按钮位于窗口底部。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="395"/>
        <source>The dry run was cancelled.</source>
        <translation>试导入已取消。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="397"/>
        <source>Dry run</source>
        <translation>试导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="417"/>
        <source>The import was cancelled; the rows it had written were taken back.</source>
        <translation>导入已取消，已写入的行已全部撤回。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="414"/>
        <source>Importing %1</source>
        <translation>正在导入 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="442"/>
        <source>Import “%1” as %2 now? By the dry run: %3 new, %4 updated, %5 unchanged, %6 not imported.</source>
        <translation>现在将“%1”作为%2导入？试导入结果：新增 %3，更新 %4，未变 %5，未导入 %6。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="451"/>
        <source>The import is stored as one batch that can be undone under Past imports.</source>
        <translation>本次导入将保存为一个批次，可在“以往导入”中撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="455"/>
        <source>Import the file</source>
        <translation>导入文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="470"/>
        <source>Import #%1 stored: %2 new, %3 updated, %4 unchanged, %5 not imported.</source>
        <translation>导入 #%1 已保存：新增 %2，更新 %3，未变 %4，未导入 %5。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="510"/>
        <source>Next sheet “%1” ▶</source>
        <translation>下一个工作表“%1” ▶</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_view.py" line="511"/>
        <source>Import all %n sheet(s)…</source>
        <translation>
            <numerusform>全部导入（%n 个）…</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="591"/>
        <source>The columns of the sheet “%1”, as it was imported.</source>
        <translation>沿用工作表“%1”导入时的列。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="600"/>
        <source>%1-import problems.xlsx</source>
        <translation>%1-导入问题.xlsx</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="604"/>
        <source>Save the rows with problems</source>
        <translation>保存有问题的行</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="610"/>
        <source>Rows with problems saved to %1</source>
        <translation>有问题的行已保存到 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="613"/>
        <source>Saving the rows with problems</source>
        <translation>正在保存有问题的行</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="603"/>
        <source>Excel files (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="175"/>
        <source>Excel or CSV files (*.xlsx *.xls *.csv *.ods *.xml *.htm *.html *.txt);;All files (*)</source>
        <translation>Excel 或 CSV 文件 (*.xlsx *.xls *.csv *.ods *.xml *.htm *.html *.txt);;所有文件 (*)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_view.py" line="506"/>
        <source>%n more sheet(s) of this workbook have the columns of “%1”, not imported yet: %2. The next is imported with the same columns, after its own dry run; or all of them at once.</source>
        <translation>
            <numerusform>本工作簿还有 %n 个工作表的列与“%1”相同，尚未导入：%2。可逐个按同样的列导入（每个先试导入），也可一次全部导入。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_view.py" line="531"/>
        <source>Import the %n sheet(s) %1 now, with the columns of “%2”? None of them is dry-run first.</source>
        <translation>
            <numerusform>现在按“%2”的列导入这 %n 个工作表：%1？它们不再逐个试导入。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="534"/>
        <source>Each sheet is stored as a batch of its own, undone on its own under Past imports. Its result and its rows with problems are shown when it is done.</source>
        <translation>每个工作表各存为一个导入批次，可在“历史导入”中分别撤销。每个工作表导入完后，可查看其结果并保存其问题行。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="537"/>
        <source>Import the other sheets</source>
        <translation>导入其余工作表</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_view.py" line="563"/>
        <source>%n sheet(s) imported: %1 new, %2 updated, %3 unchanged, %4 not imported.</source>
        <translation>
            <numerusform>已导入 %n 个工作表：新增 %1，更新 %2，未变 %3，未导入 %4。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="571"/>
        <source>Stopped at the sheet “%1”: none of its rows were imported; the sheets before it stay imported.</source>
        <translation>在工作表“%1”处停止：该表的行均未导入；之前的工作表已导入，保持不变。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="628"/>
        <source>The dry run did not finish.</source>
        <translation>试导入未完成。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="676"/>
        <source>Step 1 of 5: the kind of file and the file</source>
        <translation>第 1 步（共 5 步）：文件类型和文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="677"/>
        <source>Step 2 of 5: the sheet and the row of column headers</source>
        <translation>第 2 步（共 5 步）：工作表和列标题所在行</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="678"/>
        <source>Step 3 of 5: which column holds what</source>
        <translation>第 3 步（共 5 步）：各列对应的内容</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="679"/>
        <source>Step 4 of 5: dry run — what the import would do</source>
        <translation>第 4 步（共 5 步）：试导入——导入将如何处理</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="680"/>
        <source>Step 5 of 5: imported</source>
        <translation>第 5 步（共 5 步）：已导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="689"/>
        <source>&amp;Dry run ▶</source>
        <translation>试导入(&amp;D) ▶</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="690"/>
        <source>&amp;Import…</source>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="691"/>
        <source>&amp;New import</source>
        <translation>新建导入(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="693"/>
        <source>&amp;Next ▶</source>
        <translation>下一步(&amp;N) ▶</translation>
    </message>
</context>
<context>
    <name>IntervalDialog</name>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="68"/>
        <source>All models of the brand</source>
        <translation>该品牌所有车型</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="69"/>
        <source>e.g. 丰田</source>
        <translation>例如：丰田</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="84"/>
        <source>Every car without an interval of its brand or model</source>
        <translation>所有未单独设置品牌或车型间隔的车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="86"/>
        <source>&amp;Brand</source>
        <translation>品牌(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="87"/>
        <source>&amp;Model</source>
        <translation>车型(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="91"/>
        <source>First free service</source>
        <translation>首保</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="94"/>
        <source>Whichever comes first; the first free service counts from the purchase date and 0 km, later ones from the last maintenance visit.</source>
        <translation>以先到者为准；首保从购车日期和 0 公里起算，之后从上次保养进厂起算。</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="93"/>
        <source>Then every</source>
        <translation>之后每隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="107"/>
        <source> km</source>
        <translation> 公里</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="110"/>
        <source> months</source>
        <translation> 个月</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="117"/>
        <source>or</source>
        <translation>或</translation>
    </message>
</context>
<context>
    <name>IntervalsPanel</name>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="165"/>
        <source>Brand</source>
        <translation>品牌</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="165"/>
        <source>Model</source>
        <translation>车型</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="166"/>
        <source>Then every</source>
        <translation>之后每隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="166"/>
        <source>Cars</source>
        <translation>车辆数</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="166"/>
        <source>Changed</source>
        <translation>修改时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="177"/>
        <source>&amp;Add…</source>
        <translation>添加(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="178"/>
        <source>&amp;Change…</source>
        <translation>修改(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="179"/>
        <source>&amp;Remove</source>
        <translation>删除(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="165"/>
        <source>First service</source>
        <translation>首保</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="189"/>
        <source>Maintenance falls due every N km or M months after the car&apos;s last maintenance visit, whichever comes first; the first free service counts from the purchase date and 0 km. A model&apos;s interval is used before its brand&apos;s, a brand&apos;s before every car&apos;s.</source>
        <translation>车辆在上次保养进厂后每行驶 N 公里或每隔 M 个月（以先到者为准）应做保养；首保从购车日期和 0 公里起算。车型的间隔优先于品牌的，品牌的优先于所有车辆的。</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="194"/>
        <source>Only a supervisor may change the service intervals.</source>
        <translation>只有主管可以修改保养间隔。</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="217"/>
        <source>Loading service intervals</source>
        <translation>正在读取保养间隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="227"/>
        <location filename="../../ui/views/intervals_panel.py" line="369"/>
        <source>Every car</source>
        <translation>所有车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="228"/>
        <source>All models</source>
        <translation>所有车型</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="251"/>
        <source>%1 km or %2 months</source>
        <translation>%1 公里或 %2 个月</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="255"/>
        <source>Built-in default</source>
        <translation>内置默认值</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="310"/>
        <source>Reload shows the intervals as they are now and opens this dialog again with what you typed, to save it over theirs or cancel. Cancel drops what you typed.</source>
        <translation>“重新载入”会显示当前保存的保养间隔，并重新打开此对话框，保留您输入的内容，可以在同事修改之后保存您的值，也可以取消。若选“取消”，您输入的内容将被放弃。</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="334"/>
        <source>Service intervals</source>
        <translation>保养间隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="335"/>
        <source>%1 already has its own interval; change that one.</source>
        <translation>%1 已有自己的保养间隔，请修改那一条。</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="346"/>
        <location filename="../../ui/views/intervals_panel.py" line="381"/>
        <source>Saving</source>
        <translation>正在保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="349"/>
        <source>Service interval saved</source>
        <translation>保养间隔已保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="326"/>
        <location filename="../../ui/views/intervals_panel.py" line="357"/>
        <source>Add a service interval</source>
        <translation>添加保养间隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="325"/>
        <location filename="../../ui/views/intervals_panel.py" line="363"/>
        <source>Change a service interval</source>
        <translation>修改保养间隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="371"/>
        <source>Remove service interval</source>
        <translation>删除保养间隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="372"/>
        <source>Remove the interval of %1? Its cars then follow their brand&apos;s interval, every car&apos;s, or the built-in default.</source>
        <translation>删除 %1 的保养间隔？其车辆将改按品牌的间隔、所有车辆的间隔或内置默认值计算。</translation>
    </message>
    <message>
        <location filename="../../ui/views/intervals_panel.py" line="384"/>
        <source>Service interval of %1 removed</source>
        <translation>%1 的保养间隔已删除</translation>
    </message>
</context>
<context>
    <name>ListOutputs</name>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="109"/>
        <source>&amp;Preview call sheet</source>
        <translation>预览回访单(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="110"/>
        <source>P&amp;rint…</source>
        <translation>打印(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="111"/>
        <source>Save call sheet PDF…</source>
        <translation>保存回访单 PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="112"/>
        <source>Save call list (Excel)…</source>
        <translation>保存电话名单（Excel）…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="113"/>
        <source>Save mail list (Excel)…</source>
        <translation>保存邮寄名单（Excel）…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="117"/>
        <source>Save labels / envelopes PDF…</source>
        <translation>保存标签/信封 PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="120"/>
        <source>Merge fields: %1; a fallback after a bar: {车型|您的爱车}</source>
        <translation>合并字段：%1；竖线后可写备用文字：{车型|您的爱车}</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="124"/>
        <source>Save SMS vendor file…</source>
        <translation>保存短信平台文件…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="127"/>
        <source>Only a supervisor may save the SMS vendor file: it holds full mobile numbers.</source>
        <translation>只有主管可以保存短信平台文件：文件中含完整手机号。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="133"/>
        <source>Save WeChat list (Excel)…</source>
        <translation>保存微信名单（Excel）…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="134"/>
        <source>Save visit list (Excel)…</source>
        <translation>保存上门拜访名单（Excel）…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="138"/>
        <location filename="../../ui/views/list_outputs.py" line="180"/>
        <source>Call sheet</source>
        <translation>回访单</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="142"/>
        <source>Excel and mail</source>
        <translation>Excel 与邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="148"/>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="150"/>
        <source>Message</source>
        <translation>短信内容</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="151"/>
        <source>Send at</source>
        <translation>发送时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="153"/>
        <source>WeChat and visits</source>
        <translation>微信与上门拜访</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="155"/>
        <source>WeChat message</source>
        <translation>微信消息</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="164"/>
        <source>There is no call sheet for this list: nobody in it is to be called.</source>
        <translation>本名单没有回访跟进表：名单中没有需要电话联系的客户。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="181"/>
        <source>SMS as sent</source>
        <translation>短信预览</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="182"/>
        <source>WeChat messages</source>
        <translation>微信消息</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_outputs.py" line="255"/>
        <source>Press “Preview call sheet” to see the call sheet here: %n call(s).</source>
        <translation>
            <numerusform>按左侧“预览回访单”，这里即显示回访单（共 %n 个电话）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_outputs.py" line="293"/>
        <source>%n page(s)</source>
        <translation>
            <numerusform>共 %n 页</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="304"/>
        <source>Making the call sheet</source>
        <translation>正在生成回访单</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="332"/>
        <source>Printing cancelled: %1 of %2 page(s) sent to the printer.</source>
        <translation>已取消打印：共 %2 页，已送往打印机 %1 页。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="341"/>
        <source>Printing the call sheet</source>
        <translation>正在打印回访单</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="341"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="376"/>
        <location filename="../../ui/views/list_outputs.py" line="379"/>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="433"/>
        <source>Counting the WeChat messages</source>
        <translation>正在统计微信消息</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="463"/>
        <source>This message reads as an offer (%1), but the list was made for “%2”, so it includes customers who refused marketing or never agreed to it. Send offers from a list made for sales or marketing, which leaves them out.</source>
        <translation>这条短信含有营销用语（%1），但名单是为“%2”生成的，其中包括拒绝营销或从未同意营销的客户。营销短信请用以“销售”或“营销”为目的生成的名单发送，这样会自动排除他们。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="472"/>
        <source>WeChat list</source>
        <translation>微信名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="473"/>
        <source>The first messages:</source>
        <translation>前几条消息：</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="474"/>
        <source>Write the WeChat list now?</source>
        <translation>现在生成微信名单吗？</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="526"/>
        <source>, about ¥%1</source>
        <translation>，约 ¥%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="528"/>
        <source>Messages: %1, left out: %2</source>
        <translation>消息：%1 条，未包含：%2 人</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="534"/>
        <source>phone numbers masked (only a supervisor&apos;s files hold full numbers)</source>
        <translation>电话号码已部分隐藏（只有主管保存的文件含完整号码）</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="536"/>
        <source>%1; %2</source>
        <translation>%1；%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="549"/>
        <source>Some characters could not be printed</source>
        <translation>部分字符无法打印</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="374"/>
        <source>Excel (*.xlsx);;CSV (*.csv)</source>
        <translation>Excel 文件 (*.xlsx);;CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="390"/>
        <source>Save as</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="426"/>
        <source>Counting the SMS</source>
        <translation>正在计算短信</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="450"/>
        <source>SMS vendor file</source>
        <translation>短信平台文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="484"/>
        <source>No member of this list can be sent this message.</source>
        <translation>名单中没有人可以收到这条短信。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="452"/>
        <source>Write the SMS vendor file now?</source>
        <translation>现在生成短信平台文件吗？</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="130"/>
        <source>Each member&apos;s message, ready to paste into the chat. Merge fields: %1; a fallback after a bar: {店名|本店}</source>
        <translation>每位客户的消息，可直接复制粘贴到聊天中。合并字段：%1；竖线后可写备用文字：{店名|本店}</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="515"/>
        <source>Writing %1</source>
        <translation>正在写入 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="520"/>
        <location filename="../../ui/views/list_outputs.py" line="532"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="522"/>
        <source>%1 numbers, %2 billed messages, %3 skipped</source>
        <translation>%1 个号码，计费短信 %2 条，跳过 %3 个</translation>
    </message>
</context>
<context>
    <name>ListsView</name>
    <message>
        <location filename="../../ui/views/lists_view.py" line="79"/>
        <source>◀ &amp;Back</source>
        <translation>◀ 上一步(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="80"/>
        <source>&amp;Next ▶</source>
        <translation>下一步(&amp;N) ▶</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="93"/>
        <source>New list</source>
        <translation>新建名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="94"/>
        <source>Past runs</source>
        <translation>历史名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="134"/>
        <source>Each customer&apos;s preferred channel</source>
        <translation>按客户偏好渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="135"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="136"/>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="137"/>
        <source>Mail</source>
        <translation>邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="138"/>
        <source>WeChat</source>
        <translation>微信</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="139"/>
        <source>Visit</source>
        <translation>上门拜访</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="117"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="151"/>
        <source>Evenly between the callers</source>
        <translation>在回访员之间平均分配</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="152"/>
        <source>Each customer to their own staff member</source>
        <translation>分给各自的负责员工</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="154"/>
        <source>Calls to one number (a family&apos;s shared phone, a company&apos;s switchboard) go to one caller, one after another.</source>
        <translation>拨打同一号码的电话（一家人共用的电话、公司总机）分给同一位回访员，前后相连。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="156"/>
        <source>B&amp;uild the list</source>
        <translation>生成名单(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="160"/>
        <source>Excluded automatically, each with the reason shown: do-not-contact on the channel, no marketing consent for sales, contacted recently, an unresolved complaint for sales, no number to call (without a valid mobile, a landline among their other phones is called), no valid mobile for SMS, no address or WeChat ID, unanswered calls waiting to come back.</source>
        <translation>以下客户会自动排除并注明原因：该渠道设为勿扰、销售类联系但无营销同意、近期已联系、有未解决投诉（销售类）、无可拨打的电话（无有效手机号时拨打其他电话中的座机）、发短信无有效手机号、无地址或微信号、未接通电话尚在等待重拨。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="184"/>
        <source>&amp;Segment</source>
        <translation>客户分群(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="185"/>
        <source>Evaluation &amp;date</source>
        <translation>评估日期(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="193"/>
        <source>&amp;Purpose</source>
        <translation>目的(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="196"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="197"/>
        <source>Not contacted again within</source>
        <translation>在此天数内不重复联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="198"/>
        <source>Callers</source>
        <translation>回访员</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="199"/>
        <source>Split</source>
        <translation>分配方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="214"/>
        <source>A recall notice goes out whatever other contact the customer had: a safety notice does not wait.</source>
        <translation>召回通知不受近期联系限制：安全通知不能等。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="233"/>
        <source>Loading segments and callers</source>
        <translation>正在载入分群和回访员</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="253"/>
        <source>%1 (ready-made)</source>
        <translation>%1（现成模板）</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="338"/>
        <source>Building the list</source>
        <translation>正在生成名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="377"/>
        <source>Build a list from the segment “%1” for %2, channel: %3, evaluated on %4?</source>
        <translation>用分群“%1”生成名单吗？目的：%2，渠道：%3，评估日期：%4。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="387"/>
        <source>The list is stored as a new run.</source>
        <translation>名单将保存为一份新名单，可在历史名单中查看。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/lists_view.py" line="390"/>
        <source>The list is stored as a new run, and its calls are assigned to %n caller(s) and appear in their follow-up queues.</source>
        <translation>
            <numerusform>名单将保存为一份新名单，其中的电话分配给 %n 位回访员，并出现在他们的“我的跟进”中。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="397"/>
        <source>The list is stored as a new run. No caller is ticked, so its calls are not assigned to anyone&apos;s follow-up queue.</source>
        <translation>名单将保存为一份新名单。没有勾选回访员，所以其中的电话不会分配到任何人的“我的跟进”。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="331"/>
        <location filename="../../ui/views/lists_view.py" line="402"/>
        <source>Build and store the list</source>
        <translation>生成并保存名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="322"/>
        <source>Counting the segment</source>
        <translation>正在统计分群人数</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="340"/>
        <source>Another list of “%1” is being made right now; waiting for it to end</source>
        <translation>另一份“%1”名单此刻正在生成，正在等它完成</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/lists_view.py" line="384"/>
        <source>The segment has %n customer(s) that day; those who may be contacted for this purpose on this channel are the list&apos;s members.</source>
        <translation>
            <numerusform>该分群当天共有 %n 位客户；其中可按此目的、此渠道联系的客户会进入名单。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/lists_view.py" line="411"/>
        <source>List #%1 stored: %Ln customer(s) in it.</source>
        <translation>
            <numerusform>名单 #%1 已保存：共 %Ln 位客户。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="435"/>
        <source>Double-click a member for their pre-call brief</source>
        <translation>双击成员查看其通话前简报</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="438"/>
        <source>Customer brief…</source>
        <translation>客户简报…</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="442"/>
        <source>Customer b&amp;rief…</source>
        <translation>客户简报(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="443"/>
        <source>The chosen member&apos;s pre-call brief: last contact, spend, satisfaction, complaints, intent and the suggested next step</source>
        <translation>所选成员的通话前简报：上次联系、消费、满意度、投诉、意向和建议的下一步</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="449"/>
        <source>In the list</source>
        <translation>名单内</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="457"/>
        <source>Excluded, and why</source>
        <translation>已排除及原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="462"/>
        <source>&amp;Finish this list</source>
        <translation>完成此名单(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="501"/>
        <location filename="../../ui/views/lists_view.py" line="646"/>
        <source>Finishing the list</source>
        <translation>正在完成名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="514"/>
        <source>Put list back</source>
        <translation>恢复名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="515"/>
        <source>Put list #%1 back? Its calls not yet made return to the callers&apos; queues.</source>
        <translation>恢复名单 #%1？其中尚未拨打的电话将回到回访员的待拨队列。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="518"/>
        <source>Withdraw list</source>
        <translation>撤回名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="519"/>
        <source>Withdraw list #%1? Its calls not yet made leave every caller&apos;s queue. Calls already made stay recorded, the list stays under Past runs, and it can be put back.</source>
        <translation>撤回名单 #%1？其中尚未拨打的电话将从所有回访员的待拨队列中移除。已拨打的电话照常保留记录，名单仍在“历史名单”中，之后可以恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="532"/>
        <source>List #%1 put back; none of its calls is in a caller&apos;s queue.</source>
        <translation>名单 #%1 已恢复；它的电话都不在回访员的待拨队列中。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="534"/>
        <source>List #%1 withdrawn; none of its calls was in a caller&apos;s queue.</source>
        <translation>名单 #%1 已撤回；它的电话都不在回访员的待拨队列中。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/lists_view.py" line="537"/>
        <source>List #%1 put back: %Ln call(s) are in the callers&apos; queues again.</source>
        <translation>
            <numerusform>名单 #%1 已恢复：%Ln 个电话重新回到回访员的待拨队列。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/lists_view.py" line="540"/>
        <source>List #%1 withdrawn: %Ln call(s) left the callers&apos; queues.</source>
        <translation>
            <numerusform>名单 #%1 已撤回：%Ln 个电话已移出回访员的待拨队列。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="551"/>
        <source>Putting the list back</source>
        <translation>正在恢复名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="551"/>
        <source>Withdrawing the list</source>
        <translation>正在撤回名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="576"/>
        <source>Loading the list</source>
        <translation>正在加载名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="593"/>
        <source>List #%1 from “%2” on %3: %4. Excluded: %5.</source>
        <translation>名单 #%1（分群“%2”，评估日期 %3）：%4。已排除：%5。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="601"/>
        <source>Since list #%1: %2 new, %3 no longer in it.</source>
        <translation>与名单 #%1 相比：新增 %2 人，移出 %3 人。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="608"/>
        <source>This list was withdrawn (%1), and list #%2, made later from the same segment, has replaced it, so it stays out of the follow-up queues: nobody is called twice. What was already called stays recorded.</source>
        <translation>此名单已撤回（%1），且同一分群之后生成的名单 #%2 已取代它，所以它不再进入跟进队列：不会有人被重复联系。已经打过的电话仍有记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="614"/>
        <source>This list was withdrawn (%1): its calls are in nobody&apos;s follow-up queue. What was already called stays recorded.</source>
        <translation>此名单已撤回（%1）：其中的电话不在任何人的待拨队列中。已拨打的电话照常保留记录。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="619"/>
        <source>This list was never completed, and list #%1, made later from the same segment, has replaced it: its calls stay out of the follow-up queues, so nobody is called twice.</source>
        <translation>此名单从未完成，且同一分群之后生成的名单 #%1 已取代它：其中的电话不进入跟进队列，不会有人被重复联系。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="625"/>
        <source>This list is unfinished: the program stopped before it was complete, so its calls are in nobody&apos;s follow-up queue. Check it, save its files, then finish it.</source>
        <translation>此名单未完成：程序在完成前中断，所以其中的电话不在任何人的跟进队列里。请检查它、保存文件，然后完成它。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="630"/>
        <source>It replaces list(s) %1 of the same segment, which were never completed: their calls stay out of the follow-up queues.</source>
        <translation>它取代了同一分群中从未完成的名单 %1：那些名单里的电话不进入跟进队列。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="651"/>
        <source>Put this list &amp;back…</source>
        <translation>恢复此名单(&amp;B)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="652"/>
        <source>&amp;Withdraw this list…</source>
        <translation>撤回此名单(&amp;W)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="654"/>
        <source>A list made by mistake (the wrong segment, callers or purpose): its calls not yet made leave the callers&apos; queues; it can be put back</source>
        <translation>生成有误的名单（分群、回访员或目的选错）：其中尚未拨打的电话将移出回访员的待拨队列；之后可以恢复</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="676"/>
        <source>List</source>
        <translation>名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="676"/>
        <source>Segment</source>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="676"/>
        <source>Evaluated on</source>
        <translation>评估日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="676"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="677"/>
        <source>Members</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="677"/>
        <source>Made by</source>
        <translation>创建人</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="677"/>
        <source>Contacted</source>
        <translation>已联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="677"/>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="715"/>
        <source>written</source>
        <translation>已生成</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="715"/>
        <source>not complete</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="682"/>
        <source>No lists yet. A list built under Build appears here, to open, print again and read back.</source>
        <translation>还没有名单。在“新建名单”里生成的名单会出现在这里，可再次打开、重新打印和读回。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="684"/>
        <source>&amp;Open and re-print</source>
        <translation>打开并重新打印(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="716"/>
        <source>withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="716"/>
        <source>replaced by #%1</source>
        <translation>已被 #%1 取代</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="742"/>
        <source>Step 1 of 3: what to send to whom</source>
        <translation>第 1 步（共 3 步）：联系谁、用什么方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="743"/>
        <source>Step 2 of 3: who is in the list, who is not and why</source>
        <translation>第 2 步（共 3 步）：名单内的客户，以及被排除的客户和原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="744"/>
        <source>Step 3 of 3: print and save</source>
        <translation>第 3 步（共 3 步）：打印与保存</translation>
    </message>
</context>
<context>
    <name>LogCallDialog</name>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="69"/>
        <source>Log the call: %1</source>
        <translation>记录通话：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="85"/>
        <source>Choose what came of it</source>
        <translation>请选择联系结果</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="88"/>
        <source>When it happened: now, or the day and time it did when typing it up later</source>
        <translation>发生时间：默认为现在；事后补录时，请改为实际的日期和时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="91"/>
        <source>What did they say?</source>
        <translation>客户说了什么？</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="94"/>
        <source>Call again on</source>
        <translation>再次致电日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="106"/>
        <source>&amp;Purpose</source>
        <translation>目的(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="107"/>
        <source>&amp;Channel</source>
        <translation>渠道(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="108"/>
        <source>&amp;Outcome</source>
        <translation>结果(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="109"/>
        <source>&amp;When</source>
        <translation>时间(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="110"/>
        <source>&amp;Feedback</source>
        <translation>反馈(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_dialogs.py" line="111"/>
        <source>Next follow-up</source>
        <translation>下次跟进</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="58"/>
        <source>Revisit — service marketing</source>
        <translation>回访 — 服务营销</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="72"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="73"/>
        <source>Segments</source>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="74"/>
        <source>Lists</source>
        <translation>名单</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="75"/>
        <source>My follow-ups</source>
        <translation>我的跟进</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="76"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="77"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="78"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="82"/>
        <source>Audit trail</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="337"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="346"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="349"/>
        <source>Signed in as %1</source>
        <translation>当前登录：%1</translation>
    </message>
</context>
<context>
    <name>MappingPage</name>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="118"/>
        <source>Saved &amp;mapping</source>
        <translation>已保存的列对应方案(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="120"/>
        <source>Sa&amp;ve as a mapping…</source>
        <translation>另存为列对应方案(&amp;V)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="122"/>
        <source>Keep these columns under a name for the next file from the same system</source>
        <translation>将这些列的对应关系命名保存，供同一系统导出的下一个文件使用</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="130"/>
        <source>A row updates the stored customer with</source>
        <translation>按以下方式匹配并更新已有客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="132"/>
        <source>A file with the customer number of the DMS (客户编号) finds each customer by it first: a customer stored under another number is never updated by the mobile or plate.</source>
        <translation>文件中有 DMS 客户编号时，先按客户编号找到客户；已登记为另一客户编号的客户，不会因手机或车牌相同而被更新。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="136"/>
        <source>the same mobile</source>
        <translation>手机相同</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="136"/>
        <source>the same VIN</source>
        <translation>车架号相同</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="137"/>
        <source>the same mobile, else the same VIN</source>
        <translation>手机相同，否则车架号相同</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="138"/>
        <source>the same name and mobile, else the same VIN</source>
        <translation>姓名和手机都相同，否则车架号相同</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="148"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="148"/>
        <source>Needed</source>
        <translation>必需</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="148"/>
        <source>Column in the file</source>
        <translation>文件中的列</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="149"/>
        <source>First values in that column</source>
        <translation>该列的前几个值</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="209"/>
        <source>The file has no column headers to map.</source>
        <translation>文件中没有可对应的列标题。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="215"/>
        <source>Choose a column for %1: every row needs it.</source>
        <translation>请为 %1 选择一列：每行都需要此项。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="222"/>
        <source>Choose a column for %1 (at least one): they find the customer.</source>
        <translation>请为 %1 选择一列（至少一项）：用于识别客户。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="234"/>
        <source>— recognised from the headers —</source>
        <translation>— 根据列标题识别 —</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="247"/>
        <source>⚠ This file looks like a “%1” file, not “%2”: its columns %3 are “%1” columns. Import it as “%1”, or check every column below before the dry run.</source>
        <translation>⚠ 这个文件看起来是“%1”文件，而不是“%2”：其中的 %3 列属于“%1”。请按“%1”导入，或在试导入前逐列核对下面的对应。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="251"/>
        <source>Import as “%1”</source>
        <translation>按“%1”导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="280"/>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="282"/>
        <source>Finds the customer</source>
        <translation>用于识别客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="292"/>
        <source>— not imported —</source>
        <translation>— 不导入 —</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="294"/>
        <source>(no header)</source>
        <translation>（无标题）</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="330"/>
        <source>Every row needs this field.</source>
        <translation>每行都需要此字段。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="333"/>
        <source>Guessed from a similar header or from the values: please check.</source>
        <translation>根据相似的列标题或数据推测得出，请核对。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="347"/>
        <source>column %1 (no header)</source>
        <translation>%1 列（无标题）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_mapping.py" line="349"/>
        <source>%n column(s) of the file are imported.</source>
        <translation>
            <numerusform>将导入文件中的 %n 列。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="351"/>
        <source>Not imported: %1.</source>
        <translation>不导入：%1。</translation>
    </message>
</context>
<context>
    <name>MatrixTab</name>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="61"/>
        <source> km</source>
        <translation> 公里</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="62"/>
        <source>no km floor</source>
        <translation>不限里程</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="67"/>
        <source>Low (0–6)</source>
        <translation>低（0–6）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="68"/>
        <source>Middle (7–8)</source>
        <translation>中（7–8）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="69"/>
        <source>High (9–10)</source>
        <translation>高（9–10）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="70"/>
        <source>No score</source>
        <translation>无评分</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="75"/>
        <source>%1 years</source>
        <translation>%1 年</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="79"/>
        <source>Open these vehicles&apos; owners in the builder</source>
        <translation>在分群编辑器中打开这些车辆的车主</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="87"/>
        <source>Only vehicles with at least</source>
        <translation>仅含里程不低于</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="104"/>
        <source>Counting the matrix</source>
        <translation>正在统计九宫格</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/segment_grids.py" line="112"/>
        <source>%Ln vehicle(s)</source>
        <translation>
            <numerusform>%Ln 辆车</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/segment_grids.py" line="113"/>
        <source>%Ln customer(s)</source>
        <translation>
            <numerusform>%Ln 位客户</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="116"/>
        <source>Years since purchase × latest satisfaction score, on %1. A customer with two old cars can sit in two cells; lists contact each customer once.</source>
        <translation>购车年限 × 最近一次满意度评分，评估日期 %1。有两辆旧车的客户可能同时出现在两个格子里；生成名单时每位客户只联系一次。</translation>
    </message>
</context>
<context>
    <name>MessagePreview</name>
    <message numerus="yes">
        <location filename="../../ui/views/sms_preview_panel.py" line="44"/>
        <source> … and %n more</source>
        <translation>
            <numerusform> … 另有 %n 位</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="45"/>
        <source>No value for {%1}: %2</source>
        <translation>{%1} 无值（缺少合并字段）：%2</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../../ui/dialogs/password_dialog.py" line="45"/>
        <source>at least %1 characters</source>
        <translation>至少 %1 个字符</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/password_dialog.py" line="73"/>
        <source>&amp;Current password</source>
        <translation>当前密码(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/password_dialog.py" line="74"/>
        <source>&amp;New password</source>
        <translation>新密码(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/password_dialog.py" line="75"/>
        <source>&amp;Repeat new password</source>
        <translation>再次输入新密码(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/password_dialog.py" line="92"/>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>PlanPanel</name>
    <message>
        <location filename="../../ui/views/import_plan.py" line="44"/>
        <source>New</source>
        <translation>新增</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="45"/>
        <source>Updated</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="46"/>
        <source>Unchanged</source>
        <translation>未变</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="47"/>
        <source>Not imported</source>
        <translation>未导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="75"/>
        <location filename="../../ui/views/import_plan.py" line="76"/>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="75"/>
        <source>Why rows are not imported</source>
        <translation>未导入原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="76"/>
        <source>Corrected or noted (rows imported)</source>
        <translation>已更正或已备注（行已导入）</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="78"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="78"/>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="78"/>
        <source>What happens</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="78"/>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="79"/>
        <source>In the file</source>
        <translation>文件中的内容</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="92"/>
        <source>Save the rows with problems as &amp;Excel…</source>
        <translation>将有问题的行保存为 Excel(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="94"/>
        <source>Every row not imported, to correct and import again, and every row imported with a note (a value left out or corrected), each with its original row number and the reasons</source>
        <translation>每一条未导入的行（改正后可再次导入），以及每一条已导入但有提示的行（某个值被舍弃或更正），都带原行号和原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="99"/>
        <source>&amp;Run the dry run again</source>
        <translation>重新试导入(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="113"/>
        <source>First rows of each result</source>
        <translation>各结果的前几行</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_plan.py" line="164"/>
        <source>Import #%1 stored: %2, %n row(s).</source>
        <translation>
            <numerusform>导入批次 #%1 已保存：%2，共 %n 行。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_plan.py" line="167"/>
        <source>Dry run of %1: %n row(s). Nothing was written.</source>
        <translation>
            <numerusform>试导入 %1：共 %n 行。未写入任何数据。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="176"/>
        <source>This file was imported before (%1). Importing it again changes only what differs from the database now.</source>
        <translation>此文件以前导入过（%1）。再次导入只会更改与当前数据库不同的内容。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="182"/>
        <source>This import completes the stopped import %1 of the same file: the rows that one stored are counted here as unchanged, and undoing this import undoes it too.</source>
        <translation>此次导入补完了同一文件中途停止的导入 %1：那次已存入的行在此计为无变化，撤销此次导入时会一并撤销那次。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_plan.py" line="189"/>
        <source>%n stored customer(s) would get another name: rows of the file matched them by mobile or VIN under a name that sounds the same (张叁 for 张三). If that is another person, go back and match by the same name and mobile.</source>
        <translation>
            <numerusform>%n 位已有客户将被改名：文件中的行按手机号或车架号匹配到了他们，但姓名写法不同（读音相同，如“张叁”与“张三”）。如果是另一个人，请返回上一步，改为按“姓名和手机都相同”匹配。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="204"/>
        <source>Left out, for the problems beside it</source>
        <translation>不导入，原因见右侧问题</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="215"/>
        <source>To take this import back, undo batch #%1 under Past imports.</source>
        <translation>如需撤回本次导入，请在“以往导入”中撤销批次 #%1。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="219"/>
        <source>No row can be imported: correct the file or the columns first.</source>
        <translation>没有可导入的行：请先更正文件或列对应。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="227"/>
        <source>customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="228"/>
        <source>vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="229"/>
        <source>km readings</source>
        <translation>公里数记录</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="242"/>
        <source>Created: %1</source>
        <translation>已新建：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="242"/>
        <source>Would create: %1</source>
        <translation>将新建：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="245"/>
        <source>Changed: %1</source>
        <translation>已更改：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="245"/>
        <source>Would change: %1</source>
        <translation>将更改：%1</translation>
    </message>
</context>
<context>
    <name>PreferencesPanel</name>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="80"/>
        <source>Tick the channels they accept; drag to put the favourite first</source>
        <translation>勾选客户接受的渠道；拖动把最喜欢的放在最前面</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="89"/>
        <source>Only between</source>
        <translation>仅在</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="107"/>
        <source>e.g. no calls at noon</source>
        <translation>例如：中午别打电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="108"/>
        <source>&amp;Save preferences</source>
        <translation>保存偏好(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="109"/>
        <source>&amp;Undo last save</source>
        <translation>撤销上次保存(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="113"/>
        <source>How and when to reach them</source>
        <translation>如何、何时联系客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="115"/>
        <source>Channels</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="116"/>
        <source>Days</source>
        <translation>星期</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="117"/>
        <source>Times</source>
        <translation>时段</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="119"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="120"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="132"/>
        <source>Consent &amp;given</source>
        <translation>记录同意(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="133"/>
        <source>Consent &amp;withdrawn</source>
        <translation>记录撤回同意(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="136"/>
        <source>Marketing consent (PIPL)</source>
        <translation>营销同意（个人信息保护法）</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="140"/>
        <source>on</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="147"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="147"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="147"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="147"/>
        <source>Set on</source>
        <translation>设置日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="148"/>
        <source>Ends</source>
        <translation>结束日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="148"/>
        <source>Lifted</source>
        <translation>解除日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="148"/>
        <source>In force</source>
        <translation>生效中</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="151"/>
        <source>&amp;Add do-not-contact…</source>
        <translation>添加勿扰(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="152"/>
        <source>&amp;Lift selected…</source>
        <translation>解除所选(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="155"/>
        <source>Do not contact (kept with its history)</source>
        <translation>勿扰（保留历史记录）</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="206"/>
        <source>Not asked yet</source>
        <translation>尚未征询</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="207"/>
        <source>Given on %1</source>
        <translation>%1 已同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="207"/>
        <source>Withdrawn on %1</source>
        <translation>%1 已撤回</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="214"/>
        <source>All channels</source>
        <translation>所有渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="215"/>
        <source>All purposes</source>
        <translation>所有目的</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="281"/>
        <source>Put the preferences back as they were before the last save</source>
        <translation>把联系偏好恢复到上次保存之前的样子</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="283"/>
        <source>Available after you save preferences</source>
        <translation>保存偏好后可用</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="295"/>
        <source>Saving preferences</source>
        <translation>正在保存偏好</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="295"/>
        <source>Preferences saved</source>
        <translation>联系偏好已保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="324"/>
        <source>Undoing</source>
        <translation>正在撤销</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="325"/>
        <source>Preferences put back as before the last save</source>
        <translation>联系偏好已恢复到上次保存之前</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="333"/>
        <source>Marketing consent recorded as given on %1</source>
        <translation>已记录：客户于 %1 给予营销同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="334"/>
        <source>Marketing consent recorded as withdrawn on %1</source>
        <translation>已记录：客户于 %1 撤回营销同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="344"/>
        <source>Saving consent</source>
        <translation>正在保存同意记录</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="356"/>
        <source>Saving do-not-contact</source>
        <translation>正在保存勿扰</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="356"/>
        <source>Do-not-contact added</source>
        <translation>勿扰已添加</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="370"/>
        <location filename="../../ui/views/preferences_panel.py" line="375"/>
        <source>Lift do-not-contact</source>
        <translation>解除勿扰</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="371"/>
        <source>Why is it lifted (it stays in the history)?</source>
        <translation>解除原因（会保留在历史记录中）？</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="376"/>
        <source>Allow contacting this customer again on this channel and purpose from today?</source>
        <translation>从今天起允许再次通过该渠道、为该目的联系这位客户吗？</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="392"/>
        <source>Lifting do-not-contact</source>
        <translation>正在解除勿扰</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="392"/>
        <source>Do-not-contact lifted</source>
        <translation>勿扰已解除</translation>
    </message>
</context>
<context>
    <name>ProfileChangeDialog</name>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="35"/>
        <source>Record a change for %1</source>
        <translation>记录 %1 的变更</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="41"/>
        <source>— choose —</source>
        <translation>— 请选择 —</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="44"/>
        <source>Type the new value</source>
        <translation>输入新值</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="60"/>
        <source>The day it became true, e.g. the wedding day; today if they did not say</source>
        <translation>实际发生变化的日期，例如结婚那天；客户没说就填今天</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="65"/>
        <source>Where we learned it</source>
        <translation>我们从哪里得知</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="68"/>
        <source>What they said, e.g. just married, wants a bigger car</source>
        <translation>客户原话，例如：刚结婚，想换大车</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="74"/>
        <source>That is already the value now: there is nothing to record.</source>
        <translation>当前已经是这个值，无需记录。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="85"/>
        <source>&amp;Attribute</source>
        <translation>属性(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="86"/>
        <source>Now</source>
        <translation>当前值</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="87"/>
        <source>&amp;New value</source>
        <translation>新值(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="90"/>
        <source>&amp;Effective from</source>
        <translation>生效日期(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="91"/>
        <source>&amp;Source</source>
        <translation>来源(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="92"/>
        <source>N&amp;ote</source>
        <translation>备注(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="123"/>
        <source>Someone else recorded the same value meanwhile: “Now” shows it, nothing is left to save.</source>
        <translation>其间已有他人记录了相同的值：“当前值”即为此值，无需再保存。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="127"/>
        <source>Someone else changed this meanwhile: “Now” shows their value. What you typed is kept below: save it to record yours after theirs, or cancel to leave theirs.</source>
        <translation>其间有他人修改了此项：“当前值”显示的是同事保存的值。您输入的内容保留在下方：保存即在其后记录您的值，取消则保留同事保存的值。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="138"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <location filename="../../ui/files.py" line="38"/>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="39"/>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>ReadBackPanel</name>
    <message>
        <location filename="../../ui/views/list_readback.py" line="38"/>
        <source>&amp;Read back a filled-in list…</source>
        <translation>读回已填写的名单(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="45"/>
        <source>Read an SMS &amp;unsubscribe file…</source>
        <translation>读入短信退订文件(&amp;U)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="47"/>
        <source>The file the SMS vendor sends back (Excel or CSV) of customers who replied T to unsubscribe, or of messages that could not be delivered: no SMS goes to those customers any more. Reading a file again blocks nobody twice.</source>
        <translation>短信平台发回的文件（Excel 或 CSV）：回T退订的客户，或发送失败的号码。读入后不再给这些客户发短信。同一文件再读一次不会重复登记。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="61"/>
        <location filename="../../ui/views/list_readback.py" line="245"/>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="40"/>
        <source>The call, visit or WeChat list the callers filled in, as Excel or CSV: outcomes, feedback, next dates, km and profile changes are stored. A row without 联系日期 is dated the day the list was handed out. Reading a file again stores nothing twice.</source>
        <translation>回访员填写好的电话、上门或微信名单（Excel 或 CSV）：结果、客户反馈、下次跟进、里程和画像变化都会保存。没有填写联系日期的行，按名单发出的日期保存。同一文件再读一次，不会重复保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="51"/>
        <source>&amp;Past read-backs…</source>
        <translation>往次读回(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="53"/>
        <source>The filled-in lists read back: file, list, who, when and how many contacts were stored. A read done by mistake (the wrong caller&apos;s file, rows filled in against the wrong lines) can be undone there by a supervisor or whoever read it.</source>
        <translation>已读回的名单：文件、名单、读入人、时间和保存的联系记录数。读错的文件（别的回访员的文件、结果填错了行）可在此撤销，由主管或读入的人操作。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="61"/>
        <location filename="../../ui/views/list_readback.py" line="360"/>
        <source>What was not stored, and why</source>
        <translation>未保存的内容及原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="63"/>
        <source>Either file can also be dragged here from its folder.</source>
        <translation>这两种文件都可以从文件夹直接拖到这里。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="121"/>
        <source>Looking at the file</source>
        <translation>正在查看文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="128"/>
        <source>Excel or CSV files (*.xlsx *.xls *.ods *.csv);;All files (*)</source>
        <translation>Excel 或 CSV 文件 (*.xlsx *.xls *.ods *.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="129"/>
        <source>Choose the filled-in list</source>
        <translation>选择已填写的名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="157"/>
        <source>Stopped. The rows read before the stop are stored; read the file again to store the rest (nothing is stored twice).</source>
        <translation>已停止。停止前读到的行已保存；再读一次该文件即可保存其余的行（不会重复保存）。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="163"/>
        <source>Reading the list back</source>
        <translation>正在读回名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="169"/>
        <source>%1: %2 contact(s) stored, %3 already read before, %4 row(s) without an outcome, %5 km reading(s), %6 profile change(s), %7 row(s) not stored.</source>
        <translation>%1：保存联系记录 %2 条，之前已读过 %3 条，未填结果 %4 行，里程 %5 条，画像变化 %6 条，%7 行未保存。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="185"/>
        <source>%n row(s) read before say another outcome now: their contact was corrected to it (the rows below say what it was, and whose call).</source>
        <translation>
            <numerusform>%n 行之前已读取过，现在写的是另一个结果：其联系记录已按现在的结果更正（下方各行写明原来的结果及是谁的电话）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="189"/>
        <source>%n row(s) read before were typed into since: their feedback, next date or km was corrected.</source>
        <translation>
            <numerusform>之前读过的行中有 %n 行此后又有修改：已按文件更正其客户反馈、下次跟进或里程。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="194"/>
        <source>%n row(s) not stored: correct them in the file and read it again.</source>
        <translation>
            <numerusform>有 %n 行未保存：请在文件中改正后再读一次。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="198"/>
        <source>%n row(s) stored without their profile changes (画像变化), which could not be read: put those in by hand on the customer&apos;s page.</source>
        <translation>
            <numerusform>%n 行已保存，但其中的画像变化无法识别，未保存：请在客户页面手动填写。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="202"/>
        <source>%n row(s) stored without their km (当前里程), which could not be read: put those in by hand on the customer&apos;s page.</source>
        <translation>
            <numerusform>%n 行已保存，但其中的当前里程无法识别，未保存：请在客户页面手动填写。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="206"/>
        <source>%n row(s) stored without their km (当前里程), which is less than a reading of the car before it or more than it could have been driven since (the rows below say which): check it with the customer and put it in by hand on the customer&apos;s page.</source>
        <translation>
            <numerusform>%n 行已保存，但当前里程未保存：它低于该车之前的里程记录，或超出此后可能行驶的里程（见下方各行）：请与客户核实后在客户页面手动填写。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="212"/>
        <source>%n row(s) stored without their km (当前里程), whose 车牌 was typed over with a plate that does not tell which of the customer&apos;s cars it is (the rows below say which): put it in by hand on the customer&apos;s page.</source>
        <translation>
            <numerusform>%n 行已保存，但当前里程未保存：改填的车牌无法确定是该客户名下的哪辆车（见下方各行）：请在客户页面手动填写。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="218"/>
        <source>%n row(s) stored without a date or 回访员 cell that could not be right (the rows below say which): put it in by hand on the customer&apos;s page, or correct it and read the file again.</source>
        <translation>
            <numerusform>%n 行已保存，但其中的日期或回访员一格有误，未保存（见下方各行）：请在客户页面手动填写，或改正后再读一次。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="223"/>
        <source>%n row(s) give a phone number other than the one printed (the rows below say which): their contact is stored, the customer&apos;s number is not changed; if they have a new number, change it on the customer&apos;s page.</source>
        <translation>
            <numerusform>%n 行的电话与名单上打印的号码不同（见下方各行）：联系结果已保存，客户号码未更改；如客户换了号码，请在客户页面修改。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="234"/>
        <source>Not stored: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="235"/>
        <source>Corrected: %1</source>
        <translation>已更正：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="239"/>
        <source>What became of the row, and why</source>
        <translation>各行的处理结果及原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="268"/>
        <source>SMS vendor files (*.xlsx *.xls *.csv *.txt);;All files (*)</source>
        <translation>短信平台文件 (*.xlsx *.xls *.csv *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="269"/>
        <source>Choose the SMS vendor&apos;s unsubscribe or failed-delivery file</source>
        <translation>选择短信平台的退订或发送失败文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="280"/>
        <source>SMS vendor file</source>
        <translation>短信平台文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="281"/>
        <source>What does %1 list?</source>
        <translation>%1 列出的是什么？</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="283"/>
        <source>Unsubscribes: customers who replied T; their marketing consent is withdrawn too. Failed deliveries: numbers that are empty or switched off. Either way no SMS goes to those customers any more.</source>
        <translation>退订：回复 T 退订的客户，同时撤回其营销同意。发送失败：空号或停机的号码。两种情况都不再给这些客户发短信。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="286"/>
        <source>&amp;Unsubscribes (回T退订)</source>
        <translation>退订（回T退订）(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="288"/>
        <source>&amp;Failed deliveries</source>
        <translation>发送失败(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="321"/>
        <source>Reading the SMS vendor&apos;s file</source>
        <translation>正在读入短信平台文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="329"/>
        <source>%1 lists failed deliveries: %2 number(s) read.</source>
        <translation>%1 是发送失败名单：读到 %2 个号码。</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="331"/>
        <source>%1 lists unsubscribes: %2 number(s) read.</source>
        <translation>%1 是退订名单：读到 %2 个号码。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="333"/>
        <source>%n customer(s) now get no SMS.</source>
        <translation>
            <numerusform>%n 位客户今后不再收到短信。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="335"/>
        <source>%n were blocked already by an earlier file.</source>
        <translation>
            <numerusform>其中 %n 位已由之前的文件登记过。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="341"/>
        <source>%n number(s) match no customer: %1.</source>
        <translation>
            <numerusform>%n 个号码不属于任何客户：%1。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="344"/>
        <source>%n row(s) hold no mainland mobile number and were not read; they are listed below.</source>
        <translation>
            <numerusform>%n 行没有大陆手机号，未读取，见下表。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="348"/>
        <source>%n row(s) say the message was delivered: not blocked.</source>
        <translation>
            <numerusform>%n 行显示短信已送达：未停发。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="351"/>
        <source>%n failure(s) pass (关机, 超时…): those customers still get SMS; they are listed below.</source>
        <translation>
            <numerusform>%n 条失败属于临时情况（关机、超时…）：这些客户仍会收到短信，已列在下方。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_readback.py" line="355"/>
        <source>%n reply(ies) do not ask to unsubscribe (好的, 谢谢…): those customers still get SMS; they are listed below.</source>
        <translation>
            <numerusform>%n 条回复并非退订（好的、谢谢…）：这些客户仍会收到短信，已列在下方。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="361"/>
        <source>No mainland mobile number: not read</source>
        <translation>没有大陆手机号：未读取</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="362"/>
        <source>A failure that passes (not blocked): %1</source>
        <translation>临时失败（未停发）：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_readback.py" line="363"/>
        <source>A reply, not an unsubscribe (not blocked): %1</source>
        <translation>是回复而非退订（未停发）：%1</translation>
    </message>
</context>
<context>
    <name>ReadBacksDialog</name>
    <message>
        <location filename="../../ui/views/readback_history.py" line="38"/>
        <source>Lists read back</source>
        <translation>已读回的名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="43"/>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="43"/>
        <source>Read at</source>
        <translation>读入时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="43"/>
        <source>By</source>
        <translation>读入人</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="44"/>
        <source>List</source>
        <translation>名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="44"/>
        <source>Contacts stored</source>
        <translation>保存的联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="45"/>
        <source>km</source>
        <translation>里程</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="45"/>
        <source>Contacts corrected</source>
        <translation>修正的联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="46"/>
        <source>Profile changes</source>
        <translation>画像变化</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="46"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="48"/>
        <source>Rows read before, from this list or another copy of it, whose stored contact this read corrected; undoing the read puts them back as they were.</source>
        <translation>此前已读回（本名单或其另一份副本）、本次读回修正了其已存联系记录的记录数；撤销本次读回会将它们恢复原样。</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="53"/>
        <source>No filled-in list read back yet: each list read back under Read back a filled-in list is here, and can be undone.</source>
        <translation>还没有读回过已填写的名单：用“读回已填写的名单”读回的每份名单都列在这里，并可撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="55"/>
        <source>&amp;Undo this read-back…</source>
        <translation>撤销这次读回(&amp;U)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="57"/>
        <source>Takes back everything the read stored: its contacts with their next dates, km readings and profile changes. Reading the file again stores it again.</source>
        <translation>撤回这次读回保存的全部内容：联系记录及其下次跟进日期、里程和画像变化。再次读入该文件会重新保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="85"/>
        <source>Reading the read-backs</source>
        <translation>正在读取读回记录</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="94"/>
        <source>undone %1 by %2</source>
        <translation>已于 %1 由 %2 撤销</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="98"/>
        <source>read before reads could be undone</source>
        <translation>读入时尚不支持撤销</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="128"/>
        <source>Undo read-back #%1 of %2? Its %3 contact(s) with their next dates, %4 km reading(s) and %5 profile change(s) are removed, and the contacts it corrected put back as they were. Reading the file again stores it again.</source>
        <translation>撤销第 %1 次读回（%2）？将删除它保存的 %3 条联系记录（连同下次跟进日期）、%4 条里程和 %5 项画像变化，它更正过的联系记录恢复原样。再次读入该文件会重新保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="136"/>
        <source>Undo a read-back</source>
        <translation>撤销读回</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="155"/>
        <source>Undoing the read-back</source>
        <translation>正在撤销读回</translation>
    </message>
    <message>
        <location filename="../../ui/views/readback_history.py" line="161"/>
        <source>Read-back #%1 undone: %2 contact(s), %3 km reading(s) and %4 profile change(s) removed.</source>
        <translation>第 %1 次读回已撤销：删除了 %2 条联系记录、%3 条里程和 %4 项画像变化。</translation>
    </message>
</context>
<context>
    <name>ReferralDialog</name>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="32"/>
        <source>Record referral</source>
        <translation>记录转介绍</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="35"/>
        <source>%1 was introduced by the one below</source>
        <translation>下面这位是 %1 的介绍人</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="37"/>
        <source>%1 introduced the customer below</source>
        <translation>%1 介绍来了下面这位客户</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="43"/>
        <source>a customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="44"/>
        <source>a member of staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="45"/>
        <source>an association or company</source>
        <translation>协会或单位</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="53"/>
        <source>e.g. same chamber of commerce, brought a friend</source>
        <translation>例如：同一商会，带朋友来看车</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="57"/>
        <source>&amp;Who</source>
        <translation>介绍人(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="59"/>
        <source>&amp;Introduced on</source>
        <translation>介绍日期(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="60"/>
        <source>&amp;Note</source>
        <translation>备注(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="85"/>
        <source>Customer &amp;code</source>
        <translation>客户编号(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="86"/>
        <source>Staff &amp;name</source>
        <translation>员工姓名(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="87"/>
        <source>&amp;Organisation</source>
        <translation>单位(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="90"/>
        <source>e.g. C0001234</source>
        <translation>例如 C0001234</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="91"/>
        <source>user name or name, e.g. 陈丽</source>
        <translation>用户名或姓名，例如 陈丽</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/referral_dialog.py" line="92"/>
        <source>e.g. Wenzhou Chamber of Commerce</source>
        <translation>例如：温州商会</translation>
    </message>
</context>
<context>
    <name>RefusalDialog</name>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="89"/>
        <source>Do not contact</source>
        <translation>勿扰</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="91"/>
        <source>All channels</source>
        <translation>所有渠道</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="95"/>
        <source>All purposes</source>
        <translation>所有目的</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="110"/>
        <source>e.g. the customer said clearly: no sales calls</source>
        <translation>例如：客户明确表示不接受销售电话</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="116"/>
        <source>Ends on</source>
        <translation>结束于</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="127"/>
        <source>&amp;Channel</source>
        <translation>渠道(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="128"/>
        <source>&amp;Purpose</source>
        <translation>目的(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="130"/>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="131"/>
        <source>From</source>
        <translation>开始</translation>
    </message>
</context>
<context>
    <name>ReportsView</name>
    <message>
        <location filename="../../ui/views/reports_view.py" line="59"/>
        <source>◀ Previous week</source>
        <translation>◀ 上一周</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="61"/>
        <source>Next week ▶</source>
        <translation>下一周 ▶</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="64"/>
        <source>Whole department</source>
        <translation>整个部门</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="68"/>
        <source>Monday report (PDF)…</source>
        <translation>每周报告（PDF）…</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="70"/>
        <source>Excel…</source>
        <translation>Excel…</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="98"/>
        <source>Caller</source>
        <translation>回访员</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="98"/>
        <source>Contacts</source>
        <translation>联系次数</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="98"/>
        <source>Reach rate</source>
        <translation>接通率</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="74"/>
        <source>From</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="76"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="98"/>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="108"/>
        <source>Dashboard</source>
        <translation>总览</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="109"/>
        <source>Effect of contact</source>
        <translation>联系效果</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="110"/>
        <source>Weekly activity</source>
        <translation>每周工作</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="111"/>
        <source>Targets</source>
        <translation>目标</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="113"/>
        <source>Suggestion outcomes</source>
        <translation>建议采纳效果</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="177"/>
        <source>The period ends on %2, before it starts on %1: no figures until the dates are right.</source>
        <translation>结束日期 %2 早于开始日期 %1：请改正日期后再显示数字。</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="207"/>
        <source>Counting the dashboard</source>
        <translation>正在统计总览</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="218"/>
        <source>Comparing contacted and not contacted owners</source>
        <translation>正在对比已联系与未联系的车主</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="222"/>
        <location filename="../../ui/views/reports_view.py" line="233"/>
        <source>Counting</source>
        <translation>正在统计</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="228"/>
        <source>Counting what followed the suggestions</source>
        <translation>正在统计建议之后的结果</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="248"/>
        <source>Comparing with a month earlier</source>
        <translation>正在与一个月前对比</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="258"/>
        <source>Counting the customers behind the figures</source>
        <translation>正在统计各数字背后的客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="268"/>
        <source>%1 contacts (%2). Follow-ups due in the period: %3. At its end: %4 open complaints of %5 customers.</source>
        <translation>共联系 %1 次（%2）。本期到期的跟进：%3 项。期末未解决的投诉：%4 件，涉及客户 %5 位。</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="277"/>
        <source>(no staff recorded)</source>
        <translation>（未记录经办人）</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="287"/>
        <source>Saving targets</source>
        <translation>正在保存目标</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="288"/>
        <source>Targets saved</source>
        <translation>目标已保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="295"/>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="295"/>
        <source>Excel (*.xlsx)</source>
        <translation>Excel (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="296"/>
        <source>Save the report as</source>
        <translation>报表另存为</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="315"/>
        <source>Written to %1</source>
        <translation>已写入 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="317"/>
        <source>Writing %1</source>
        <translation>正在写入 %1</translation>
    </message>
</context>
<context>
    <name>RfmTab</name>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="135"/>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="135"/>
        <source>Customers</source>
        <translation>客户数</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="143"/>
        <source>Double-click a class to open it in the builder.</source>
        <translation>双击某个类别，可在分群编辑器中打开。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="153"/>
        <source>Counting RFM classes</source>
        <translation>正在统计 RFM 分类</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="168"/>
        <source>Spends from %1 to %2. Thresholds (means): R ≤ %3 days, F ≥ %4, M ≥ ¥%5. %6 customers have a class.</source>
        <translation>消费期间 %1 至 %2。阈值（平均值）：R ≤ %3 天，F ≥ %4，M ≥ ¥%5。共 %6 位客户有分类。</translation>
    </message>
</context>
<context>
    <name>RuleDialog</name>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="172"/>
        <source>Suggestion rule</source>
        <translation>建议规则</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="179"/>
        <source>On</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="187"/>
        <source>Add condition</source>
        <translation>添加条件</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="203"/>
        <source>Insert a merge field…</source>
        <translation>插入合并字段…</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="218"/>
        <source>&amp;Name</source>
        <translation>名称(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="221"/>
        <source>When (all of)</source>
        <translation>条件（全部满足）</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="224"/>
        <source>&amp;Purpose</source>
        <translation>目的(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="225"/>
        <source>&amp;Talking points</source>
        <translation>话术要点(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rule_dialog.py" line="251"/>
        <source>In words: %1</source>
        <translation>即：%1</translation>
    </message>
</context>
<context>
    <name>RunExclusionsModel</name>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="50"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="50"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="50"/>
        <source>Phone number</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="51"/>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
</context>
<context>
    <name>RunMembersModel</name>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="21"/>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="21"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="21"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="21"/>
        <source>Caller</source>
        <translation>回访员</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="22"/>
        <source>Phone number</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="22"/>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/run_tables.py" line="22"/>
        <source>Best time</source>
        <translation>最佳时间</translation>
    </message>
</context>
<context>
    <name>SegmentsView</name>
    <message>
        <location filename="../../ui/views/segments_view.py" line="81"/>
        <source>Every date-relative field is computed for this day</source>
        <translation>所有与日期相关的字段都按这一天计算</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="83"/>
        <source>Builder</source>
        <translation>分群编辑器</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="92"/>
        <source>Service and referrals</source>
        <translation>服务与转介绍</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="93"/>
        <source>Replacement matrix</source>
        <translation>换车九宫格</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="94"/>
        <source>RFM classes</source>
        <translation>RFM八类客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="95"/>
        <source>Stages, tags, due soon</source>
        <translation>阶段、标签、即将到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="99"/>
        <source>Evaluation date</source>
        <translation>评估日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="114"/>
        <source>No saved segments yet. Set the conditions beside this list, name them and save; or open a ready-made one from the other tabs.</source>
        <translation>还没有保存的分群。在右边设好条件、起名后保存；也可以从其他标签页打开现成的分群。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="121"/>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="123"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="125"/>
        <source>Duplicate…</source>
        <translation>复制…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="127"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="132"/>
        <source>Only a supervisor may delete saved segments.</source>
        <translation>只有主管可以删除已保存的分群。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="133"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="135"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="139"/>
        <source>Saved segments</source>
        <translation>已保存的分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="160"/>
        <source>Segment name, e.g. 5–6 years, high satisfaction, replacement</source>
        <translation>分群名称，例如：5–6年 高满意度 换车</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="161"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="179"/>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="180"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="181"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="182"/>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="183"/>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="188"/>
        <source>Right-click a customer for their pre-call brief</source>
        <translation>右键点击客户查看其通话前简报</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="190"/>
        <source>Customer brief…</source>
        <translation>客户简报…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="196"/>
        <source>First members (double-click to open):</source>
        <translation>部分成员（双击打开）：</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="237"/>
        <location filename="../../ui/views/segments_view.py" line="547"/>
        <source>Loading segments</source>
        <translation>正在载入分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="296"/>
        <source>The conditions in the builder are not saved as a segment yet.</source>
        <translation>分群编辑器中的条件还没有保存为分群。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="298"/>
        <source>The segment “%1” has changes that are not saved.</source>
        <translation>分群“%1”有未保存的修改。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="304"/>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="305"/>
        <source>Save them before the builder shows something else?</source>
        <translation>在编辑器换成其他内容之前，先保存这些修改吗？</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="358"/>
        <source>Opening segment</source>
        <translation>正在打开分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="397"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="403"/>
        <source>Counting…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="409"/>
        <source>Counting members</source>
        <translation>正在统计人数</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/segments_view.py" line="415"/>
        <source>%Ln customer(s)</source>
        <translation>
            <numerusform>%Ln 位客户</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="417"/>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/segments_view.py" line="418"/>
        <source>%Ln vehicle(s)</source>
        <translation>
            <numerusform>%Ln 辆车</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="471"/>
        <source>Give the segment a name first.</source>
        <translation>请先为分群命名。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="481"/>
        <source>Replace segment</source>
        <translation>替换分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="482"/>
        <source>A segment named “%1” exists. Replace its filter?</source>
        <translation>已有名为“%1”的分群。要替换它的筛选条件吗？</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="504"/>
        <source>Reload opens the segment as it is stored now: the filter you changed is dropped. Cancel keeps your filter here, to look at theirs first or to save yours under another name.</source>
        <translation>“重新载入”会打开该分群现在保存的样子，您改动的筛选条件将被丢弃。“取消”则保留您的筛选条件，可先查看同事的改动，或用另一个名称保存您的条件。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="508"/>
        <source>Saving segment</source>
        <translation>正在保存分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="511"/>
        <source>Segment “%1” saved</source>
        <translation>分群“%1”已保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="559"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="588"/>
        <source>Reload opens the segment as it is stored now (changes to its filter not saved yet are dropped) and asks for the new name again as you typed it. Cancel drops the name you typed.</source>
        <translation>“重新载入”会按当前保存的内容重新打开该分群（筛选条件中尚未保存的修改将被放弃），并再次询问新名称，保留您输入的名称。若选“取消”，您输入的名称将被放弃。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="593"/>
        <source>Rename segment</source>
        <translation>重命名分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="583"/>
        <source>Segment renamed to “%1”</source>
        <translation>分群已重命名为“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="612"/>
        <source>Duplicate segment</source>
        <translation>复制分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="612"/>
        <source>%1 (copy)</source>
        <translation>%1（副本）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="609"/>
        <source>Copy saved as “%1”</source>
        <translation>副本已保存为“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="621"/>
        <source>Delete segment</source>
        <translation>删除分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="622"/>
        <source>Delete the segment “%1”? Lists already made from it are kept.</source>
        <translation>删除分群“%1”吗？已用它生成的名单会保留。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="645"/>
        <source>Segment “%1” deleted</source>
        <translation>分群“%1”已删除</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="650"/>
        <source>Import segment</source>
        <translation>导入分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="650"/>
        <location filename="../../ui/views/segments_view.py" line="686"/>
        <source>Segment files (*.json)</source>
        <translation>分群文件 (*.json)</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="687"/>
        <source>Export segment</source>
        <translation>导出分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="702"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="229"/>
        <location filename="../../ui/views/segments_view.py" line="717"/>
        <source>Preparing the RFM and mileage figures</source>
        <translation>正在准备 RFM 与里程数据</translation>
    </message>
</context>
<context>
    <name>ServiceTab</name>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="230"/>
        <source>Service reminders</source>
        <translation>保养与维修提醒</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="231"/>
        <source>Referrals (existing customers bring new ones)</source>
        <translation>老带新（转介绍）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="246"/>
        <source>Other templates</source>
        <translation>其他模板</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="251"/>
        <source>Open in the builder, where it can be changed and saved</source>
        <translation>在分群编辑器中打开，可修改并保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="260"/>
        <source>Counted for the evaluation date; due soon means the next %1 days. Click a button to open it in the builder.</source>
        <translation>按评估日期统计；“到期”指未来 %1 天内。点击按钮可在分群编辑器中打开。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="285"/>
        <source>Counting %1</source>
        <translation>正在统计：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/segment_grids.py" line="290"/>
        <source>%Ln customer(s)</source>
        <translation>
            <numerusform>%Ln 位客户</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/segment_grids.py" line="292"/>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/segment_grids.py" line="293"/>
        <source>%Ln vehicle(s)</source>
        <translation>
            <numerusform>%Ln 辆车</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <location filename="../../ui/views/settings_view.py" line="87"/>
        <source>This computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="89"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="94"/>
        <source>Where Revisit first suggests saving lists, call sheets and labels</source>
        <translation>保存名单、回访单和标签时默认打开的文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="96"/>
        <source>&amp;Choose…</source>
        <translation>选择(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="101"/>
        <source>Export folder</source>
        <translation>导出文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="102"/>
        <source>Change my &amp;password…</source>
        <translation>修改我的密码(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="109"/>
        <source>Signed in as</source>
        <translation>当前用户</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="113"/>
        <source>The shop&apos;s name, as printed on envelopes and in texts</source>
        <translation>门店名称，印在信封和短信、微信消息中</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="117"/>
        <source>Province, city, district, street</source>
        <translation>省、市、区、街道</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="119"/>
        <source>Printed as the sender on envelopes. Its city also places imported addresses that start with a district several cities have (南山区 is in Shenzhen and in Hegang).</source>
        <translation>打印在信封上作为寄件人地址。导入的地址若以多个城市都有的区名开头（如南山区，深圳和鹤岗都有），按这里的城市归属。</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="125"/>
        <source>six digits, e.g. 510000</source>
        <translation>六位数字，如 510000</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="130"/>
        <source>【shop name】, as registered with the SMS vendor</source>
        <translation>【店名】，与短信平台报备的签名一致</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="132"/>
        <source>Counted in every SMS&apos;s length, e.g. 【某某丰田】</source>
        <translation>计入每条短信的字数，例如【某某丰田】</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="134"/>
        <source>Marketing SMS must say how to refuse, e.g. 回T退订</source>
        <translation>营销短信必须注明退订方式，例如：回T退订</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="137"/>
        <source>Generic file</source>
        <translation>通用文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="138"/>
        <source>Aliyun</source>
        <translation>阿里云</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="139"/>
        <source>Huawei Cloud</source>
        <translation>华为云</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="146"/>
        <source> yuan per part</source>
        <translation> 元/条</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="148"/>
        <source>What the SMS vendor charges for one billed part (70 characters, or 67 in a longer message); the estimate before an SMS file is written uses it</source>
        <translation>短信平台每计费一条的价格（70 字一条，长短信每 67 字一条）；生成短信文件前的费用估算使用此价格</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="163"/>
        <location filename="../../ui/views/settings_view.py" line="164"/>
        <location filename="../../ui/views/settings_view.py" line="165"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="170"/>
        <source>&amp;Save shared settings</source>
        <translation>保存共享设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="176"/>
        <source>Shared by every PC on this database</source>
        <translation>使用此数据库的所有电脑共享</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="179"/>
        <source>Shop name</source>
        <translation>门店名称</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="180"/>
        <source>Shop phone</source>
        <translation>门店电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="181"/>
        <source>Shop address (envelope sender)</source>
        <translation>门店地址（信封寄件人）</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="182"/>
        <source>Shop postcode</source>
        <translation>门店邮编</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="183"/>
        <source>Label sheet</source>
        <translation>标签纸规格</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="184"/>
        <source>SMS signature</source>
        <translation>短信签名</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="185"/>
        <source>SMS opt-out text</source>
        <translation>短信退订提示</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="186"/>
        <source>SMS vendor file layout</source>
        <translation>短信平台文件格式</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="187"/>
        <source>SMS price per part</source>
        <translation>短信单价（每条）</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="188"/>
        <source>Marketing SMS only between</source>
        <translation>营销短信发送时段</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="189"/>
        <source>Do not contact again within</source>
        <translation>在此天数内不重复联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="190"/>
        <source>Unanswered calls come back after</source>
        <translation>未接通电话重拨间隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="191"/>
        <source>Switch to SMS or mail after days of failed calls</source>
        <translation>电话几天未接通后改用短信或邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="201"/>
        <source>Only a supervisor may change these settings.</source>
        <translation>只有主管可以修改这些设置。</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="204"/>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="210"/>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="211"/>
        <source>Schema revision</source>
        <translation>数据库结构版本</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="223"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="227"/>
        <source>Staff accounts</source>
        <translation>员工账号</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="231"/>
        <source>Backups</source>
        <translation>备份</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="234"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="237"/>
        <source>Service intervals</source>
        <translation>保养间隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="240"/>
        <source>Suggestion rules</source>
        <translation>建议规则</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="312"/>
        <source>Saving settings</source>
        <translation>正在保存设置</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="319"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="327"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="329"/>
        <source>Reload the settings now? Your changes that were not saved are lost.</source>
        <translation>现在重新载入设置吗？未保存的修改将丢失。</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="332"/>
        <source>Reloaded; make your change again.</source>
        <translation>已重新载入，请重新修改。</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="336"/>
        <source>The new language applies when Revisit restarts.</source>
        <translation>新语言将在回访重新启动后生效。</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="343"/>
        <source>Change my password</source>
        <translation>修改我的密码</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="348"/>
        <source>Password changed</source>
        <translation>密码已修改</translation>
    </message>
</context>
<context>
    <name>SheetChain</name>
    <message>
        <location filename="../../ui/views/import_sheets.py" line="103"/>
        <source>Importing the sheet “%1” (%2 of %3)</source>
        <translation>正在导入工作表“%1”（第 %2 个，共 %3 个）</translation>
    </message>
</context>
<context>
    <name>SheetPage</name>
    <message>
        <location filename="../../ui/views/import_source.py" line="153"/>
        <source>&amp;Sheet</source>
        <translation>工作表(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="160"/>
        <source>Column &amp;headers are in row</source>
        <translation>列标题所在行(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="192"/>
        <source>Choose a file first.</source>
        <translation>请先选择文件。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_source.py" line="211"/>
        <source>Row %1 holds the column headers (%n column(s)); it is tinted below. If another row holds them, enter its number.</source>
        <translation>
            <numerusform>第 %1 行为列标题（%n 列），已在下方以底色标出。如果列标题在其他行，请输入该行行号。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="219"/>
        <source>No row of column headers was found on any sheet (%1). Choose the sheet and enter the number of the row that holds them.</source>
        <translation>所有工作表（%1）中都未找到列标题行。请选择工作表，并输入列标题所在的行号。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="225"/>
        <source>No row of column headers was found. Enter the number of the row that holds them.</source>
        <translation>未找到列标题行。请输入列标题所在行的行号。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="231"/>
        <source>row %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="238"/>
        <source>Above the headers, not imported: %1</source>
        <translation>列标题上方的内容（不导入）：%1</translation>
    </message>
</context>
<context>
    <name>SheetsDone</name>
    <message>
        <location filename="../../ui/views/import_sheets.py" line="35"/>
        <source>Sheets of this workbook imported (click one to see its result and save its rows with problems):</source>
        <translation>本工作簿已导入的工作表（点击一行查看其结果、保存其问题行）：</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_sheets.py" line="38"/>
        <source>Sheet</source>
        <translation>工作表</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_sheets.py" line="38"/>
        <source>Import</source>
        <translation>导入批次</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_sheets.py" line="38"/>
        <source>New</source>
        <translation>新增</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_sheets.py" line="39"/>
        <source>Updated</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_sheets.py" line="39"/>
        <source>Unchanged</source>
        <translation>未变</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_sheets.py" line="40"/>
        <source>Not imported</source>
        <translation>未导入</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="18"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="20"/>
        <source>Go to %1</source>
        <translation>转到“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="24"/>
        <source>This overview</source>
        <translation>显示本快捷键一览</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="25"/>
        <source>Customers: search</source>
        <translation>客户：搜索</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="26"/>
        <source>Customers: record a change</source>
        <translation>客户：记录变更</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="27"/>
        <source>My follow-ups: pick the outcome (outside text fields)</source>
        <translation>我的跟进：选择结果（光标不在文本框时）</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="30"/>
        <source>My follow-ups: pick the outcome (anywhere)</source>
        <translation>我的跟进：选择结果（任何时候）</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="32"/>
        <source>My follow-ups: save and open the next call</source>
        <translation>我的跟进：保存并打开下一个电话</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="33"/>
        <source>Segments: undo an edit of the filter</source>
        <translation>客户分群：撤销对条件的修改</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="35"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/shortcuts_dialog.py" line="35"/>
        <source>What they do</source>
        <translation>作用</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="108"/>
        <source>Sign in to Revisit</source>
        <translation>登录回访</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="113"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="115"/>
        <source>Database: %1</source>
        <translation>数据库：%1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="119"/>
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="120"/>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="133"/>
        <source>Type your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="156"/>
        <source>Choose your own password</source>
        <translation>设置您自己的密码</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="157"/>
        <source>A supervisor set your password. Choose your own now; only you will know it.</source>
        <translation>您的密码由主管设置。请现在设置您自己的密码，只有您本人知道。</translation>
    </message>
</context>
<context>
    <name>SmsPreviewPanel</name>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="183"/>
        <source>Who</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="183"/>
        <source>Message as sent</source>
        <translation>实际发送内容</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="183"/>
        <source>Characters</source>
        <translation>字数</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="184"/>
        <source>Parts</source>
        <translation>条数</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="184"/>
        <source>Note</source>
        <translation>注意</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="188"/>
        <source>Nobody in this list is to be sent an SMS.</source>
        <translation>此名单中没有要发短信的人。</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="189"/>
        <source>Type the message to see how it will be sent.</source>
        <translation>输入短信内容即可预览发送效果。</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="196"/>
        <source>Counting the SMS</source>
        <translation>正在计算短信</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="200"/>
        <source>May be rejected: %1</source>
        <translation>可能被拒发：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="206"/>
        <source>%1 messages, %2 billed parts: about ¥%3 at ¥%4 per part</source>
        <translation>%1 个号码，计费 %2 条：每条 ¥%4，约 ¥%3</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="211"/>
        <source>Parts per message: %1; the longest is %2 characters</source>
        <translation>每人短信条数：%1；最长 %2 字</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="213"/>
        <source>%1 × %2</source>
        <translation>%1 条 × %2</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/sms_preview_panel.py" line="224"/>
        <source>%n member(s) left out for a merge field without a value: %1. Give the field a fallback such as {车型|您的爱车} to include them.</source>
        <translation>
            <numerusform>%n 人因缺少合并字段未列入：%1。给字段加缺省值（如 {车型|您的爱车}）即可包括他们。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/sms_preview_panel.py" line="230"/>
        <source>%n member(s) left out: not a mainland mobile number.</source>
        <translation>
            <numerusform>%n 人未列入：不是大陆手机号。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/sms_preview_panel.py" line="233"/>
        <source>%n member(s) left out: the same number as another member (one SMS per number).</source>
        <translation>
            <numerusform>%n 人未列入：与他人号码相同（一个号码只发一条）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/sms_preview_panel.py" line="236"/>
        <source>%n message(s) hold characters a vendor may reject or send as “?”: %1</source>
        <translation>
            <numerusform>%n 条短信含平台可能拒发或显示为“?”的字符：%1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/sms_preview_panel.py" line="240"/>
        <source>%n message(s) are longer than %1 characters: the file cannot be written; shorten the message.</source>
        <translation>
            <numerusform>%n 条短信超过 %1 字，无法生成文件；请缩短内容。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SourcePage</name>
    <message>
        <location filename="../../ui/views/import_source.py" line="51"/>
        <source>Owners and their cars, as the DMS exports them: name, mobile, address, VIN, plate, purchase date, km.</source>
        <translation>车主及其车辆（DMS 导出格式）：姓名、手机、地址、车架号、车牌、购车日期、公里数。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="55"/>
        <source>Work orders or visits to the workshop: date, plate or mobile, km, type, amount.</source>
        <translation>工单或进厂记录：日期、车牌或手机、公里数、类型、金额。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="58"/>
        <source>Satisfaction calls after a visit: date, plate or mobile, scores, comments.</source>
        <translation>进厂后的满意度回访：日期、车牌或手机、评分、意见。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="61"/>
        <source>Registered complaints: date, plate or mobile, topic, whether resolved.</source>
        <translation>已登记的投诉：日期、车牌或手机、主题、是否解决。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="64"/>
        <source>Calls, SMS and visits made to customers: when, how, why, the outcome.</source>
        <translation>对客户的电话、短信和拜访：时间、方式、原因、结果。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="67"/>
        <source>Insurance renewals, accessories and extended warranties sold: date, plate or mobile, amount, item; a policy&apos;s expiry updates its car&apos;s.</source>
        <translation>续保、精品、延保等销售记录：日期、车牌或手机、金额、项目；保单的到期日会更新该车的保险到期。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="87"/>
        <source>No file chosen yet</source>
        <translation>尚未选择文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="88"/>
        <source>&amp;Choose the file…</source>
        <translation>选择文件(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="95"/>
        <source>Excel (.xlsx, .xls) or CSV, as exported: title rows above the column headers and total rows are recognised. A file can also be dragged here from its folder. Nothing is written before the dry run has shown what would happen.</source>
        <translation>Excel（.xlsx、.xls）或 CSV，保持导出原样即可：列标题上方的标题行和合计行都能识别。也可以把文件从文件夹直接拖到这里。试导入显示处理结果之前，不会写入任何数据。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="102"/>
        <source>1. What is in the file?</source>
        <translation>1. 文件里是什么内容？</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="103"/>
        <source>2. Which file?</source>
        <translation>2. 选择哪个文件？</translation>
    </message>
</context>
<context>
    <name>StaleEdit</name>
    <message>
        <location filename="../../ui/dialogs/stale_edit.py" line="21"/>
        <source>Changed by someone else</source>
        <translation>已被他人修改</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/stale_edit.py" line="25"/>
        <source>Reload</source>
        <translation>重新载入</translation>
    </message>
</context>
<context>
    <name>SuggestionLine</name>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="42"/>
        <source>Accept</source>
        <translation>采纳</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="43"/>
        <source>Make the call with the suggested purpose</source>
        <translation>按建议的目的联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="45"/>
        <source>Change…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="46"/>
        <source>Make the call with another purpose</source>
        <translation>改用其他目的联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="48"/>
        <source>Dismiss</source>
        <translation>忽略</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="49"/>
        <source>Not this time; the decision is kept</source>
        <translation>这次不用；会记录此决定</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="67"/>
        <source>Other rules that fit: %1</source>
        <translation>其他符合的规则：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="73"/>
        <source>no rule fits this customer now</source>
        <translation>目前没有适用于该客户的规则</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="80"/>
        <source>because: %1</source>
        <translation>依据：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="81"/>
        <source>always suggested</source>
        <translation>无条件建议</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="86"/>
        <source>held back: %1</source>
        <translation>暂不建议：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="92"/>
        <source>dismissed by %1</source>
        <translation>%1 已忽略</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="95"/>
        <source>changed to %1 by %2</source>
        <translation>%2 改为 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_suggestion.py" line="98"/>
        <source>accepted by %1</source>
        <translation>%1 已采纳</translation>
    </message>
</context>
<context>
    <name>SuggestionRulesPanel</name>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="63"/>
        <source>The brief suggests the purpose and talking points of the first rule, from the top, whose conditions the customer meets. Sales rules are held back while the customer has an open complaint or no marketing consent, wherever they stand.</source>
        <translation>客户简报会从上到下找到第一条客户满足条件的规则，建议其目的和话术要点。客户有未解决投诉或无营销同意时，无论销售类规则排在哪里都不会建议。</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="67"/>
        <source>Only a supervisor may change the suggestion rules.</source>
        <translation>只有主管可以修改建议规则。</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="71"/>
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="71"/>
        <source>On</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="71"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="71"/>
        <source>When</source>
        <translation>条件</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="71"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="72"/>
        <source>Talking points</source>
        <translation>话术要点</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="91"/>
        <source>&amp;Add…</source>
        <translation>添加(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="92"/>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="93"/>
        <source>&amp;Remove</source>
        <translation>删除(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="94"/>
        <source>Move &amp;up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="95"/>
        <source>Move &amp;down</source>
        <translation>下移(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="96"/>
        <source>Built-in rules</source>
        <translation>内置规则</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="98"/>
        <source>Put the rules Revisit comes with back in place of these (saved only with Save)</source>
        <translation>用 Revisit 自带的规则替换当前规则（点保存后才生效）</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="99"/>
        <source>&amp;Save rules</source>
        <translation>保存规则(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="100"/>
        <source>Re&amp;load</source>
        <translation>重新读取(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="139"/>
        <source>Loading suggestion rules</source>
        <translation>正在读取建议规则</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="145"/>
        <source>The stored rules could not be read; the built-in rules are in use.</source>
        <translation>无法读取已保存的规则，正在使用内置规则。</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="203"/>
        <source>Changed; not saved yet.</source>
        <translation>已修改，尚未保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="210"/>
        <source>Suggestion rules</source>
        <translation>建议规则</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="239"/>
        <source>Remove rule</source>
        <translation>删除规则</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="240"/>
        <source>Remove the rule “%1”? Decisions already recorded on it stay.</source>
        <translation>删除规则“%1”？已记录的处理决定会保留。</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="276"/>
        <source>Reload shows the rules as they are stored now: your changes not saved yet are dropped. Cancel keeps your changes here, to compare them with theirs first.</source>
        <translation>“重新载入”显示当前保存的规则，您尚未保存的修改将被丢弃。“取消”则保留您的修改，可先与同事的修改对照。</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="279"/>
        <source>Saving suggestion rules</source>
        <translation>正在保存建议规则</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="282"/>
        <source>Suggestion rules saved</source>
        <translation>建议规则已保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/suggestion_rules_panel.py" line="287"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>SuggestionsTab</name>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="30"/>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="30"/>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="30"/>
        <source>Customers</source>
        <translation>客户数</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="40"/>
        <source>Reached</source>
        <translation>接通</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="40"/>
        <source>Came back</source>
        <translation>回厂</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="41"/>
        <source>Bought a car</source>
        <translation>购车</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="42"/>
        <source>%1, %2 days</source>
        <translation>%1，%2 天内</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="45"/>
        <source>Accepted</source>
        <translation>已采纳</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="45"/>
        <source>Changed</source>
        <translation>已修改</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="46"/>
        <source>Dismissed</source>
        <translation>已忽略</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="59"/>
        <source>Decisions on suggested next steps for %1 – %2: %3 accepted, %4 changed, %5 dismissed (customers, once per rule and decision).</source>
        <translation>%1 – %2 对建议下一步的决定：采纳 %3，修改 %4，忽略 %5（按客户计，每条规则每种决定计一次）。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="76"/>
        <source>No suggestion was accepted, changed or dismissed for a day in this period.</source>
        <translation>此期间内没有任何建议被采纳、修改或忽略。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="81"/>
        <source>Not over yet: the %1-day window; later contacts, visits and purchases will still count.</source>
        <translation>%1 天的观察期尚未结束：之后的联系、回厂和购车仍会计入。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="86"/>
        <source>Rows with fewer than %1 customers say little: one customer more or less moves their rates a lot.</source>
        <translation>客户少于 %1 人的行参考价值有限：多一人或少一人都会使比例大幅变化。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_suggestions.py" line="89"/>
        <source>Staff chose whom to accept and whom to dismiss, so the decisions&apos; groups differ from the start: a difference between them is a hint, not a proof that the suggestion worked.</source>
        <translation>采纳或忽略由员工自行选择，各组客户从一开始就不同：组间差异只是提示，不能证明建议有效。</translation>
    </message>
</context>
<context>
    <name>TagsPanel</name>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="51"/>
        <source>Group / tag</source>
        <translation>标签组 / 标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="51"/>
        <source>Customers</source>
        <translation>客户数</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="52"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="61"/>
        <source>Add &amp;group…</source>
        <translation>新增标签组(&amp;G)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="62"/>
        <source>Add &amp;tag…</source>
        <translation>新增标签(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="63"/>
        <source>Re&amp;name…</source>
        <translation>重命名(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="64"/>
        <location filename="../../ui/views/tags_panel.py" line="174"/>
        <source>Re&amp;tire</source>
        <translation>停用(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="65"/>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="67"/>
        <source>Customers keep a retired tag and segments still find them; nobody new is given it</source>
        <translation>停用的标签客户仍保留，分群仍能找到他们，但不再给新客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="68"/>
        <source>Only a tag no customer has can be deleted</source>
        <translation>只能删除没有客户使用的标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="83"/>
        <source>Rename the selected group or tag (F2)</source>
        <translation>重命名所选标签组或标签 (F2)</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="84"/>
        <source>Only a supervisor may add, rename or retire tags.</source>
        <translation>只有主管可以新增、重命名或停用标签。</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="105"/>
        <source>Loading tags</source>
        <translation>正在加载标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="121"/>
        <source>Retired</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="173"/>
        <source>Reac&amp;tivate</source>
        <translation>重新启用(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="201"/>
        <source>Reload shows the tags as they are now and opens this dialog again with the name you typed, to save it or cancel. Cancel drops what you typed.</source>
        <translation>“重新载入”会显示当前保存的标签，并重新打开此对话框，保留您输入的名称，可以保存，也可以取消。若选“取消”，您输入的内容将被放弃。</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="214"/>
        <source>Saving</source>
        <translation>正在保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="222"/>
        <source>Add a tag group</source>
        <translation>新增标签组</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="222"/>
        <source>Group name:</source>
        <translation>标签组名称：</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="224"/>
        <source>Tag group %1 added</source>
        <translation>已新增标签组 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="234"/>
        <source>Add a tag to %1</source>
        <translation>向 %1 新增标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="234"/>
        <source>Tag name:</source>
        <translation>标签名称：</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="236"/>
        <source>Tag %1 added</source>
        <translation>已添加标签 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="261"/>
        <source>Rename %1</source>
        <translation>重命名 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="262"/>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="253"/>
        <source>%1 renamed to %2</source>
        <translation>%1 已重命名为 %2</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="278"/>
        <source>Tag %1 can be given again</source>
        <translation>标签 %1 可以再次使用</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="279"/>
        <source>Tag %1 retired</source>
        <translation>标签 %1 已停用</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="286"/>
        <source>Delete tag</source>
        <translation>删除标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="287"/>
        <source>Delete the tag %1? No customer has it.</source>
        <translation>删除标签 %1 吗？没有客户使用它。</translation>
    </message>
    <message>
        <location filename="../../ui/views/tags_panel.py" line="292"/>
        <source>Tag %1 deleted</source>
        <translation>已删除标签 %1</translation>
    </message>
</context>
<context>
    <name>TargetsTab</name>
    <message>
        <location filename="../../ui/views/report_targets.py" line="40"/>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="40"/>
        <source>Calls / week</source>
        <translation>电话数 / 周</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="40"/>
        <source>Reach rate %</source>
        <translation>接通率 %</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="41"/>
        <source>Appointments / week</source>
        <translation>预约数 / 周</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="41"/>
        <location filename="../../ui/views/report_targets.py" line="112"/>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="41"/>
        <source>Kept / week</source>
        <translation>到店数 / 周</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="42"/>
        <location filename="../../ui/views/report_targets.py" line="43"/>
        <source>Gap</source>
        <translation>差距</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="42"/>
        <source>Reach rate</source>
        <translation>接通率</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="42"/>
        <source>Appointments</source>
        <translation>预约</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="43"/>
        <source>Kept</source>
        <translation>已到店</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="45"/>
        <source>Appointments kept: the customer came in for the appointment</source>
        <translation>预约到店：客户按预约来店</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="46"/>
        <source>Attempts against target in the period</source>
        <translation>期间联系次数与目标</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="47"/>
        <source>Save targets</source>
        <translation>保存目标</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="50"/>
        <source>Targets per week, scaled to the period; — (typed as 0) means no target. Only a supervisor can change them.</source>
        <translation>每周目标，按所选期间折算；“—”（输入 0）表示无目标。只有主管可以修改。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="52"/>
        <source>Targets per week, scaled to the period; — (typed as 0) means no target. The first row is every caller&apos;s default; a supervisor has targets only when given their own.</source>
        <translation>每周目标，按所选期间折算；“—”（输入 0）表示无目标。第一行是所有回访员的默认目标；主管只有在单独设定时才有目标。</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="88"/>
        <source>Default (callers)</source>
        <translation>默认（回访员）</translation>
    </message>
    <message>
        <location filename="../../ui/views/report_targets.py" line="113"/>
        <source>Target</source>
        <translation>目标</translation>
    </message>
</context>
<context>
    <name>UsersPanel</name>
    <message>
        <location filename="../../ui/views/users_panel.py" line="45"/>
        <source>&amp;Add account…</source>
        <translation>新增账号(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="46"/>
        <location filename="../../ui/views/users_panel.py" line="96"/>
        <source>D&amp;isable</source>
        <translation>停用(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="47"/>
        <source>Reset &amp;password…</source>
        <translation>重置密码(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="48"/>
        <location filename="../../ui/views/users_panel.py" line="101"/>
        <source>Make &amp;supervisor</source>
        <translation>设为主管(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="73"/>
        <source>Loading accounts</source>
        <translation>正在读取账号</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="95"/>
        <source>E&amp;nable</source>
        <translation>启用(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="100"/>
        <source>Make &amp;staff</source>
        <translation>设为员工(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="111"/>
        <source>Make supervisor</source>
        <translation>设为主管</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="112"/>
        <source>Make %1 a supervisor? They will be able to see and export full phone numbers, manage staff accounts, change the shared settings, read the audit log and erase customers.</source>
        <translation>把%1设为主管？主管可以查看和导出完整手机号、管理员工账号、修改共享设置、查看审计日志和删除客户资料。</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="125"/>
        <source>%1 is now a supervisor</source>
        <translation>%1 现在是主管</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="126"/>
        <source>%1 is now staff</source>
        <translation>%1 现在是员工</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="133"/>
        <source>Account %1 added</source>
        <translation>已新增账号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="144"/>
        <source>Disable account</source>
        <translation>停用账号</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="145"/>
        <source>Disable %1? They can no longer sign in; what they did stays in the history.</source>
        <translation>停用 %1？停用后将无法登录，其操作记录仍会保留。</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="157"/>
        <source>%1 can sign in again</source>
        <translation>%1 可以重新登录</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="158"/>
        <source>%1 can no longer sign in</source>
        <translation>%1 已无法登录</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="170"/>
        <source>Reset the password of %1</source>
        <translation>重置 %1 的密码</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="171"/>
        <source>%1 signs in once with this password, then chooses their own.</source>
        <translation>%1 用此密码登录一次后，须设置自己的密码。</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="176"/>
        <source>Password of %1 reset</source>
        <translation>已重置 %1 的密码</translation>
    </message>
</context>
<context>
    <name>UsersTableModel</name>
    <message>
        <location filename="../../ui/table_models/users_table.py" line="16"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/users_table.py" line="16"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/users_table.py" line="16"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/users_table.py" line="17"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/users_table.py" line="46"/>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/users_table.py" line="48"/>
        <source>No password yet</source>
        <translation>尚未设置密码</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/users_table.py" line="50"/>
        <source>Temporary password</source>
        <translation>临时密码</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/users_table.py" line="51"/>
        <source>Active</source>
        <translation>正常</translation>
    </message>
</context>
<context>
    <name>ValueEditor</name>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="259"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="260"/>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>WechatPreviewPanel</name>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="250"/>
        <source>Who</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="250"/>
        <source>Message to paste</source>
        <translation>待粘贴的消息</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="250"/>
        <source>WeChat ID</source>
        <translation>微信号</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="253"/>
        <source>Nobody in this list is to get a WeChat message.</source>
        <translation>本名单中没有需要发微信消息的客户。</translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="260"/>
        <source>Counting the WeChat messages</source>
        <translation>正在统计微信消息</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/sms_preview_panel.py" line="268"/>
        <source>%n message(s) to paste, one for each WeChat member with a value for every merge field.</source>
        <translation>
            <numerusform>%n 条待粘贴的消息：每位微信客户一条（缺少消息所需资料的客户除外）。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/sms_preview_panel.py" line="270"/>
        <source>WeChat members in this list: %1</source>
        <translation>本名单中的微信客户：%1 位</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/sms_preview_panel.py" line="276"/>
        <source>%n member(s) left out for a merge field without a value. Give the field a fallback such as {车型|您的爱车} to include them.</source>
        <translation>
            <numerusform>%n 位客户因合并字段无值未包含（缺少合并字段）。为该字段加上备用文字（如 {车型|您的爱车}）即可包含他们。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../ui/app.py" line="167"/>
        <source>Preparing a new database…</source>
        <translation>正在准备新数据库…</translation>
    </message>
    <message>
        <location filename="../../ui/app.py" line="169"/>
        <source>Updating the database for this version of Revisit; a copy of it is kept first. A large database can take a minute.</source>
        <translation>正在为此版本的回访更新数据库，更新前会先保留一份副本。数据库较大时可能需要一分钟左右。</translation>
    </message>
    <message>
        <location filename="../../ui/app.py" line="176"/>
        <location filename="../../ui/app.py" line="208"/>
        <location filename="../../ui/app.py" line="278"/>
        <location filename="../../ui/main_window.py" line="281"/>
        <source>Revisit</source>
        <translation>回访</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../ui/error_messages.py" line="11"/>
        <source>Unknown call outcome &apos;{outcome}&apos;.</source>
        <translation>未知的通话结果“{outcome}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="14"/>
        <source>The next follow-up date {date} is in the past.</source>
        <translation>下次跟进日期 {date} 已经过去。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="16"/>
        <source>{km} km is not a plausible odometer reading.</source>
        <translation>{km} 公里不是合理的里程表读数。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="47"/>
        <source>{km} km is less than the {previous} km read on {date}; check the number.</source>
        <translation>{km} 公里小于 {date} 记录的 {previous} 公里，请检查数字。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="18"/>
        <source>That list entry no longer exists.</source>
        <translation>该名单条目已不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="20"/>
        <source>Choose the vehicle the km reading belongs to.</source>
        <translation>请选择这次里程读数所属的车辆。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="358"/>
        <source>{user} has no password yet; a supervisor sets one in Settings (Staff accounts) or with `user passwd {user}`.</source>
        <translation>{user} 尚未设置密码；请主管在“设置”（员工账号）中或用 `user passwd {user}` 设置。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="386"/>
        <source>Database error on {where}: {detail}</source>
        <translation>数据库 {where} 出错：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="387"/>
        <source>&apos;{url}&apos; is not a database URL Revisit understands (e.g. sqlite:///file.db or postgresql://user:password@host/dbname).</source>
        <translation>“{url}”不是回访能识别的数据库地址（例如 sqlite:///file.db 或 postgresql://用户:密码@服务器/数据库名）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="392"/>
        <source>Cannot open the database file {where}: missing folder or no permission.</source>
        <translation>无法打开数据库文件 {where}：文件夹不存在或没有权限。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="393"/>
        <source>{where} is not a Revisit database (the file is damaged or of another kind).</source>
        <translation>{where} 不是回访数据库（文件已损坏或是其他类型的文件）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="394"/>
        <source>The disk holding {where} is full; nothing was changed.</source>
        <translation>{where} 所在的磁盘已满，未做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="404"/>
        <source>Cannot connect to the database server {where}: {detail}</source>
        <translation>无法连接数据库服务器 {where}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="397"/>
        <source>{where} holds tables that are not Revisit&apos;s; refusing to change it.</source>
        <translation>{where} 中有不属于回访的数据表，为安全起见不做修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="403"/>
        <source>{where} was written by a newer version of Revisit (schema {revision}); update Revisit to open it.</source>
        <translation>{where} 由更新版本的回访写入（结构版本 {revision}），请先升级回访再打开。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="408"/>
        <source>{where} is a folder, not a database file.</source>
        <translation>{where} 是文件夹，不是数据库文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="410"/>
        <source>Cannot create the folder {where}: {detail}</source>
        <translation>无法创建文件夹 {where}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="167"/>
        <source>The number of demo customers must be between 1 and {max}, not {n}.</source>
        <translation>演示客户数量必须在 1 到 {max} 之间，而不是 {n}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="411"/>
        <source>A file could not be read or written: {reason}.</source>
        <translation>文件无法读取或写入：{reason}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="413"/>
        <source>Cannot use the file {path}: {reason}.</source>
        <translation>无法使用文件 {path}：{reason}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="218"/>
        <source>Unknown purpose &apos;{purpose}&apos; (known: {known}).</source>
        <translation>未知的目的“{purpose}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="222"/>
        <source>There is no staff member &apos;{name}&apos; (use a username or a display name).</source>
        <translation>没有员工“{name}”（请使用用户名或显示名称）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="241"/>
        <source>There is no list run #{run}.</source>
        <translation>不存在名单 #{run}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="247"/>
        <source>No Chinese TrueType font was found to print with. Install one (Linux: the package fonts-wqy-microhei; Windows has SimSun/Microsoft YaHei) or set {env} to a .ttf/.ttc file. Tried: {tried}</source>
        <translation>找不到可用于打印的中文 TrueType 字体。请安装一种（Linux：软件包 fonts-wqy-microhei；Windows 自带宋体/微软雅黑），或将 {env} 设为一个 .ttf/.ttc 文件。已尝试：{tried}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="248"/>
        <source>There is no label layout &apos;{name}&apos; (known: {known}).</source>
        <translation>没有标签版式“{name}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="263"/>
        <source>Marketing SMS may only be sent between {start} and {end}; the planned time {when} is outside that window.</source>
        <translation>营销短信只能在 {start} 至 {end} 之间发送；计划发送时间 {when} 不在此时段内。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="264"/>
        <source>The SMS sending window &apos;{text}&apos; ends before it starts.</source>
        <translation>短信发送时段“{text}”的结束时间早于开始时间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="265"/>
        <source>Unknown SMS vendor layout &apos;{vendor}&apos; (known: {known}).</source>
        <translation>未知的短信平台文件格式“{vendor}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="261"/>
        <source>The SMS template uses unknown merge field(s) {fields}; known fields are {known}.</source>
        <translation>短信模板使用了未知的合并字段 {fields}；可用字段为 {known}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="268"/>
        <source>The SMS signature must be the shop&apos;s name in 【】, 2 to 12 characters (got &apos;{signature}&apos;).</source>
        <translation>短信签名必须是用【】括起的门店名称，2 到 12 个字（当前为“{signature}”）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="269"/>
        <source>Marketing SMS need opt-out text such as 回T退订 or 拒收请回复R.</source>
        <translation>营销短信需要退订提示，例如“回T退订”或“拒收请回复R”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="270"/>
        <source>The SMS sending window &apos;{text}&apos; is not like 08:00-20:00.</source>
        <translation>短信发送时段“{text}”格式不对，应形如 08:00-20:00。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="262"/>
        <source>The SMS for row {row} would be {n} characters; the limit is {limit}.</source>
        <translation>第 {row} 行的短信将有 {n} 个字，上限为 {limit} 个字。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="271"/>
        <source>Huawei&apos;s bulk-send file holds phone numbers only, so every message must be the same; remove the merge fields or choose the Aliyun or generic layout.</source>
        <translation>华为云的群发文件只包含手机号码，所有短信内容必须相同；请删除合并字段，或改用阿里云或通用格式。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="77"/>
        <source>Unknown channel(s): {codes}.</source>
        <translation>未知的渠道：{codes}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="78"/>
        <source>Unknown time window(s): {codes}.</source>
        <translation>未知的时段：{codes}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="81"/>
        <source>Choose at least one channel the customer accepts.</source>
        <translation>请至少选择一个客户接受的渠道。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="82"/>
        <source>Unknown preferred days &apos;{days}&apos;.</source>
        <translation>未知的偏好日期“{days}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="83"/>
        <source>A preferred hour range needs a start before its end, within 0–24.</source>
        <translation>偏好时间段的开始必须早于结束，且在 0–24 点之间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="84"/>
        <source>Unknown language &apos;{language}&apos;.</source>
        <translation>未知的语言“{language}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="85"/>
        <source>Unknown consent source &apos;{source}&apos;.</source>
        <translation>未知的同意来源“{source}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="86"/>
        <source>The consent date {date} is in the future.</source>
        <translation>同意日期 {date} 在未来。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="88"/>
        <source>Unknown channel &apos;{channel}&apos;.</source>
        <translation>未知的渠道“{channel}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="89"/>
        <source>Unknown purpose &apos;{purpose}&apos;.</source>
        <translation>未知的目的“{purpose}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="79"/>
        <source>Say why the customer is not to be contacted.</source>
        <translation>请说明不联系该客户的原因。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="90"/>
        <source>The refusal must end after the day it starts ({date}).</source>
        <translation>勿扰的结束日期必须晚于开始日期（{date}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="92"/>
        <source>That do-not-contact entry no longer exists.</source>
        <translation>该勿扰记录已不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="93"/>
        <source>That do-not-contact entry was already lifted on {date}.</source>
        <translation>该勿扰记录已于 {date} 解除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="94"/>
        <source>A refusal cannot be lifted before it was set ({date}).</source>
        <translation>勿扰不能在设置日期（{date}）之前解除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="91"/>
        <source>Say why the refusal is lifted (e.g. the customer asked).</source>
        <translation>请说明解除勿扰的原因（例如客户主动要求）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="95"/>
        <source>Unknown profile attribute &apos;{attribute}&apos;.</source>
        <translation>未知的客户画像属性“{attribute}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="96"/>
        <source>&apos;{value}&apos; is not a valid value for {attribute} (allowed: {allowed}).</source>
        <translation>“{value}”不是 {attribute} 的有效值（可选：{allowed}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="97"/>
        <source>The value for {attribute} is longer than 100 characters.</source>
        <translation>{attribute} 的值超过 100 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="98"/>
        <source>Unknown source &apos;{source}&apos; for a profile change.</source>
        <translation>画像变更的来源“{source}”无效。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="99"/>
        <source>The change date {date} is in the future; record a change once it has happened.</source>
        <translation>变更日期 {date} 在未来，请在变更发生后再记录。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="273"/>
        <source>The report ends ({end}) before it starts ({start}).</source>
        <translation>报表的结束日期（{end}）早于开始日期（{start}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="287"/>
        <source>A segment named &apos;{name}&apos; already exists.</source>
        <translation>已有名为“{name}”的分群。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="288"/>
        <source>A segment name must have 1 to 100 characters.</source>
        <translation>分群名称必须为 1 到 100 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="289"/>
        <source>There is no segment named &apos;{name}&apos;.</source>
        <translation>没有名为“{name}”的分群。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="290"/>
        <source>{source} does not say the segment&apos;s name; give one.</source>
        <translation>{source} 中没有分群名称，请指定一个名称。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="297"/>
        <source>The number of days cannot be negative ({days}).</source>
        <translation>天数不能为负数（{days}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="298"/>
        <source>There is no template &apos;{key}&apos;.</source>
        <translation>没有模板“{key}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="293"/>
        <source>{source} is not valid JSON: {detail} (line {line}).</source>
        <translation>{source} 不是有效的 JSON：{detail}（第 {line} 行）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="294"/>
        <source>The segment &apos;{name}&apos; cannot be read: {detail}</source>
        <translation>无法读取分群“{name}”：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="295"/>
        <source>The quantile must be between 0 and 1, not {q}.</source>
        <translation>分位数必须在 0 到 1 之间，而不是 {q}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="59"/>
        <source>There is no customer #{id}.</source>
        <translation>没有编号为 #{id} 的客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="7"/>
        <source>{who} recorded “{outcome}” for this call at {when} since you opened it; reload the calls to see it.</source>
        <translation>在您打开后，{who} 于 {when} 已为这通电话记录了“{outcome}”，请重新载入待拨电话查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="8"/>
        <source>“{outcome}” was recorded for this call at {when} since you opened it; reload the calls to see it.</source>
        <translation>在您打开后，这通电话已于 {when} 记录了“{outcome}”，请重新载入待拨电话查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="12"/>
        <source>Unknown contact channel &apos;{channel}&apos;.</source>
        <translation>未知的联系渠道“{channel}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="13"/>
        <source>Unknown contact purpose &apos;{purpose}&apos;.</source>
        <translation>未知的联系目的“{purpose}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="15"/>
        <source>Only a refused call can ask for no more calls.</source>
        <translation>只有结果为“拒绝”的通话才能设为不再来电。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="48"/>
        <source>{km} km is {rise} km more than the {previous} km read on {date}, more than a car is driven in that time; check the number.</source>
        <translation>{km} 公里比 {date} 记录的 {previous} 公里多 {rise} 公里，超出这段时间能开的里程，请核对。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="25"/>
        <source>Other phones</source>
        <translation>其他电话</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="6"/>
        <source>This call was read back from list #{run}&apos;s paper on {day} as “{outcome}”, not “{typed}”: nothing was saved; choose “{outcome}” to add what you typed to it.</source>
        <translation>这通电话已于 {day} 从名单 #{run} 的纸质名单读回，结果为“{outcome}”，不是“{typed}”：未保存；请选择“{outcome}”，把您填写的内容补充到这次联系上。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="9"/>
        <source>{who} changed this customer&apos;s {attribute} to “{value}” at {when} since you opened the call; nothing was saved: reload to see it (what you typed stays), then save again.</source>
        <translation>在您打开这通电话后，{who} 于 {when} 已将该客户的{attribute}改为“{value}”；本次未保存：请重新载入查看（您填写的内容保留），再保存一次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="10"/>
        <source>This customer&apos;s {attribute} was changed to “{value}” at {when} since you opened the call; nothing was saved: reload to see it (what you typed stays), then save again.</source>
        <translation>在您打开这通电话后，该客户的{attribute}已于 {when} 改为“{value}”；本次未保存：请重新载入查看（您填写的内容保留），再保存一次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="17"/>
        <source>The call&apos;s time {when} is before the date of list #{run} ({as_of}); check the year.</source>
        <translation>通话时间 {when} 早于名单 #{run} 的日期（{as_of}）：请检查年份。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="19"/>
        <source>The call&apos;s time {when} is before the contact that asked for it ({promised}); check the year.</source>
        <translation>通话时间 {when} 早于约定这次回访的联系（{promised}）：请检查年份。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="21"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="22"/>
        <source>Employer</source>
        <translation>工作单位</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="23"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="24"/>
        <source>Contact person</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="26"/>
        <source>Province</source>
        <translation>省份</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="27"/>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="28"/>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="29"/>
        <source>Street</source>
        <translation>街道地址</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="30"/>
        <source>Brand</source>
        <translation>品牌</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="31"/>
        <source>Model</source>
        <translation>车型</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="32"/>
        <source>{field} is longer than {n} characters.</source>
        <translation>{field}超过 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="34"/>
        <source>“{typed}” is not a mainland mobile number (11 digits starting with 1); put a landline under other phones.</source>
        <translation>“{typed}”不是大陆手机号码（以 1 开头的 11 位数字）；固定电话请填在其他电话中。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="35"/>
        <source>“{typed}” in other phones is not a phone number; separate numbers with a comma.</source>
        <translation>其他电话中的“{typed}”不是电话号码；多个号码请用逗号分隔。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="36"/>
        <source>The postcode “{typed}” is not 6 digits.</source>
        <translation>邮编“{typed}”不是 6 位数字。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="37"/>
        <source>Write the customer&apos;s name.</source>
        <translation>请填写客户姓名。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="38"/>
        <source>The gender is M, F or not known, not &apos;{gender}&apos;.</source>
        <translation>性别只能是男、女或未知，不能是“{gender}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="39"/>
        <source>The birthday {date} is in the future.</source>
        <translation>生日 {date} 在今天之后。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="40"/>
        <source>The birthday {date} is more than {n} years ago; check the year.</source>
        <translation>生日 {date} 距今超过 {n} 年，请检查年份。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="41"/>
        <source>The DMS customer number “{typed}” is as Excel shows a long number, its digits lost; type it in full.</source>
        <translation>DMS 客户编号“{typed}”是 Excel 显示长数字的科学计数法写法，位数已丢失；请输入完整编号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="42"/>
        <source>The DMS customer number is longer than {n} characters.</source>
        <translation>DMS 客户编号超过 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="43"/>
        <source>This customer&apos;s personal data was erased; nothing can be added to it.</source>
        <translation>该客户的个人信息已被擦除，不能再添加内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="44"/>
        <source>Write the car&apos;s brand and model.</source>
        <translation>请填写车辆的品牌和车型。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="45"/>
        <source>The purchase date {date} is in the future.</source>
        <translation>购车日期 {date} 在未来。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="46"/>
        <source>This car is no longer this customer&apos;s (moved or removed since you opened them); reload to see their cars.</source>
        <translation>该车辆已不属于此客户（在您打开后被转移或删除）；请重新载入查看其车辆。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="49"/>
        <source>{km} km is more than the {later} km read later, on {date}; check the number.</source>
        <translation>{km} 公里多于之后 {date} 记录的 {later} 公里，请核对。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="50"/>
        <source>“{typed}” is not a km reading (a whole number up to {max}).</source>
        <translation>“{typed}”不是里程读数（最多 {max} 的整数）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="51"/>
        <source>The reading date {date} is in the future.</source>
        <translation>读数日期 {date} 在未来。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="52"/>
        <source>“{typed}” is not a WeChat ID (letters, digits, _ and -); a nickname cannot be searched for in WeChat.</source>
        <translation>“{typed}”不是微信号（只含字母、数字、_ 和 -）；微信里无法按昵称搜索。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="53"/>
        <source>The VIN “{typed}” is not 17 letters and digits (no I, O or Q).</source>
        <translation>车架号“{typed}”不是 17 位字母和数字（不含 I、O、Q）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="54"/>
        <source>“{typed}” is not a price (write 158000 or 15.8万).</source>
        <translation>“{typed}”不是价格（请写 158000 或 15.8万）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="55"/>
        <source>This car is already marked as no longer the customer&apos;s.</source>
        <translation>该车辆已标记为不再属于此客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="56"/>
        <source>The mobile {mobile} is already customer {code}&apos;s ({name}); if they are the same person, merge the two customers instead.</source>
        <translation>手机号 {mobile} 已属于客户 {code}（{name}）；如果是同一个人，请改为合并这两个客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="57"/>
        <source>The VIN {vin} is already on a car of customer {code} ({name}).</source>
        <translation>车架号 {vin} 已登记在客户 {code}（{name}）的车辆上。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="58"/>
        <source>The tag “{tag}” is retired: customers who have it keep it, but it is given to nobody new.</source>
        <translation>标签“{tag}”已停用：已有的客户保留，但不再给新客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="60"/>
        <source>Customer {code}&apos;s personal data was already erased on {date}.</source>
        <translation>客户 {code} 的个人信息已于 {date} 擦除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="61"/>
        <source>This customer is no longer in the database (removed since you opened them); search again to go on.</source>
        <translation>在您打开后，这位客户已从数据库中删除；请重新搜索后继续。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="62"/>
        <source>{who} merged customer {merged} into {kept} at {when}, since you opened it; open {kept} to go on.</source>
        <translation>在您打开后，{who} 于 {when} 已将客户 {merged} 合并到 {kept}；请打开 {kept} 继续。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="63"/>
        <source>Customer {merged} was merged into {kept} at {when}, since you opened it; open {kept} to go on.</source>
        <translation>在您打开后，客户 {merged} 已于 {when} 合并到 {kept}；请打开 {kept} 继续。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="64"/>
        <source>There is no customer with the code or id &apos;{ref}&apos;.</source>
        <translation>没有编号或 ID 为“{ref}”的客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="65"/>
        <source>Cannot undo merge #{merge}: the customer it kept no longer exists.</source>
        <translation>无法撤销合并 #{merge}：当时保留的客户已不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="66"/>
        <source>Customer {merged} was already merged into {kept} (merge #{merge} on {date}).</source>
        <translation>客户 {merged} 已合并到 {kept}（{date} 的合并 #{merge}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="67"/>
        <source>A customer cannot be merged into itself.</source>
        <translation>客户不能合并到自身。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="68"/>
        <source>Cannot undo merge #{merge}: the customer it kept was merged into another by merge #{later} since; undo that one first.</source>
        <translation>无法撤销合并 #{merge}：当时保留的客户此后又被合并 #{later} 并入其他客户；请先撤销那次合并。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="69"/>
        <source>Cannot undo merge #{merge}: the merged customer&apos;s id or code {code} is now used by another customer.</source>
        <translation>无法撤销合并 #{merge}：被合并客户的 ID 或编号 {code} 现已被其他客户使用。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="70"/>
        <source>Cannot undo merge #{merge}: {fields} of customer {code} changed after the merge; change them back first or keep the merge.</source>
        <translation>无法撤销合并 #{merge}：客户 {code} 的{fields}在合并后被修改过；请先改回原值，或保留这次合并。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="71"/>
        <source>Cannot undo merge #{merge}: some of the rows it moved ({tables}) were deleted or given to another customer since.</source>
        <translation>无法撤销合并 #{merge}：当时移过来的部分记录（{tables}）此后已被删除或转给其他客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="72"/>
        <source>Cannot undo merge #{merge}: records added to customer {code} since the merge use what it moved ({tables}).</source>
        <translation>无法撤销合并 #{merge}：合并后为客户 {code} 新增的记录引用了当时移过来的内容（{tables}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="73"/>
        <source>Cannot undo merge #{merge}: what the removed {tables} rows refer to was deleted since, or their ids are used again.</source>
        <translation>无法撤销合并 #{merge}：被删除的{tables}记录所引用的内容此后已被删除，或其 ID 已被重复使用。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="74"/>
        <source>There is no customer merge #{merge}.</source>
        <translation>不存在客户合并 #{merge}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="75"/>
        <source>Merge #{merge} was already undone on {date}.</source>
        <translation>合并 #{merge} 已于 {date} 撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="76"/>
        <source>Cannot undo merge #{merge}: rows it moved changed while it was being undone; try again.</source>
        <translation>无法撤销合并 #{merge}：撤销过程中其移动的记录发生了变化；请重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="80"/>
        <source>The reason is longer than {n} characters.</source>
        <translation>原因超过 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="87"/>
        <source>The note is longer than {n} characters.</source>
        <translation>备注超过 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="101"/>
        <source>Name exactly one who introduced the customer: a customer, a member of staff or an organisation.</source>
        <translation>请只填写一个介绍人：客户、员工或单位。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="102"/>
        <source>The organisation&apos;s name is longer than {n} characters.</source>
        <translation>单位名称超过 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="103"/>
        <source>The referral date {date} is in the future.</source>
        <translation>介绍日期 {date} 在将来。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="104"/>
        <source>A customer cannot introduce themselves.</source>
        <translation>客户不能介绍自己。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="105"/>
        <source>There is no staff account with id {id}.</source>
        <translation>没有编号为 {id} 的员工账号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="106"/>
        <source>This introduction is already recorded.</source>
        <translation>这条转介绍已经记录过了。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="107"/>
        <source>That referral no longer exists.</source>
        <translation>这条转介绍已不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="108"/>
        <source>This service interval was removed since you loaded the intervals; reload to see the intervals as they are now.</source>
        <translation>这条保养间隔在你读取之后已被删除；请重新读取查看当前的保养间隔。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="109"/>
        <source>{who} changed this service interval at {when} since you loaded the intervals; reload to see their change.</source>
        <translation>{who} 在 {when} 修改了这条保养间隔（在你读取之后）；请重新读取查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="110"/>
        <source>This service interval was changed at {when} since you loaded the intervals; reload to see the change.</source>
        <translation>这条保养间隔在 {when} 被修改（在你读取之后）；请重新读取查看修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="111"/>
        <source>{who} set a service interval for this brand and model at {when} since you loaded the intervals; reload to see it.</source>
        <translation>{who} 在 {when} 为此品牌和车型设置了保养间隔（在你读取之后）；请重新读取查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="112"/>
        <source>A service interval for this brand and model was set at {when} since you loaded the intervals; reload to see it.</source>
        <translation>此品牌和车型的保养间隔在 {when} 已被设置（在你读取之后）；请重新读取查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="113"/>
        <source>A model&apos;s service interval needs its brand too.</source>
        <translation>车型的保养间隔还需要填写品牌。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="114"/>
        <source>Service intervals must be at least 1 km and 1 month.</source>
        <translation>保养间隔至少为 1 公里和 1 个月。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="115"/>
        <source>The built-in default interval cannot be removed; change it instead.</source>
        <translation>内置默认间隔不能删除，请直接修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="116"/>
        <source>The customer has no car with the VIN or plate &apos;{ref}&apos;.</source>
        <translation>该客户没有车架号或车牌为“{ref}”的车。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="117"/>
        <source>Say which repair was declined.</source>
        <translation>请说明客户未做的维修项目。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="118"/>
        <source>The repair item is longer than {n} characters.</source>
        <translation>维修项目超过 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="119"/>
        <source>The date {date} is in the future.</source>
        <translation>日期 {date} 在将来。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="120"/>
        <source>The due date {due} is before the day it was noted ({date}).</source>
        <translation>到期日 {due} 早于记录日期（{date}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="121"/>
        <source>An item is closed as done or refused, not &apos;{status}&apos;.</source>
        <translation>项目只能关闭为“已做”或“拒绝”，不能是“{status}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="122"/>
        <source>There is no declined repair item {id}.</source>
        <translation>没有编号为 {id} 的建议维修项目。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="123"/>
        <source>That item was already closed on {date}.</source>
        <translation>该项目已于 {date} 关闭。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="124"/>
        <source>An item cannot be closed before it was noted ({date}).</source>
        <translation>项目不能在记录日期（{date}）之前关闭。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="125"/>
        <source>That service visit is not this customer&apos;s.</source>
        <translation>这次到店记录不属于该客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="126"/>
        <source>That car is not this customer&apos;s.</source>
        <translation>这辆车不属于该客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="127"/>
        <source>{who} changed the suggestion rules at {when} since you opened them; nothing was saved. Reload to see their change.</source>
        <translation>{who} 在 {when} 修改了建议规则（在你打开之后）；未保存任何内容。请重新读取查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="128"/>
        <source>The suggestion rules were changed at {when} since you opened them; nothing was saved. Reload to see the change.</source>
        <translation>建议规则在 {when} 被修改（在你打开之后）；未保存任何内容。请重新读取查看修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="129"/>
        <source>Unknown decision &apos;{action}&apos; (known: {known}).</source>
        <translation>未知的处理方式“{action}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="130"/>
        <source>A note on a decision is at most {most} characters.</source>
        <translation>处理备注最多 {most} 个字。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="131"/>
        <source>Choose the purpose to use instead of the suggested one.</source>
        <translation>请选择代替建议目的的目的。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="132"/>
        <source>A rule&apos;s condition must name a fact, a comparison and a value.</source>
        <translation>规则的条件必须包含事实、比较方式和值。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="133"/>
        <source>A suggestion rule must be a name, conditions, a purpose and talking points.</source>
        <translation>建议规则必须包含名称、条件、目的和话术要点。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="134"/>
        <source>A rule&apos;s conditions must be a list.</source>
        <translation>规则的条件必须是列表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="135"/>
        <source>The suggestion rules must be a list of rules.</source>
        <translation>建议规则必须是规则列表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="136"/>
        <source>The rule “{rule}” tests an unknown fact &apos;{fact}&apos;.</source>
        <translation>规则“{rule}”判断了未知的事实“{fact}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="137"/>
        <source>The rule “{rule}” compares {fact} with &apos;{op}&apos;, which does not apply to it.</source>
        <translation>规则“{rule}”用“{op}”比较 {fact}，该比较不适用。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="138"/>
        <source>The rule “{rule}” compares {fact} with &apos;{value}&apos;, which is not one of its values.</source>
        <translation>规则“{rule}”将 {fact} 与“{value}”比较，但这不是它的可选值。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="139"/>
        <source>At most {most} suggestion rules, not {count}.</source>
        <translation>建议规则最多 {most} 条，不能是 {count} 条。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="140"/>
        <source>A suggestion rule needs a name of 1 to {most} characters.</source>
        <translation>建议规则需要 1 到 {most} 个字的名称。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="141"/>
        <source>Two suggestion rules are named “{rule}”; each needs its own name.</source>
        <translation>有两条建议规则都叫“{rule}”，每条规则需要不同的名称。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="142"/>
        <source>The rule “{rule}” proposes an unknown purpose &apos;{purpose}&apos;.</source>
        <translation>规则“{rule}”建议了未知的目的“{purpose}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="143"/>
        <source>The rule “{rule}” needs talking points of 1 to {most} characters.</source>
        <translation>规则“{rule}”需要 1 到 {most} 个字的话术要点。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="144"/>
        <source>The rule “{rule}” names unknown merge fields: {fields}.</source>
        <translation>规则“{rule}”使用了未知的合并字段：{fields}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="145"/>
        <source>The saved segment “{segment}”, which uses this tag, was changed at the same moment; nothing was saved. Try again.</source>
        <translation>使用此标签的分群“{segment}”在同一时刻被修改，本次未保存。请重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="146"/>
        <source>The tag you opened no longer exists; reload to see the tags as they are now.</source>
        <translation>您打开的标签已不存在，请重新载入查看当前标签。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="147"/>
        <source>The tag group you opened no longer exists; reload to see the tags as they are now.</source>
        <translation>您打开的标签组已不存在，请重新载入查看当前标签。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="148"/>
        <source>{who} changed the tag “{name}” at {when} since you opened it; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 修改了标签“{name}”，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="149"/>
        <source>The tag “{name}” was changed at {when} since you opened it; reload to see the change.</source>
        <translation>在您打开后，标签“{name}”于 {when} 被修改，请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="150"/>
        <source>{who} renamed the tag “{name}” to “{new_name}” at {when} since you opened it; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 把标签“{name}”重命名为“{new_name}”，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="151"/>
        <source>The tag “{name}” was renamed to “{new_name}” at {when} since you opened it; reload to see the change.</source>
        <translation>在您打开后，标签“{name}”于 {when} 被重命名为“{new_name}”，请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="152"/>
        <source>{who} deleted the tag “{name}” at {when} since you opened it; reload to see the tags as they are now.</source>
        <translation>在您打开后，{who} 于 {when} 删除了标签“{name}”，请重新载入查看当前标签。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="153"/>
        <source>The tag “{name}” was deleted at {when} since you opened it; reload to see the tags as they are now.</source>
        <translation>在您打开后，标签“{name}”于 {when} 被删除，请重新载入查看当前标签。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="154"/>
        <source>{who} renamed the tag group “{name}” to “{new_name}” at {when} since you opened it; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 把标签组“{name}”重命名为“{new_name}”，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="155"/>
        <source>The tag group “{name}” was renamed to “{new_name}” at {when} since you opened it; reload to see the change.</source>
        <translation>在您打开后，标签组“{name}”于 {when} 被重命名为“{new_name}”，请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="156"/>
        <source>A tag group name must have 1 to {max} characters.</source>
        <translation>标签组名称须为 1 到 {max} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="157"/>
        <source>A tag name must have 1 to {max} characters.</source>
        <translation>标签名称须为 1 到 {max} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="158"/>
        <source>There is no tag group named “{name}”.</source>
        <translation>没有名为“{name}”的标签组。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="159"/>
        <source>The tag group “{group}” has no tag named “{name}”.</source>
        <translation>标签组“{group}”中没有名为“{name}”的标签。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="160"/>
        <source>There is already a tag group named “{name}”.</source>
        <translation>已有名为“{name}”的标签组。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="161"/>
        <source>The tag group “{group}” already has a tag named “{name}”.</source>
        <translation>标签组“{group}”中已有名为“{name}”的标签。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="162"/>
        <source>A tag or tag group name cannot contain “/”: segments write a tag as group/tag.</source>
        <translation>标签或标签组名称不能包含“/”：分群中标签写作“标签组/标签”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="163"/>
        <source>The tag “{name}” is given to {count} customers, so it cannot be deleted; retire it instead: they keep it, segments keep finding them, and nobody new is given it.</source>
        <translation>标签“{name}”有 {count} 位客户在用，不能删除；请改为停用：这些客户保留它，分群仍能找到他们，但不再给新客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="164"/>
        <source>{where} holds data the demo did not make (in {tables}); demo data is only added to a new database or to one holding nothing but demo data.</source>
        <translation>{where} 中有不是演示程序生成的数据（在 {tables} 中）；演示数据只能加到新数据库或只含演示数据的数据库。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="165"/>
        <source>{where} was left half-filled by a demo that stopped after {done} of {total} customers; run `demo --resume` to finish it, or use a new database.</source>
        <translation>{where} 中的演示数据在生成 {done}/{total} 位客户后中断；请运行 `demo --resume` 完成它，或使用新数据库。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="166"/>
        <source>{where} has no stopped demo to resume.</source>
        <translation>{where} 中没有可继续的中断演示。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="168"/>
        <source>There is no import batch #{id}.</source>
        <translation>没有第 {id} 号导入批次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="169"/>
        <source>Import batch #{id} was already undone on {when}.</source>
        <translation>第 {id} 号导入批次已于 {when} 撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="171"/>
        <source>Cannot undo import batch #{id} alone: it stopped before its last rows, and batch #{later}, a later import of the same file, completed it. Undo batch #{later}, which takes #{id} with it.</source>
        <translation>无法单独撤销第 {id} 号导入批次：它在最后几行之前停止，之后同一文件的第 {later} 号批次已将其补完。请撤销第 {later} 号批次，它会一并撤销第 {id} 号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="173"/>
        <source>The sheet {sheet} of {file} has no rows below its column headers, so nothing was imported.</source>
        <translation>{file} 的工作表 {sheet} 在列标题下没有任何数据行，未导入任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="178"/>
        <source>No column of the file is mapped to the mobile, VIN, plate or customer number, so no row could be linked to a customer.</source>
        <translation>文件中没有一列对应到手机、车架号、车牌或客户编号，因此任何一行都无法关联到客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="179"/>
        <source>The saved mapping reads {fields} from the column {headers}, which {file} does not have: import it without the saved mapping, or save one for its columns.</source>
        <translation>已保存的列对应方案从“{headers}”列读取{fields}，而 {file} 没有这一列：请不用该方案导入，或按这个文件的列另存一个方案。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="180"/>
        <source>{file} is a call list Revisit wrote, with what the callers typed into it (its columns 编号 and 结果): it is read back, not imported. Nothing was imported. Read it back with: revisit list outcomes {path} (in the window: Lists → Past runs → Read back a filled-in list).</source>
        <translation>{file} 是 Revisit 导出、回访员已填写的名单（有“编号”和“结果”列）：应读回结果，而不是导入。未导入任何内容。请用 revisit list outcomes {path} 读回（窗口中：名单 → 历史名单 → 读回已填写的名单）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="181"/>
        <source>{file} looks like a {other} file, not {kind}: its columns {columns} are {other} columns. Nothing was imported. Import it as {other}; if it really is {kind}, choose its columns in the window&apos;s import and save them as a mapping, then name that mapping with --mapping.</source>
        <translation>{file} 看起来是{other}文件，而不是{kind}：其中的 {columns} 列属于{other}。未导入任何内容。请按{other}导入；如果它确实是{kind}，请在窗口的导入中选好各列并保存为对应方案，再用 --mapping 指定该方案。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="182"/>
        <source>The file {file} has no rows below its column headers, so nothing was imported.</source>
        <translation>文件 {file} 的列标题下没有任何数据行，未导入任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="184"/>
        <source>Import batch #{id} was undone while it ran, so it stopped; import the file again if it is wanted.</source>
        <translation>导入批次 #{id} 在运行中被撤销，因此已停止；如仍需要，请重新导入该文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="185"/>
        <source>The problems file {path} cannot be written there ({reason}); nothing was imported. Close it if another program has it open, or have it written in another folder.</source>
        <translation>问题行文件 {path} 无法在该处写入（{reason}）；什么都没有导入。如果它正被其他程序打开，请先关闭；或者让它写到别的文件夹。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="187"/>
        <source>No row of column headers was found on any sheet of {file} ({sheets}), in their first {rows} rows: it may be empty, or not this kind of file. If the headers are further down, name the sheet (--sheet NAME) and their row (--header-row N).</source>
        <translation>在 {file} 的所有工作表（{sheets}）的前 {rows} 行中都未找到列标题行：文件可能是空的，或不是这类文件。如果列标题在更下面，请指定工作表（--sheet 名称）和标题所在行（--header-row N）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="190"/>
        <source>Import batch #{id} stopped: batch #{later}, a later import of the same file, completed it while it ran.</source>
        <translation>导入批次 #{id} 已停止：同一文件之后的第 {later} 号导入批次在它运行时已将其补完。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="191"/>
        <source>(Read from the sheet {sheet}; no other sheet of {file} fits either. Name the sheet with --sheet NAME.)</source>
        <translation>（读的是工作表 {sheet}；{file} 的其他工作表也都不符合。请用 --sheet 工作表名 指定工作表。）</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="192"/>
        <source>Import batch #{id} stopped after its first {rows} rows were stored, because the database {where} became busy with another person&apos;s or program&apos;s work; those rows stay in as an unfinished batch: when the database is free, import the same file again to finish it, or have a supervisor undo batch #{id} to take them out.</source>
        <translation>导入批次 #{id} 在存入前 {rows} 行后中止：数据库 {where} 正被其他人或程序占用。这些行作为未完成的批次保留：等数据库空闲后，再导入同一个文件即可完成；或请主管撤销批次 #{id} 将其移除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="193"/>
        <source>Import batch #{id} stopped after its first {rows} rows were stored, because the disk holding {where} is full; those rows stay in as an unfinished batch: free some space on that disk, then import the same file again to finish it, or have a supervisor undo batch #{id} to take them out.</source>
        <translation>导入批次 #{id} 在存入前 {rows} 行后中止：{where} 所在的磁盘已满。这些行作为未完成的批次保留：请先清理该磁盘空间，再导入同一个文件即可完成；或请主管撤销批次 #{id} 将其移除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="194"/>
        <source>Import batch #{id} stopped after its first {rows} rows were stored, because the database server {server} could no longer be reached; those rows stay in as an unfinished batch: when the server is back, import the same file again to finish it, or have a supervisor undo batch #{id} to take them out.</source>
        <translation>导入批次 #{id} 在存入前 {rows} 行后中止：无法再连接数据库服务器 {server}。这些行作为未完成的批次保留：服务器恢复后，再导入同一个文件即可完成；或请主管撤销批次 #{id} 将其移除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="195"/>
        <source>Import batch #{id} was cancelled after its first {rows} rows were stored, and they could not be taken back; they stay in as an unfinished batch: import the same file again to finish it, or have a supervisor undo batch #{id} to take them out.</source>
        <translation>导入批次 #{id} 在存入前 {rows} 行后被取消，且这些行未能撤回。它们作为未完成的批次保留：再导入同一个文件即可完成；或请主管撤销批次 #{id} 将其移除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="196"/>
        <source>Import batch #{id} stopped after its first {rows} rows were stored, and they stay in as an unfinished batch (import the same file again to finish it, or have a supervisor undo batch #{id} to take them out); what stopped it: {reason}</source>
        <translation>导入批次 #{id} 在存入前 {rows} 行后中止，这些行作为未完成的批次保留（再导入同一个文件即可完成；或请主管撤销批次 #{id} 将其移除）。中止原因：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="200"/>
        <source>The file {file} is a PDF document, not a table: its rows cannot be read. Export the data from the DMS as an Excel workbook (.xlsx, .xls) or a CSV file and import that.</source>
        <translation>文件 {file} 是 PDF 文档，不是表格，无法读取其中的行。请从 DMS 将数据导出为 Excel 工作簿（.xlsx、.xls）或 CSV 文件后再导入。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="201"/>
        <source>The file {file} is a Word document, not a table. If the data is in a table in it, copy the table into Excel and save it as a workbook; better, export the data from the DMS as Excel or CSV.</source>
        <translation>文件 {file} 是 Word 文档，不是表格。如果数据在其中的表格里，请把表格复制到 Excel 并另存为工作簿；最好从 DMS 直接导出为 Excel 或 CSV。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="202"/>
        <source>The file {file} is a PowerPoint presentation, not a table. Export the data from the DMS as an Excel workbook (.xlsx, .xls) or a CSV file and import that.</source>
        <translation>文件 {file} 是 PowerPoint 演示文稿，不是表格。请从 DMS 将数据导出为 Excel 工作簿（.xlsx、.xls）或 CSV 文件后再导入。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="203"/>
        <source>The file {file} is a picture, not a table: its rows cannot be read. Export the data from the DMS as an Excel workbook (.xlsx, .xls) or a CSV file and import that.</source>
        <translation>文件 {file} 是图片，不是表格，无法读取其中的行。请从 DMS 将数据导出为 Excel 工作簿（.xlsx、.xls）或 CSV 文件后再导入。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="204"/>
        <source>The file {file} is a compressed archive (zip, rar, 7z), not a table: unpack it and import the workbook or CSV file inside.</source>
        <translation>文件 {file} 是压缩包（zip、rar、7z），不是表格：请先解压，再导入其中的工作簿或 CSV 文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="205"/>
        <source>The file {file} holds no readable text, so it is not a table (another kind of file renamed?). Export the data from the DMS as an Excel workbook (.xlsx, .xls) or a CSV file and import that.</source>
        <translation>文件 {file} 中没有可读的文字，不是表格（可能是其他类型的文件改了扩展名？）。请从 DMS 将数据导出为 Excel 工作簿（.xlsx、.xls）或 CSV 文件后再导入。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="212"/>
        <source>Cannot undo the whole of import batch #{id}: {count} customers it created have been worked on since ({who}), and undoing would delete what was recorded for them. Undo the rest and keep these customers instead.</source>
        <translation>无法整批撤销导入批次 #{id}：{count} 位由本次导入新建的客户此后已有人跟进（{who}），整批撤销会把同事记录的内容一并删除。可以改为撤销其余部分、保留这些客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="213"/>
        <source>Cannot undo import batch #{id}: the later batch #{later} ({file}) changed the same records. Undo batch #{later} first.</source>
        <translation>无法撤销第 {id} 号导入批次：之后的第 {later} 号批次（{file}）改动了同样的记录。请先撤销第 {later} 号批次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="228"/>
        <source>{path} has no 客户编号 or 姓名 column (sheet {sheet}), so its rows cannot be checked against the list&apos;s customers (a list printed from another database would put its outcomes on this database&apos;s customers): put one of them back as the list was printed and read the file again; nothing was stored.</source>
        <translation>{path} 没有“客户编号”或“姓名”列（工作表 {sheet}），无法核对每行是否是名单上的客户（若是从另一个数据库打印的名单，结果会记到本数据库的客户名下）：请按打印时的样子恢复其中一列后重新读取；未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="229"/>
        <source>{path} has the column {header} twice (sheet {sheet}, columns {columns}), so which of them is a row&apos;s {header} cannot be told: keep one, moving what was typed into the other into it, and read the file again; nothing was stored.</source>
        <translation>{path} 中“{header}”列出现了两次（工作表 {sheet}，第 {columns} 列），无法判断哪一列是该行的{header}：请只保留一列，把另一列中填写的内容移过去后重新读取；未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="230"/>
        <source>Reading {file} back stopped after {stored} contact(s) from its first {rows} rows were stored, because the disk holding {where} is full; those stay stored: free some space on that disk, then read the same file again to finish it (nothing is stored twice).</source>
        <translation>读回 {file} 时中断：前 {rows} 行中已保存 {stored} 条联系记录，因为存放 {where} 的磁盘已满；已保存的保持不变：请清理该磁盘的空间后，再读一次该文件即可完成（不会重复保存）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="231"/>
        <source>Reading {file} back stopped after {stored} contact(s) from its first {rows} rows were stored, because the database {where} became busy with another person&apos;s or program&apos;s work; those stay stored: when the database is free, read the same file again to finish it (nothing is stored twice).</source>
        <translation>读回 {file} 时中断：前 {rows} 行中已保存 {stored} 条联系记录，因为数据库 {where} 正忙于其他人或程序的操作；已保存的保持不变：等数据库空闲后，再读一次该文件即可完成（不会重复保存）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="232"/>
        <source>Reading {file} back stopped after {stored} contact(s) from its first {rows} rows were stored, and those stay stored: read the same file again to finish it (nothing is stored twice). What stopped it: {reason}</source>
        <translation>读回 {file} 时中断：前 {rows} 行中已保存 {stored} 条联系记录，已保存的保持不变：再读一次该文件即可完成（不会重复保存）。中断原因：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="234"/>
        <source>There is no read-back #{number}; `revisit list readbacks` lists them.</source>
        <translation>没有第 {number} 次读回；`revisit list readbacks` 可列出全部读回。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="235"/>
        <source>Read-back #{number} was done before Revisit kept what a read stored, so it cannot be undone here; correct its contacts on the customers&apos; pages.</source>
        <translation>第 {number} 次读回发生在 Revisit 记录读回内容之前，无法在此撤销；请在客户页面更正其联系记录。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="236"/>
        <source>Only a supervisor or the person who read a file back may undo the read; {user} is neither.</source>
        <translation>只有主管或读入该文件的人可以撤销读回；{user} 都不是。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="237"/>
        <source>Read-back #{number} was undone already; reading the file again stores it again.</source>
        <translation>第 {number} 次读回已撤销；再次读入该文件会重新保存。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="238"/>
        <source>Read-back #{number} ({file}) was not undone: what it stored for {count} customer(s) was changed since by a later read or on screen ({names}); look at them on their pages first.</source>
        <translation>第 {number} 次读回（{file}）未撤销：它为 {count} 位客户保存的内容之后又被后来的读回或屏幕登记改动（{names}）；请先在客户页面查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="279"/>
        <source>The stored {measure} of {whom} is {stored}, which is not valid; no target is used instead.</source>
        <translation>已存储的{whom}的{measure}为 {stored}，不是有效值；现按无目标处理。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="360"/>
        <source>Backing up {where} to {target} failed: the disk is full. Free some space or choose another backup folder; the database itself was not changed.</source>
        <translation>将 {where} 备份到 {target} 失败：磁盘已满。请腾出一些空间或选择其他备份文件夹；数据库本身没有改变。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="362"/>
        <source>The backup folder {folder} cannot be used ({reason}: {where}); choose a folder that exists or can be made, and can be written. Nothing was saved.</source>
        <translation>备份文件夹 {folder} 无法使用（{reason}：{where}）；请选择一个已存在或可以新建、并且可以写入的文件夹。未保存任何设置。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="365"/>
        <source>The backup {target} already exists; nothing was written over it. Choose another file name, or replace it on purpose (db backup --replace).</source>
        <translation>备份 {target} 已存在，未覆盖它。请换一个文件名，或明确要求替换它（db backup --replace）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="366"/>
        <source>Backing up {where} failed: the folder {folder} cannot be written ({reason}). The database itself was not changed.</source>
        <translation>备份 {where} 失败：无法写入文件夹 {folder}（{reason}）。数据库本身没有改变。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="391"/>
        <source>The folder {folder} is read-only, so the database {where} cannot be opened, not even to read it: SQLite makes two working files beside the database to open it. Ask whoever looks after this PC to let you write to that folder, or open a copy kept in a folder you may write to.</source>
        <translation>文件夹 {folder} 是只读的，所以数据库 {where} 无法打开，连查看也不行：SQLite 打开数据库时要在它旁边建立两个工作文件。请让这台电脑的管理人员允许您写入该文件夹，或打开存放在您可写入的文件夹中的副本。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="395"/>
        <source>The disk holding {where} reported an error while Revisit read or wrote the database; nothing was changed. Check the disk, or the connection to the shared folder, and try again.</source>
        <translation>存放 {where} 的磁盘在 Revisit 读写数据库时报错；未做任何修改。请检查磁盘或与共享文件夹的连接，然后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="429"/>
        <source>The stored setting {name} ({key}) is &apos;{stored}&apos;, which is not valid; &apos;{used}&apos; is used instead.</source>
        <translation>已存储的设置“{name}”（{key}）为“{stored}”，不是有效值；现改用“{used}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="434"/>
        <source>{name} must be between 1 and 365, not {value}.</source>
        <translation>{name} 必须在 1 到 365 之间，不能是 {value}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="435"/>
        <source>A postcode is six digits, such as 510000, not &apos;{postcode}&apos;.</source>
        <translation>邮政编码是六位数字，例如 510000，而不是“{postcode}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="449"/>
        <source>{who} changed this customer&apos;s {attribute} to “{value}” at {when} since you opened it; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 把该客户的{attribute}改为“{value}”，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="450"/>
        <source>This customer&apos;s {attribute} was changed to “{value}” at {when} since you opened it; reload to see the change.</source>
        <translation>在您打开后，该客户的{attribute}已于 {when} 改为“{value}”，请重新载入查看修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="459"/>
        <source>revisit: updating the database for this version of Revisit (schema {current} to {head})…</source>
        <translation>revisit：正在为此版本的回访更新数据库（结构版本 {current} → {head}）…</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="460"/>
        <source>revisit: updating the database for this version of Revisit (schema {current} to {head}); the database as it was is kept in {copy}…</source>
        <translation>revisit：正在为此版本的回访更新数据库（结构版本 {current} → {head}）；更新前的数据库另存在 {copy}…</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="461"/>
        <source>revisit: error: {error}</source>
        <translation>revisit：错误：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="462"/>
        <source>revisit: cancelled; nothing was changed by the unfinished step.</source>
        <translation>revisit：已取消；未完成的步骤没有做任何改动。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="463"/>
        <source>revisit: error: something unexpected went wrong ({kind}: {detail}); the unfinished step saved nothing. Run the command again with -v for the details.</source>
        <translation>revisit：错误：发生了意外问题（{kind}：{detail}）；未完成的步骤没有保存任何内容。加上 -v 再运行一次命令可查看详情。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="464"/>
        <source>revisit: warning: {warning}</source>
        <translation>revisit：警告：{warning}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="465"/>
        <source>revisit: finishing today&apos;s backup of the database…</source>
        <translation>revisit：正在完成今天的数据库备份…</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="466"/>
        <source>Name a supervisor with --user NAME (or REVISIT_USER).</source>
        <translation>请用 --user 用户名（或 REVISIT_USER）指定一位主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="467"/>
        <source>Nobody can sign in to this database yet: add its first supervisor with `user add NAME --role supervisor`.</source>
        <translation>此数据库还没有任何账号可以登录：请用 `user add 用户名 --role supervisor` 添加第一位主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="468"/>
        <source>No password for {user}: set REVISIT_PASSWORD, or run the command in a terminal to type it.</source>
        <translation>没有 {user} 的密码：请设置 REVISIT_PASSWORD，或在终端中运行命令以输入密码。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="469"/>
        <source>revisit: warning: nobody can sign in to this database yet, so the command runs without the user {user}.</source>
        <translation>revisit：警告：此数据库还没有任何账号可以登录，因此命令不以用户 {user} 的身份运行。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="470"/>
        <source>Give the new password with --password-stdin, or run the command in a terminal to type it.</source>
        <translation>请用 --password-stdin 提供新密码，或在终端中运行命令以输入密码。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="471"/>
        <source>The two passwords differ; nothing was changed.</source>
        <translation>两次输入的密码不一致；未做任何改动。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="472"/>
        <source>revisit: warning: {user}&apos;s password was set by a supervisor; choose your own with `user passwd {user}`.</source>
        <translation>revisit：警告：{user} 的密码是主管设置的；请用 `user passwd {user}` 设置自己的密码。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="473"/>
        <source>This command changes the database, so it must say who runs it: add --user NAME (or set REVISIT_USER); the password comes from REVISIT_PASSWORD or is asked.</source>
        <translation>此命令会修改数据库，必须说明由谁运行：请加上 --user 用户名（或设置 REVISIT_USER）；密码取自 REVISIT_PASSWORD，否则会询问。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="474"/>
        <source>A dry run shows what would change in stored customers, so it must say who runs it: add --user NAME (or set REVISIT_USER); the password comes from REVISIT_PASSWORD or is asked.</source>
        <translation>试运行会显示已存客户将有哪些改动，因此必须说明由谁运行：请加上 --user 用户名（或设置 REVISIT_USER）；密码取自 REVISIT_PASSWORD，否则会询问。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="475"/>
        <source>Erasing a customer&apos;s personal data cannot be undone; add --yes to erase {customer}.</source>
        <translation>擦除客户的个人资料无法撤销；确认擦除 {customer} 请加上 --yes。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="476"/>
        <source>{what} must be a whole number of at least 1, not &apos;{text}&apos;.</source>
        <translation>{what} 必须是不小于 1 的整数，不能是“{text}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="477"/>
        <source>Name two customers to merge: the one to keep, then the other.</source>
        <translation>请指定要合并的两位客户：先写要保留的，再写另一位。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="478"/>
        <source>Give all four: --first-km, --first-months, --every-km and --every-months.</source>
        <translation>请四项都给出：--first-km、--first-months、--every-km 和 --every-months。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="479"/>
        <source>--undo takes only the merge id, no customers.</source>
        <translation>--undo 只接受合并编号，不接受客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="480"/>
        <source>--keep must be one of the two customers merged.</source>
        <translation>--keep 必须是被合并的两位客户之一。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="481"/>
        <source>There is no database file at {where}.</source>
        <translation>{where} 处没有数据库文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="482"/>
        <source>Revisit restores SQLite files only: restore a PostgreSQL database on its server with pg_restore, from a pg_dump -Fc file.</source>
        <translation>回访只能恢复 SQLite 文件：PostgreSQL 数据库请在其服务器上用 pg_restore 从 pg_dump -Fc 文件恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="483"/>
        <source>revisit: warning: {path} is damaged, so the restore runs without signing in.</source>
        <translation>revisit：警告：{path} 已损坏，因此恢复时不登录。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="484"/>
        <source>import stopped: {rows} rows stored as batch #{batch} (unfinished); import the file again to finish it, or take them back with `import undo {batch}`.</source>
        <translation>导入已中止：{rows} 行已存为第 {batch} 号批次（未完成）；再导入一次该文件即可完成，或用 `import undo {batch}` 撤回这些行。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="485"/>
        <source>{path} is a folder: name the file to import in it.</source>
        <translation>{path} 是文件夹：请指定其中要导入的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="486"/>
        <source>There is no file {path}.</source>
        <translation>没有文件 {path}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="487"/>
        <source>import stopped before any row was stored; nothing was changed.</source>
        <translation>导入在保存任何行之前就中止了；未做任何改动。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="488"/>
        <source>import stopped; the rows stored so far are batch #{batch} (see `import batches`); import the file again to finish it, or take them back with `import undo {batch}`.</source>
        <translation>导入已中止；已保存的行为第 {batch} 号批次（见 `import batches`）；再导入一次该文件即可完成，或用 `import undo {batch}` 撤回这些行。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="489"/>
        <source>import stopped as it finished: batch #{batch} holds all {rows} rows.</source>
        <translation>导入在完成时中止：第 {batch} 号批次已包含全部 {rows} 行。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="490"/>
        <source>import stopped: {rows} of {of} rows stored as batch #{batch} (unfinished); import the file again to finish it, or take them back with `import undo {batch}`.</source>
        <translation>导入已中止：{of} 行中的 {rows} 行已存为第 {batch} 号批次（未完成）；再导入一次该文件即可完成，或用 `import undo {batch}` 撤回这些行。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="491"/>
        <source>The problems file is an Excel workbook: give it a name ending in .xlsx (not {name}).</source>
        <translation>问题文件是 Excel 工作簿：请给它一个以 .xlsx 结尾的文件名（而不是 {name}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="492"/>
        <source>The folder {folder} does not exist; nothing was imported.</source>
        <translation>文件夹 {folder} 不存在；未导入任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="493"/>
        <source>revisit: {stopped}</source>
        <translation>revisit：{stopped}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="494"/>
        <source>The command: {command}</source>
        <translation>应使用的命令：{command}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="495"/>
        <source>revisit: sheet {sheet}: {stopped}</source>
        <translation>revisit：工作表 {sheet}：{stopped}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="496"/>
        <source>To undo the rest and keep them: {command}</source>
        <translation>如要撤销其余部分并保留这些客户：{command}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="497"/>
        <source>(On the sheet {sheet}.)</source>
        <translation>（在工作表 {sheet} 上。）</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="498"/>
        <source>(On the sheet {sheet}; the sheets before it were imported.)</source>
        <translation>（在工作表 {sheet} 上；它之前的工作表已导入。）</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="499"/>
        <source>--out {out} ends in .{ending}, but --format asks for {format}; nothing was made. Name the file .{format}, or leave --format out.</source>
        <translation>--out {out} 以 .{ending} 结尾，但 --format 要求 {format}；未生成任何文件。请把文件命名为 .{format}，或去掉 --format。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="500"/>
        <source>The folder {folder} does not exist; nothing was made.</source>
        <translation>文件夹 {folder} 不存在；未生成任何文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="501"/>
        <source>their 画像变化 (profile changes), which could not be read</source>
        <translation>其“画像变化”（无法读取）</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="502"/>
        <source>their km, which could not be read</source>
        <translation>其里程（无法读取）</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="503"/>
        <source>their km, which is less than a reading of the car before it or more than it could have been driven since</source>
        <translation>其里程（小于该车之前的读数，或多于此后可能行驶的里程）</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="504"/>
        <source>their km, whose 车牌 was typed over with a plate that does not tell which of the customer&apos;s cars it is</source>
        <translation>其里程（“车牌”被改写成的车牌无法确定是该客户的哪辆车）</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="505"/>
        <source>a date or 回访员 cell that could not be read or could not be right</source>
        <translation>某个日期或“回访员”单元格（无法读取或不可能正确）</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="506"/>
        <source>revisit: warning: {n} row(s) give a phone number other than the one printed in 电话 (row {rows}): the customer&apos;s number is not changed; if they have a new number, change it on the customer&apos;s page</source>
        <translation>revisit：警告：{n} 行填写的电话号码与“电话”中打印的不同（第 {rows} 行）：客户的号码没有改动；如果客户换了新号码，请在客户页面修改</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="507"/>
        <source>Nothing can be written in the folder {folder} ({reason}); nothing was made.</source>
        <translation>无法在文件夹 {folder} 中写入（{reason}）；未生成任何文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="508"/>
        <source>{reason} List run #{run} is kept unfinished: its calls are in nobody&apos;s queue until `list print {run} --out FILE` writes its files.</source>
        <translation>{reason} 第 {run} 号名单保持未完成：在 `list print {run} --out 文件` 写出其文件之前，它的电话不进入任何人的跟进队列。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="509"/>
        <source>revisit: stopped; the rows read so far are stored. Read the file again to store the rest (nothing is stored twice).</source>
        <translation>revisit：已停止；已读取的行已保存。再读一次该文件即可保存其余部分（不会重复保存）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="510"/>
        <source>revisit: warning: {n} row(s) stored without {what} (row {rows}): put those in by hand on the customer&apos;s page</source>
        <translation>revisit：警告：{n} 行保存时未包含{what}（第 {rows} 行）：请在客户页面手工补录</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="511"/>
        <source>revisit: list run #{run} is kept unfinished: its calls are in nobody&apos;s queue until `list print {run} --out FILE` writes its files.</source>
        <translation>revisit：第 {run} 号名单保持未完成：在 `list print {run} --out 文件` 写出其文件之前，它的电话不进入任何人的跟进队列。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="512"/>
        <source>report suggestions writes text (.txt) or JSON (.json), not &apos;{name}&apos;.</source>
        <translation>report suggestions 只写文本（.txt）或 JSON（.json），不能写“{name}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="513"/>
        <source>No saved segments yet. There are {n} ready-made templates: `revisit segment templates` lists their keys. Make a list straight from one (`revisit list build matrix.7+.high --out week.pdf`) or save one to change it (`revisit segment save-template matrix.7+.high`).</source>
        <translation>还没有保存的分群。现成的模板有 {n} 个：`revisit segment templates` 可列出它们的键。可直接用模板生成名单（`revisit list build matrix.7+.high --out week.pdf`），或先保存一个再修改（`revisit segment save-template matrix.7+.high`）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="514"/>
        <source>--as-of: {problem}.</source>
        <translation>--as-of：{problem}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="515"/>
        <source>No customer has a tag yet.</source>
        <translation>还没有客户有标签。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="516"/>
        <source>No customer has a tag of the group {group} yet.</source>
        <translation>还没有客户有“{group}”组的标签。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="517"/>
        <source>Write each setting as NAME=VALUE, not &apos;{item}&apos;.</source>
        <translation>每项设置请写成 名称=值，而不是“{item}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="518"/>
        <source>Nobody can sign in to this database yet: the first account must be a supervisor (--role supervisor).</source>
        <translation>此数据库还没有任何账号可以登录：第一个账号必须是主管（--role supervisor）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="170"/>
        <source>Cannot undo import batch #{id}: merge #{merge} has since moved records of customers it created or changed. Undo merge #{merge} first.</source>
        <translation>无法撤销导入批次 #{id}：此后的合并 #{merge} 移动了该批次新建或更改的客户的记录。请先撤销合并 #{merge}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="172"/>
        <source>Import batch #{id} is finished; undo it instead.</source>
        <translation>导入批次 #{id} 已完成，请改用撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="174"/>
        <source>Unknown kind of import file &apos;{kind}&apos; (one of: {kinds}).</source>
        <translation>未知的导入文件类型“{kind}”（可选：{kinds}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="175"/>
        <source>Unknown matching rule &apos;{rule}&apos; (use: {rules}).</source>
        <translation>未知的匹配规则“{rule}”（可用：{rules}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="176"/>
        <source>The header row is counted from 1, as the spreadsheet numbers its rows (not {row}).</source>
        <translation>表头行号从 1 开始数，与表格左侧的行号一致（不能是 {row}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="177"/>
        <source>No column of the file is mapped to {fields}, which every row needs.</source>
        <translation>文件中没有一列对应到{fields}，而每一行都需要它。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="183"/>
        <source>The error file cannot be the file being imported ({path}).</source>
        <translation>错误文件不能是正在导入的文件（{path}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="186"/>
        <source>Row {row} of {file} holds no column headers (or the file has fewer rows).</source>
        <translation>{file} 的第 {row} 行没有列标题（或文件没有这么多行）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="188"/>
        <source>No row of column headers was found in {file} (in its first {rows} rows): it may be empty, or not this kind of file. If the headers are further down, name their row (--header-row N).</source>
        <translation>在 {file} 的前 {rows} 行里没有找到列标题行：文件可能是空的，或不是这一类文件。如果表头在更靠下的位置，请指定表头所在行（--header-row N）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="189"/>
        <source>The mapping is for {kind} files.</source>
        <translation>该列对应方案用于 {kind} 文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="206"/>
        <source>Unknown kind of import file &apos;{kind}&apos;.</source>
        <translation>未知的导入文件类型“{kind}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="207"/>
        <source>A mapping name needs 1 to {n} characters.</source>
        <translation>列对应方案的名称需要 1 到 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="208"/>
        <source>There is no saved mapping &apos;{name}&apos; for {kind} files.</source>
        <translation>没有名为“{name}”的 {kind} 文件列对应方案。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="209"/>
        <source>The file {path} has no sheet number {sheet}.</source>
        <translation>文件 {path} 中没有第 {sheet} 个工作表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="210"/>
        <source>The file {path} has no sheet named {sheet}.</source>
        <translation>文件 {path} 中没有名为 {sheet} 的工作表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="211"/>
        <source>The file {path} could not be read: {reason}.</source>
        <translation>无法读取文件 {path}：{reason}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="214"/>
        <source>Cannot undo import batch #{id}: the later batch #{later} ({file}) counts {records} of its records as imported (its file has them too). Undo batch #{later} first.</source>
        <translation>无法撤销第 {id} 号导入批次：之后的第 {later} 号批次（{file}）将其中 {records} 条记录计为已导入（该文件中也有这些记录）。请先撤销第 {later} 号批次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="219"/>
        <source>While this list was being made, someone removed or merged a customer, a car, the segment or a caller it uses; nothing was stored. Make the list again.</source>
        <translation>生成名单期间，有人删除或合并了名单用到的客户、车辆、细分或回访员；未保存任何内容。请重新生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="220"/>
        <source>Unknown channel &apos;{channel}&apos; (use call, mail, sms, wechat, visit or auto).</source>
        <translation>未知渠道“{channel}”（可用 call、mail、sms、wechat、visit 或 auto）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="221"/>
        <source>Unknown way to split the calls &apos;{split}&apos; (use even or owner).</source>
        <translation>未知的电话分配方式“{split}”（请用 even 平均分配，或 owner 由专属顾问保留自己的客户）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="225"/>
        <source>{path} does not exist (or is a folder).</source>
        <translation>{path} 不存在（或是一个文件夹）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="233"/>
        <source>The rows of {path} are not the list runs&apos; members in this database ({wrong} of {checked} rows name another customer, e.g. row {row}): it was printed from another database, or its row codes were changed. Nothing was stored.</source>
        <translation>{path} 中的行与本数据库的名单不符（{checked} 行中有 {wrong} 行对应的是别的客户，例如第 {row} 行）：它是从另一个数据库打印的，或编号被改动过。未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="239"/>
        <source>List run #{run} was replaced by run #{newer}, built later from the same segment, so it stays unfinished and its calls stay out of the queues: nobody is called twice.</source>
        <translation>名单 #{run} 已被之后用同一分群生成的名单 #{newer} 取代，因此保持未完成，其中的电话不进入跟进队列：没有人会被打两次电话。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="240"/>
        <source>List run #{run} was replaced by run #{newer}, built later from the same segment, so it stays withdrawn: nobody is called twice.</source>
        <translation>名单 #{run} 已被同一客户分群之后生成的名单 #{newer} 取代，因此保持撤回状态，以免同一客户被重复联系。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="243"/>
        <source>List run #{run} was already withdrawn ({when}).</source>
        <translation>名单 #{run} 已经撤回（{when}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="242"/>
        <source>List run #{run} is not withdrawn.</source>
        <translation>名单 #{run} 未被撤回。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="197"/>
        <source>The file {file} is empty (0 bytes): save or export it again, or choose the right file.</source>
        <translation>文件 {file} 是空文件（0 字节）：请重新保存或导出，或选择正确的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="198"/>
        <source>The file {file} is not a readable Excel workbook: it is damaged (perhaps cut short while copied or downloaded), or another kind of file renamed. Open it in Excel to check, or save or export it again.</source>
        <translation>文件 {file} 不是可读取的 Excel 工作簿：文件已损坏（可能在复制或下载时不完整），或是其他类型的文件改了扩展名。请用 Excel 打开检查，或重新保存或导出。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="199"/>
        <source>The file {file} is protected by a password, so it cannot be read: open it in Excel with its password and save a copy without one (File &gt; Info &gt; Protect Workbook &gt; Encrypt with Password, cleared), then choose that copy.</source>
        <translation>文件 {file} 设有打开密码，无法读取：请用密码在 Excel 中打开，另存一份不带密码的副本（文件 &gt; 信息 &gt; 保护工作簿 &gt; 用密码进行加密，清空密码），再选择该副本。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="227"/>
        <source>{path} has no column {columns} in the first {rows} rows of any sheet; is it a call list exported by Revisit?</source>
        <translation>{path} 的各工作表前 {rows} 行中都没有“{columns}”列：这是回访系统导出的名单吗？</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="244"/>
        <source>{path} holds no mainland mobile number; nothing was changed.</source>
        <translation>{path} 中没有大陆手机号（是否选错了文件？）；未做任何改动。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="245"/>
        <source>{path} is a list Revisit made to send (row {row} holds a message or a list code), not the vendor&apos;s report of who unsubscribed or could not be reached; nothing was changed.</source>
        <translation>{path} 是本软件生成的发送名单（第 {row} 行是短信内容或名单编号），不是短信平台的退订或发送失败报告；未做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="246"/>
        <source>{name} ends in {ending}, a kind of file Revisit does not write; nothing was made. Name it .pdf, .xlsx or .csv.</source>
        <translation>{name} 的扩展名是 {ending}，回访不写这种文件；什么都没有生成。请把文件命名为 .pdf、.xlsx 或 .csv。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="249"/>
        <source>Envelopes need the shop&apos;s return address: fill in the shop address in Settings (shared settings), then print again.</source>
        <translation>信封需要门店的寄件人地址：请在“设置”（共享设置）中填写门店地址后再打印。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="250"/>
        <source>Nobody is in list #{run}: all {left_out} customers of its segment were left out, so there is no file to make. Their reasons are in the list&apos;s left-out customers (for a sales list, often no marketing consent).</source>
        <translation>名单 #{run} 中没有任何客户：分群中的 {left_out} 位客户全部被排除，因此没有可生成的文件。排除原因见该名单的“已排除”列表（销售名单最常见的是没有营销同意）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="251"/>
        <source>Nobody is in list #{run}: its segment had nobody on the list&apos;s date, so there is no file to make.</source>
        <translation>名单 #{run} 中没有任何客户：在名单日期，其客户分群中一个人也没有，因此没有可生成的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="252"/>
        <source>{file} was written, but some characters could not be printed: no font on this computer has them, so each is printed as □. Write them in by hand or correct the record (or install a font that has them and name its file in {env}), then print again: {who}</source>
        <translation>{file} 已生成，但有些字符无法打印：本机没有包含这些字符的字体，已用 □ 代替。请手写补上或更正客户资料（或安装含这些字符的字体，并在 {env} 中指定字体文件），然后重新打印：{who}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="254"/>
        <source>The list file {file} could not be written: the program writing it stopped unexpectedly.</source>
        <translation>名单文件 {file} 未能写成：写文件的程序意外停止了。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="255"/>
        <source>Nobody in list #{run} is to be called, so there is no call sheet or call list to make. Its members were checked for their own channel only; build a list with the phone channel to call them.</source>
        <translation>名单 #{run} 中没有需要电话联系的客户，因此无法生成回访单或电话名单。名单中的客户只按各自的渠道检查过；如需电话联系，请用“电话”渠道重新生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="256"/>
        <source>Nobody in list #{run} is to be sent post, so there are no labels or mail list to make. Its members were checked for their own channel only; build a list with the mail channel to write to them.</source>
        <translation>名单 #{run} 中没有需要邮寄的客户，因此无法生成标签或邮寄名单。名单中的客户只按各自的渠道检查过；如需邮寄，请用“邮寄”渠道重新生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="257"/>
        <source>Nobody in list #{run} is to be sent an SMS, so there is no SMS file to make. Its members were checked for their own channel only (not for SMS do-not-contact or unsubscribes); build a list with the SMS channel to text them.</source>
        <translation>名单 #{run} 中没有需要发送短信的客户，因此无法生成短信文件。名单中的客户只按各自的渠道检查过（未检查短信勿扰和退订）；如需发短信，请用“短信”渠道重新生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="258"/>
        <source>Nobody in list #{run} is to get a WeChat message, so there is no WeChat list to make. Its members were checked for their own channel only; build a list with the WeChat channel to message them.</source>
        <translation>名单 #{run} 中没有人要发微信，因此没有微信名单可做。名单中的客户只按各自的渠道检查过；要发微信请用微信渠道生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="259"/>
        <source>Nobody in list #{run} is to be visited, so there is no visit list to make. Its members were checked for their own channel only; build a list with the visit channel to visit them.</source>
        <translation>名单 #{run} 中没有人要上门拜访，因此没有上门名单可做。名单中的客户只按各自的渠道检查过；要上门拜访请用上门渠道生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="260"/>
        <source>Set the shop&apos;s SMS signature in Settings first (the SMS vendor sends only texts signed with your registered signature, such as 【店名】); no SMS file is made without it.</source>
        <translation>请先在“设置 → 短信签名”中填写门店的短信签名（短信平台只发送带有已报备签名的短信，例如【店名】）；未填写签名时不生成短信文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="266"/>
        <source>The merge field {field} has nothing after its bar, so a member without a value would get a message with a hole in it; write the words to use instead, as in {example}, or remove the bar.</source>
        <translation>合并字段 {field} 的竖线后没有备用文字，缺少该值的客户会收到缺字的消息；请写上代替的文字（如 {example}），或去掉竖线。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="267"/>
        <source>The message uses {field}, but the shop name in the settings is empty; enter it under Settings, Shop name, or write {example} to say 本店 instead.</source>
        <translation>消息用到了 {field}，但设置中的店名为空；请在“设置 → 店名”中填写，或改写为 {example}，以“本店”代替。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="272"/>
        <source>The WeChat message uses unknown merge field(s) {fields}; known fields are {known}.</source>
        <translation>微信消息使用了未知的合并字段 {fields}；可用字段：{known}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="274"/>
        <source>There is no staff member with id {id}.</source>
        <translation>没有编号为 {id} 的员工。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="275"/>
        <source>Unknown comparison group &apos;{name}&apos; (known: {known}).</source>
        <translation>未知的对照组“{name}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="276"/>
        <source>There is no list run {id}.</source>
        <translation>没有编号为 {id} 的名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="277"/>
        <source>{who} changed the KPI targets at {when} since you opened them; nothing was saved. Reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 修改了考核目标，本次未保存。请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="278"/>
        <source>The KPI targets were changed at {when} since you opened them; nothing was saved. Reload to see the change.</source>
        <translation>在您打开后，考核目标于 {when} 被修改，本次未保存。请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="280"/>
        <source>A reach-rate target must be between 0% and 100%, not {value}.</source>
        <translation>接通率目标须在 0% 到 100% 之间，不能是 {value}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="281"/>
        <source>A weekly target must be between 0 and 10,000, not {value}.</source>
        <translation>每周目标须在 0 到 10,000 之间，不能是 {value}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="282"/>
        <source>Name the staff member after --staff (a user name or display name), or leave --staff out for everybody.</source>
        <translation>请在 --staff 后写明员工（用户名或显示名），或去掉 --staff 以统计全部门。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="223"/>
        <source>{count} staff members are called &apos;{name}&apos;; name one by user name ({users}).</source>
        <translation>有 {count} 位员工叫“{name}”；请用用户名指明其中一位（{users}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="224"/>
        <source>{who} made list run #{run} of the segment &apos;{segment}&apos; at {when}, while this list waited to start; nothing was made here, so the calls printed on that run stay in their callers&apos; queues.</source>
        <translation>{who} 已于 {when} 生成分群“{segment}”的名单 #{run}，本次名单在等待期间未生成任何内容，因此该名单上已打印的电话仍留在其回访员的待办中。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="283"/>
        <source>There is no staff member called &apos;{name}&apos;.</source>
        <translation>没有名为“{name}”的员工。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="284"/>
        <source>Unknown report &apos;{kind}&apos; (known: {known}).</source>
        <translation>未知的报表“{kind}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="285"/>
        <source>A report is written as .pdf or .xlsx, not &apos;{name}&apos;.</source>
        <translation>报表只能保存为 .pdf 或 .xlsx，不能是“{name}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="296"/>
        <source>Fixed RFM thresholds need R (days), F and M (yuan).</source>
        <translation>固定 RFM 阈值需要填写 R（天）、F 和 M（元）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="299"/>
        <source>There is no tag group &apos;{group}&apos; (groups: {known}).</source>
        <translation>没有名为“{group}”的标签组（现有：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="300"/>
        <source>The filter&apos;s conditions are nested more than {depth} levels deep.</source>
        <translation>分群条件嵌套超过 {depth} 层。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="301"/>
        <source>A segment filter must be a JSON object with &quot;version&quot; and &quot;where&quot;.</source>
        <translation>分群筛选条件必须是包含 &quot;version&quot; 和 &quot;where&quot; 的 JSON 对象。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="302"/>
        <source>Unknown key(s) in the filter: {keys}.</source>
        <translation>筛选条件中有未知的键：{keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="303"/>
        <source>Filter schema version {version} is not supported (this version of Revisit reads version {supported}).</source>
        <translation>不支持筛选条件格式版本 {version}（此版本的回访只能读取版本 {supported}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="304"/>
        <source>vehicles: &apos;{value}&apos; must be one of {allowed}.</source>
        <translation>vehicles：“{value}”必须是 {allowed} 之一。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="305"/>
        <source>{path}: expected an object (a condition or an and/or/not group).</source>
        <translation>{path}：应为对象（一个条件，或一个 and/or/not 组）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="306"/>
        <source>{path}: unknown key(s) {keys}.</source>
        <translation>{path}：未知的键 {keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="307"/>
        <source>{path}.field: unknown field &apos;{field}&apos;.</source>
        <translation>{path}.field：未知字段“{field}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="308"/>
        <source>{path}.op: &apos;{op}&apos; cannot be used with the field {field} (allowed: {allowed}).</source>
        <translation>{path}.op：“{op}”不能用于字段 {field}（可用：{allowed}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="309"/>
        <source>{path}: expected an object.</source>
        <translation>{path}：应为对象。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="310"/>
        <source>{path}: the field {field} has no parameter {keys}.</source>
        <translation>{path}：字段 {field} 没有参数 {keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="311"/>
        <source>{path}: &apos;{value}&apos; is not a number.</source>
        <translation>{path}：“{value}”不是数字。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="312"/>
        <source>{path}: expected a non-empty text.</source>
        <translation>{path}：应为非空文本。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="313"/>
        <source>{path}: &apos;{value}&apos; is not a value of {field} (allowed: {allowed}).</source>
        <translation>{path}：“{value}”不是 {field} 的取值（可用：{allowed}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="314"/>
        <source>{path}: tag &apos;{value}&apos; must be written &quot;group/tag&quot;.</source>
        <translation>{path}：标签“{value}”必须写成 &quot;标签组/标签&quot; 的形式。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="315"/>
        <source>The {where} is not valid JSON: {detail} (line {line}, column {col}).</source>
        <translation>{where} 不是有效的 JSON：{detail}（第 {line} 行，第 {col} 列）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="316"/>
        <source>{path}: &quot;not&quot; takes exactly one condition or group.</source>
        <translation>{path}：&quot;not&quot; 只能包含一个条件或条件组。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="317"/>
        <source>{path}: fixed RFM thresholds need {keys}.</source>
        <translation>{path}：固定 RFM 阈值需要 {keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="318"/>
        <source>{path}: &apos;{value}&apos; is not a whole number.</source>
        <translation>{path}：“{value}”不是整数。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="319"/>
        <source>{path}: &apos;{value}&apos; is not a date (YYYY-MM-DD).</source>
        <translation>{path}：“{value}”不是日期（YYYY-MM-DD）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="320"/>
        <source>{path}: expected true or false.</source>
        <translation>{path}：应为 true 或 false。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="321"/>
        <source>{path}: the number of days cannot be negative.</source>
        <translation>{path}：天数不能为负数。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="322"/>
        <source>{path}: &quot;between&quot; takes a list of two values [low, high].</source>
        <translation>{path}：&quot;between&quot; 需要包含两个值的列表 [下限, 上限]。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="323"/>
        <source>{path}: the low end is above the high end.</source>
        <translation>{path}：下限大于上限。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="325"/>
        <source>{path}: a group has only the key &quot;{kind}&quot;.</source>
        <translation>{path}：条件组只能有键 &quot;{kind}&quot;。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="326"/>
        <source>{path}.{kind}: expected a list of conditions.</source>
        <translation>{path}.{kind}：应为条件列表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="327"/>
        <source>{path}: &apos;{value}&apos; is not one of {allowed}.</source>
        <translation>{path}：“{value}”不是 {allowed} 之一。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="328"/>
        <source>{path}: must be at least {minimum}.</source>
        <translation>{path}：不能小于 {minimum}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="329"/>
        <source>{path}: must be at most {maximum}.</source>
        <translation>{path}：不能大于 {maximum}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="355"/>
        <source>Only a supervisor or the person who made a list may withdraw it or put it back; {user} is neither.</source>
        <translation>只有主管或生成该名单的人可以撤回或恢复名单；{user} 两者都不是。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="356"/>
        <source>The user name or password is wrong.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="100"/>
        <source>There is no staff account &apos;{user}&apos;.</source>
        <translation>没有名为“{user}”的员工账号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="330"/>
        <source>A user name is 1 to 64 letters, digits or . _ - @, without spaces; &apos;{user}&apos; is not one.</source>
        <translation>用户名由 1 到 64 个字母、数字或 . _ - @ 组成，不能有空格；“{user}”不符合。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="331"/>
        <source>A display name has at most 64 characters.</source>
        <translation>显示名称最多 64 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="357"/>
        <source>The account {user} is disabled; a supervisor can enable it again.</source>
        <translation>账号 {user} 已停用；主管可以重新启用。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="332"/>
        <source>Unknown role &apos;{role}&apos;; an account is staff or supervisor.</source>
        <translation>未知角色“{role}”；账号只能是员工或主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="333"/>
        <source>This database already has a supervisor; sign in, or ask a supervisor for an account.</source>
        <translation>此数据库已有主管；请登录，或请主管为您开通账号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="334"/>
        <source>There is already an account named {user}.</source>
        <translation>已有名为 {user} 的账号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="337"/>
        <source>The current password is wrong.</source>
        <translation>当前密码错误。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="338"/>
        <source>Choose a password different from the current one.</source>
        <translation>新密码不能与当前密码相同。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="339"/>
        <source>You cannot disable your own account.</source>
        <translation>不能停用自己的账号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="336"/>
        <source>{user} is the last supervisor who can sign in; add another supervisor first.</source>
        <translation>{user} 是最后一位可登录的主管；请先添加另一位主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="340"/>
        <source>The first day ({start}) is after the last ({end}).</source>
        <translation>开始日期（{start}）晚于结束日期（{end}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="341"/>
        <source>There is no customer with the code {code}.</source>
        <translation>没有编号为 {code} 的客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="342"/>
        <source>A password needs at least {n} characters.</source>
        <translation>密码至少需要 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="343"/>
        <source>A password cannot start or end with a space.</source>
        <translation>密码首尾不能有空格。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="344"/>
        <source>Only a supervisor may do this, and nobody is signed in.</source>
        <translation>只有主管可以执行此操作，而当前无人登录。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="345"/>
        <source>Only a supervisor may add, disable or enable staff accounts and reset their passwords; {user} is not a supervisor.</source>
        <translation>只有主管可以新增、停用或启用员工账号及重置密码；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="346"/>
        <source>Only a supervisor may change the settings every PC shares; {user} is not a supervisor.</source>
        <translation>只有主管可以修改所有电脑共享的设置；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="347"/>
        <source>Only a supervisor may delete saved segments; {user} is not a supervisor.</source>
        <translation>只有主管可以删除已保存的分群；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="348"/>
        <source>Only a supervisor may write files with full phone numbers to disk, such as an SMS vendor file; {user} is not a supervisor.</source>
        <translation>只有主管可以把含完整手机号的文件（如短信平台文件）保存到磁盘；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="349"/>
        <source>Only a supervisor may read the audit trail; {user} is not a supervisor.</source>
        <translation>只有主管可以查看审计日志；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="351"/>
        <source>Only a supervisor may merge customers or undo a merge; {user} is not a supervisor.</source>
        <translation>只有主管可以合并客户或撤销合并；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="352"/>
        <source>Only a supervisor may undo an import; {user} is not a supervisor.</source>
        <translation>只有主管可以撤销导入；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="353"/>
        <source>Only a supervisor may erase a customer&apos;s personal data; {user} is not a supervisor.</source>
        <translation>只有主管可以删除客户的个人信息；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="354"/>
        <source>Only a supervisor may add, rename or remove tags and tag groups; {user} is not a supervisor.</source>
        <translation>只有主管可以新增、重命名或删除标签及标签组；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="359"/>
        <source>Backing up {where} to {target} failed: {detail}. The database itself was not changed.</source>
        <translation>把 {where} 备份到 {target} 失败：{detail}。数据库本身未被改动。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="361"/>
        <source>The folder {where} does not exist; nothing was written.</source>
        <translation>文件夹 {where} 不存在，未写入任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="380"/>
        <source>Nothing was copied: in table {table}, record {record}, the value of {column} has {length} characters, more than the {limit} its column holds, which {target} refuses ({count} such records in all).</source>
        <translation>未复制任何数据：表 {table} 中记录 {record} 的 {column} 有 {length} 个字符，超过该列最多能存的 {limit} 个，{target} 不接受（共有 {count} 条这样的记录）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="381"/>
        <source>The two databases are at different schema revisions; open both with this version of Revisit first.</source>
        <translation>两个数据库的结构版本不同；请先用当前版本的回访系统分别打开它们。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="382"/>
        <source>The source and the target are the same database.</source>
        <translation>源数据库和目标数据库是同一个。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="383"/>
        <source>The target {where} already holds data (table {table}); Revisit copies only into an empty database, so nothing was changed.</source>
        <translation>目标 {where} 中已有数据（表 {table}）；回访系统只复制到空数据库，因此没有做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="384"/>
        <source>Table {table} did not arrive intact ({rows} of {expected} rows, checksums differ); nothing was kept in the target.</source>
        <translation>表 {table} 没有完整复制（{rows}/{expected} 行，校验和不一致）；目标中没有保留任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="367"/>
        <source>The database server {server} cannot be reached, so nothing was saved, but nothing you typed is lost: try again in a moment, or ask whoever runs the server.</source>
        <translation>暂时连不上数据库服务器 {server}，这一步没有保存任何内容，但您输入的内容都还在：请稍后再试，或联系负责服务器的人员。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="368"/>
        <source>The database server {server} cannot be reached, so Revisit cannot open its data: try again in a moment, or ask whoever runs the server.</source>
        <translation>暂时连不上数据库服务器 {server}，回访系统无法打开数据：请稍后再试，或联系负责服务器的人员。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="396"/>
        <source>The database {where} is read-only: nothing can be saved in it. Ask whoever looks after this PC to let you write to the file and its folder, or open a copy kept in a folder you may write to.</source>
        <translation>数据库 {where} 是只读的，无法保存任何内容。请让负责这台电脑的同事给该文件及其所在文件夹开放写入权限，或打开放在可写文件夹中的副本。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="398"/>
        <source>{where} is damaged; nothing was changed. No intact backup of it was found in {folder}: restore a copy kept elsewhere with the command revisit db restore followed by that file (a supervisor).</source>
        <translation>{where} 已损坏；未做任何更改。在 {folder} 中没有找到它的完好备份：请主管用命令 revisit db restore 加上另存的副本文件进行恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="399"/>
        <source>{where} is damaged; nothing was changed. The latest good backup is {backup}: restore it with the command revisit db restore followed by that file (a supervisor), or close Revisit and put it in place of the damaged file.</source>
        <translation>{where} 已损坏；未做任何更改。最近一份完好的备份是 {backup}：请主管用命令 revisit db restore 加上该文件恢复，或关闭回访后用它替换损坏的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="400"/>
        <source>{where} is empty (0 bytes), perhaps emptied by a failed copy or a sync conflict; nothing was changed. No intact backup of it was found in {folder}: restore a copy kept elsewhere with the command revisit db restore followed by that file, or delete the empty file to start a new database.</source>
        <translation>{where} 是空文件（0 字节），可能是复制失败或同步冲突造成的；未做任何更改。在 {folder} 中没有找到它的完好备份：请用命令 revisit db restore 加上另存的副本文件恢复，或删除这个空文件以新建数据库。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="420"/>
        <source>The backup {where} is damaged; nothing was restored. Choose another backup.</source>
        <translation>备份 {where} 已损坏；未恢复任何内容。请选择其他备份。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="433"/>
        <source>The SMS price per part must be between 0 and {most} yuan, with at most {places} decimals, not {price}.</source>
        <translation>短信单价必须在 0 到 {most} 元之间，最多 {places} 位小数，不能是 {price}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="440"/>
        <source>The segment “{name}” was renamed or deleted since you opened it; reload to see the segments as they are now.</source>
        <translation>在您打开后，分群“{name}”已被重命名或删除，请重新载入查看当前分群。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="441"/>
        <source>{who} changed this customer&apos;s contact preferences at {when} since you opened them; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 修改了该客户的联系偏好，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="442"/>
        <source>This customer&apos;s contact preferences were changed at {when} since you opened them; reload to see the change.</source>
        <translation>在您打开后，该客户的联系偏好于 {when} 被修改，请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="443"/>
        <source>{who} recorded this customer&apos;s marketing consent at {when} since you opened it; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 记录了该客户的营销同意，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="444"/>
        <source>This customer&apos;s marketing consent was recorded at {when} since you opened it; reload to see the change.</source>
        <translation>在您打开后，该客户的营销同意于 {when} 被记录，请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="445"/>
        <source>{who} lifted this do-not-contact entry at {when} since you opened it; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 解除了这条勿扰，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="446"/>
        <source>This do-not-contact entry was lifted at {when} since you opened it; reload to see the change.</source>
        <translation>在您打开后，这条勿扰于 {when} 被解除，请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="447"/>
        <source>{who} changed this do-not-contact entry at {when} since you opened it; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 修改了这条勿扰，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="448"/>
        <source>This do-not-contact entry was changed at {when} since you opened it; reload to see the change.</source>
        <translation>在您打开后，这条勿扰于 {when} 被修改，请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="451"/>
        <source>{who} changed this customer at {when} since you opened them; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 修改了该客户，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="452"/>
        <source>This customer was changed at {when} since you opened them; reload to see the change.</source>
        <translation>在您打开后，该客户于 {when} 被修改，请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="453"/>
        <source>{who} changed the segment “{name}” at {when} since you opened it; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 修改了分群“{name}”，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="454"/>
        <source>The segment “{name}” was changed at {when} since you opened it; reload to see the change.</source>
        <translation>在您打开后，分群“{name}”于 {when} 被修改，请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="455"/>
        <source>{who} renamed the segment “{name}” to “{new_name}” at {when} since you opened it; reload to see their change.</source>
        <translation>在您打开后，{who} 于 {when} 把分群“{name}”重命名为“{new_name}”，请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="456"/>
        <source>The segment “{name}” was renamed to “{new_name}” at {when} since you opened it; reload to see the change.</source>
        <translation>在您打开后，分群“{name}”于 {when} 被重命名为“{new_name}”，请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="457"/>
        <source>{who} deleted the segment “{name}” at {when} since you opened it; reload to see the segments as they are now.</source>
        <translation>在您打开后，{who} 于 {when} 删除了分群“{name}”，请重新载入查看当前分群。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="458"/>
        <source>The segment “{name}” was deleted at {when} since you opened it; reload to see the segments as they are now.</source>
        <translation>在您打开后，分群“{name}”于 {when} 被删除，请重新载入查看当前分群。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="389"/>
        <source>Someone saved a clashing change to {where} at the same moment; nothing was saved. Look at the record again and repeat the step.</source>
        <translation>有人在同一时刻向 {where} 保存了冲突的修改，本次没有保存。请重新查看该记录后再操作一次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="33"/>
        <source>“{typed}” is no one&apos;s mobile, a placeholder (13800000000, 13800138000); leave the mobile empty if it is not known.</source>
        <translation>“{typed}”是占位号码（如 13800000000、13800138000），不是任何人的手机号；不知道手机号时请留空。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="215"/>
        <source>The segment &apos;{segment}&apos; has nobody on {date}, so no list was made and nothing was stored.</source>
        <translation>分群“{segment}”在 {date} 没有客户，因此未生成名单，也未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="216"/>
        <source>None of the {count} customers of the segment &apos;{segment}&apos; can be contacted for {purpose} on {date} (no usable phone, address or WeChat, no marketing consent for a sales list, do-not-contact, contacted recently or on another list), so no list was made and nothing was stored.</source>
        <translation>分群“{segment}”的 {count} 位客户在 {date} 都不能按“{purpose}”联系（没有可用的电话、地址或微信，销售名单缺少营销同意，设了勿扰，近期已联系或已在其他名单中），因此未生成名单，也未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="217"/>
        <source>Nobody would be on this list; nothing was stored.</source>
        <translation>这份名单里不会有任何客户，未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="226"/>
        <source>{file} is a PDF: the call sheet is for printing, and outcomes are read back from the list&apos;s Excel file. Read the Excel list the callers filled in; to have one to fill in, write the list as Excel (revisit list print RUN --out {stem}.xlsx).</source>
        <translation>{file} 是 PDF 文件：回访单是用来打印的，联系结果要从名单的 Excel 文件读回。请读回回访员填写的 Excel 名单；如需一份可填写的名单，请将名单导出为 Excel（revisit list print 名单编号 --out {stem}.xlsx）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="253"/>
        <source>{file} holds SMS messages, which this would write over with a plain SMS list; nothing was made. Give --sms-template to write it with the messages, or move the file away.</source>
        <translation>{file} 里有短信内容，这样做会用不含短信内容的短信名单把它覆盖，因此什么也没有生成。请用 --sms-template 给出短信内容以连同短信一起写出，或先把该文件移走。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="286"/>
        <source>{path} is not a segment file: a segment file is the JSON text that “Export segment” (or `segment export`) writes, and this file holds something else, such as a picture or a spreadsheet.</source>
        <translation>{path} 不是分群文件：分群文件是“导出分群”（或 `segment export`）写出的 JSON 文本，而这个文件里是别的内容，例如图片或电子表格。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="291"/>
        <source>The file {path} does not exist.</source>
        <translation>文件 {path} 不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="292"/>
        <source>Cannot read {path}: {detail}</source>
        <translation>无法读取 {path}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="324"/>
        <source>{path}: choose at least one value.</source>
        <translation>{path}：请至少选择一个值。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="335"/>
        <source>You cannot change your own role; ask another supervisor.</source>
        <translation>不能修改自己的角色，请另一位主管操作。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="350"/>
        <source>Only a supervisor may copy, back up or restore the database, or add demo data to one in use; {user} is not a supervisor.</source>
        <translation>只有主管可以复制、备份或恢复数据库，或向使用中的数据库添加演示数据；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="363"/>
        <source>{target} is the database itself; a backup goes to another file. Nothing was written.</source>
        <translation>{target} 就是数据库本身；备份须写到另一个文件。未写入任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="364"/>
        <source>{target} already exists and is not a backup; nothing was written over it. Choose another file name.</source>
        <translation>{target} 已存在且不是备份文件，未覆盖它。请换一个文件名。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="369"/>
        <source>The database server {server} ended Revisit&apos;s connection (it was closed on the server, by its administrator or a restart), so the step in progress was not saved: do it again; if it keeps happening, ask whoever runs the server.</source>
        <translation>数据库服务器 {server} 结束了 Revisit 的连接（在服务器上被关闭：管理员操作或服务器重启），正在进行的操作没有保存：请重新操作一次；如果反复出现，请联系服务器管理员。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="370"/>
        <source>No database server named {host} can be found on the network (database address {where}): check that this PC is connected to the network and that the server&apos;s name is right, or ask whoever runs the server.</source>
        <translation>网络上找不到名为 {host} 的数据库服务器（数据库地址 {where}）：请检查这台电脑是否已连上网络、服务器名称是否正确，或联系负责服务器的人员。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="371"/>
        <source>The database server {server} refused the user name {user} or its password (database address {where}): a supervisor or the server&apos;s administrator sets them, so ask them for the right ones.</source>
        <translation>数据库服务器 {server} 不接受用户名 {user} 或其密码（数据库地址 {where}）：用户名和密码由主管或服务器管理员设置，请向他们索取正确的用户名和密码。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="372"/>
        <source>The database server {server} has no database named {database} (database address {where}): check the name with a supervisor, or ask the server&apos;s administrator to create the database.</source>
        <translation>数据库服务器 {server} 上没有名为 {database} 的数据库（数据库地址 {where}）：请与主管核对数据库名称，或请服务器管理员创建该数据库。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="373"/>
        <source>The user {user} has no permission to use the database {database} on the server {server}: ask the server&apos;s administrator to grant it.</source>
        <translation>用户 {user} 无权使用服务器 {server} 上的数据库 {database}：请联系服务器管理员授予权限。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="374"/>
        <source>The user {user} has no permission for this step in the database {database} on the server {server}, so nothing was changed: ask the server&apos;s administrator to grant it.</source>
        <translation>用户 {user} 无权在服务器 {server} 上的数据库 {database} 中执行这一步，因此没有做任何更改：请联系服务器管理员授予权限。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="375"/>
        <source>The database server {server} accepts no more connections right now: close Revisit on PCs that do not need it and try again in a moment, or ask the server&apos;s administrator to allow more.</source>
        <translation>数据库服务器 {server} 目前不再接受新的连接：请关闭暂时不用的电脑上的回访系统，稍后再试，或请服务器管理员调高连接数上限。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="376"/>
        <source>The database server {server} does not let this PC connect to the database {database} as {user}: ask the server&apos;s administrator to allow it.</source>
        <translation>数据库服务器 {server} 不允许这台电脑以用户 {user} 连接数据库 {database}：请联系服务器管理员开通。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="377"/>
        <source>The database server {server} does not let this PC connect to the database {database} as {user} without encryption: ask the server&apos;s administrator whether the database address {where} needs sslmode=require, or to allow this PC.</source>
        <translation>数据库服务器 {server} 不允许这台电脑以用户 {user} 不加密地连接数据库 {database}：请询问服务器管理员，数据库地址 {where} 是否需要加上 sslmode=require，或请其允许这台电脑连接。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="378"/>
        <source>The database address {where} asks for an encrypted (SSL) connection, but the database server {server} does not offer one: ask the server&apos;s administrator to turn SSL on, or a supervisor to change the address.</source>
        <translation>数据库地址 {where} 要求加密（SSL）连接，但数据库服务器 {server} 不提供加密连接：请服务器管理员开启 SSL，或请主管修改数据库地址。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="379"/>
        <source>Revisit did not connect to the database server {server} because its security certificate could not be verified (database address {where}): ask the server&apos;s administrator.</source>
        <translation>无法验证数据库服务器 {server} 的安全证书，回访系统没有连接（数据库地址 {where}）：请联系服务器管理员。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="385"/>
        <source>{where} could not be brought up to this version of Revisit ({detail}); nothing of the upgrade was kept.</source>
        <translation>无法将 {where} 更新到此版本的回访（{detail}）；本次更新的任何改动都未保留。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="388"/>
        <source>{where} is empty (0 bytes), perhaps emptied by a failed copy or a sync conflict; nothing was changed. The latest good backup is {backup}: restore it with the command revisit db restore followed by that file (a supervisor), or close Revisit and put it in place of the empty file.</source>
        <translation>{where} 是空文件（0 字节），可能是复制失败或同步冲突造成的；未做任何更改。最近一份完好的备份是 {backup}：请主管用命令 revisit db restore 加上该文件恢复，或关闭回访后用它替换这个空文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="390"/>
        <source>The database {where} is busy with another person&apos;s or program&apos;s work; nothing was saved. Wait a moment and try again.</source>
        <translation>数据库 {where} 正忙于其他同事或程序的操作，本次未保存。请稍等片刻再试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="401"/>
        <source>Revisit opens a SQLite file by its path alone; leave &apos;?{options}&apos; out of {url}.</source>
        <translation>回访只按路径打开 SQLite 文件；请去掉 {url} 中的“?{options}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="402"/>
        <source>{url} is a database in memory, gone when Revisit ends; name a file instead, e.g. sqlite:///C:/Revisit/revisit.sqlite3.</source>
        <translation>{url} 是内存中的数据库，回访结束即消失；请改为指定一个文件，例如 sqlite:///C:/Revisit/revisit.sqlite3。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="405"/>
        <source>The database {where} cannot be saved to: its companion file {file} is read-only. SQLite keeps that file beside the database and writes every change through it; ask whoever looks after this PC to let you write to it as well (do not delete it: it may hold changes not yet in the database).</source>
        <translation>数据库 {where} 无法保存：它旁边的配套文件 {file} 是只读的。SQLite 的每一次保存都要经过这个文件；请管理这台电脑的同事把它也改为可写（请勿删除它：其中可能有尚未写入数据库的修改）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="406"/>
        <source>The folder {where} does not exist; check the database path. Nothing was created.</source>
        <translation>文件夹 {where} 不存在；请检查数据库路径。没有创建任何文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="407"/>
        <source>There is no database at {where} yet; nothing was created. Start Revisit, or run `demo` or `import`, to make one.</source>
        <translation>{where} 还没有数据库；未创建任何文件。请先启动回访，或运行 `demo` 或 `import` 来建立数据库。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="409"/>
        <source>There is no database {where}; nothing was created. Check the path given with --db (or REVISIT_DB).</source>
        <translation>没有数据库 {where}；未创建任何文件。请检查 --db（或 REVISIT_DB）给出的路径。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="412"/>
        <source>The disk is full: {path} could not be written. Free some space or choose another folder, then try again.</source>
        <translation>磁盘已满：无法写入 {path}。请清理空间或换一个文件夹后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="414"/>
        <source>{where} is on a network drive. SQLite cannot share a file safely across a network (two PCs writing it can damage it): keep the file on this PC, or move the department to a PostgreSQL server with `db copy --to postgresql://…`.</source>
        <translation>{where} 位于网络驱动器上。SQLite 无法通过网络安全地共享同一个文件（两台电脑同时写入可能损坏它）：请把文件放在本机，或用 `db copy --to postgresql://…` 把全部门迁移到 PostgreSQL 服务器。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="415"/>
        <source>pg_dump was not found on this PC; back up the PostgreSQL database on its server with pg_dump -Fc (restore it with pg_restore), or install PostgreSQL&apos;s client tools here and run the backup again.</source>
        <translation>本机找不到 pg_dump；请在服务器上用 pg_dump -Fc 备份 PostgreSQL 数据库（用 pg_restore 恢复），或在本机安装 PostgreSQL 客户端工具后再备份。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="416"/>
        <source>The backup of {where} waited {seconds} s for the table {table}, which another program holds locked, and stopped; nothing was backed up. Run it again when that work is done.</source>
        <translation>备份 {where} 时等待表 {table} 已 {seconds} 秒（另一个程序正锁定它），备份已停止，未备份任何内容。请在那项工作完成后再备份一次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="417"/>
        <source>pg_dump could not back up {where}: {detail}</source>
        <translation>pg_dump 无法备份 {where}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="418"/>
        <source>There is no backup file at {where}.</source>
        <translation>{where} 处没有备份文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="419"/>
        <source>{where} is not a Revisit backup (not a SQLite database); nothing was restored.</source>
        <translation>{where} 不是回访备份（不是 SQLite 数据库），未恢复任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="421"/>
        <source>{where} is not a Revisit database (it holds other tables or no schema version); nothing was restored.</source>
        <translation>{where} 不是回访数据库（含有其他表或没有结构版本），未恢复任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="422"/>
        <source>The backup {where} was written by a newer version of Revisit (schema {revision}); update Revisit before restoring it.</source>
        <translation>备份 {where} 由更新版本的回访写入（结构版本 {revision}）；请先升级回访再恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="423"/>
        <source>{where} is open in Revisit or another program (on this PC or another); close it everywhere, then restore again. Nothing was restored.</source>
        <translation>{where} 正被回访或其他程序打开（在本机或其他电脑上）；请在所有地方关闭后再恢复。未恢复任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="424"/>
        <source>{where} is the database itself, not a backup of it.</source>
        <translation>{where} 就是数据库本身，不是它的备份。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="425"/>
        <source>Restoring {backup} to {where} failed ({detail}); the database was not replaced.</source>
        <translation>把 {backup} 恢复到 {where} 失败（{detail}），数据库未被替换。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="426"/>
        <source>Cannot keep a copy of {where} in {folder} ({detail}); nothing was restored.</source>
        <translation>无法在 {folder} 中保留 {where} 的副本（{detail}），未恢复任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="427"/>
        <source>{who} changed the setting {name} at {when} since you loaded the settings; nothing was saved. Reload to see their change.</source>
        <translation>在您载入设置后，{who} 于 {when} 修改了设置“{name}”，本次未保存。请重新载入查看其修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="428"/>
        <source>The setting {name} was changed at {when} since you loaded the settings; nothing was saved. Reload to see the change.</source>
        <translation>在您载入设置后，设置“{name}”于 {when} 被修改，本次未保存。请重新载入查看。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="430"/>
        <source>Unknown SMS vendor &apos;{vendor}&apos;.</source>
        <translation>未知的短信平台“{vendor}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="431"/>
        <source>The SMS sending window must start before it ends.</source>
        <translation>短信发送时段的开始时间必须早于结束时间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="432"/>
        <source>The SMS signature must be written as 【shop name】, not &apos;{signature}&apos;.</source>
        <translation>短信签名必须写成【门店名称】的形式，而不是“{signature}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="436"/>
        <source>Revisit keeps between 1 and {most} automatic backups, not {count}.</source>
        <translation>回访保留 1 到 {most} 份自动备份，不能是 {count}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="437"/>
        <source>There is no setting &apos;{name}&apos;; known: {names}.</source>
        <translation>没有名为“{name}”的设置；可用的有：{names}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="438"/>
        <source>{name} must be between 0 and 365.</source>
        <translation>{name} 必须在 0 到 365 之间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="439"/>
        <source>&apos;{value}&apos; is not a valid value for {name}.</source>
        <translation>“{value}”不是 {name} 的有效值。</translation>
    </message>
</context>
<context>
    <name>files</name>
    <message>
        <location filename="../../ui/files.py" line="91"/>
        <source>Save as</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="101"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="111"/>
        <source>Choose the export folder</source>
        <translation>选择导出文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="122"/>
        <source>Open file</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="123"/>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
</context>
<context>
    <name>labels</name>
    <message>
        <location filename="../../ui/labels.py" line="67"/>
        <source>This PC: %1</source>
        <translation>本机：%1</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="71"/>
        <source>In memory (nothing is kept)</source>
        <translation>内存中（不保存任何数据）</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="74"/>
        <source>Shared server: %1</source>
        <translation>共享服务器：%1</translation>
    </message>
</context>
<context>
    <name>purposes</name>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="29"/>
        <source>All purposes: no contact at all on the chosen channel, recall notices included.</source>
        <translation>所有目的：在所选渠道上完全不联系，召回通知也不发。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="33"/>
        <source>Care: a personal check-in — birthday, warranty or loan ending, after a repair; nothing is offered.</source>
        <translation>关怀：一对一的问候——生日、质保或贷款到期、维修之后；不推销任何东西。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="38"/>
        <source>Satisfaction call-back: asking after a service visit how it went.</source>
        <translation>满意度回访：到店保养或维修后询问客户是否满意。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="41"/>
        <source>Reminders: maintenance due, annual inspection, insurance renewal.</source>
        <translation>提醒：保养到期、年检、续保。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="44"/>
        <source>Satisfaction: call-backs and surveys about a service visit.</source>
        <translation>满意度：关于到店服务的回访和问卷调查。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="47"/>
        <source>Recalls: the maker&apos;s safety recall notices; most customers who refuse sales still want these. A recall list is not held back by recent contacts or other lists.</source>
        <translation>召回：厂家的安全召回通知；多数拒绝销售联系的客户仍希望收到。召回名单不因近期联系或其他名单而排除客户。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="52"/>
        <source>Marketing: promotions, events and holiday greetings sent to many customers at once. Needs marketing consent.</source>
        <translation>营销：同时发给很多客户的促销、活动和节日问候。需要客户的营销同意。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="57"/>
        <source>Sales: a personal offer to this customer to buy, replace or add a car. Needs marketing consent.</source>
        <translation>销售：一对一邀请这位客户购车、换车或增购。需要客户的营销同意。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="62"/>
        <source>Referral thanks: thanking a customer whose friend or relative came or bought; nothing is offered.</source>
        <translation>转介绍致谢：感谢其亲友到店或购车的客户，不推销任何东西。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/refusal_dialog.py" line="67"/>
        <source>Referral request: asking a satisfied customer to introduce friends. Needs marketing consent; a sales or marketing refusal blocks it.</source>
        <translation>转介绍邀请：请满意的客户介绍亲友（老带新）。需要营销同意；拒绝销售或营销的客户不会收到。</translation>
    </message>
</context>
<context>
    <name>reports</name>
    <message>
        <location filename="../../ui/views/report_dashboard.py" line="44"/>
        <source>%1 pt</source>
        <translation>%1 个百分点</translation>
    </message>
</context>
<context>
    <name>tasks</name>
    <message>
        <location filename="../../ui/tasks.py" line="275"/>
        <source>Something unexpected went wrong: %1. Nothing was saved by this step.</source>
        <translation>发生意外错误：%1。此步骤未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/tasks.py" line="285"/>
        <source>Revisit</source>
        <translation>回访</translation>
    </message>
</context>
<context>
    <name>user_commands</name>
    <message>
        <location filename="../../ui/cli/user_commands.py" line="109"/>
        <source>disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location filename="../../ui/cli/user_commands.py" line="111"/>
        <source>no password</source>
        <translation>无密码</translation>
    </message>
    <message>
        <location filename="../../ui/cli/user_commands.py" line="113"/>
        <source>temporary password</source>
        <translation>临时密码</translation>
    </message>
</context>
</TS>
