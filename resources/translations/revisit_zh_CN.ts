<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="23" />
        <source>Revisit — service marketing</source>
        <translation>回访 — 服务营销</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="28" />
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="29" />
        <source>Segments</source>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="30" />
        <source>Lists</source>
        <translation>名单</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="31" />
        <source>My follow-ups</source>
        <translation>我的跟进</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="32" />
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="33" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="48" />
        <source>Database: %1</source>
        <translation>数据库：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="55" />
        <source>%1 customers, %2 vehicles in the database.</source>
        <translation>数据库中有 %1 位客户、%2 辆车。</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../ui/app.py" line="40" />
        <source>Revisit</source>
        <translation>回访</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../ui/error_messages.py" line="6" />
        <source>Database error on {where}: {detail}</source>
        <translation>数据库 {where} 出错：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="7" />
        <source>'{url}' is not a database URL Revisit understands (e.g. sqlite:///file.db or postgresql://user:password@host/dbname).</source>
        <translation>“{url}”不是回访能识别的数据库地址（例如 sqlite:///file.db 或 postgresql://用户:密码@服务器/数据库名）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="8" />
        <source>The database {where} is locked by another program; close it and try again.</source>
        <translation>数据库 {where} 被其他程序锁定，请关闭该程序后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="9" />
        <source>Cannot open the database file {where}: missing folder or no permission.</source>
        <translation>无法打开数据库文件 {where}：文件夹不存在或没有权限。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="10" />
        <source>{where} is not a Revisit database (the file is damaged or of another kind).</source>
        <translation>{where} 不是回访数据库（文件已损坏或是其他类型的文件）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="11" />
        <source>The disk holding {where} is full; nothing was changed.</source>
        <translation>{where} 所在的磁盘已满，未做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="12" />
        <source>The database {where} is read-only.</source>
        <translation>数据库 {where} 是只读的。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="13" />
        <source>Cannot connect to the database server {where}: {detail}</source>
        <translation>无法连接数据库服务器 {where}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="14" />
        <source>The database {where} does not exist: {detail}</source>
        <translation>数据库 {where} 不存在：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="15" />
        <source>{where} holds tables that are not Revisit's; refusing to change it.</source>
        <translation>{where} 中有不属于回访的数据表，为安全起见不做修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="16" />
        <source>{where} was written by a newer version of Revisit (schema {revision}); update Revisit to open it.</source>
        <translation>{where} 由更新版本的回访写入（结构版本 {revision}），请先升级回访再打开。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="17" />
        <source>{where} is a folder, not a database file.</source>
        <translation>{where} 是文件夹，不是数据库文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="18" />
        <source>Cannot create the folder {where}: {detail}</source>
        <translation>无法创建文件夹 {where}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="19" />
        <source>The number of demo customers must be between 1 and {max}, not {n}.</source>
        <translation>演示客户数量必须在 1 到 {max} 之间，而不是 {n}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="20" />
        <source>Unknown profile attribute '{attribute}'.</source>
        <translation>未知的客户画像属性“{attribute}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="21" />
        <source>'{value}' is not a valid value for {attribute} (allowed: {allowed}).</source>
        <translation>“{value}”不是 {attribute} 的有效值（可选：{allowed}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="22" />
        <source>The value for {attribute} is longer than 100 characters.</source>
        <translation>{attribute} 的值超过 100 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="23" />
        <source>Unknown source '{source}' for a profile change.</source>
        <translation>画像变更的来源“{source}”无效。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="24" />
        <source>The change date {date} is in the future; record a change once it has happened.</source>
        <translation>变更日期 {date} 在未来，请在变更发生后再记录。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="25" />
        <source>There is no customer with id {id}.</source>
        <translation>不存在编号为 {id} 的客户。</translation>
    </message>
</context>
</TS>