<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
        <location filename="../../ui/views/brief_view.py" line="77"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="83"/>
        <source>no survey yet</source>
        <translation>尚无满意度调查</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="99"/>
        <source>%1 days ago</source>
        <translation>%1 天前</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="116"/>
        <source>trend %1</source>
        <translation>趋势 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="141"/>
        <source>bought %1, %2 years</source>
        <translation>%1 购车，%2 年</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="144"/>
        <source>about %1 km</source>
        <translation>约 %1 公里</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="146"/>
        <source>(%1 km a year)</source>
        <translation>（每年 %1 公里）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="153"/>
        <source>earlier:</source>
        <translation>以前：</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/brief_view.py" line="159"/>
        <source>%n resolved</source>
        <translation>
            <numerusform>已解决 %n 起</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="160"/>
        <source>none open</source>
        <translation>无未解决投诉</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="162"/>
        <source>OPEN since %1: %2</source>
        <translation>未解决（%1 起）：%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="186"/>
        <source>marketing consent given</source>
        <translation>已同意营销</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="187"/>
        <source>no marketing consent</source>
        <translation>未同意营销</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="188"/>
        <source>marketing consent not asked</source>
        <translation>未询问营销同意</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="193"/>
        <source>do not contact: %1 (%2)</source>
        <translation>勿扰：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/views/brief_view.py" line="194"/>
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
        <source>Loading customer</source>
        <translation>正在加载客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="253"/>
        <source>Saving</source>
        <translation>正在保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/customers_view.py" line="256"/>
        <source>Change saved for %1</source>
        <translation>已为 %1 保存变更</translation>
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
    <name>FollowUpView</name>
    <message>
        <location filename="../../ui/views/followup_view.py" line="65"/>
        <source>Whose calls to show; remembered on this PC</source>
        <translation>显示哪位回访员的电话；本机会记住此选择</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="66"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="81"/>
        <source>Key %1, or Alt+%1 while typing</source>
        <translation>按 %1；正在输入文字时按 Alt+%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="95"/>
        <source>What did they say? e.g. 刚结婚，想换个大点的车</source>
        <translation>客户说了什么？例如：刚结婚，想换个大点的车</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="99"/>
        <source>Call again on</source>
        <translation>再次致电</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="107"/>
        <source>%1 days</source>
        <translation>%1 天</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="116"/>
        <source>not asked</source>
        <translation>未询问</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="119"/>
        <source>no change</source>
        <translation>无变化</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="126"/>
        <source>Save and next (Ctrl+Enter)</source>
        <translation>保存并下一个（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="130"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="132"/>
        <source>&amp;Feedback</source>
        <translation>客户反馈(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="133"/>
        <source>Next follow-up</source>
        <translation>下次跟进</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="134"/>
        <source>&amp;Km now</source>
        <translation>当前里程(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="138"/>
        <source>&amp;Profile change</source>
        <translation>画像变更(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="150"/>
        <source>Caller:</source>
        <translation>回访员：</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="226"/>
        <source>Loading calls</source>
        <translation>正在加载待拨电话</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/followup_view.py" line="262"/>
        <source>%n call(s) to make</source>
        <translation>
            <numerusform>待拨 %n 个电话</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="286"/>
        <source>No calls due. Well done.</source>
        <translation>没有待拨的电话，辛苦了！</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="290"/>
        <source>no mobile</source>
        <translation>无手机</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="294"/>
        <source>best time: %1</source>
        <translation>最佳时间：%1</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="296"/>
        <source>attempt %1</source>
        <translation>第 %1 次拨打</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="308"/>
        <source>Loading the brief</source>
        <translation>正在载入简报</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="361"/>
        <source>Pick an outcome first: keys 1 … 6</source>
        <translation>请先选择结果：按键 1 … 6</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="392"/>
        <source>Saved for %1: %2</source>
        <translation>已保存 %1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/views/followup_view.py" line="386"/>
        <source>Saving call</source>
        <translation>正在保存通话结果</translation>
    </message>
</context>
<context>
    <name>ListOutputs</name>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="54"/>
        <source>&amp;Preview call sheet</source>
        <translation>预览回访单(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="55"/>
        <source>P&amp;rint…</source>
        <translation>打印(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="56"/>
        <source>Save call sheet PDF…</source>
        <translation>保存回访单 PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="57"/>
        <source>Save call list (Excel)…</source>
        <translation>保存电话名单（Excel）…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="58"/>
        <source>Save mail list (Excel)…</source>
        <translation>保存邮寄名单（Excel）…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="62"/>
        <source>Save labels / envelopes PDF…</source>
        <translation>保存标签/信封 PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="65"/>
        <source>Merge fields: {姓名} {称呼} {车型} {车牌} {品牌}</source>
        <translation>可用合并字段：{姓名} {称呼} {车型} {车牌} {品牌}</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="68"/>
        <source>Save SMS vendor file…</source>
        <translation>保存短信平台文件…</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="72"/>
        <source>Call sheet</source>
        <translation>回访单</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="76"/>
        <source>Excel and mail</source>
        <translation>Excel 与邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="82"/>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="84"/>
        <source>Message</source>
        <translation>短信内容</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="85"/>
        <source>Send at</source>
        <translation>发送时间</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/list_outputs.py" line="137"/>
        <source>%n page(s)</source>
        <translation>
            <numerusform>共 %n 页</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="145"/>
        <source>Making the call sheet</source>
        <translation>正在生成回访单</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="183"/>
        <location filename="../../ui/views/list_outputs.py" line="186"/>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="181"/>
        <source>Excel (*.xlsx);;CSV (*.csv)</source>
        <translation>Excel 文件 (*.xlsx);;CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="190"/>
        <source>Save as</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="220"/>
        <source>Writing %1</source>
        <translation>正在写入 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="225"/>
        <location filename="../../ui/views/list_outputs.py" line="232"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/list_outputs.py" line="227"/>
        <source>%1 numbers, %2 billed messages, %3 skipped</source>
        <translation>%1 个号码，计费短信 %2 条，跳过 %3 个</translation>
    </message>
</context>
<context>
    <name>ListsView</name>
    <message>
        <location filename="../../ui/views/lists_view.py" line="59"/>
        <source>◀ &amp;Back</source>
        <translation>◀ 上一步(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="60"/>
        <source>&amp;Next ▶</source>
        <translation>下一步(&amp;N) ▶</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="73"/>
        <source>New list</source>
        <translation>新建名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="74"/>
        <source>Past runs</source>
        <translation>历史名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="105"/>
        <source>Each customer&apos;s preferred channel</source>
        <translation>按客户偏好渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="106"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="107"/>
        <location filename="../../ui/views/lists_view.py" line="341"/>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="108"/>
        <source>Mail</source>
        <translation>邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="118"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="122"/>
        <source>Evenly between the callers</source>
        <translation>在回访员之间平均分配</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="123"/>
        <source>Each customer to their own staff member</source>
        <translation>分给各自的负责员工</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="124"/>
        <source>B&amp;uild the list</source>
        <translation>生成名单(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="128"/>
        <source>Excluded automatically, each with the reason shown: do-not-contact on the channel, no marketing consent for sales, contacted recently, an unresolved complaint for sales, no valid mobile or address, unanswered calls waiting to come back.</source>
        <translation>以下客户会自动排除并注明原因：该渠道设为勿扰、销售类联系但无营销同意、近期已联系、有未解决投诉（销售类）、无有效手机号或地址、未接通电话尚在等待重拨。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="140"/>
        <source>&amp;Segment</source>
        <translation>客户分群(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="141"/>
        <source>Evaluation &amp;date</source>
        <translation>评估日期(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="149"/>
        <source>&amp;Purpose</source>
        <translation>目的(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="152"/>
        <location filename="../../ui/views/lists_view.py" line="298"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="153"/>
        <source>Not contacted again within</source>
        <translation>在此天数内不重复联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="154"/>
        <source>Callers</source>
        <translation>回访员</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="155"/>
        <source>Split</source>
        <translation>分配方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="179"/>
        <source>Loading segments and callers</source>
        <translation>正在载入分群和回访员</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="237"/>
        <source>Building the list</source>
        <translation>正在生成名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="246"/>
        <source>Build a list from the segment “%1” for %2, channel: %3, evaluated on %4?</source>
        <translation>用分群“%1”生成名单吗？目的：%2，渠道：%3，评估日期：%4。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="253"/>
        <source>The list is stored as a new run.</source>
        <translation>名单将保存为一份新名单，可在历史名单中查看。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/lists_view.py" line="256"/>
        <source>The list is stored as a new run, and its calls are assigned to %n caller(s) and appear in their follow-up queues.</source>
        <translation>
            <numerusform>名单将保存为一份新名单，其中的电话分配给 %n 位回访员，并出现在他们的“我的跟进”中。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="263"/>
        <source>The list is stored as a new run. No caller is ticked, so its calls are not assigned to anyone&apos;s follow-up queue.</source>
        <translation>名单将保存为一份新名单。没有勾选回访员，所以其中的电话不会分配到任何人的“我的跟进”。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="268"/>
        <source>Build and store the list</source>
        <translation>生成并保存名单</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/views/lists_view.py" line="277"/>
        <source>List #%1 stored: %n customer(s) in it.</source>
        <translation>
            <numerusform>名单 #%1 已保存：共 %n 位客户。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="296"/>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="297"/>
        <location filename="../../ui/views/lists_view.py" line="306"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="299"/>
        <source>Caller</source>
        <translation>回访员</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="300"/>
        <location filename="../../ui/views/lists_view.py" line="306"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="301"/>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="302"/>
        <source>Best time</source>
        <translation>最佳时间</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="306"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="306"/>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="310"/>
        <source>In the list</source>
        <translation>名单内</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="314"/>
        <source>Excluded, and why</source>
        <translation>已排除及原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="331"/>
        <source>Loading the list</source>
        <translation>正在加载名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="340"/>
        <location filename="../../ui/views/lists_view.py" line="343"/>
        <source>phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="342"/>
        <source>mail</source>
        <translation>邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="352"/>
        <source>List #%1 from “%2” on %3: %4. Excluded: %5.</source>
        <translation>名单 #%1（分群“%2”，评估日期 %3）：%4。已排除：%5。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="360"/>
        <source>Since list #%1: %2 new, %3 no longer in it.</source>
        <translation>与名单 #%1 相比：新增 %2 人，移出 %3 人。</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="391"/>
        <source>List</source>
        <translation>名单</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="391"/>
        <source>Segment</source>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="391"/>
        <source>Evaluated on</source>
        <translation>评估日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="391"/>
        <source>Members</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="394"/>
        <source>&amp;Open and re-print</source>
        <translation>打开并重新打印(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="427"/>
        <source>Step 1 of 3: what to send to whom</source>
        <translation>第 1 步（共 3 步）：联系谁、用什么方式</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="428"/>
        <source>Step 2 of 3: who is in the list, who is not and why</source>
        <translation>第 2 步（共 3 步）：名单内的客户，以及被排除的客户和原因</translation>
    </message>
    <message>
        <location filename="../../ui/views/lists_view.py" line="429"/>
        <source>Step 3 of 3: print and save</source>
        <translation>第 3 步（共 3 步）：打印与保存</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="42"/>
        <source>Revisit — service marketing</source>
        <translation>回访 — 服务营销</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="53"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="56"/>
        <source>Segments</source>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="58"/>
        <source>Lists</source>
        <translation>名单</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="59"/>
        <source>My follow-ups</source>
        <translation>我的跟进</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="60"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="62"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="117"/>
        <source>Cancel</source>
        <translation>取消</translation>
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
        <location filename="../../ui/views/segments_view.py" line="53"/>
        <source>Every date-relative field is computed for this day</source>
        <translation>所有与日期相关的字段都按这一天计算</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="55"/>
        <source>Builder</source>
        <translation>分群编辑器</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="56"/>
        <source>Replacement matrix</source>
        <translation>换车九宫格</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="57"/>
        <source>RFM classes</source>
        <translation>RFM八类客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="58"/>
        <source>Stages, tags, due soon</source>
        <translation>阶段、标签、即将到期</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="60"/>
        <source>Evaluation date</source>
        <translation>评估日期</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="74"/>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="76"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="78"/>
        <source>Duplicate…</source>
        <translation>复制…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="80"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="82"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="84"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="88"/>
        <source>Saved segments</source>
        <translation>已保存的分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="108"/>
        <source>Segment name, e.g. 5–6年 高满意度 换车</source>
        <translation>分群名称，例如：5–6年 高满意度 换车</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="109"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="127"/>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="128"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="129"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="130"/>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="131"/>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="138"/>
        <source>First members (double-click to open):</source>
        <translation>部分成员（双击打开）：</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="172"/>
        <source>Loading segments</source>
        <translation>正在载入分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="222"/>
        <source>The conditions in the builder are not saved as a segment yet.</source>
        <translation>分群编辑器中的条件还没有保存为分群。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="224"/>
        <source>The segment “%1” has changes that are not saved.</source>
        <translation>分群“%1”有未保存的修改。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="230"/>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="231"/>
        <source>Save them before the builder shows something else?</source>
        <translation>在编辑器换成其他内容之前，先保存这些修改吗？</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="271"/>
        <source>Opening segment</source>
        <translation>正在打开分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="302"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="305"/>
        <source>Counting…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="311"/>
        <source>Counting members</source>
        <translation>正在统计人数</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="318"/>
        <source>%1 customers</source>
        <translation>%1 位客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="320"/>
        <source>, %1 vehicles</source>
        <translation>，%1 辆车</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="338"/>
        <source>Give the segment a name first.</source>
        <translation>请先为分群命名。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="345"/>
        <source>Replace segment</source>
        <translation>替换分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="346"/>
        <source>A segment named “%1” exists. Replace its filter?</source>
        <translation>已有名为“%1”的分群。要替换它的筛选条件吗？</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="365"/>
        <source>Saving segment</source>
        <translation>正在保存分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="368"/>
        <source>Segment “%1” saved</source>
        <translation>分群“%1”已保存</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="386"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="391"/>
        <source>Rename segment</source>
        <translation>重命名分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="399"/>
        <source>Segment renamed to “%1”</source>
        <translation>分群已重命名为“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="405"/>
        <source>Duplicate segment</source>
        <translation>复制分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="405"/>
        <source>%1 (copy)</source>
        <translation>%1（副本）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="414"/>
        <source>Copy saved as “%1”</source>
        <translation>副本已保存为“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="423"/>
        <source>Delete segment</source>
        <translation>删除分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="424"/>
        <source>Delete the segment “%1”? Lists already made from it are kept.</source>
        <translation>删除分群“%1”吗？已用它生成的名单会保留。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="442"/>
        <source>Segment “%1” deleted</source>
        <translation>分群“%1”已删除</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="447"/>
        <source>Import segment</source>
        <translation>导入分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="447"/>
        <location filename="../../ui/views/segments_view.py" line="477"/>
        <source>Segment files (*.json)</source>
        <translation>分群文件 (*.json)</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="478"/>
        <source>Export segment</source>
        <translation>导出分群</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="491"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="504"/>
        <source>no km floor</source>
        <translation>不限里程</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="509"/>
        <source>Low (0–6)</source>
        <translation>低（0–6）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="510"/>
        <source>Middle (7–8)</source>
        <translation>中（7–8）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="511"/>
        <source>High (9–10)</source>
        <translation>高（9–10）</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="512"/>
        <source>No score</source>
        <translation>无评分</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="519"/>
        <source>%1 years</source>
        <translation>%1 年</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="523"/>
        <source>Open these vehicles&apos; owners in the builder</source>
        <translation>在分群编辑器中打开这些车辆的车主</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="531"/>
        <source>Only vehicles with at least</source>
        <translation>仅含里程不低于</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="549"/>
        <source>Counting the matrix</source>
        <translation>正在统计九宫格</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="558"/>
        <source>%1 vehicles
%2 customers</source>
        <translation>%1 辆车
%2 位客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="564"/>
        <source>Years since purchase × latest satisfaction score, on %1. A customer with two old cars can sit in two cells; lists contact each customer once.</source>
        <translation>购车年限 × 最近一次满意度评分，评估日期 %1。有两辆旧车的客户可能同时出现在两个格子里；生成名单时每位客户只联系一次。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="577"/>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="577"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="586"/>
        <source>Double-click a class to open it in the builder.</source>
        <translation>双击某个类别，可在分群编辑器中打开。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="599"/>
        <source>Preparing the RFM and mileage figures</source>
        <translation>正在准备 RFM 与里程数据</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="610"/>
        <source>Counting RFM classes</source>
        <translation>正在统计 RFM 分类</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="633"/>
        <source>Spends from %1 to %2. Thresholds (means): R ≤ %3 days, F ≥ %4, M ≥ ¥%5. %6 customers have a class.</source>
        <translation>消费期间 %1 至 %2。阈值（平均值）：R ≤ %3 天，F ≥ %4，M ≥ ¥%5。共 %6 位客户有分类。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="651"/>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="651"/>
        <source>Count</source>
        <translation>人数</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="659"/>
        <source>Due soon counts the next 30 days. Double-click a row to open it in the builder.</source>
        <translation>“即将到期”统计未来 30 天。双击某一行，可在分群编辑器中打开。</translation>
    </message>
    <message>
        <location filename="../../ui/views/segments_view.py" line="682"/>
        <source>Counting groups</source>
        <translation>正在统计分组</translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <location filename="../../ui/views/settings_view.py" line="57"/>
        <source>This computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="59"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="64"/>
        <source>Where Revisit first suggests saving lists, call sheets and labels</source>
        <translation>保存名单、回访单和标签时默认打开的文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="66"/>
        <source>&amp;Choose…</source>
        <translation>选择(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="71"/>
        <source>Export folder</source>
        <translation>导出文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="76"/>
        <source>Province, city, district, street</source>
        <translation>省、市、区、街道</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="83"/>
        <source>Counted in every SMS&apos;s length, e.g. 【某某丰田】</source>
        <translation>计入每条短信的字数，例如【某某丰田】</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="85"/>
        <source>Marketing SMS must say how to refuse, e.g. 回T退订</source>
        <translation>营销短信必须注明退订方式，例如：回T退订</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="88"/>
        <source>Generic file</source>
        <translation>通用文件</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="89"/>
        <source>Aliyun</source>
        <translation>阿里云</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="90"/>
        <source>Huawei Cloud</source>
        <translation>华为云</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="106"/>
        <location filename="../../ui/views/settings_view.py" line="107"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="112"/>
        <source>&amp;Save shared settings</source>
        <translation>保存共享设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="115"/>
        <source>Shared by every PC on this database</source>
        <translation>使用此数据库的所有电脑共享</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="117"/>
        <source>Shop name</source>
        <translation>门店名称</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="118"/>
        <source>Shop phone</source>
        <translation>门店电话</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="119"/>
        <source>Shop address (envelope sender)</source>
        <translation>门店地址（信封寄件人）</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="120"/>
        <source>Shop postcode</source>
        <translation>门店邮编</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="121"/>
        <source>Label sheet</source>
        <translation>标签纸规格</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="122"/>
        <source>SMS signature</source>
        <translation>短信签名</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="123"/>
        <source>SMS opt-out text</source>
        <translation>短信退订提示</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="124"/>
        <source>SMS vendor file layout</source>
        <translation>短信平台文件格式</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="125"/>
        <source>Marketing SMS only between</source>
        <translation>营销短信发送时段</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="126"/>
        <source>Do not contact again within</source>
        <translation>在此天数内不重复联系</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="127"/>
        <source>Unanswered calls come back after</source>
        <translation>未接通电话重拨间隔</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="128"/>
        <source>Switch to SMS or mail after failed calls</source>
        <translation>未接通几次后改用短信或邮寄</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="135"/>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="137"/>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="138"/>
        <source>Schema revision</source>
        <translation>数据库结构版本</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="195"/>
        <source>Saving settings</source>
        <translation>正在保存设置</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="200"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/views/settings_view.py" line="205"/>
        <source>The new language applies when Revisit restarts.</source>
        <translation>新语言将在回访重新启动后生效。</translation>
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
        <location filename="../../ui/app.py" line="49"/>
        <location filename="../../ui/app.py" line="56"/>
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
        <location filename="../../ui/error_messages.py" line="100"/>
        <source>Database error on {where}: {detail}</source>
        <translation>数据库 {where} 出错：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="101"/>
        <source>&apos;{url}&apos; is not a database URL Revisit understands (e.g. sqlite:///file.db or postgresql://user:password@host/dbname).</source>
        <translation>“{url}”不是回访能识别的数据库地址（例如 sqlite:///file.db 或 postgresql://用户:密码@服务器/数据库名）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="105"/>
        <source>The database {where} is locked by another program; close it and try again.</source>
        <translation>数据库 {where} 被其他程序锁定，请关闭该程序后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="106"/>
        <source>Cannot open the database file {where}: missing folder or no permission.</source>
        <translation>无法打开数据库文件 {where}：文件夹不存在或没有权限。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="107"/>
        <source>{where} is not a Revisit database (the file is damaged or of another kind).</source>
        <translation>{where} 不是回访数据库（文件已损坏或是其他类型的文件）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="108"/>
        <source>The disk holding {where} is full; nothing was changed.</source>
        <translation>{where} 所在的磁盘已满，未做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="109"/>
        <source>The database {where} is read-only.</source>
        <translation>数据库 {where} 是只读的。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="110"/>
        <source>Cannot connect to the database server {where}: {detail}</source>
        <translation>无法连接数据库服务器 {where}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="111"/>
        <source>The database {where} does not exist: {detail}</source>
        <translation>数据库 {where} 不存在：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="112"/>
        <source>{where} holds tables that are not Revisit&apos;s; refusing to change it.</source>
        <translation>{where} 中有不属于回访的数据表，为安全起见不做修改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="114"/>
        <source>{where} was written by a newer version of Revisit (schema {revision}); update Revisit to open it.</source>
        <translation>{where} 由更新版本的回访写入（结构版本 {revision}），请先升级回访再打开。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="115"/>
        <source>{where} is a folder, not a database file.</source>
        <translation>{where} 是文件夹，不是数据库文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="116"/>
        <source>Cannot create the folder {where}: {detail}</source>
        <translation>无法创建文件夹 {where}：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="34"/>
        <source>The number of demo customers must be between 1 and {max}, not {n}.</source>
        <translation>演示客户数量必须在 1 到 {max} 之间，而不是 {n}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="117"/>
        <source>A file could not be read or written: {reason}.</source>
        <translation>文件无法读取或写入：{reason}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="118"/>
        <source>Cannot use the file {path}: {reason}.</source>
        <translation>无法使用文件 {path}：{reason}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="35"/>
        <source>Unknown channel &apos;{channel}&apos; (use call, mail, sms or auto).</source>
        <translation>未知的渠道“{channel}”（请使用 call、mail、sms 或 auto）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="36"/>
        <source>Unknown purpose &apos;{purpose}&apos; (known: {known}).</source>
        <translation>未知的目的“{purpose}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="37"/>
        <source>There is no staff member &apos;{name}&apos; (use a username or a display name).</source>
        <translation>没有员工“{name}”（请使用用户名或显示名称）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="38"/>
        <source>{path} has no column {columns} in row 1; is it a call list exported by Revisit?</source>
        <translation>{path} 的第 1 行没有 {columns} 列；它是回访导出的电话名单吗？</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="39"/>
        <source>{path} cannot be read as an Excel .xlsx file: {detail}</source>
        <translation>无法将 {path} 作为 Excel .xlsx 文件读取：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="40"/>
        <source>There is no list run #{run}.</source>
        <translation>不存在名单 #{run}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="41"/>
        <source>{path} cannot be read as an Excel file: {detail}</source>
        <translation>无法将 {path} 作为 Excel 文件读取：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="42"/>
        <source>No Chinese TrueType font was found to print with. Install one (Linux: the package fonts-wqy-microhei; Windows has SimSun/Microsoft YaHei) or set {env} to a .ttf/.ttc file. Tried: {tried}</source>
        <translation>找不到可用于打印的中文 TrueType 字体。请安装一种（Linux：软件包 fonts-wqy-microhei；Windows 自带宋体/微软雅黑），或将 {env} 设为一个 .ttf/.ttc 文件。已尝试：{tried}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="43"/>
        <source>There is no label layout &apos;{name}&apos; (known: {known}).</source>
        <translation>没有标签版式“{name}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="47"/>
        <source>Marketing SMS may only be sent between {start} and {end}; the planned time {when} is outside that window.</source>
        <translation>营销短信只能在 {start} 至 {end} 之间发送；计划发送时间 {when} 不在此时段内。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="48"/>
        <source>The SMS sending window &apos;{text}&apos; ends before it starts.</source>
        <translation>短信发送时段“{text}”的结束时间早于开始时间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="49"/>
        <source>Unknown SMS vendor layout &apos;{vendor}&apos; (known: {known}).</source>
        <translation>未知的短信平台文件格式“{vendor}”（可用：{known}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="50"/>
        <source>The SMS template uses unknown merge field(s) {fields}; known fields are {known}.</source>
        <translation>短信模板使用了未知的合并字段 {fields}；可用字段为 {known}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="51"/>
        <source>The SMS signature must be the shop&apos;s name in 【】, 2 to 12 characters (got &apos;{signature}&apos;).</source>
        <translation>短信签名必须是用【】括起的门店名称，2 到 12 个字（当前为“{signature}”）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="52"/>
        <source>Marketing SMS need opt-out text such as 回T退订 or 拒收请回复R.</source>
        <translation>营销短信需要退订提示，例如“回T退订”或“拒收请回复R”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="53"/>
        <source>The SMS sending window &apos;{text}&apos; is not like 08:00-20:00.</source>
        <translation>短信发送时段“{text}”格式不对，应形如 08:00-20:00。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="54"/>
        <source>The SMS for row {row} would be {n} characters; the limit is {limit}.</source>
        <translation>第 {row} 行的短信将有 {n} 个字，上限为 {limit} 个字。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="55"/>
        <source>Huawei&apos;s bulk-send file holds phone numbers only, so every message must be the same; remove the merge fields or choose the Aliyun or generic layout.</source>
        <translation>华为云的群发文件只包含手机号码，所有短信内容必须相同；请删除合并字段，或改用阿里云或通用格式。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="13"/>
        <source>Unknown channel(s): {codes}.</source>
        <translation>未知的渠道：{codes}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="14"/>
        <source>Unknown time window(s): {codes}.</source>
        <translation>未知的时段：{codes}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="15"/>
        <source>Choose at least one channel the customer accepts.</source>
        <translation>请至少选择一个客户接受的渠道。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="16"/>
        <source>Unknown preferred days &apos;{days}&apos;.</source>
        <translation>未知的偏好日期“{days}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="17"/>
        <source>A preferred hour range needs a start before its end, within 0–24.</source>
        <translation>偏好时间段的开始必须早于结束，且在 0–24 点之间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="18"/>
        <source>Unknown language &apos;{language}&apos;.</source>
        <translation>未知的语言“{language}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="19"/>
        <source>Unknown consent source &apos;{source}&apos;.</source>
        <translation>未知的同意来源“{source}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="20"/>
        <source>The consent date {date} is in the future.</source>
        <translation>同意日期 {date} 在未来。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="21"/>
        <source>Unknown channel &apos;{channel}&apos;.</source>
        <translation>未知的渠道“{channel}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="22"/>
        <source>Unknown purpose &apos;{purpose}&apos;.</source>
        <translation>未知的目的“{purpose}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="23"/>
        <source>Say why the customer is not to be contacted.</source>
        <translation>请说明不联系该客户的原因。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="24"/>
        <source>The refusal must end after the day it starts ({date}).</source>
        <translation>勿扰的结束日期必须晚于开始日期（{date}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="25"/>
        <source>That do-not-contact entry no longer exists.</source>
        <translation>该勿扰记录已不存在。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="26"/>
        <source>That do-not-contact entry was already lifted on {date}.</source>
        <translation>该勿扰记录已于 {date} 解除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="27"/>
        <source>A refusal cannot be lifted before it was set ({date}).</source>
        <translation>勿扰不能在设置日期（{date}）之前解除。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="28"/>
        <source>Say why the refusal is lifted (e.g. the customer asked).</source>
        <translation>请说明解除勿扰的原因（例如客户主动要求）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="29"/>
        <source>Unknown profile attribute &apos;{attribute}&apos;.</source>
        <translation>未知的客户画像属性“{attribute}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="30"/>
        <source>&apos;{value}&apos; is not a valid value for {attribute} (allowed: {allowed}).</source>
        <translation>“{value}”不是 {attribute} 的有效值（可选：{allowed}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="31"/>
        <source>The value for {attribute} is longer than 100 characters.</source>
        <translation>{attribute} 的值超过 100 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="32"/>
        <source>Unknown source &apos;{source}&apos; for a profile change.</source>
        <translation>画像变更的来源“{source}”无效。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="33"/>
        <source>The change date {date} is in the future; record a change once it has happened.</source>
        <translation>变更日期 {date} 在未来，请在变更发生后再记录。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="56"/>
        <source>The report ends ({end}) before it starts ({start}).</source>
        <translation>报表的结束日期（{end}）早于开始日期（{start}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="57"/>
        <source>A segment named &apos;{name}&apos; already exists.</source>
        <translation>已有名为“{name}”的分群。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="58"/>
        <source>A segment name must have 1 to 100 characters.</source>
        <translation>分群名称必须为 1 到 100 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="59"/>
        <source>There is no segment named &apos;{name}&apos;.</source>
        <translation>没有名为“{name}”的分群。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="60"/>
        <source>{source} does not say the segment&apos;s name; give one.</source>
        <translation>{source} 中没有分群名称，请指定一个名称。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="63"/>
        <source>The number of days cannot be negative ({days}).</source>
        <translation>天数不能为负数（{days}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="64"/>
        <source>There is no template &apos;{key}&apos;.</source>
        <translation>没有模板“{key}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="65"/>
        <source>{source} is not valid JSON: {detail} (line {line}).</source>
        <translation>{source} 不是有效的 JSON：{detail}（第 {line} 行）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="66"/>
        <source>The segment &apos;{name}&apos; cannot be read: {detail}</source>
        <translation>无法读取分群“{name}”：{detail}</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="61"/>
        <source>The quantile must be between 0 and 1, not {q}.</source>
        <translation>分位数必须在 0 到 1 之间，而不是 {q}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="44"/>
        <source>Nobody in list #{run} is to be called, so there is no call sheet or call list to make. Its members were checked for their own channel only; build a list with the phone channel to call them.</source>
        <translation>名单 #{run} 中没有需要电话联系的客户，因此无法生成回访单或电话名单。名单中的客户只按各自的渠道检查过；如需电话联系，请用“电话”渠道重新生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="45"/>
        <source>Nobody in list #{run} is to be sent post, so there are no labels or mail list to make. Its members were checked for their own channel only; build a list with the mail channel to write to them.</source>
        <translation>名单 #{run} 中没有需要邮寄的客户，因此无法生成标签或邮寄名单。名单中的客户只按各自的渠道检查过；如需邮寄，请用“邮寄”渠道重新生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="46"/>
        <source>Nobody in list #{run} is to be sent an SMS, so there is no SMS file to make. Its members were checked for their own channel only (not for SMS do-not-contact or unsubscribes); build a list with the SMS channel to text them.</source>
        <translation>名单 #{run} 中没有需要发送短信的客户，因此无法生成短信文件。名单中的客户只按各自的渠道检查过（未检查短信勿扰和退订）；如需发短信，请用“短信”渠道重新生成名单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="62"/>
        <source>Fixed RFM thresholds need R (days), F and M (yuan).</source>
        <translation>固定 RFM 阈值需要填写 R（天）、F 和 M（元）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="67"/>
        <source>The filter&apos;s conditions are nested more than {depth} levels deep.</source>
        <translation>分群条件嵌套超过 {depth} 层。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="68"/>
        <source>A segment filter must be a JSON object with &quot;version&quot; and &quot;where&quot;.</source>
        <translation>分群筛选条件必须是包含 &quot;version&quot; 和 &quot;where&quot; 的 JSON 对象。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="69"/>
        <source>Unknown key(s) in the filter: {keys}.</source>
        <translation>筛选条件中有未知的键：{keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="70"/>
        <source>Filter schema version {version} is not supported (this version of Revisit reads version {supported}).</source>
        <translation>不支持筛选条件格式版本 {version}（此版本的回访只能读取版本 {supported}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="71"/>
        <source>vehicles: &apos;{value}&apos; must be one of {allowed}.</source>
        <translation>vehicles：“{value}”必须是 {allowed} 之一。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="72"/>
        <source>{path}: expected an object (a condition or an and/or/not group).</source>
        <translation>{path}：应为对象（一个条件，或一个 and/or/not 组）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="73"/>
        <source>{path}: unknown key(s) {keys}.</source>
        <translation>{path}：未知的键 {keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="74"/>
        <source>{path}.field: unknown field &apos;{field}&apos;.</source>
        <translation>{path}.field：未知字段“{field}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="75"/>
        <source>{path}.op: &apos;{op}&apos; cannot be used with the field {field} (allowed: {allowed}).</source>
        <translation>{path}.op：“{op}”不能用于字段 {field}（可用：{allowed}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="76"/>
        <source>{path}: expected an object.</source>
        <translation>{path}：应为对象。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="77"/>
        <source>{path}: the field {field} has no parameter {keys}.</source>
        <translation>{path}：字段 {field} 没有参数 {keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="78"/>
        <source>{path}: &apos;{value}&apos; is not a number.</source>
        <translation>{path}：“{value}”不是数字。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="79"/>
        <source>{path}: expected a non-empty text.</source>
        <translation>{path}：应为非空文本。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="80"/>
        <source>{path}: &apos;{value}&apos; is not a value of {field} (allowed: {allowed}).</source>
        <translation>{path}：“{value}”不是 {field} 的取值（可用：{allowed}）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="81"/>
        <source>{path}: tag &apos;{value}&apos; must be written &quot;group/tag&quot;.</source>
        <translation>{path}：标签“{value}”必须写成 &quot;标签组/标签&quot; 的形式。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="82"/>
        <source>The {where} is not valid JSON: {detail} (line {line}, column {col}).</source>
        <translation>{where} 不是有效的 JSON：{detail}（第 {line} 行，第 {col} 列）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="83"/>
        <source>{path}: &quot;not&quot; takes exactly one condition or group.</source>
        <translation>{path}：&quot;not&quot; 只能包含一个条件或条件组。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="84"/>
        <source>{path}: fixed RFM thresholds need {keys}.</source>
        <translation>{path}：固定 RFM 阈值需要 {keys}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="85"/>
        <source>{path}: &apos;{value}&apos; is not a whole number.</source>
        <translation>{path}：“{value}”不是整数。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="86"/>
        <source>{path}: &apos;{value}&apos; is not a date (YYYY-MM-DD).</source>
        <translation>{path}：“{value}”不是日期（YYYY-MM-DD）。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="87"/>
        <source>{path}: expected true or false.</source>
        <translation>{path}：应为 true 或 false。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="88"/>
        <source>{path}: the number of days cannot be negative.</source>
        <translation>{path}：天数不能为负数。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="89"/>
        <source>{path}: &quot;between&quot; takes a list of two values [low, high].</source>
        <translation>{path}：&quot;between&quot; 需要包含两个值的列表 [下限, 上限]。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="90"/>
        <source>{path}: the low end is above the high end.</source>
        <translation>{path}：下限大于上限。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="91"/>
        <source>{path}: &quot;{op}&quot; takes a non-empty list.</source>
        <translation>{path}：&quot;{op}&quot; 需要非空列表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="92"/>
        <source>{path}: a group has only the key &quot;{kind}&quot;.</source>
        <translation>{path}：条件组只能有键 &quot;{kind}&quot;。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="93"/>
        <source>{path}.{kind}: expected a list of conditions.</source>
        <translation>{path}.{kind}：应为条件列表。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="94"/>
        <source>{path}: &apos;{value}&apos; is not one of {allowed}.</source>
        <translation>{path}：“{value}”不是 {allowed} 之一。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="95"/>
        <source>{path}: must be at least {minimum}.</source>
        <translation>{path}：不能小于 {minimum}。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="96"/>
        <source>The two databases are at different schema revisions; open both with this version of Revisit first.</source>
        <translation>两个数据库的结构版本不同；请先用当前版本的回访系统分别打开它们。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="97"/>
        <source>The source and the target are the same database.</source>
        <translation>源数据库和目标数据库是同一个。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="98"/>
        <source>The target {where} already holds data (table {table}); Revisit copies only into an empty database, so nothing was changed.</source>
        <translation>目标 {where} 中已有数据（表 {table}）；回访系统只复制到空数据库，因此没有做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="99"/>
        <source>Table {table} did not arrive intact ({rows} of {expected} rows, checksums differ); nothing was kept in the target.</source>
        <translation>表 {table} 没有完整复制（{rows}/{expected} 行，校验和不一致）；目标中没有保留任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="102"/>
        <source>{where} is damaged ({problem}); nothing was changed. The latest backup is {backup}: close Revisit and put it in place of the damaged file.</source>
        <translation>{where} 已损坏（{problem}），没有做任何更改。最近的备份是 {backup}：请关闭回访系统，用它替换损坏的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="103"/>
        <source>Someone saved a clashing change to {where} at the same moment; nothing was saved. Look at the record again and repeat the step.</source>
        <translation>有人在同一时刻向 {where} 保存了冲突的修改，本次没有保存。请重新查看该记录后再操作一次。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="104"/>
        <source>The connection to the database server {where} was lost; nothing was saved by this step. Check the network and try again.</source>
        <translation>与数据库服务器 {where} 的连接已断开，这一步没有保存任何内容。请检查网络后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="113"/>
        <source>{where} is damaged ({problem}); nothing was changed. Restore it from your latest backup copy.</source>
        <translation>{where} 已损坏（{problem}），没有做任何更改。请用最近的备份恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="119"/>
        <source>{where} is on a network drive. SQLite cannot share a file safely across a network (two PCs writing it can damage it): keep the file on this PC, or move the department to a PostgreSQL server with `db copy --to postgresql://…`.</source>
        <translation>{where} 位于网络驱动器上。SQLite 无法通过网络安全地共享同一个文件（两台电脑同时写入可能损坏它）：请把文件放在本机，或用 `db copy --to postgresql://…` 把全部门迁移到 PostgreSQL 服务器。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="120"/>
        <source>Unknown SMS vendor &apos;{vendor}&apos;.</source>
        <translation>未知的短信平台“{vendor}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="121"/>
        <source>The SMS sending window must start before it ends.</source>
        <translation>短信发送时段的开始时间必须早于结束时间。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="122"/>
        <source>The SMS signature must be written as 【shop name】, not &apos;{signature}&apos;.</source>
        <translation>短信签名必须写成【门店名称】的形式，而不是“{signature}”。</translation>
    </message>
    <message>
        <location filename="../../ui/error_messages.py" line="123"/>
        <source>{name} must be between 0 and 365.</source>
        <translation>{name} 必须在 0 到 365 之间。</translation>
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
