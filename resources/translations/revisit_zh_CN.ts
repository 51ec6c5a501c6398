<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="74"/>
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="75"/>
        <source>&amp;Display name</source>
        <translation>显示名称(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="78"/>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="79"/>
        <source>&amp;Repeat password</source>
        <translation>再次输入密码(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="85"/>
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
        <location filename="../../ui/dialogs/user_dialog.py" line="28"/>
        <source>Tell the person this first password; they can change it in Settings once signed in.</source>
        <translation>请把这个初始密码告诉本人；登录后可在“设置”中修改。</translation>
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
        <location filename="../../ui/table_models/audit_table.py" line="35"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="35"/>
        <source>Person</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="35"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="36"/>
        <source>About</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="36"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../ui/table_models/audit_table.py" line="56"/>
        <source>(nobody signed in)</source>
        <translation>（未登录）</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <location filename="../../ui/views/audit_view.py" line="53"/>
        <source>Everyone</source>
        <translation>所有人</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="55"/>
        <source>Every action</source>
        <translation>所有操作</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="57"/>
        <source>Customer no.</source>
        <translation>客户编号</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="60"/>
        <source>&amp;Show</source>
        <translation>显示(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="74"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="76"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="111"/>
        <location filename="../../ui/views/audit_view.py" line="149"/>
        <source>Loading the audit trail</source>
        <translation>正在读取审计日志</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="157"/>
        <source>The newest %1 of %2 entries</source>
        <translation>共 %2 条，显示最新 %1 条</translation>
    </message>
    <message>
        <location filename="../../ui/views/audit_view.py" line="160"/>
        <source>Entries: %1</source>
        <translation>共 %1 条</translation>
    </message>
</context>
<context>
    <name>BatchesPanel</name>
    <message>
        <location filename="../../ui/views/import_batches.py" line="39"/>
        <source>Batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="39"/>
        <source>Imported</source>
        <translation>导入时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="39"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="39"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="40"/>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="40"/>
        <source>New</source>
        <translation>新增</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="40"/>
        <source>Updated</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="40"/>
        <source>Unchanged</source>
        <translation>未变</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="41"/>
        <source>Not imported</source>
        <translation>未导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="41"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="44"/>
        <source>&amp;Undo this import…</source>
        <translation>撤销这次导入(&amp;U)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="49"/>
        <source>Undo deletes what the import created and puts back the values it changed. Undo later imports of the same records first.</source>
        <translation>撤销会删除该次导入新建的内容，并恢复其修改过的值。如果之后还导入过相同记录，请先撤销后面的导入。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="52"/>
        <source>Only a supervisor may undo an import.</source>
        <translation>只有主管可以撤销导入。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="85"/>
        <source>Loading past imports</source>
        <translation>正在加载以往导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="116"/>
        <source>This import stopped before its last rows (its program was closed or killed); the rows already in are kept. Undo it, then import the file again.</source>
        <translation>这次导入在最后几行之前中断了（程序被关闭或终止），已写入的行仍保留。请先撤销它，再重新导入该文件。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="127"/>
        <source>undone %1</source>
        <translation>已撤销 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="128"/>
        <source>unfinished</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="149"/>
        <source>Undoing import #%1</source>
        <translation>正在撤销导入 #%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="157"/>
        <source>Undo import #%1 of “%2” (%3)? What it created (%4 new rows) is deleted and the values it changed in %5 rows are put back as they were.</source>
        <translation>撤销“%2”的导入 #%1（%3）？该次导入新建的内容（%4 行新增）将被删除，%5 行中被修改的值将恢复原样。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="167"/>
        <source>Undo an import</source>
        <translation>撤销导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_batches.py" line="176"/>
        <source>Import #%1 undone: %2 rows deleted, %3 values put back.</source>
        <translation>导入 #%1 已撤销：删除 %2 行，恢复 %3 个值。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_batches.py" line="180"/>
        <source>%n value(s) changed by hand since were left as they are.</source>
        <translation>
            <numerusform>其间手工修改过的 %n 个值保持不变。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BriefView</name>
    <message>
        <location filename="../../ui/views/brief_view.py" line="42"/>
        <source>Last contact</source>
        <translation>上次联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="43"/>
        <source>Last spend</source>
        <translation>上次消费</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="44"/>
        <source>Satisfaction</source>
        <translation>满意度</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="45"/>
        <source>Since the car</source>
        <translation>购车以来</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="46"/>
        <source>Money and person</source>
        <translation>出资与个性</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="47"/>
        <source>Cars</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="48"/>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="49"/>
        <source>Intent</source>
        <translation>购车意向</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="50"/>
        <source>How to reach</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="78"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="84"/>
        <source>no survey yet</source>
        <translation>尚无满意度调查</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="100"/>
        <source>%1 days ago</source>
        <translation>%1 天前</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="117"/>
        <source>trend %1</source>
        <translation>趋势 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="142"/>
        <source>bought %1, %2 years</source>
        <translation>%1 购车，%2 年</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="145"/>
        <source>about %1 km</source>
        <translation>约 %1 公里</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="147"/>
        <source>(%1 km a year)</source>
        <translation>（每年 %1 公里）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="154"/>
        <source>earlier:</source>
        <translation>以前：</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="160"/>
        <source>%n resolved</source>
        <translation>
            <numerusform>已解决 %n 起</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="161"/>
        <source>none open</source>
        <translation>无未解决投诉</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="163"/>
        <source>OPEN since %1: %2</source>
        <translation>未解决（%1 起）：%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="187"/>
        <source>marketing consent given</source>
        <translation>已同意营销</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="188"/>
        <source>no marketing consent</source>
        <translation>未同意营销</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="189"/>
        <source>marketing consent not asked</source>
        <translation>未询问营销同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="194"/>
        <source>do not contact: %1 (%2)</source>
        <translation>勿扰：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="195"/>
        <source>all</source>
        <translation>全部</translation>
    </message>
</context>
<context>
    <name>CustomerPage</name>
    <message>
        <location filename="../../ui/views/customer_page.py" line="126"/>
        <source>Record a change…</source>
        <translation>记录变更…</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="128"/>
        <source>Record what changed (married, new job, km…) with its date and source (Ctrl+E)</source>
        <translation>记录客户的变化（结婚、换工作、里程…）及日期和来源（Ctrl+E）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="137"/>
        <source>Brief</source>
        <translation>简报</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="138"/>
        <location filename="../../ui/views/customer_page.py" line="142"/>
        <source>Attribute</source>
        <translation>属性</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="138"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="138"/>
        <source>Since</source>
        <translation>起始日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="141"/>
        <source>Effective</source>
        <translation>生效日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="143"/>
        <source>Change</source>
        <translation>变更</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="144"/>
        <location filename="../../ui/views/customer_page.py" line="169"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="145"/>
        <source>Recorded</source>
        <translation>记录时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="146"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="152"/>
        <source>Profile</source>
        <translation>客户画像</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="156"/>
        <location filename="../../ui/views/customer_page.py" line="175"/>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="157"/>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="158"/>
        <source>VIN</source>
        <translation>车架号</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="159"/>
        <source>Bought</source>
        <translation>购车日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="160"/>
        <source>Price paid</source>
        <translation>成交价</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="161"/>
        <source>Payment</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="162"/>
        <source>Insurance until</source>
        <translation>保险到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="163"/>
        <source>Warranty until</source>
        <translation>质保到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="164"/>
        <source>Inspection due</source>
        <translation>年检到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="165"/>
        <source>Loan ends</source>
        <translation>贷款到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="169"/>
        <location filename="../../ui/views/customer_page.py" line="175"/>
        <location filename="../../ui/views/customer_page.py" line="180"/>
        <location filename="../../ui/views/customer_page.py" line="214"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="169"/>
        <location filename="../../ui/views/customer_page.py" line="175"/>
        <source>Km</source>
        <translation>里程（公里）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="173"/>
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="175"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="175"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="177"/>
        <source>Visits</source>
        <translation>到店记录</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="181"/>
        <source>Overall</source>
        <translation>总体评分</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="182"/>
        <source>Repair quality</source>
        <translation>维修质量</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="183"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="184"/>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="185"/>
        <source>Attitude</source>
        <translation>接待态度</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="186"/>
        <source>Comment</source>
        <translation>评价</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="189"/>
        <source>Surveys</source>
        <translation>满意度调查</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="192"/>
        <source>Opened</source>
        <translation>投诉日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="193"/>
        <source>Topic</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="194"/>
        <source>Resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="195"/>
        <source>Resolved on</source>
        <translation>解决日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="196"/>
        <source>How</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="199"/>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="202"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="203"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="204"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="205"/>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="206"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="207"/>
        <source>Next follow-up</source>
        <translation>下次跟进</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="208"/>
        <source>What they said</source>
        <translation>客户反馈</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="211"/>
        <source>Contacts</source>
        <translation>联系记录</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="215"/>
        <source>Strength</source>
        <translation>意向强度</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="216"/>
        <source>Window</source>
        <translation>预计购买时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="217"/>
        <source>Expected price</source>
        <translation>预期价格</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="218"/>
        <source>Models</source>
        <translation>意向车型</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="219"/>
        <source>Why</source>
        <translation>购车原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="222"/>
        <source>Intent</source>
        <translation>购车意向</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="224"/>
        <source>Preferences</source>
        <translation>联系偏好与同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="226"/>
        <source>Contact preferences, marketing consent and do-not-contact</source>
        <translation>联系偏好、营销同意和勿扰设置</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="248"/>
        <source>No customer selected</source>
        <translation>未选择客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="250"/>
        <source>Pick a customer in the list (↓ from the search field goes into it).</source>
        <translation>请在左侧列表中选择一位客户（在搜索框按 ↓ 可进入列表）。</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="346"/>
        <source>marketing consent given</source>
        <translation>已同意营销</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="347"/>
        <source>no marketing consent</source>
        <translation>未同意营销</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="348"/>
        <source>marketing consent not asked</source>
        <translation>未询问营销同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="352"/>
        <source>born %1</source>
        <translation>生于 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="353"/>
        <source>no mobile</source>
        <translation>无手机</translation>
    </message>
    <message>
        <location filename="../../ui/views/customer_page.py" line="357"/>
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
</context>
<context>
    <name>CustomersView</name>
    <message>
        <location filename="../../ui/views/customers_view.py" line="51"/>
        <source>Search name, pinyin or initials (zw = 张伟), mobile, plate or VIN  (Ctrl+F)</source>
        <translation>搜索姓名、拼音、首字母（zw = 张伟）、手机、车牌、车架号（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="111"/>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="116"/>
        <source>Searching</source>
        <translation>正在搜索</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/customers_view.py" line="179"/>
        <source>%n customer(s)</source>
        <translation>
            <numerusform>%n 位客户</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="224"/>
        <location filename="../../ui/views/customers_view.py" line="249"/>
        <source>Loading customer</source>
        <translation>正在加载客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="262"/>
        <source>Saving</source>
        <translation>正在保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="265"/>
        <source>Change saved for %1</source>
        <translation>已为 %1 保存变更</translation>
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
    <name>FilterEditor</name>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="43"/>
        <source>between</source>
        <translation>介于</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="44"/>
        <source>contains</source>
        <translation>包含</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="45"/>
        <source>starts with</source>
        <translation>开头是</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="46"/>
        <source>is one of</source>
        <translation>属于其中之一</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="47"/>
        <source>is none of</source>
        <translation>不属于其中任何一个</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="48"/>
        <source>is unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="49"/>
        <source>is known</source>
        <translation>已知</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="50"/>
        <source>falls due within (days)</source>
        <translation>在以下天数内到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="51"/>
        <source>within the last (days)</source>
        <translation>在最近以下天数内</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="52"/>
        <source>has any of</source>
        <translation>含任一标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="53"/>
        <source>has all of</source>
        <translation>含全部标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="54"/>
        <source>has none of</source>
        <translation>不含这些标签</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="270"/>
        <source>+ &amp;Condition</source>
        <translation>+ 条件(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="271"/>
        <source>+ &amp;Group</source>
        <translation>+ 条件组(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="272"/>
        <source>AND ↔ OR</source>
        <translation>且 ↔ 或</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="273"/>
        <source>&amp;NOT</source>
        <translation>取反(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="274"/>
        <source>&amp;Remove</source>
        <translation>删除(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="275"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="276"/>
        <source>Undo the last change to the conditions (Ctrl+Z)</source>
        <translation>撤销对条件的上一次修改（Ctrl+Z）</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="306"/>
        <source>&amp;Field</source>
        <translation>字段(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="307"/>
        <source>&amp;Operator</source>
        <translation>比较方式(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="308"/>
        <source>&amp;Value</source>
        <translation>值(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="383"/>
        <source>All of these (AND)</source>
        <translation>满足以下全部（且）</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="383"/>
        <source>Any of these (OR)</source>
        <translation>满足以下任一（或）</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="388"/>
        <source>NOT</source>
        <translation>不满足以下（非）</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="511"/>
        <source>any</source>
        <translation>不限</translation>
    </message>
</context>
<context>
    <name>FirstSupervisorDialog</name>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="158"/>
        <source>Create the first supervisor</source>
        <translation>创建首位主管</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="161"/>
        <source>Nobody can sign in to this database yet. Create the first supervisor account: supervisors add the other staff in Settings and may change shared settings, delete segments and save files with full phone numbers.</source>
        <translation>此数据库还没有可登录的账号。请创建首位主管账号：主管可在“设置”中添加其他员工，并可修改共享设置、删除分群、保存含完整手机号的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="165"/>
        <source>e.g. wangli</source>
        <translation>例如 wangli</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="165"/>
        <source>e.g. 王丽</source>
        <translation>例如 王丽</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="167"/>
        <source>Create and sign in</source>
        <translation>创建并登录</translation>
    </message>
</context>
<context>
    <name>FollowUpView</name>
    <message>
        <location filename="../../ui/views/followup_view.py" line="68"/>
        <source>Whose calls to show; remembered on this PC</source>
        <translation>显示哪位回访员的电话；本机会记住此选择</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="69"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="84"/>
        <source>Key %1, or Alt+%1 while typing</source>
        <translation>按 %1；正在输入文字时按 Alt+%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="98"/>
        <source>What did they say? e.g. 刚结婚，想换个大点的车</source>
        <translation>客户说了什么？例如：刚结婚，想换个大点的车</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="102"/>
        <source>Call again on</source>
        <translation>再次致电</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="110"/>
        <source>%1 days</source>
        <translation>%1 天</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="119"/>
        <source>not asked</source>
        <translation>未询问</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="122"/>
        <source>no change</source>
        <translation>无变化</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="129"/>
        <source>Save and next (Ctrl+Enter)</source>
        <translation>保存并下一个（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="133"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="135"/>
        <source>&amp;Feedback</source>
        <translation>客户反馈(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="136"/>
        <source>Next follow-up</source>
        <translation>下次跟进</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="137"/>
        <source>&amp;Km now</source>
        <translation>当前里程(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="141"/>
        <source>&amp;Profile change</source>
        <translation>画像变更(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="153"/>
        <source>Caller:</source>
        <translation>回访员：</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="229"/>
        <source>Loading calls</source>
        <translation>正在加载待拨电话</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/followup_view.py" line="265"/>
        <source>%n call(s) to make</source>
        <translation>
            <numerusform>待拨 %n 个电话</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="289"/>
        <source>No calls due. Well done.</source>
        <translation>没有待拨的电话，辛苦了！</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="293"/>
        <source>no mobile</source>
        <translation>无手机</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="297"/>
        <source>best time: %1</source>
        <translation>最佳时间：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="299"/>
        <source>attempt %1</source>
        <translation>第 %1 次拨打</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="311"/>
        <source>Loading the brief</source>
        <translation>正在载入简报</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="364"/>
        <source>Pick an outcome first: keys 1 … 6</source>
        <translation>请先选择结果：按键 1 … 6</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="397"/>
        <source>Saved for %1: %2</source>
        <translation>已保存 %1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="391"/>
        <source>Saving call</source>
        <translation>正在保存通话结果</translation>
    </message>
</context>
<context>
    <name>ImportView</name>
    <message>
        <location filename="../../ui/views/import_view.py" line="105"/>
        <source>◀ &amp;Back</source>
        <translation>◀ 上一步(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="120"/>
        <source>New import</source>
        <translation>新建导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="121"/>
        <source>Past imports</source>
        <translation>以往导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="122"/>
        <source>Duplicate customers</source>
        <translation>重复客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="142"/>
        <source>Excel or CSV files (*.xlsx *.xls *.csv);;All files (*)</source>
        <translation>Excel 或 CSV 文件 (*.xlsx *.xls *.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="143"/>
        <source>Choose the file to import</source>
        <translation>选择要导入的文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="164"/>
        <source>Reading the file</source>
        <translation>正在读取文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="203"/>
        <source>Recognised from the file&apos;s headers; fields marked yellow are guesses to check. Change any column with its box.</source>
        <translation>已根据文件的列标题识别；标黄的字段为推测，请核对。每列都可以在其下拉框中更改。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="230"/>
        <source>From the saved mapping “%1”.</source>
        <translation>来自已保存的列对应方案“%1”。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="247"/>
        <source>Save the columns as a mapping</source>
        <translation>将各列保存为列对应方案</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="248"/>
        <source>Name of the mapping, e.g. the system the file comes from:</source>
        <translation>列对应方案名称，例如文件来源系统：</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="261"/>
        <source>Mapping “%1” saved.</source>
        <translation>列对应方案“%1”已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="295"/>
        <source>Checking every row against the database… Nothing is written. Progress and Cancel are at the bottom of the window.</source>
        <translation>正在将每一行与数据库核对…不会写入任何数据。进度和“取消”按钮位于窗口底部。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="304"/>
        <source>The dry run was cancelled.</source>
        <translation>试导入已取消。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="306"/>
        <source>Dry run</source>
        <translation>试导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="328"/>
        <source>The import was cancelled; the rows it had written were taken back.</source>
        <translation>导入已取消，已写入的行已全部撤回。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="330"/>
        <source>Importing %1</source>
        <translation>正在导入 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="338"/>
        <source>Import “%1” as %2 now? By the dry run: %3 new, %4 updated, %5 unchanged, %6 not imported.</source>
        <translation>现在将“%1”作为%2导入？试导入结果：新增 %3，更新 %4，未变 %5，未导入 %6。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="347"/>
        <source>The import is stored as one batch that can be undone under Past imports.</source>
        <translation>本次导入将保存为一个批次，可在“以往导入”中撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="351"/>
        <source>Import the file</source>
        <translation>导入文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="364"/>
        <source>Import #%1 stored: %2 new, %3 updated, %4 unchanged, %5 not imported.</source>
        <translation>导入 #%1 已保存：新增 %2，更新 %3，未变 %4，未导入 %5。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="378"/>
        <source>%1-not imported.xlsx</source>
        <translation>%1-未导入.xlsx</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="380"/>
        <source>Excel files (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="381"/>
        <source>Save the rejected rows</source>
        <translation>保存未导入的行</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="387"/>
        <source>Rejected rows saved to %1</source>
        <translation>未导入的行已保存到 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="390"/>
        <source>Saving the rejected rows</source>
        <translation>正在保存未导入的行</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="404"/>
        <source>The dry run did not finish.</source>
        <translation>试导入未完成。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="450"/>
        <source>Step 1 of 5: the kind of file and the file</source>
        <translation>第 1 步（共 5 步）：文件类型和文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="451"/>
        <source>Step 2 of 5: the sheet and the row of column headers</source>
        <translation>第 2 步（共 5 步）：工作表和列标题所在行</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="452"/>
        <source>Step 3 of 5: which column holds what</source>
        <translation>第 3 步（共 5 步）：各列对应的内容</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="453"/>
        <source>Step 4 of 5: dry run — what the import would do</source>
        <translation>第 4 步（共 5 步）：试导入——导入将如何处理</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="454"/>
        <source>Step 5 of 5: imported</source>
        <translation>第 5 步（共 5 步）：已导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="463"/>
        <source>&amp;Dry run ▶</source>
        <translation>试导入(&amp;D) ▶</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="464"/>
        <source>&amp;Import…</source>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="465"/>
        <source>&amp;New import</source>
        <translation>新建导入(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_view.py" line="467"/>
        <source>&amp;Next ▶</source>
        <translation>下一步(&amp;N) ▶</translation>
    </message>
</context>
<context>
    <name>ListOutputs</name>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="60"/>
        <source>&amp;Preview call sheet</source>
        <translation>预览回访单(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="61"/>
        <source>P&amp;rint…</source>
        <translation>打印(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="62"/>
        <source>Save call sheet PDF…</source>
        <translation>保存回访单 PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="63"/>
        <source>Save call list (Excel)…</source>
        <translation>保存电话名单（Excel）…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="64"/>
        <source>Save mail list (Excel)…</source>
        <translation>保存邮寄名单（Excel）…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="68"/>
        <source>Save labels / envelopes PDF…</source>
        <translation>保存标签/信封 PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="71"/>
        <source>Merge fields: {姓名} {称呼} {车型} {车牌} {品牌}</source>
        <translation>可用合并字段：{姓名} {称呼} {车型} {车牌} {品牌}</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="74"/>
        <source>Save SMS vendor file…</source>
        <translation>保存短信平台文件…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="78"/>
        <source>Call sheet</source>
        <translation>回访单</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="82"/>
        <source>Excel and mail</source>
        <translation>Excel 与邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="88"/>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="90"/>
        <source>Message</source>
        <translation>短信内容</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="91"/>
        <source>Send at</source>
        <translation>发送时间</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_outputs.py" line="143"/>
        <source>%n page(s)</source>
        <translation>
            <numerusform>共 %n 页</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="152"/>
        <source>Making the call sheet</source>
        <translation>正在生成回访单</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="190"/>
        <location filename="../../ui/views/list_outputs.py" line="193"/>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="188"/>
        <source>Excel (*.xlsx);;CSV (*.csv)</source>
        <translation>Excel 文件 (*.xlsx);;CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="197"/>
        <source>Save as</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="228"/>
        <source>Writing %1</source>
        <translation>正在写入 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="233"/>
        <location filename="../../ui/views/list_outputs.py" line="240"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="235"/>
        <source>%1 numbers, %2 billed messages, %3 skipped</source>
        <translation>%1 个号码，计费短信 %2 条，跳过 %3 个</translation>
    </message>
</context>
<context>
    <name>ListsView</name>
    <message>
        <location filename="../../ui/views/lists_view.py" line="61"/>
        <source>◀ &amp;Back</source>
        <translation>◀ 上一步(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="62"/>
        <source>&amp;Next ▶</source>
        <translation>下一步(&amp;N) ▶</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="75"/>
        <source>New list</source>
        <translation>新建名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="76"/>
        <source>Past runs</source>
        <translation>历史名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="107"/>
        <source>Each customer&apos;s preferred channel</source>
        <translation>按客户偏好渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="108"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="109"/>
        <location filename="../../ui/views/lists_view.py" line="343"/>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="110"/>
        <source>Mail</source>
        <translation>邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="120"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="124"/>
        <source>Evenly between the callers</source>
        <translation>在回访员之间平均分配</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="125"/>
        <source>Each customer to their own staff member</source>
        <translation>分给各自的负责员工</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="126"/>
        <source>B&amp;uild the list</source>
        <translation>生成名单(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="130"/>
        <source>Excluded automatically, each with the reason shown: do-not-contact on the channel, no marketing consent for sales, contacted recently, an unresolved complaint for sales, no valid mobile or address, unanswered calls waiting to come back.</source>
        <translation>以下客户会自动排除并注明原因：该渠道设为勿扰、销售类联系但无营销同意、近期已联系、有未解决投诉（销售类）、无有效手机号或地址、未接通电话尚在等待重拨。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="142"/>
        <source>&amp;Segment</source>
        <translation>客户分群(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="143"/>
        <source>Evaluation &amp;date</source>
        <translation>评估日期(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="151"/>
        <source>&amp;Purpose</source>
        <translation>目的(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="154"/>
        <location filename="../../ui/views/lists_view.py" line="300"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="155"/>
        <source>Not contacted again within</source>
        <translation>在此天数内不重复联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="156"/>
        <source>Callers</source>
        <translation>回访员</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="157"/>
        <source>Split</source>
        <translation>分配方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="181"/>
        <source>Loading segments and callers</source>
        <translation>正在载入分群和回访员</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="239"/>
        <source>Building the list</source>
        <translation>正在生成名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="248"/>
        <source>Build a list from the segment “%1” for %2, channel: %3, evaluated on %4?</source>
        <translation>用分群“%1”生成名单吗？目的：%2，渠道：%3，评估日期：%4。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="255"/>
        <source>The list is stored as a new run.</source>
        <translation>名单将保存为一份新名单，可在历史名单中查看。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/lists_view.py" line="258"/>
        <source>The list is stored as a new run, and its calls are assigned to %n caller(s) and appear in their follow-up queues.</source>
        <translation>
            <numerusform>名单将保存为一份新名单，其中的电话分配给 %n 位回访员，并出现在他们的“我的跟进”中。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="265"/>
        <source>The list is stored as a new run. No caller is ticked, so its calls are not assigned to anyone&apos;s follow-up queue.</source>
        <translation>名单将保存为一份新名单。没有勾选回访员，所以其中的电话不会分配到任何人的“我的跟进”。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="270"/>
        <source>Build and store the list</source>
        <translation>生成并保存名单</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/lists_view.py" line="279"/>
        <source>List #%1 stored: %n customer(s) in it.</source>
        <translation>
            <numerusform>名单 #%1 已保存：共 %n 位客户。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="298"/>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="299"/>
        <location filename="../../ui/views/lists_view.py" line="308"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="301"/>
        <source>Caller</source>
        <translation>回访员</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="302"/>
        <location filename="../../ui/views/lists_view.py" line="308"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="303"/>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="304"/>
        <source>Best time</source>
        <translation>最佳时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="308"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="308"/>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="312"/>
        <source>In the list</source>
        <translation>名单内</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="316"/>
        <source>Excluded, and why</source>
        <translation>已排除及原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="333"/>
        <source>Loading the list</source>
        <translation>正在加载名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="342"/>
        <location filename="../../ui/views/lists_view.py" line="345"/>
        <source>phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="344"/>
        <source>mail</source>
        <translation>邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="354"/>
        <source>List #%1 from “%2” on %3: %4. Excluded: %5.</source>
        <translation>名单 #%1（分群“%2”，评估日期 %3）：%4。已排除：%5。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="362"/>
        <source>Since list #%1: %2 new, %3 no longer in it.</source>
        <translation>与名单 #%1 相比：新增 %2 人，移出 %3 人。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="393"/>
        <source>List</source>
        <translation>名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="393"/>
        <source>Segment</source>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="393"/>
        <source>Evaluated on</source>
        <translation>评估日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="393"/>
        <source>Members</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="396"/>
        <source>&amp;Open and re-print</source>
        <translation>打开并重新打印(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="429"/>
        <source>Step 1 of 3: what to send to whom</source>
        <translation>第 1 步（共 3 步）：联系谁、用什么方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="430"/>
        <source>Step 2 of 3: who is in the list, who is not and why</source>
        <translation>第 2 步（共 3 步）：名单内的客户，以及被排除的客户和原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="431"/>
        <source>Step 3 of 3: print and save</source>
        <translation>第 3 步（共 3 步）：打印与保存</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="47"/>
        <source>Revisit — service marketing</source>
        <translation>回访 — 服务营销</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="58"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="61"/>
        <source>Segments</source>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="63"/>
        <source>Lists</source>
        <translation>名单</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="64"/>
        <source>My follow-ups</source>
        <translation>我的跟进</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="65"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="67"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="69"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="73"/>
        <source>Audit trail</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="132"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="141"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="144"/>
        <source>Signed in as %1</source>
        <translation>当前登录：%1</translation>
    </message>
</context>
<context>
    <name>MappingPage</name>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="115"/>
        <source>Saved &amp;mapping</source>
        <translation>已保存的列对应方案(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="117"/>
        <source>Sa&amp;ve as a mapping…</source>
        <translation>另存为列对应方案(&amp;V)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="119"/>
        <source>Keep these columns under a name for the next file from the same system</source>
        <translation>将这些列的对应关系命名保存，供同一系统导出的下一个文件使用</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="126"/>
        <source>A row updates the stored customer with</source>
        <translation>按以下方式匹配并更新已有客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="127"/>
        <source>the same mobile</source>
        <translation>手机相同</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="127"/>
        <source>the same VIN</source>
        <translation>车架号相同</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="128"/>
        <source>the same mobile, else the same VIN</source>
        <translation>手机相同，否则车架号相同</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="138"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="138"/>
        <source>Needed</source>
        <translation>必需</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="138"/>
        <source>Column in the file</source>
        <translation>文件中的列</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="139"/>
        <source>First values in that column</source>
        <translation>该列的前几个值</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="185"/>
        <source>The file has no column headers to map.</source>
        <translation>文件中没有可对应的列标题。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="191"/>
        <source>Choose a column for %1: every row needs it.</source>
        <translation>请为 %1 选择一列：每行都需要此项。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="198"/>
        <source>Choose a column for %1 (at least one): they find the customer.</source>
        <translation>请为 %1 选择一列（至少一项）：用于识别客户。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="210"/>
        <source>— recognised from the headers —</source>
        <translation>— 根据列标题识别 —</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="241"/>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="243"/>
        <source>Finds the customer</source>
        <translation>用于识别客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="253"/>
        <source>— not imported —</source>
        <translation>— 不导入 —</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="255"/>
        <source>(no header)</source>
        <translation>（无标题）</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="291"/>
        <source>Every row needs this field.</source>
        <translation>每行都需要此字段。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="294"/>
        <source>Guessed from a similar header or from the values: please check.</source>
        <translation>根据相似的列标题或数据推测得出，请核对。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_mapping.py" line="308"/>
        <source>%n column(s) of the file are imported.</source>
        <translation>
            <numerusform>将导入文件中的 %n 列。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_mapping.py" line="310"/>
        <source>Not imported: %1.</source>
        <translation>不导入：%1。</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../../ui/dialogs/password_dialog.py" line="63"/>
        <source>&amp;Current password</source>
        <translation>当前密码(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/password_dialog.py" line="64"/>
        <source>&amp;New password</source>
        <translation>新密码(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/password_dialog.py" line="65"/>
        <source>&amp;Repeat new password</source>
        <translation>再次输入新密码(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/password_dialog.py" line="82"/>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>PlanPanel</name>
    <message>
        <location filename="../../ui/views/import_plan.py" line="41"/>
        <source>New</source>
        <translation>新增</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="42"/>
        <source>Updated</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="43"/>
        <source>Unchanged</source>
        <translation>未变</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="44"/>
        <source>Not imported</source>
        <translation>未导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="72"/>
        <location filename="../../ui/views/import_plan.py" line="73"/>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="72"/>
        <source>Why rows are not imported</source>
        <translation>未导入原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="73"/>
        <source>Corrected or noted (rows imported)</source>
        <translation>已更正或已备注（行已导入）</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="75"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="75"/>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="75"/>
        <source>What happens</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="75"/>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="76"/>
        <source>In the file</source>
        <translation>文件中的内容</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="82"/>
        <source>Save the rejected rows as &amp;Excel…</source>
        <translation>将未导入的行保存为 Excel(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="84"/>
        <source>Every row not imported with its original row number and the reasons, to correct and import again</source>
        <translation>所有未导入的行，附原行号和原因，便于更正后重新导入</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="88"/>
        <source>&amp;Run the dry run again</source>
        <translation>重新试导入(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="102"/>
        <source>First rows of each result</source>
        <translation>各结果的前几行</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_plan.py" line="153"/>
        <source>Import #%1 stored: %2, %n row(s).</source>
        <translation>
            <numerusform>导入批次 #%1 已保存：%2，共 %n 行。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_plan.py" line="156"/>
        <source>Dry run of %1: %n row(s). Nothing was written.</source>
        <translation>
            <numerusform>试导入 %1：共 %n 行。未写入任何数据。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="164"/>
        <source>This file was imported before (%1). Importing it again changes only what differs from the database now.</source>
        <translation>此文件以前导入过（%1）。再次导入只会更改与当前数据库不同的内容。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="185"/>
        <source>To take this import back, undo batch #%1 under Past imports.</source>
        <translation>如需撤回本次导入，请在“以往导入”中撤销批次 #%1。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="189"/>
        <source>No row can be imported: correct the file or the columns first.</source>
        <translation>没有可导入的行：请先更正文件或列对应。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="197"/>
        <source>customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="198"/>
        <source>vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="199"/>
        <source>km readings</source>
        <translation>公里数记录</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="212"/>
        <source>Created: %1</source>
        <translation>已新建：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="212"/>
        <source>Would create: %1</source>
        <translation>将新建：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="215"/>
        <source>Changed: %1</source>
        <translation>已更改：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_plan.py" line="215"/>
        <source>Would change: %1</source>
        <translation>将更改：%1</translation>
    </message>
</context>
<context>
    <name>PreferencesPanel</name>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="184"/>
        <source>Tick the channels they accept; drag to put the favourite first</source>
        <translation>勾选客户接受的渠道；拖动把最喜欢的放在最前面</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="193"/>
        <source>Only between</source>
        <translation>仅在</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="211"/>
        <source>e.g. 中午别打电话</source>
        <translation>例如：中午别打电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="212"/>
        <source>&amp;Save preferences</source>
        <translation>保存偏好(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="213"/>
        <source>&amp;Undo last save</source>
        <translation>撤销上次保存(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="217"/>
        <source>How and when to reach them</source>
        <translation>如何、何时联系客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="219"/>
        <source>Channels</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="220"/>
        <source>Days</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="221"/>
        <source>Times</source>
        <translation>时段</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="223"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="224"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="236"/>
        <source>Consent &amp;given</source>
        <translation>已同意(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="237"/>
        <source>Consent &amp;withdrawn</source>
        <translation>已撤回同意(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="240"/>
        <source>Marketing consent (PIPL)</source>
        <translation>营销同意（个人信息保护法）</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="244"/>
        <source>on</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="251"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="251"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="251"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="251"/>
        <source>Set on</source>
        <translation>设置日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="252"/>
        <source>Ends</source>
        <translation>结束日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="252"/>
        <source>Lifted</source>
        <translation>解除日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="252"/>
        <source>In force</source>
        <translation>生效中</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="254"/>
        <source>&amp;Add do-not-contact…</source>
        <translation>添加勿扰(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="255"/>
        <source>&amp;Lift selected…</source>
        <translation>解除所选(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="258"/>
        <source>Do not contact (kept with its history)</source>
        <translation>勿扰（保留历史记录）</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="307"/>
        <source>Not asked yet</source>
        <translation>尚未征询</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="308"/>
        <source>Given on %1</source>
        <translation>%1 已同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="308"/>
        <source>Withdrawn on %1</source>
        <translation>%1 已撤回</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="314"/>
        <source>All channels</source>
        <translation>所有渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="315"/>
        <source>All purposes</source>
        <translation>所有目的</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="364"/>
        <source>Put the preferences back as they were before the last save</source>
        <translation>把联系偏好恢复到上次保存之前的样子</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="366"/>
        <source>Available after you save preferences</source>
        <translation>保存偏好后可用</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="377"/>
        <source>Saving preferences</source>
        <translation>正在保存偏好</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="377"/>
        <source>Preferences saved</source>
        <translation>联系偏好已保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="397"/>
        <source>Undoing</source>
        <translation>正在撤销</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="398"/>
        <source>Preferences put back as before the last save</source>
        <translation>联系偏好已恢复到上次保存之前</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="405"/>
        <source>Marketing consent recorded as given on %1</source>
        <translation>已记录：客户于 %1 给予营销同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="406"/>
        <source>Marketing consent recorded as withdrawn on %1</source>
        <translation>已记录：客户于 %1 撤回营销同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="410"/>
        <source>Saving consent</source>
        <translation>正在保存同意记录</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="421"/>
        <source>Saving do-not-contact</source>
        <translation>正在保存勿扰</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="421"/>
        <source>Do-not-contact added</source>
        <translation>勿扰已添加</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="427"/>
        <location filename="../../ui/views/preferences_panel.py" line="431"/>
        <source>Lift do-not-contact</source>
        <translation>解除勿扰</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="428"/>
        <source>Why is it lifted (it stays in the history)?</source>
        <translation>解除原因（会保留在历史记录中）？</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="432"/>
        <source>Allow contacting this customer again on this channel and purpose from today?</source>
        <translation>从今天起允许再次通过该渠道、为该目的联系这位客户吗？</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="439"/>
        <source>Lifting do-not-contact</source>
        <translation>正在解除勿扰</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="439"/>
        <source>Do-not-contact lifted</source>
        <translation>勿扰已解除</translation>
    </message>
</context>
<context>
    <name>ProfileChangeDialog</name>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="30"/>
        <source>Record a change for %1</source>
        <translation>记录 %1 的变更</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="36"/>
        <source>— choose —</source>
        <translation>— 请选择 —</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="39"/>
        <source>Type the new value</source>
        <translation>输入新值</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="48"/>
        <source>The day it became true, e.g. the wedding day; today if they did not say</source>
        <translation>实际发生变化的日期，例如结婚那天；客户没说就填今天</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="53"/>
        <source>Where we learned it</source>
        <translation>我们从哪里得知</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="55"/>
        <source>What they said, e.g. 刚结婚，想换大车</source>
        <translation>客户原话，例如：刚结婚，想换大车</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="61"/>
        <source>&amp;Attribute</source>
        <translation>属性(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="62"/>
        <source>Now</source>
        <translation>当前值</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="63"/>
        <source>&amp;New value</source>
        <translation>新值(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="64"/>
        <source>&amp;Effective from</source>
        <translation>生效日期(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="65"/>
        <source>&amp;Source</source>
        <translation>来源(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="66"/>
        <source>N&amp;ote</source>
        <translation>备注(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/profile_change_dialog.py" line="85"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <location filename="../../ui/files.py" line="37"/>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="38"/>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>RefusalDialog</name>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="92"/>
        <source>Do not contact</source>
        <translation>勿扰</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="94"/>
        <source>All channels</source>
        <translation>所有渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="98"/>
        <source>All purposes</source>
        <translation>所有目的</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="112"/>
        <source>e.g. 客户明确表示不接受销售电话</source>
        <translation>例如：客户明确表示不接受销售电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="118"/>
        <source>Ends on</source>
        <translation>结束于</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="129"/>
        <source>&amp;Channel</source>
        <translation>渠道(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="130"/>
        <source>&amp;Purpose</source>
        <translation>目的(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="132"/>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="133"/>
        <source>From</source>
        <translation>开始</translation>
    </message>
</context>
<context>
    <name>ReportsView</name>
    <message>
        <location filename="../../ui/views/reports_view.py" line="34"/>
        <source>◀ Previous week</source>
        <translation>◀ 上一周</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="36"/>
        <source>Next week ▶</source>
        <translation>下一周 ▶</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="42"/>
        <source>Caller</source>
        <translation>回访员</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="42"/>
        <source>Contacts</source>
        <translation>联系次数</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="42"/>
        <source>Reach rate</source>
        <translation>接通率</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="47"/>
        <source>From</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="49"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="81"/>
        <source>Counting</source>
        <translation>正在统计</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="91"/>
        <source>%1 contacts (%2). Follow-ups due in this period: %3. Open complaints: %4.</source>
        <translation>共联系 %1 次（%2）。本期到期的跟进：%3。未解决的投诉：%4。</translation>
    </message>
    <message>
        <location filename="../../ui/views/reports_view.py" line="101"/>
        <source>(automatic SMS)</source>
        <translation>（自动短信）</translation>
    </message>
</context>
<context>
    <name>SegmentsView</name>
    <message>
        <location filename="../../ui/views/segments_view.py" line="56"/>
        <source>Every date-relative field is computed for this day</source>
        <translation>所有与日期相关的字段都按这一天计算</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="58"/>
        <source>Builder</source>
        <translation>分群编辑器</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="59"/>
        <source>Replacement matrix</source>
        <translation>换车九宫格</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="60"/>
        <source>RFM classes</source>
        <translation>RFM八类客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="61"/>
        <source>Stages, tags, due soon</source>
        <translation>阶段、标签、即将到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="63"/>
        <source>Evaluation date</source>
        <translation>评估日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="77"/>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="79"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="81"/>
        <source>Duplicate…</source>
        <translation>复制…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="83"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="85"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="87"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="91"/>
        <source>Saved segments</source>
        <translation>已保存的分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="111"/>
        <source>Segment name, e.g. 5–6年 高满意度 换车</source>
        <translation>分群名称，例如：5–6年 高满意度 换车</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="112"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="130"/>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="131"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="132"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="133"/>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="134"/>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="141"/>
        <source>First members (double-click to open):</source>
        <translation>部分成员（双击打开）：</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="175"/>
        <source>Loading segments</source>
        <translation>正在载入分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="225"/>
        <source>The conditions in the builder are not saved as a segment yet.</source>
        <translation>分群编辑器中的条件还没有保存为分群。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="227"/>
        <source>The segment “%1” has changes that are not saved.</source>
        <translation>分群“%1”有未保存的修改。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="233"/>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="234"/>
        <source>Save them before the builder shows something else?</source>
        <translation>在编辑器换成其他内容之前，先保存这些修改吗？</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="274"/>
        <source>Opening segment</source>
        <translation>正在打开分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="305"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="308"/>
        <source>Counting…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="314"/>
        <source>Counting members</source>
        <translation>正在统计人数</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="321"/>
        <source>%1 customers</source>
        <translation>%1 位客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="323"/>
        <source>, %1 vehicles</source>
        <translation>，%1 辆车</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="341"/>
        <source>Give the segment a name first.</source>
        <translation>请先为分群命名。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="348"/>
        <source>Replace segment</source>
        <translation>替换分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="349"/>
        <source>A segment named “%1” exists. Replace its filter?</source>
        <translation>已有名为“%1”的分群。要替换它的筛选条件吗？</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="368"/>
        <source>Saving segment</source>
        <translation>正在保存分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="371"/>
        <source>Segment “%1” saved</source>
        <translation>分群“%1”已保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="389"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="394"/>
        <source>Rename segment</source>
        <translation>重命名分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="402"/>
        <source>Segment renamed to “%1”</source>
        <translation>分群已重命名为“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="408"/>
        <source>Duplicate segment</source>
        <translation>复制分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="408"/>
        <source>%1 (copy)</source>
        <translation>%1（副本）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="417"/>
        <source>Copy saved as “%1”</source>
        <translation>副本已保存为“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="426"/>
        <source>Delete segment</source>
        <translation>删除分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="427"/>
        <source>Delete the segment “%1”? Lists already made from it are kept.</source>
        <translation>删除分群“%1”吗？已用它生成的名单会保留。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="445"/>
        <source>Segment “%1” deleted</source>
        <translation>分群“%1”已删除</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="450"/>
        <source>Import segment</source>
        <translation>导入分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="450"/>
        <location filename="../../ui/views/segments_view.py" line="480"/>
        <source>Segment files (*.json)</source>
        <translation>分群文件 (*.json)</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="481"/>
        <source>Export segment</source>
        <translation>导出分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="494"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="507"/>
        <source>no km floor</source>
        <translation>不限里程</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="512"/>
        <source>Low (0–6)</source>
        <translation>低（0–6）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="513"/>
        <source>Middle (7–8)</source>
        <translation>中（7–8）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="514"/>
        <source>High (9–10)</source>
        <translation>高（9–10）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="515"/>
        <source>No score</source>
        <translation>无评分</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="522"/>
        <source>%1 years</source>
        <translation>%1 年</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="526"/>
        <source>Open these vehicles&apos; owners in the builder</source>
        <translation>在分群编辑器中打开这些车辆的车主</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="534"/>
        <source>Only vehicles with at least</source>
        <translation>仅含里程不低于</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="552"/>
        <source>Counting the matrix</source>
        <translation>正在统计九宫格</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="561"/>
        <source>%1 vehicles
%2 customers</source>
        <translation>%1 辆车
%2 位客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="567"/>
        <source>Years since purchase × latest satisfaction score, on %1. A customer with two old cars can sit in two cells; lists contact each customer once.</source>
        <translation>购车年限 × 最近一次满意度评分，评估日期 %1。有两辆旧车的客户可能同时出现在两个格子里；生成名单时每位客户只联系一次。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="580"/>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="580"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="589"/>
        <source>Double-click a class to open it in the builder.</source>
        <translation>双击某个类别，可在分群编辑器中打开。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="602"/>
        <source>Preparing the RFM and mileage figures</source>
        <translation>正在准备 RFM 与里程数据</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="613"/>
        <source>Counting RFM classes</source>
        <translation>正在统计 RFM 分类</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="636"/>
        <source>Spends from %1 to %2. Thresholds (means): R ≤ %3 days, F ≥ %4, M ≥ ¥%5. %6 customers have a class.</source>
        <translation>消费期间 %1 至 %2。阈值（平均值）：R ≤ %3 天，F ≥ %4，M ≥ ¥%5。共 %6 位客户有分类。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="654"/>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="654"/>
        <source>Count</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="662"/>
        <source>Due soon counts the next 30 days. Double-click a row to open it in the builder.</source>
        <translation>“即将到期”统计未来 30 天。双击某一行，可在分群编辑器中打开。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="685"/>
        <source>Counting groups</source>
        <translation>正在统计分组</translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <location filename="../../ui/views/settings_view.py" line="67"/>
        <source>This computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="69"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="74"/>
        <source>Where Revisit first suggests saving lists, call sheets and labels</source>
        <translation>保存名单、回访单和标签时默认打开的文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="76"/>
        <source>&amp;Choose…</source>
        <translation>选择(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="81"/>
        <source>Export folder</source>
        <translation>导出文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="82"/>
        <source>Change my &amp;password…</source>
        <translation>修改我的密码(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="89"/>
        <source>Signed in as</source>
        <translation>当前用户</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="94"/>
        <source>Province, city, district, street</source>
        <translation>省、市、区、街道</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="101"/>
        <source>Counted in every SMS&apos;s length, e.g. 【某某丰田】</source>
        <translation>计入每条短信的字数，例如【某某丰田】</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="103"/>
        <source>Marketing SMS must say how to refuse, e.g. 回T退订</source>
        <translation>营销短信必须注明退订方式，例如：回T退订</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="106"/>
        <source>Generic file</source>
        <translation>通用文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="107"/>
        <source>Aliyun</source>
        <translation>阿里云</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="108"/>
        <source>Huawei Cloud</source>
        <translation>华为云</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="124"/>
        <location filename="../../ui/views/settings_view.py" line="125"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="130"/>
        <source>&amp;Save shared settings</source>
        <translation>保存共享设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="133"/>
        <source>Shared by every PC on this database</source>
        <translation>使用此数据库的所有电脑共享</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="135"/>
        <source>Shop name</source>
        <translation>门店名称</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="136"/>
        <source>Shop phone</source>
        <translation>门店电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="137"/>
        <source>Shop address (envelope sender)</source>
        <translation>门店地址（信封寄件人）</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="138"/>
        <source>Shop postcode</source>
        <translation>门店邮编</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="139"/>
        <source>Label sheet</source>
        <translation>标签纸规格</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="140"/>
        <source>SMS signature</source>
        <translation>短信签名</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="141"/>
        <source>SMS opt-out text</source>
        <translation>短信退订提示</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="142"/>
        <source>SMS vendor file layout</source>
        <translation>短信平台文件格式</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="143"/>
        <source>Marketing SMS only between</source>
        <translation>营销短信发送时段</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="144"/>
        <source>Do not contact again within</source>
        <translation>在此天数内不重复联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="145"/>
        <source>Unanswered calls come back after</source>
        <translation>未接通电话重拨间隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="146"/>
        <source>Switch to SMS or mail after failed calls</source>
        <translation>未接通几次后改用短信或邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="156"/>
        <source>Only a supervisor may change these settings.</source>
        <translation>只有主管可以修改这些设置。</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="159"/>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="161"/>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="162"/>
        <source>Schema revision</source>
        <translation>数据库结构版本</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="174"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="178"/>
        <source>Staff accounts</source>
        <translation>员工账号</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="230"/>
        <source>Saving settings</source>
        <translation>正在保存设置</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="235"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="240"/>
        <source>The new language applies when Revisit restarts.</source>
        <translation>新语言将在回访重新启动后生效。</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="247"/>
        <source>Change my password</source>
        <translation>修改我的密码</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="252"/>
        <source>Password changed</source>
        <translation>密码已修改</translation>
    </message>
</context>
<context>
    <name>SheetPage</name>
    <message>
        <location filename="../../ui/views/import_source.py" line="138"/>
        <source>&amp;Sheet</source>
        <translation>工作表(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="145"/>
        <source>Column &amp;headers are in row</source>
        <translation>列标题所在行(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="176"/>
        <source>Choose a file first.</source>
        <translation>请先选择文件。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/import_source.py" line="195"/>
        <source>Row %1 holds the column headers (%n column(s)); it is tinted below. If another row holds them, enter its number.</source>
        <translation>
            <numerusform>第 %1 行为列标题（%n 列），已在下方以底色标出。如果列标题在其他行，请输入该行行号。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="203"/>
        <source>No row of column headers was found. Enter the number of the row that holds them.</source>
        <translation>未找到列标题行。请输入列标题所在行的行号。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="209"/>
        <source>row %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="216"/>
        <source>Above the headers, not imported: %1</source>
        <translation>列标题上方的内容（不导入）：%1</translation>
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
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="100"/>
        <source>Sign in to Revisit</source>
        <translation>登录回访</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="105"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="106"/>
        <source>Database: %1</source>
        <translation>数据库：%1</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="109"/>
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="110"/>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="121"/>
        <source>Type your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="143"/>
        <source>Choose your own password</source>
        <translation>设置您自己的密码</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/sign_in_dialog.py" line="144"/>
        <source>A supervisor reset your password. Choose your own now; only you will know it.</source>
        <translation>主管重置了您的密码。请现在设置您自己的密码，只有您本人知道。</translation>
    </message>
</context>
<context>
    <name>SourcePage</name>
    <message>
        <location filename="../../ui/views/import_source.py" line="55"/>
        <source>Owners and their cars, as the DMS exports them: name, mobile, address, VIN, plate, purchase date, km.</source>
        <translation>车主及其车辆（DMS 导出格式）：姓名、手机、地址、车架号、车牌、购车日期、公里数。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="59"/>
        <source>Work orders or visits to the workshop: date, plate or mobile, km, type, amount.</source>
        <translation>工单或进厂记录：日期、车牌或手机、公里数、类型、金额。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="62"/>
        <source>Satisfaction calls after a visit: date, plate or mobile, scores, comments.</source>
        <translation>进厂后的满意度回访：日期、车牌或手机、评分、意见。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="65"/>
        <source>Registered complaints: date, plate or mobile, topic, whether resolved.</source>
        <translation>已登记的投诉：日期、车牌或手机、主题、是否解决。</translation>
    </message>
    <message>
        <location filename="../../ui/views/import_source.py" line="68"/>
        <source>Calls, SMS and visits made to customers: when, how, why, the outcome.</source>
        <translation>对客户的电话、短信和拜访：时间、方式、原因、结果。</translation>
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
        <source>Excel (.xlsx, .xls) or CSV, as exported: title rows above the column headers and total rows are recognised. Nothing is written before the dry run has shown what would happen.</source>
        <translation>Excel（.xlsx、.xls）或 CSV，保持导出原样即可：列标题上方的标题行和合计行都能识别。试导入显示处理结果之前，不会写入任何数据。</translation>
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
    <name>UsersPanel</name>
    <message>
        <location filename="../../ui/views/users_panel.py" line="45"/>
        <source>&amp;Add account…</source>
        <translation>新增账号(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="46"/>
        <location filename="../../ui/views/users_panel.py" line="93"/>
        <source>D&amp;isable</source>
        <translation>停用(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="47"/>
        <source>Reset &amp;password…</source>
        <translation>重置密码(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="70"/>
        <source>Loading accounts</source>
        <translation>正在读取账号</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="92"/>
        <source>E&amp;nable</source>
        <translation>启用(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="101"/>
        <source>Account %1 added</source>
        <translation>已新增账号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="112"/>
        <source>Disable account</source>
        <translation>停用账号</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="113"/>
        <source>Disable %1? They can no longer sign in; what they did stays in the history.</source>
        <translation>停用 %1？停用后将无法登录，其操作记录仍会保留。</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="124"/>
        <source>%1 can sign in again</source>
        <translation>%1 可以重新登录</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="125"/>
        <source>%1 can no longer sign in</source>
        <translation>%1 已无法登录</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="137"/>
        <source>Reset the password of %1</source>
        <translation>重置 %1 的密码</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="138"/>
        <source>%1 signs in once with this password, then chooses their own.</source>
        <translation>%1 用此密码登录一次后，须设置自己的密码。</translation>
    </message>
    <message>
        <location filename="../../ui/views/users_panel.py" line="143"/>
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
        <source>Password reset</source>
        <translation>密码已重置</translation>
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
        <location filename="../../ui/views/filter_editor.py" line="196"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../ui/views/filter_editor.py" line="197"/>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../ui/app.py" line="71"/>
        <location filename="../../ui/app.py" line="87"/>
        <source>Revisit</source>
        <translation>回访</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../ui/error_messages.py" line="6"/>
        <source>Unknown call outcome &apos;{outcome}&apos;.</source>
        <translation>未知的通话结果“{outcome}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="7"/>
        <source>The next follow-up date {date} is in the past.</source>
        <translation>下次跟进日期 {date} 已经过去。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="8"/>
        <source>{km} km is not a plausible odometer reading.</source>
        <translation>{km} 公里不是合理的里程表读数。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="9"/>
        <source>{km} km is less than the {previous} km read on {date}; check the number.</source>
        <translation>{km} 公里小于 {date} 记录的 {previous} 公里，请检查数字。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="10"/>
        <source>That list entry no longer exists.</source>
        <translation>该名单条目已不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="11"/>
        <source>Choose the vehicle the km reading belongs to.</source>
        <translation>请选择这次里程读数所属的车辆。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="136"/>
        <source>{user} has no password yet; a supervisor sets one in Settings (Staff accounts) or with `user passwd {user}`.</source>
        <translation>{user} 尚未设置密码；请主管在“设置”（员工账号）中或用 `user passwd {user}` 设置。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="161"/>
        <source>Database error on {where}: {detail}</source>
        <translation>数据库 {where} 出错：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="162"/>
        <source>&apos;{url}&apos; is not a database URL Revisit understands (e.g. sqlite:///file.db or postgresql://user:password@host/dbname).</source>
        <translation>“{url}”不是回访能识别的数据库地址（例如 sqlite:///file.db 或 postgresql://用户:密码@服务器/数据库名）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="167"/>
        <source>Cannot open the database file {where}: missing folder or no permission.</source>
        <translation>无法打开数据库文件 {where}：文件夹不存在或没有权限。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="168"/>
        <source>{where} is not a Revisit database (the file is damaged or of another kind).</source>
        <translation>{where} 不是回访数据库（文件已损坏或是其他类型的文件）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="169"/>
        <source>The disk holding {where} is full; nothing was changed.</source>
        <translation>{where} 所在的磁盘已满，未做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="170"/>
        <source>The database {where} is read-only.</source>
        <translation>数据库 {where} 是只读的。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="171"/>
        <source>Cannot connect to the database server {where}: {detail}</source>
        <translation>无法连接数据库服务器 {where}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="172"/>
        <source>The database {where} does not exist: {detail}</source>
        <translation>数据库 {where} 不存在：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="173"/>
        <source>{where} holds tables that are not Revisit&apos;s; refusing to change it.</source>
        <translation>{where} 中有不属于回访的数据表，为安全起见不做修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="175"/>
        <source>{where} was written by a newer version of Revisit (schema {revision}); update Revisit to open it.</source>
        <translation>{where} 由更新版本的回访写入（结构版本 {revision}），请先升级回访再打开。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="177"/>
        <source>{where} is a folder, not a database file.</source>
        <translation>{where} 是文件夹，不是数据库文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="178"/>
        <source>Cannot create the folder {where}: {detail}</source>
        <translation>无法创建文件夹 {where}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="49"/>
        <source>The number of demo customers must be between 1 and {max}, not {n}.</source>
        <translation>演示客户数量必须在 1 到 {max} 之间，而不是 {n}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="179"/>
        <source>A file could not be read or written: {reason}.</source>
        <translation>文件无法读取或写入：{reason}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="180"/>
        <source>Cannot use the file {path}: {reason}.</source>
        <translation>无法使用文件 {path}：{reason}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="68"/>
        <source>Unknown channel &apos;{channel}&apos; (use call, mail, sms or auto).</source>
        <translation>未知的渠道“{channel}”（请使用 call、mail、sms 或 auto）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="69"/>
        <source>Unknown purpose &apos;{purpose}&apos; (known: {known}).</source>
        <translation>未知的目的“{purpose}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="70"/>
        <source>There is no staff member &apos;{name}&apos; (use a username or a display name).</source>
        <translation>没有员工“{name}”（请使用用户名或显示名称）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="71"/>
        <source>{path} has no column {columns} in row 1; is it a call list exported by Revisit?</source>
        <translation>{path} 的第 1 行没有 {columns} 列；它是回访导出的电话名单吗？</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="72"/>
        <source>{path} cannot be read as an Excel .xlsx file: {detail}</source>
        <translation>无法将 {path} 作为 Excel .xlsx 文件读取：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="73"/>
        <source>There is no list run #{run}.</source>
        <translation>不存在名单 #{run}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="74"/>
        <source>{path} cannot be read as an Excel file: {detail}</source>
        <translation>无法将 {path} 作为 Excel 文件读取：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="75"/>
        <source>No Chinese TrueType font was found to print with. Install one (Linux: the package fonts-wqy-microhei; Windows has SimSun/Microsoft YaHei) or set {env} to a .ttf/.ttc file. Tried: {tried}</source>
        <translation>找不到可用于打印的中文 TrueType 字体。请安装一种（Linux：软件包 fonts-wqy-microhei；Windows 自带宋体/微软雅黑），或将 {env} 设为一个 .ttf/.ttc 文件。已尝试：{tried}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="76"/>
        <source>There is no label layout &apos;{name}&apos; (known: {known}).</source>
        <translation>没有标签版式“{name}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="80"/>
        <source>Marketing SMS may only be sent between {start} and {end}; the planned time {when} is outside that window.</source>
        <translation>营销短信只能在 {start} 至 {end} 之间发送；计划发送时间 {when} 不在此时段内。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="81"/>
        <source>The SMS sending window &apos;{text}&apos; ends before it starts.</source>
        <translation>短信发送时段“{text}”的结束时间早于开始时间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="82"/>
        <source>Unknown SMS vendor layout &apos;{vendor}&apos; (known: {known}).</source>
        <translation>未知的短信平台文件格式“{vendor}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="83"/>
        <source>The SMS template uses unknown merge field(s) {fields}; known fields are {known}.</source>
        <translation>短信模板使用了未知的合并字段 {fields}；可用字段为 {known}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="84"/>
        <source>The SMS signature must be the shop&apos;s name in 【】, 2 to 12 characters (got &apos;{signature}&apos;).</source>
        <translation>短信签名必须是用【】括起的门店名称，2 到 12 个字（当前为“{signature}”）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="85"/>
        <source>Marketing SMS need opt-out text such as 回T退订 or 拒收请回复R.</source>
        <translation>营销短信需要退订提示，例如“回T退订”或“拒收请回复R”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="86"/>
        <source>The SMS sending window &apos;{text}&apos; is not like 08:00-20:00.</source>
        <translation>短信发送时段“{text}”格式不对，应形如 08:00-20:00。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="87"/>
        <source>The SMS for row {row} would be {n} characters; the limit is {limit}.</source>
        <translation>第 {row} 行的短信将有 {n} 个字，上限为 {limit} 个字。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="88"/>
        <source>Huawei&apos;s bulk-send file holds phone numbers only, so every message must be the same; remove the merge fields or choose the Aliyun or generic layout.</source>
        <translation>华为云的群发文件只包含手机号码，所有短信内容必须相同；请删除合并字段，或改用阿里云或通用格式。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="28"/>
        <source>Unknown channel(s): {codes}.</source>
        <translation>未知的渠道：{codes}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="29"/>
        <source>Unknown time window(s): {codes}.</source>
        <translation>未知的时段：{codes}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="30"/>
        <source>Choose at least one channel the customer accepts.</source>
        <translation>请至少选择一个客户接受的渠道。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="31"/>
        <source>Unknown preferred days &apos;{days}&apos;.</source>
        <translation>未知的偏好日期“{days}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="32"/>
        <source>A preferred hour range needs a start before its end, within 0–24.</source>
        <translation>偏好时间段的开始必须早于结束，且在 0–24 点之间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="33"/>
        <source>Unknown language &apos;{language}&apos;.</source>
        <translation>未知的语言“{language}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="34"/>
        <source>Unknown consent source &apos;{source}&apos;.</source>
        <translation>未知的同意来源“{source}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="35"/>
        <source>The consent date {date} is in the future.</source>
        <translation>同意日期 {date} 在未来。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="36"/>
        <source>Unknown channel &apos;{channel}&apos;.</source>
        <translation>未知的渠道“{channel}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="37"/>
        <source>Unknown purpose &apos;{purpose}&apos;.</source>
        <translation>未知的目的“{purpose}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="38"/>
        <source>Say why the customer is not to be contacted.</source>
        <translation>请说明不联系该客户的原因。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="39"/>
        <source>The refusal must end after the day it starts ({date}).</source>
        <translation>勿扰的结束日期必须晚于开始日期（{date}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="40"/>
        <source>That do-not-contact entry no longer exists.</source>
        <translation>该勿扰记录已不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="41"/>
        <source>That do-not-contact entry was already lifted on {date}.</source>
        <translation>该勿扰记录已于 {date} 解除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="42"/>
        <source>A refusal cannot be lifted before it was set ({date}).</source>
        <translation>勿扰不能在设置日期（{date}）之前解除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="43"/>
        <source>Say why the refusal is lifted (e.g. the customer asked).</source>
        <translation>请说明解除勿扰的原因（例如客户主动要求）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="44"/>
        <source>Unknown profile attribute &apos;{attribute}&apos;.</source>
        <translation>未知的客户画像属性“{attribute}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="45"/>
        <source>&apos;{value}&apos; is not a valid value for {attribute} (allowed: {allowed}).</source>
        <translation>“{value}”不是 {attribute} 的有效值（可选：{allowed}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="46"/>
        <source>The value for {attribute} is longer than 100 characters.</source>
        <translation>{attribute} 的值超过 100 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="47"/>
        <source>Unknown source &apos;{source}&apos; for a profile change.</source>
        <translation>画像变更的来源“{source}”无效。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="48"/>
        <source>The change date {date} is in the future; record a change once it has happened.</source>
        <translation>变更日期 {date} 在未来，请在变更发生后再记录。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="89"/>
        <source>The report ends ({end}) before it starts ({start}).</source>
        <translation>报表的结束日期（{end}）早于开始日期（{start}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="90"/>
        <source>A segment named &apos;{name}&apos; already exists.</source>
        <translation>已有名为“{name}”的分群。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="91"/>
        <source>A segment name must have 1 to 100 characters.</source>
        <translation>分群名称必须为 1 到 100 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="92"/>
        <source>There is no segment named &apos;{name}&apos;.</source>
        <translation>没有名为“{name}”的分群。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="93"/>
        <source>{source} does not say the segment&apos;s name; give one.</source>
        <translation>{source} 中没有分群名称，请指定一个名称。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="96"/>
        <source>The number of days cannot be negative ({days}).</source>
        <translation>天数不能为负数（{days}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="97"/>
        <source>There is no template &apos;{key}&apos;.</source>
        <translation>没有模板“{key}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="98"/>
        <source>{source} is not valid JSON: {detail} (line {line}).</source>
        <translation>{source} 不是有效的 JSON：{detail}（第 {line} 行）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="99"/>
        <source>The segment &apos;{name}&apos; cannot be read: {detail}</source>
        <translation>无法读取分群“{name}”：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="94"/>
        <source>The quantile must be between 0 and 1, not {q}.</source>
        <translation>分位数必须在 0 到 1 之间，而不是 {q}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="13"/>
        <source>There is no customer #{id}.</source>
        <translation>没有编号为 #{id} 的客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="14"/>
        <source>Customer {code}&apos;s personal data was already erased on {date}.</source>
        <translation>客户 {code} 的个人信息已于 {date} 擦除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="15"/>
        <source>There is no customer with the code or id &apos;{ref}&apos;.</source>
        <translation>没有编号或 ID 为“{ref}”的客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="16"/>
        <source>Cannot undo merge #{merge}: the customer it kept no longer exists.</source>
        <translation>无法撤销合并 #{merge}：当时保留的客户已不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="17"/>
        <source>Customer {merged} was already merged into {kept} (merge #{merge} on {date}).</source>
        <translation>客户 {merged} 已合并到 {kept}（{date} 的合并 #{merge}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="18"/>
        <source>A customer cannot be merged into itself.</source>
        <translation>客户不能合并到自身。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="19"/>
        <source>Cannot undo merge #{merge}: the customer it kept was merged into another by merge #{later} since; undo that one first.</source>
        <translation>无法撤销合并 #{merge}：当时保留的客户此后又被合并 #{later} 并入其他客户；请先撤销那次合并。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="20"/>
        <source>Cannot undo merge #{merge}: the merged customer&apos;s id or code {code} is now used by another customer.</source>
        <translation>无法撤销合并 #{merge}：被合并客户的 ID 或编号 {code} 现已被其他客户使用。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="21"/>
        <source>Cannot undo merge #{merge}: {fields} of customer {code} changed after the merge; change them back first or keep the merge.</source>
        <translation>无法撤销合并 #{merge}：客户 {code} 的{fields}在合并后被修改过；请先改回原值，或保留这次合并。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="22"/>
        <source>Cannot undo merge #{merge}: some of the rows it moved ({tables}) were deleted or given to another customer since.</source>
        <translation>无法撤销合并 #{merge}：当时移过来的部分记录（{tables}）此后已被删除或转给其他客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="23"/>
        <source>Cannot undo merge #{merge}: records added to customer {code} since the merge use what it moved ({tables}).</source>
        <translation>无法撤销合并 #{merge}：合并后为客户 {code} 新增的记录引用了当时移过来的内容（{tables}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="24"/>
        <source>Cannot undo merge #{merge}: what the removed {tables} rows refer to was deleted since, or their ids are used again.</source>
        <translation>无法撤销合并 #{merge}：被删除的{tables}记录所引用的内容此后已被删除，或其 ID 已被重复使用。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="25"/>
        <source>There is no customer merge #{merge}.</source>
        <translation>不存在客户合并 #{merge}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="26"/>
        <source>Merge #{merge} was already undone on {date}.</source>
        <translation>合并 #{merge} 已于 {date} 撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="27"/>
        <source>Cannot undo merge #{merge}: rows it moved changed while it was being undone; try again.</source>
        <translation>无法撤销合并 #{merge}：撤销过程中其移动的记录发生了变化；请重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="50"/>
        <source>There is no import batch #{id}.</source>
        <translation>没有第 {id} 号导入批次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="51"/>
        <source>Import batch #{id} was already undone on {when}.</source>
        <translation>第 {id} 号导入批次已于 {when} 撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="52"/>
        <source>Cannot undo import batch #{id}: the later batch #{later} ({file}) changed the same records. Undo batch #{later} first.</source>
        <translation>无法撤销第 {id} 号导入批次：之后的第 {later} 号批次（{file}）改动了同样的记录。请先撤销第 {later} 号批次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="53"/>
        <source>Cannot undo import batch #{id}: merge #{merge} has since moved records of customers it created or changed. Undo merge #{merge} first.</source>
        <translation>无法撤销导入批次 #{id}：此后的合并 #{merge} 移动了该批次新建或更改的客户的记录。请先撤销合并 #{merge}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="54"/>
        <source>Cannot undo import batch #{id}: records were added since to customers it created ({tables}); undo would delete them with those customers.</source>
        <translation>无法撤销第 {id} 号导入批次：此后又为它新建的客户添加了记录（{tables}），撤销会把这些记录和客户一起删除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="55"/>
        <source>Import batch #{id} is finished; undo it instead.</source>
        <translation>导入批次 #{id} 已完成，请改用撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="56"/>
        <source>Unknown kind of import file &apos;{kind}&apos; (one of: {kinds}).</source>
        <translation>未知的导入文件类型“{kind}”（可选：{kinds}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="57"/>
        <source>Unknown matching rule &apos;{rule}&apos; (use: {rules}).</source>
        <translation>未知的匹配规则“{rule}”（可用：{rules}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="58"/>
        <source>No column of the file is mapped to {fields}, which every row needs.</source>
        <translation>文件中没有一列对应到{fields}，而每一行都需要它。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="59"/>
        <source>No column of the file is mapped to the mobile, VIN or plate, so no row could be linked to a customer.</source>
        <translation>文件中没有一列对应到手机、车架号或车牌，因此任何一行都无法关联到客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="60"/>
        <source>The error file cannot be the file being imported ({path}).</source>
        <translation>错误文件不能是正在导入的文件（{path}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="61"/>
        <source>The mapping is for {kind} files.</source>
        <translation>该列对应方案用于 {kind} 文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="62"/>
        <source>Unknown kind of import file &apos;{kind}&apos;.</source>
        <translation>未知的导入文件类型“{kind}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="63"/>
        <source>A mapping name needs 1 to {n} characters.</source>
        <translation>列对应方案的名称需要 1 到 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="64"/>
        <source>There is no saved mapping &apos;{name}&apos; for {kind} files.</source>
        <translation>没有名为“{name}”的 {kind} 文件列对应方案。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="65"/>
        <source>The file {path} has no sheet number {sheet}.</source>
        <translation>文件 {path} 中没有第 {sheet} 个工作表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="66"/>
        <source>The file {path} has no sheet named {sheet}.</source>
        <translation>文件 {path} 中没有名为 {sheet} 的工作表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="67"/>
        <source>The file {path} could not be read: {reason}.</source>
        <translation>无法读取文件 {path}：{reason}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="77"/>
        <source>Nobody in list #{run} is to be called, so there is no call sheet or call list to make. Its members were checked for their own channel only; build a list with the phone channel to call them.</source>
        <translation>名单 #{run} 中没有需要电话联系的客户，因此无法生成回访单或电话名单。名单中的客户只按各自的渠道检查过；如需电话联系，请用“电话”渠道重新生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="78"/>
        <source>Nobody in list #{run} is to be sent post, so there are no labels or mail list to make. Its members were checked for their own channel only; build a list with the mail channel to write to them.</source>
        <translation>名单 #{run} 中没有需要邮寄的客户，因此无法生成标签或邮寄名单。名单中的客户只按各自的渠道检查过；如需邮寄，请用“邮寄”渠道重新生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="79"/>
        <source>Nobody in list #{run} is to be sent an SMS, so there is no SMS file to make. Its members were checked for their own channel only (not for SMS do-not-contact or unsubscribes); build a list with the SMS channel to text them.</source>
        <translation>名单 #{run} 中没有需要发送短信的客户，因此无法生成短信文件。名单中的客户只按各自的渠道检查过（未检查短信勿扰和退订）；如需发短信，请用“短信”渠道重新生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="95"/>
        <source>Fixed RFM thresholds need R (days), F and M (yuan).</source>
        <translation>固定 RFM 阈值需要填写 R（天）、F 和 M（元）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="100"/>
        <source>The filter&apos;s conditions are nested more than {depth} levels deep.</source>
        <translation>分群条件嵌套超过 {depth} 层。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="101"/>
        <source>A segment filter must be a JSON object with &quot;version&quot; and &quot;where&quot;.</source>
        <translation>分群筛选条件必须是包含 &quot;version&quot; 和 &quot;where&quot; 的 JSON 对象。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="102"/>
        <source>Unknown key(s) in the filter: {keys}.</source>
        <translation>筛选条件中有未知的键：{keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="103"/>
        <source>Filter schema version {version} is not supported (this version of Revisit reads version {supported}).</source>
        <translation>不支持筛选条件格式版本 {version}（此版本的回访只能读取版本 {supported}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="104"/>
        <source>vehicles: &apos;{value}&apos; must be one of {allowed}.</source>
        <translation>vehicles：“{value}”必须是 {allowed} 之一。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="105"/>
        <source>{path}: expected an object (a condition or an and/or/not group).</source>
        <translation>{path}：应为对象（一个条件，或一个 and/or/not 组）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="106"/>
        <source>{path}: unknown key(s) {keys}.</source>
        <translation>{path}：未知的键 {keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="107"/>
        <source>{path}.field: unknown field &apos;{field}&apos;.</source>
        <translation>{path}.field：未知字段“{field}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="108"/>
        <source>{path}.op: &apos;{op}&apos; cannot be used with the field {field} (allowed: {allowed}).</source>
        <translation>{path}.op：“{op}”不能用于字段 {field}（可用：{allowed}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="109"/>
        <source>{path}: expected an object.</source>
        <translation>{path}：应为对象。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="110"/>
        <source>{path}: the field {field} has no parameter {keys}.</source>
        <translation>{path}：字段 {field} 没有参数 {keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="111"/>
        <source>{path}: &apos;{value}&apos; is not a number.</source>
        <translation>{path}：“{value}”不是数字。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="112"/>
        <source>{path}: expected a non-empty text.</source>
        <translation>{path}：应为非空文本。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="113"/>
        <source>{path}: &apos;{value}&apos; is not a value of {field} (allowed: {allowed}).</source>
        <translation>{path}：“{value}”不是 {field} 的取值（可用：{allowed}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="114"/>
        <source>{path}: tag &apos;{value}&apos; must be written &quot;group/tag&quot;.</source>
        <translation>{path}：标签“{value}”必须写成 &quot;标签组/标签&quot; 的形式。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="115"/>
        <source>The {where} is not valid JSON: {detail} (line {line}, column {col}).</source>
        <translation>{where} 不是有效的 JSON：{detail}（第 {line} 行，第 {col} 列）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="116"/>
        <source>{path}: &quot;not&quot; takes exactly one condition or group.</source>
        <translation>{path}：&quot;not&quot; 只能包含一个条件或条件组。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="117"/>
        <source>{path}: fixed RFM thresholds need {keys}.</source>
        <translation>{path}：固定 RFM 阈值需要 {keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="118"/>
        <source>{path}: &apos;{value}&apos; is not a whole number.</source>
        <translation>{path}：“{value}”不是整数。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="119"/>
        <source>{path}: &apos;{value}&apos; is not a date (YYYY-MM-DD).</source>
        <translation>{path}：“{value}”不是日期（YYYY-MM-DD）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="120"/>
        <source>{path}: expected true or false.</source>
        <translation>{path}：应为 true 或 false。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="121"/>
        <source>{path}: the number of days cannot be negative.</source>
        <translation>{path}：天数不能为负数。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="122"/>
        <source>{path}: &quot;between&quot; takes a list of two values [low, high].</source>
        <translation>{path}：&quot;between&quot; 需要包含两个值的列表 [下限, 上限]。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="123"/>
        <source>{path}: the low end is above the high end.</source>
        <translation>{path}：下限大于上限。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="124"/>
        <source>{path}: &quot;{op}&quot; takes a non-empty list.</source>
        <translation>{path}：&quot;{op}&quot; 需要非空列表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="125"/>
        <source>{path}: a group has only the key &quot;{kind}&quot;.</source>
        <translation>{path}：条件组只能有键 &quot;{kind}&quot;。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="126"/>
        <source>{path}.{kind}: expected a list of conditions.</source>
        <translation>{path}.{kind}：应为条件列表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="127"/>
        <source>{path}: &apos;{value}&apos; is not one of {allowed}.</source>
        <translation>{path}：“{value}”不是 {allowed} 之一。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="128"/>
        <source>{path}: must be at least {minimum}.</source>
        <translation>{path}：不能小于 {minimum}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="129"/>
        <source>The user name or password is wrong.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="130"/>
        <source>There is no staff account &apos;{user}&apos;.</source>
        <translation>没有名为“{user}”的员工账号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="131"/>
        <source>A user name is 1 to 64 letters, digits or . _ - @, without spaces; &apos;{user}&apos; is not one.</source>
        <translation>用户名由 1 到 64 个字母、数字或 . _ - @ 组成，不能有空格；“{user}”不符合。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="132"/>
        <source>A display name has at most 64 characters.</source>
        <translation>显示名称最多 64 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="133"/>
        <source>The account {user} is disabled; a supervisor can enable it again.</source>
        <translation>账号 {user} 已停用；主管可以重新启用。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="134"/>
        <source>Unknown role &apos;{role}&apos;; an account is staff or supervisor.</source>
        <translation>未知角色“{role}”；账号只能是员工或主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="135"/>
        <source>This database already has a supervisor; sign in, or ask a supervisor for an account.</source>
        <translation>此数据库已有主管；请登录，或请主管为您开通账号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="137"/>
        <source>There is already an account named {user}.</source>
        <translation>已有名为 {user} 的账号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="138"/>
        <source>The current password is wrong.</source>
        <translation>当前密码错误。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="139"/>
        <source>Choose a password different from the current one.</source>
        <translation>新密码不能与当前密码相同。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="140"/>
        <source>You cannot disable your own account.</source>
        <translation>不能停用自己的账号。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="141"/>
        <source>{user} is the last supervisor who can sign in; add another supervisor first.</source>
        <translation>{user} 是最后一位可登录的主管；请先添加另一位主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="142"/>
        <source>The first day ({start}) is after the last ({end}).</source>
        <translation>开始日期（{start}）晚于结束日期（{end}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="143"/>
        <source>There is no customer with the code {code}.</source>
        <translation>没有编号为 {code} 的客户。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="144"/>
        <source>A password needs at least {n} characters.</source>
        <translation>密码至少需要 {n} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="145"/>
        <source>A password cannot start or end with a space.</source>
        <translation>密码首尾不能有空格。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="146"/>
        <source>Only a supervisor may do this, and nobody is signed in.</source>
        <translation>只有主管可以执行此操作，而当前无人登录。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="147"/>
        <source>Only a supervisor may add, disable or enable staff accounts and reset their passwords; {user} is not a supervisor.</source>
        <translation>只有主管可以新增、停用或启用员工账号及重置密码；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="148"/>
        <source>Only a supervisor may change the settings every PC shares; {user} is not a supervisor.</source>
        <translation>只有主管可以修改所有电脑共享的设置；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="149"/>
        <source>Only a supervisor may delete saved segments; {user} is not a supervisor.</source>
        <translation>只有主管可以删除已保存的分群；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="150"/>
        <source>Only a supervisor may write files with full phone numbers to disk, such as an SMS vendor file; {user} is not a supervisor.</source>
        <translation>只有主管可以把含完整手机号的文件（如短信平台文件）保存到磁盘；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="151"/>
        <source>Only a supervisor may read the audit trail; {user} is not a supervisor.</source>
        <translation>只有主管可以查看审计日志；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="152"/>
        <source>Only a supervisor may copy the database or add demo data to one in use; {user} is not a supervisor.</source>
        <translation>只有主管可以复制数据库或向使用中的数据库添加演示数据；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="153"/>
        <source>Only a supervisor may merge customers or undo a merge; {user} is not a supervisor.</source>
        <translation>只有主管可以合并客户或撤销合并；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="154"/>
        <source>Only a supervisor may undo an import; {user} is not a supervisor.</source>
        <translation>只有主管可以撤销导入；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="155"/>
        <source>Only a supervisor may erase a customer&apos;s personal data; {user} is not a supervisor.</source>
        <translation>只有主管可以删除客户的个人信息；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="156"/>
        <source>Only a supervisor may add, rename or remove tags and tag groups; {user} is not a supervisor.</source>
        <translation>只有主管可以新增、重命名或删除标签及标签组；{user} 不是主管。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="157"/>
        <source>The two databases are at different schema revisions; open both with this version of Revisit first.</source>
        <translation>两个数据库的结构版本不同；请先用当前版本的回访系统分别打开它们。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="158"/>
        <source>The source and the target are the same database.</source>
        <translation>源数据库和目标数据库是同一个。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="159"/>
        <source>The target {where} already holds data (table {table}); Revisit copies only into an empty database, so nothing was changed.</source>
        <translation>目标 {where} 中已有数据（表 {table}）；回访系统只复制到空数据库，因此没有做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="160"/>
        <source>Table {table} did not arrive intact ({rows} of {expected} rows, checksums differ); nothing was kept in the target.</source>
        <translation>表 {table} 没有完整复制（{rows}/{expected} 行，校验和不一致）；目标中没有保留任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="163"/>
        <source>{where} is damaged ({problem}); nothing was changed. The latest backup is {backup}: close Revisit and put it in place of the damaged file.</source>
        <translation>{where} 已损坏（{problem}），没有做任何更改。最近的备份是 {backup}：请关闭回访系统，用它替换损坏的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="164"/>
        <source>Someone saved a clashing change to {where} at the same moment; nothing was saved. Look at the record again and repeat the step.</source>
        <translation>有人在同一时刻向 {where} 保存了冲突的修改，本次没有保存。请重新查看该记录后再操作一次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="165"/>
        <source>The connection to the database server {where} was lost; nothing was saved by this step. Check the network and try again.</source>
        <translation>与数据库服务器 {where} 的连接已断开，这一步没有保存任何内容。请检查网络后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="166"/>
        <source>The database {where} is busy with another person&apos;s or program&apos;s work; nothing was saved. Wait a moment and try again.</source>
        <translation>数据库 {where} 正忙于其他同事或程序的操作，本次未保存。请稍等片刻再试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="174"/>
        <source>{where} is damaged ({problem}); nothing was changed. Restore it from your latest backup copy.</source>
        <translation>{where} 已损坏（{problem}），没有做任何更改。请用最近的备份恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="176"/>
        <source>The folder {where} does not exist; check the database path. Nothing was created.</source>
        <translation>文件夹 {where} 不存在；请检查数据库路径。没有创建任何文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="181"/>
        <source>{where} is on a network drive. SQLite cannot share a file safely across a network (two PCs writing it can damage it): keep the file on this PC, or move the department to a PostgreSQL server with `db copy --to postgresql://…`.</source>
        <translation>{where} 位于网络驱动器上。SQLite 无法通过网络安全地共享同一个文件（两台电脑同时写入可能损坏它）：请把文件放在本机，或用 `db copy --to postgresql://…` 把全部门迁移到 PostgreSQL 服务器。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="182"/>
        <source>Unknown SMS vendor &apos;{vendor}&apos;.</source>
        <translation>未知的短信平台“{vendor}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="183"/>
        <source>The SMS sending window must start before it ends.</source>
        <translation>短信发送时段的开始时间必须早于结束时间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="184"/>
        <source>The SMS signature must be written as 【shop name】, not &apos;{signature}&apos;.</source>
        <translation>短信签名必须写成【门店名称】的形式，而不是“{signature}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="185"/>
        <source>There is no setting &apos;{name}&apos;; known: {names}.</source>
        <translation>没有名为“{name}”的设置；可用的有：{names}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="186"/>
        <source>{name} must be between 0 and 365.</source>
        <translation>{name} 必须在 0 到 365 之间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="187"/>
        <source>&apos;{value}&apos; is not a valid value for {name}.</source>
        <translation>“{value}”不是 {name} 的有效值。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="12"/>
        <source>There is no customer with id {id}.</source>
        <translation>不存在编号为 {id} 的客户。</translation>
    </message>
</context>
<context>
    <name>files</name>
    <message>
        <location filename="../../ui/files.py" line="90"/>
        <source>Save as</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="100"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="110"/>
        <source>Choose the export folder</source>
        <translation>选择导出文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="121"/>
        <source>Open file</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <location filename="../../ui/files.py" line="122"/>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
</context>
<context>
    <name>purposes</name>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="42"/>
        <source>All purposes: no contact at all on the chosen channel, recall notices included.</source>
        <translation>所有目的：在所选渠道上完全不联系，召回通知也不发。</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="46"/>
        <source>Care: a personal check-in — birthday, warranty or loan ending, after a repair; nothing is offered.</source>
        <translation>关怀：一对一的问候——生日、质保或贷款到期、维修之后；不推销任何东西。</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="51"/>
        <source>Satisfaction call-back: asking after a service visit how it went.</source>
        <translation>满意度回访：到店保养或维修后询问客户是否满意。</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="54"/>
        <source>Reminders: maintenance due, annual inspection, insurance renewal.</source>
        <translation>提醒：保养到期、年检、续保。</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="57"/>
        <source>Satisfaction: call-backs and surveys about a service visit.</source>
        <translation>满意度：关于到店服务的回访和问卷调查。</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="60"/>
        <source>Recalls: the maker&apos;s safety recall notices; most customers who refuse sales still want these.</source>
        <translation>召回：厂家的安全召回通知；拒绝销售的客户大多仍希望收到。</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="65"/>
        <source>Marketing: promotions, events and holiday greetings sent to many customers at once. Needs marketing consent.</source>
        <translation>营销：同时发给很多客户的促销、活动和节日问候。需要客户的营销同意。</translation>
    </message>
    <message>
        <location filename="../../ui/views/preferences_panel.py" line="70"/>
        <source>Sales: a personal offer to this customer to buy, replace or add a car. Needs marketing consent.</source>
        <translation>销售：一对一邀请这位客户购车、换车或增购。需要客户的营销同意。</translation>
    </message>
</context>
<context>
    <name>tasks</name>
    <message>
        <location filename="../../ui/tasks.py" line="233"/>
        <source>Something unexpected went wrong: %1. Nothing was saved by this step.</source>
        <translation>发生意外错误：%1。此步骤未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/tasks.py" line="241"/>
        <source>Revisit</source>
        <translation>回访</translation>
    </message>
</context>
</TS>
