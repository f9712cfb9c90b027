"""Every user-visible text, in one catalogue.

Templates are HTML; `fmt` escapes every value at render time. Residents who write
Traditional Chinese get the result converted by `localise`.
"""

from __future__ import annotations

import html
from functools import cache

import opencc

from bot.domain.model import Rating, Status
from bot.notify.replies import Buttons


class Html(str):
    """A fragment that is already HTML (rendered by `fmt`) and must not be escaped again."""

    __slots__ = ()


def fmt(template: str, **values: object) -> Html:
    """Fill `template`, escaping each value unless it is `Html`."""
    safe = {k: v if isinstance(v, Html) else html.escape(str(v), quote=False)
            for k, v in values.items()}
    return Html(template.format(**safe))


@cache
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def localise(text: str, traditional: bool) -> str:
    """Answer residents who write Traditional Chinese in Traditional."""
    return _to_traditional().convert(text) if traditional else text


def localise_buttons(buttons: Buttons, traditional: bool) -> Buttons:
    """The same buttons with their labels localised (the callback data stays)."""
    return tuple(tuple((localise(label, traditional), data) for label, data in row)
                 for row in buttons)


def is_label(typed: str, label: str) -> bool:
    """Whether `typed` is the reply-keyboard button `label`, as shown in either script."""
    return typed in (label, localise(label, True))


# --- general -------------------------------------------------------------------------------

START = (
    "您好，这里是<b>连心</b>群众诉求服务。\n"
    "路灯不亮、下水道堵塞、噪音扰民、物业、低保办理……有事您说，我们转给负责的部门，"
    "并跟踪到办结为止。\n\n"
    "直接发一段文字说明问题就可以开始，也可以点 /new 。\n"
    "/my 查看我的诉求　/help 使用说明"
)
HELP = (
    "<b>怎样反映问题</b>\n"
    "1. 发送 /new ，或直接发文字、带说明的照片、语音；\n"
    "2. 按提示补充现场照片、地点（可发送位置）和联系电话；\n"
    "3. 核对后点“确认提交”，您会收到诉求编号。\n\n"
    "部门接单、答复时我们都会通知您；办结后请您评价，不满意可打回重新办理。\n"
    "/my 我的诉求　/cancel 取消当前操作\n"
    "/privacy 我们保存哪些信息　/delete_my_data 删除我的个人信息"
)
STAFF_HELP = (
    "\n\n<b>工作人员</b>（{role}）\n"
    "新工单会发到这里：点“接单”开始办理，办完点“办结”并填写答复；"
    "不属于本部门的点“退单”并说明原因。"
)
DISPATCHER_HELP = (
    "\n\n<b>连心办</b>\n"
    "分类不确定或被退回的诉求会发到这里，请点按钮选择办理部门。"
)
ROLE_NAMES = {"assignee": "承办人", "dispatcher": "派单员", "supervisor": "分管领导",
              "admin": "管理员", "grid": "网格员"}
GRID_HELP = (
    "\n\n<b>网格员代报</b>\n"
    "发送 /proxy 替居民反映问题：先输入居民的手机号和称呼，再按提示描述问题。"
    "办理进展、答复和回访都会发到这里，请转告居民。"
)
GENERIC_ERROR = "抱歉，系统暂时出了点问题，请稍后再试。您已提交的内容不会丢失。"
NOT_ALLOWED = "抱歉，您没有权限进行此操作。"
STALE_BUTTON = "该诉求的状态已经变化，这个按钮已失效。"
UNKNOWN_REQUEST = "没有找到这条诉求。"
TAKEN = "该工单已由{name}接单。"   # a plain-text alert: filled with str.format
OPEN_PRIVATE_CHAT = "请先私聊本机器人并发送 /start ，再点这个按钮。"
NOTHING_TO_CANCEL = "当前没有进行中的操作。需要反映问题请发送 /new 。"
UNSUPPORTED_MESSAGE = "抱歉，暂时只能处理文字、照片、语音和位置。需要反映问题请发送 /new 。"
STAFF_IDLE = "请通过工单卡片上的按钮办理。发送 /help 查看说明。"
GRID_IDLE = "替居民反映问题请发送 /proxy ，查看代报的诉求请发送 /my 。"

# --- privacy ----------------------------------------------------------------------------------

PRIVACY = (
    "<b>我们保存哪些信息</b>\n"
    "• 您反映的问题：文字、照片、语音，以及办理经过和评价；\n"
    "• 地点（地址或您发送的位置）、联系电话、您的 Telegram 昵称；\n"
    "• 您的 Telegram 账号编号，用来给您回复。\n\n"
    "<b>谁能看到</b>\n"
    "• 办理部门和连心办的工作人员看到问题和地点；\n"
    "• 电话和姓名只有接单办理您诉求的工作人员能看到完整的，其他人看到的是打码的；\n"
    "• 导出的统计数据中电话和姓名都是打码的。\n\n"
    "发送 /delete_my_data 可以删除您所有诉求中的姓名、电话、地址和位置。"
    "诉求本身和办理记录会保留（不再显示是谁），以便存档和统计。"
)
ASK_ERASE = (
    "确定要删除您所有诉求中的姓名、电话、地址和位置吗？\n"
    "删除后无法恢复；办理部门将无法再通过电话联系您。诉求和办理记录会匿名保留。"
)
BTN_ERASE_YES = "确认删除"
BTN_ERASE_NO = "不删除"
ERASED = "已删除您 {count} 条诉求中的姓名、电话、地址和位置。"
ERASE_KEPT = "好的，没有删除任何信息。"

# --- commands shown in the menu ------------------------------------------------------------

COMMANDS_RESIDENT = [("new", "反映问题"), ("my", "我的诉求"), ("help", "使用说明")]
COMMANDS_GRID = [("proxy", "代居民反映问题"), ("my", "代报的诉求"), ("help", "使用说明"),
                 ("cancel", "取消当前操作")]
COMMANDS_STAFF = [("tasks", "我的工单"), ("triage", "待分派（连心办）"),
                  ("overdue", "超期工单"), ("find", "按编号查诉求"), ("stats", "今日数据"),
                  *COMMANDS_RESIDENT, ("cancel", "取消当前操作")]

# --- the report conversation -----------------------------------------------------------------

ASK_DESCRIPTION = (
    "请描述您遇到的问题：发生了什么、持续多久了。\n"
    "可以发文字，也可以发送带说明的照片或语音。随时发送 /cancel 取消。"
)
DESCRIPTION_TOO_SHORT = "内容有点少，请再多写几个字，说清楚遇到了什么问题。"
DESCRIPTION_TOO_LONG = "内容太长了（最多 {limit} 字），请精简后重新发送。"
DESCRIPTION_WRONG_INPUT = "这一步需要文字、照片或语音。请描述您遇到的问题，或发送 /cancel 取消。"
ASK_PHOTOS = "如有现场照片，请直接发送（最多 {limit} 张）。没有照片或已发完，请点“完成”。"
PHOTO_ADDED = "已收到 {count} 张照片。还可以继续发送，发完请点“完成”。"
PHOTOS_FULL = "照片已达 {limit} 张，请点“完成”继续。"
PHOTOS_WRONG_INPUT = "这一步请发送照片，或点“完成”继续。"
ASK_ADDRESS = (
    "问题发生在哪里？请输入详细地址（如：瑞祥社区3号楼东侧），"
    "或点下方“发送当前位置”。\n"
    "咨询类的事（如医保报销、低保材料、户口迁移）请点“不涉及具体地点”。"
)
ADDRESS_WRONG_INPUT = "请输入地址文字，或点下方“发送当前位置”；与地点无关的事请点“不涉及具体地点”。"
ADDRESS_TOO_SHORT = "地址有点简单，请写得具体一些（小区、楼号或路口）。"
ADDRESS_TOO_LONG = "地址太长了（最多 {limit} 字），请精简后重新发送。"
LOCATION_ADDRESS = "位置：{latitude:.5f}, {longitude:.5f}"
ASK_PHONE = (
    "方便的话请留个联系电话，便于承办人员联系您（只有处理您诉求的工作人员能看到）。\n"
    "可以点“分享手机号”，也可以直接输入号码，或点“跳过”。"
)
PHONE_INVALID = "这个号码好像不对，请输入 11 位手机号或带区号的座机号，或点“跳过”。"
PHONE_NOT_OWN = "请点“分享手机号”分享您本人的号码，或直接输入号码，或点“跳过”。"
REVIEW_NEXT = "好的，请核对以下内容：\n"
SUMMARY = (
    "{heading}{who}<b>问题描述</b>：{description}\n"
    "<b>照片</b>：{photos}\n"
    "<b>地点</b>：{address}\n"
    "<b>联系电话</b>：{phone}\n\n"
    "确认无误请点“确认提交”。"
)
DAILY_LIMIT = (
    "您今天已经反映了 {limit} 件诉求，已达到每天的上限，请明天再来。"
    "如有紧急情况，请拨打 12345 热线。"
)
ADDRESS_IN_VOICE = "地址见语音"
DESCRIPTION_KEPT = "{start}\n（全文共 {count} 字，已完整保存，办理部门会收到全文）"
VOICE_DESCRIPTION = "（语音）"
NO_PHOTOS = "无"
PHOTO_COUNT = "{count} 张"
NO_PHONE = "未留"
CONFIRM_WAITING = "请点上方的“确认提交”、“修改”或“取消”。"
SUBMITTED = (
    "✅ 已提交，诉求编号：<b>{number}</b>\n{routing}\n"
    "办理过程中我们会及时通知您，也可以随时发送 /my 查看进度。"
)
SUBMITTED_ROUTED = "已转交{department}办理。"
SUBMITTED_TRIAGE = "工作人员正在为您确定办理部门。"
CANCELLED = "已取消，本次内容没有提交。需要时请再发送 /new 。"
EDIT_APPLIED = "已按您修改后的内容更新问题描述。"
EDIT_AFTER_SUBMIT = (
    "诉求已经提交，修改原消息不会更新诉求内容。"
    "如需补充或更正，请发送 /my ，打开诉求（如 {number}）后点“补充材料”。"
)
PROXY_WHO = "<b>代报居民</b>：{name}（{phone}）\n"
ASK_PROXY_PHONE = (
    "请输入要代为反映问题的居民的手机号（11 位），答复会发到您这里，请您转告居民。"
    "随时发送 /cancel 取消。"
)
PROXY_PHONE_INVALID = "这个手机号好像不对，请输入 11 位手机号，如 13812345678。"
ASK_PROXY_NAME = "请输入居民的姓名或称呼（如：张阿姨）。"
PROXY_NAME_INVALID = "请用文字输入居民的姓名或称呼，不超过 {limit} 个字。"
ONLY_GRID = "代报供网格员使用。需要反映您自己的问题，请发送 /new 。"
ON_BEHALF = "代 {name}（{phone}）\n"
PROXY_MARK = "（网格员代报）"
DRAFT_GONE = "这份草稿已经提交或取消了。需要反映问题请发送 /new 。"

# --- the same problem open nearby (+1) ----------------------------------------------------

SIMILAR_OFFER = (
    "附近已有相同问题正在办理：\n"
    "<b>{number}</b>　{category}　{status}\n{summary}\n"
    "已有 {count} 位居民反映。\n\n"
    "您可以点“加入（+1）”，办理进展会同步通知您；也可以仍然新建一条诉求。"
)
BTN_JOIN = "👍 加入（+1）"
BTN_FILE_NEW = "仍然新建"
SIMILAR_WAITING = "请点上方的“加入（+1）”或“仍然新建”。"
SIMILAR_GONE = "这条诉求刚刚已经答复或办结，不能再加入了。我们为您继续新建诉求。"
JOINED = (
    "✅ 已加入诉求 <b>{number}</b>（现有 {count} 位居民反映）。\n"
    "办理进展会同步通知您，也可以发送 /my 查看。"
)
JOIN_NOTICE = (
    "👥 <b>又有一位居民反映</b> {number}（涉及居民 {count} 人）：{summary}\n{text}"
)
AFFECTED_LINE = "\n<b>涉及居民</b>：{count} 人"
FOLLOWED_PREFIX = "📌 您关注（+1）的诉求有新消息：\n"
FOLLOWER_WITHDRAWN = (
    "您关注（+1）的诉求 {number} 已被最初反映的居民撤回。"
    "如果问题仍然存在，请发送 /new 重新反映。"
)
MY_FOLLOWED_MARK = "　（已关注）"
FOLLOWED_PLACE = "同一小区（详细地址仅反映人可见）"

# --- a follow-up written outside a conversation ---------------------------------------------

FOLLOW_UP_OFFER = (
    "您是在问已经反映过的诉求吗？请选择是哪一条，我们会把您的话转给办理部门。\n"
    "如果是新问题，请点“这是新问题”。"
)
BTN_FOLLOW_UP = "{number} {summary}"
BTN_NEW_PROBLEM = "🆕 这是新问题"
FOLLOW_UP_GONE = "这条消息已经处理过了。"
FOLLOW_UP_URGED = "已为诉求 {number} 催办（目前：{status}），办理部门会收到提醒。"
FOLLOW_UP_ADDED = (
    "已把您的话补充到诉求 {number}（目前：{status}），并转给了办理部门。"
    "可发送 /my 查看办理经过。"
)

BTN_DONE = "完成"
BTN_SKIP = "跳过"
BTN_LOCATION = "📍 发送当前位置"
BTN_NO_PLACE = "不涉及具体地点"
NO_PLACE_WORDS = frozenset({BTN_NO_PLACE, "不涉及", "没有地点", "无地点", "无", "没有", "跳过",
                            "不涉及具體地點", "跳過", "沒有"})   # typed, Simplified or Traditional
BTN_CONTACT = "📱 分享手机号"
BTN_CONFIRM = "✅ 确认提交"
BTN_EDIT = "✏️ 修改"
BTN_CANCEL = "取消"
FIELD_LABELS = {"description": "问题描述", "photos": "照片", "address": "地点",
                "phone": "联系电话"}

# --- the resident's requests --------------------------------------------------------------

STATUS_LABELS = {
    Status.TRIAGE: "待分派",
    Status.DISPATCHED: "待接单",
    Status.IN_PROGRESS: "正在办理",
    Status.RESOLVED: "已答复，待评价",
    Status.CLOSED: "已办结",
    Status.WITHDRAWN: "已撤回",
    Status.RESTRICTED: "疑难受限",
}
MY_EMPTY = "您还没有提交过诉求。需要反映问题请发送 /new 。"
MY_HEADER = "<b>我的诉求</b>（共 {total} 条，第 {page}/{pages} 页）点编号查看详情"
MY_ITEM = "<b>{number}</b>　{status}\n{summary}"
BTN_OPEN_MINE = "{number} {status}"
MY_DETAIL = (
    "<b>诉求 {number}</b>　{status}\n"
    "<b>问题描述</b>：{description}\n"
    "<b>地点</b>：{address}\n"
    "<b>办理部门</b>：{department}\n"
    "<b>答复时限</b>：{due}\n\n"
    "<b>办理经过</b>\n{history}"
)
MY_HISTORY_ITEM = "{at}　{what}"
MY_NO_DEPARTMENT = "正在确定办理部门"
RESIDENT_EVENT_LABELS = {
    "submit": "您提交了诉求", "route": "已转交办理部门", "accept": "办理部门已接单",
    "return": "重新确定办理部门", "resolve": "办理部门已答复", "rate": "您已评价",
    "reopen": "您不满意，已打回重新办理", "withdraw": "您撤回了诉求",
    "progress": "办理部门告知了进展", "extension_approved": "办理时限已延长",
    "restrict": "列为疑难事项", "resume": "恢复办理", "close_restricted": "按疑难事项办结",
    "survey_expire": "未评价，已办结", "add_info": "您补充了材料", "urge": "您催办了一次",
    "co_added": "增加了协办部门", "release": "重新安排承办人",
    "join": "又有一位居民反映",
}
FOLLOWER_EVENT_LABELS = {   # the same history, read by a resident who joined it (+1)
    **RESIDENT_EVENT_LABELS,
    "submit": "居民提交了诉求", "rate": "反映人已评价", "reopen": "反映人不满意，已打回重新办理",
    "withdraw": "反映人撤回了诉求", "add_info": "反映人补充了材料", "urge": "反映人催办了一次",
}
BTN_ADD_INFO = "📎 补充材料"
BTN_WITHDRAW_ONE = "撤回"
BTN_URGE = "⏰ 催办"
BTN_RATE_AGAIN = "评价"
BTN_BACK_TO_LIST = "« 返回列表"
BTN_CONFIRM_WITHDRAW = "确认撤回"
BTN_KEEP = "不撤回"
ASK_ADD_INFO = (
    "请发送要补充到诉求 {number} 的内容：文字、照片或语音都可以，会转给正在办理的部门。"
    "发送 /cancel 取消。"
)
ADD_INFO_WRONG_INPUT = "请发送文字、照片或语音，或发送 /cancel 取消。"
ADD_INFO_THANKS = "已补充到诉求 {number}，并转给了正在办理的部门。"
URGED = "已为诉求 {number} 催办，办理部门会收到提醒。"
URGE_TOO_SOON = "24 小时内已经催办过了，每天可以催办一次，请明天再试。"
CONFIRM_WITHDRAW = "确定要撤回诉求 {number} 吗？撤回后办理部门将不再处理。"
SURVEY_AGAIN = "请对诉求 {number} 的办理结果进行评价："
WITHDRAWN = "诉求 {number} 已撤回。"
WITHDRAWN_NOTICE = "诉求 {number} 已由群众撤回，无需再办理。"

ADD_INFO_NOTICE = "📎 <b>群众补充材料</b> {number}（{summary}）\n{text}"
ADD_INFO_MEDIA_ONLY = "（照片或语音，见上下条消息）"
URGE_NOTICE = (
    "⏰ <b>群众催办</b> {number}（第 {count} 次）：{summary}\n答复时限：{due}。请抓紧办理。"
)

# --- task cards and staff actions ---------------------------------------------------------

URGENT_MARK = "🚨 <b>紧急</b> "
TASK_CARD = (
    "{urgent}<b>{title}</b> {number}\n"
    "<b>类别</b>：{category}\n"
    "<b>问题描述</b>：{description}\n"
    "<b>地点</b>：{address}\n"
    "<b>联系人</b>：{contact}\n"
    "<b>分类依据</b>：{matched}\n"
    "<b>接单时限</b>：{accept_due}\n"
    "<b>答复时限</b>：{answer_due}"
)
TITLE_NEW_TASK = "新工单"
TITLE_REOPENED = "群众不满意，打回重新办理"
REOPEN_REASON_LINE = "\n<b>不满意原因</b>：{reason}"
TRIAGE_CARD = (
    "{urgent}<b>待分派</b> {number}\n"
    "<b>问题描述</b>：{description}\n"
    "<b>地点</b>：{address}\n"
    "<b>候选类别</b>：{candidates}\n"
    "<b>分类依据</b>：{matched}\n"
    "{reason}请选择办理类别："
)
TRIAGE_FLAGGED = "⚠️ <b>已标记</b>：{reason}\n"
TRIAGE_RETURNED = "<b>退单</b>：{department}，原因：{reason}\n"
URGENT_OFFICE_NOTICE = (
    "🚨 <b>紧急诉求</b> {number}（{words}）\n{description}\n<b>地点</b>：{address}"
)
DESCRIPTION_CLIPPED = "{start}\n（全文共 {count} 字，见下条消息）"
FULL_TEXT = "<b>全文</b> {number}（{part}/{parts}）\n{text}"
NONE_MATCHED = "无关键词命中"
NOT_GIVEN = "未提供"
LOCAL_TIME = "{month}月{day}日 {time}"
CANDIDATE = "{name}（{score}）"
ACCEPTED_BY = "\n\n✅ {name} 已接单，请在 {answer_due} 前答复群众。"
ROUTED_TO = "\n\n➡️ 已分派给{department}。"
BTN_ACCEPT = "接单"
BTN_RETURN = "退单"
BTN_RESOLVE = "办结"
ASK_ANSWER = (
    "请输入对诉求 {number} 的答复内容，将发送给群众；也可以发一张现场照片并把答复写在说明里。"
    "发送 /cancel 放弃。"
)
ASK_RETURN_REASON = "请说明诉求 {number} 的退单原因（如：不属于本部门职责）。发送 /cancel 放弃。"
STAFF_TEXT_REQUIRED = "请发送文字。发送 /cancel 放弃。"
STAFF_TEXT_TOO_LONG = "内容太长了（最多 {limit} 字），请精简后重新发送。"
RESOLVED_ACK = "诉求 {number} 已办结，答复已发送给群众。"
RETURNED_ACK = "诉求 {number} 已退回连心办重新分派。"
ACTION_CANCELLED = "已放弃，工单保持原状。"

# --- what residents are told ------------------------------------------------------------------

RESIDENT_ACCEPTED = "您的诉求 {number} 已由{department}受理，正在办理中。"
RESIDENT_ANSWER = (
    "您的诉求 {number} 已有答复：\n\n{answer}\n\n"
    "——{department}\n\n请您对办理结果进行评价："
)
RATING_LABELS = {Rating.SATISFIED: "满意", Rating.BASIC: "基本满意",
                 Rating.UNSATISFIED: "不满意"}
ASK_REOPEN_REASON = (
    "很抱歉没能让您满意。请告诉我们哪里不满意（打字或发语音都可以），我们将打回重新办理。"
)
THANKS_RATING = "感谢您的评价！诉求 {number} 已办结。"
REOPENED = "已打回重新办理，诉求 {number} 将由{department}重新办理，请耐心等待。"
BTN_ALL_CATEGORIES = "全部类别…"
REOPEN_ESCALATION = (
    "⚠️ <b>多次不满意</b> {number}：已第 {count} 次打回{department}重新办理。\n"
    "<b>不满意原因</b>：{reason}"
)
PHOTO_NEEDS_TEXT = "照片收到了。请再用一句话说明是什么问题。"

# --- reminders, escalations (督办) and the survey (回访) ---------------------------------------

ACCEPT_REMINDER = "⏰ 工单 <b>{number}</b> 已超过接单时限，请尽快接单。\n{summary}"
ACCEPT_ESCALATION = (
    "🔔 <b>督办</b>：{department}的工单 <b>{number}</b> 超时未接单（应于 {due} 前接单）。\n"
    "{summary}"
)
ANSWER_REMINDER = "⏰ 工单 <b>{number}</b> 请在 {due} 前答复群众。\n{summary}"
ANSWER_ESCALATION = (
    "🔔 <b>督办</b>：{department}的工单 <b>{number}</b> 已到答复期限（{due}），请督促办理。\n"
    "{summary}"
)
OFFICE_ESCALATION = (
    "🔔 <b>二级督办</b>：{department}的工单 <b>{number}</b> 超过答复期限（{due}）仍未办结。\n"
    "{summary}"
)
ANSWER_WITHOUT_SURVEY = "您的诉求 {number} 已有答复：\n\n{answer}\n\n——{department}"
SURVEY = "关于您的诉求 <b>{number}</b>（{summary}），请您对办理结果进行评价："
SURVEY_REMINDER = "您的诉求 <b>{number}</b> 还没有评价，麻烦您抽空点一下："
SURVEY_CLOSED = "本次回访已结束，感谢您的支持。"
RESTRICTED_REVIEW = (
    "🔁 疑难受限诉求 <b>{number}</b>（{department}）已到复核时间，请研究是否恢复办理。\n{summary}"
)

# --- the daily digest and spot checks (抽访) -------------------------------------------------

DIGEST_HEADER = "📊 <b>{scope}</b> {day} 工作日报"
DIGEST_FIGURES = (
    "新受理 {new}　已派单 {routed}　待分派 {triaged}\n"
    "已接单 {accepted}　已答复 {resolved}　已办结 {closed}\n"
    "督办 {escalations}　当前超期 {overdue}"
)
DIGEST_OVERDUE_HEADER = "<b>今日超期工单</b>（{count} 件）："
DIGEST_OVERDUE_ITEM = "{number}　{department}　应于 {due} 前答复　{summary}"
DIGEST_NO_OVERDUE = "今日没有超期工单。"
DIGEST_WHOLE_DISTRICT = "全区"
SPOT_CHECK = (
    "您好，这里是连心回访。您之前反映的诉求 <b>{number}</b>（{summary}）已经办结，"
    "想再了解一下您对办理结果的看法："
)
SPOT_CHECK_THANKS = "感谢您的反馈！如果还有想说的，可以直接回复文字告诉我们；没有请忽略。"
SPOT_CHECK_COMMENT_THANKS = "收到，感谢您的宝贵意见！"
SPOT_CHECK_UNSATISFIED = (
    "📋 <b>抽访不满意</b>：诉求 <b>{number}</b>（{department}）群众表示不满意。\n{summary}"
)
SPOT_CHECK_COMMENT_NOTICE = "📋 抽访诉求 <b>{number}</b> 的群众意见：{comment}"

# --- working a task: progress, extension, restricted, co-handling --------------------------

BTN_PROGRESS = "进展"
BTN_EXTEND = "申请延期"
BTN_RESTRICT = "疑难受限"
BTN_APPROVE = "同意延期"
BTN_REFUSE = "不同意"
BTN_RESUME = "恢复办理"
BTN_CLOSE_RESTRICTED = "按疑难受限办结"
BTN_CO_NOTE = "提交协办意见"
ASK_PROGRESS = "请输入诉求 {number} 的办理进展，将发送给群众。发送 /cancel 放弃。"
ASK_EXTENSION = (
    "请输入诉求 {number} 需要延长的工作日数（在原答复期限上顺延）或新的期限，再写原因，例如：\n"
    "5 需等待配件到货\n2026-12-20 需协调施工单位\n发送 /cancel 放弃。"
)
EXTENSION_FORMAT = "格式不对。请先写工作日数或日期，再写原因，例如：5 需等待配件到货"
EXTENSION_NOT_LATER = "新的期限要晚于现在的答复期限，请重新输入。"
ASK_RESTRICT = (
    "请说明诉求 {number} 暂时无法办理的原因（政策或条件限制），这段说明会发给群众。"
    "发送 /cancel 放弃。"
)
ASK_CO_NOTE = "请输入对诉求 {number} 的协办意见，将转给主办部门。发送 /cancel 放弃。"
PROGRESS_ACK = "诉求 {number} 的进展已发送给群众。"
EXTENSION_ASKED = "诉求 {number} 的延期申请已提交连心办审核。"
RESTRICTED_ACK = "诉求 {number} 已标记为疑难受限，说明已发送给群众。"
CO_NOTE_ACK = "诉求 {number} 的协办意见已转给主办部门。"
EXTENSION_APPROVED_ACK = "已同意诉求 {number} 的延期申请。"
EXTENSION_REFUSED_ACK = "已不同意诉求 {number} 的延期申请。"
RESUMED_ACK = "诉求 {number} 已恢复办理。"
RESTRICTED_CLOSED_ACK = "诉求 {number} 已按疑难受限办结。"
RESIDENT_PROGRESS = "您的诉求 {number} 有新进展：\n{note}\n——{department}"
EXTENSION_REQUEST = (
    "⏳ <b>延期申请</b>：{department}申请将诉求 <b>{number}</b> 的答复期限由 {old_due} "
    "延至 {due}。\n<b>原因</b>：{reason}\n{summary}"
)
RESIDENT_EXTENDED = "您的诉求 {number} 办理期限延至 {due}，{department}正在办理，请耐心等待。"
EXTENSION_APPROVED = "✅ 诉求 <b>{number}</b> 的延期申请已同意，新的答复期限：{due}。"
EXTENSION_REFUSED = "❌ 诉求 <b>{number}</b> 的延期申请未获同意，请在 {due} 前答复群众。"
RESIDENT_RESTRICTED = "关于您的诉求 {number}，{department}的说明：\n{explanation}"
RESTRICTED_NOTICE = (
    "⚠️ <b>疑难受限</b>：{department}将诉求 <b>{number}</b> 标记为疑难受限。\n"
    "<b>说明</b>：{explanation}\n{summary}"
)
RESUMED_NOTICE = "🔄 诉求 <b>{number}</b> 恢复办理，请在 {due} 前答复群众。\n{summary}"
RESIDENT_RESTRICTED_CLOSED = (
    "您的诉求 {number} 因政策或条件限制暂时无法解决，已按疑难受限办结。感谢您的理解。"
)
CO_TASK_TITLE = "协办工单（主办：{lead}）"
CO_NOTE_NOTICE = "🤝 <b>协办意见</b>：{department}对诉求 <b>{number}</b>：\n{note}"
BTN_PREVIOUS = "◀ 上一页"
BTN_NEXT = "下一页 ▶"
BTN_ADD_CO = "添加协办部门…"
CO_HANDLERS_LINE = "\n🤝 协办：{departments}"

# --- the staff's desk: lists, cards, history, figures ------------------------------------------

LIST_TITLES = {"tasks": "我的工单", "triage": "待分派诉求", "overdue": "超期工单"}
LIST_HEADER = "<b>{title}</b>（共 {total} 件，第 {page}/{pages} 页）"
LIST_EMPTY = "<b>{title}</b>：暂无。"
LIST_ITEM = "{index}. <b>{number}</b>　{status}　答复时限 {due}\n　　{summary}"
BTN_OPEN = "{index}. {number}"
HISTORY_HEADER = "\n\n<b>办理记录</b>"
HISTORY_ITEM = "{at}　{what}"
EVENT_LABELS = {
    "submit": "群众提交", "route": "连心办派单", "accept": "接单", "return": "退单",
    "resolve": "办结答复", "rate": "群众评价", "reopen": "不满意打回重新办理",
    "withdraw": "群众撤回", "progress": "办理进展", "extension_requested": "申请延期",
    "extension_approved": "同意延期", "extension_refused": "不同意延期",
    "restrict": "疑难受限", "resume": "恢复办理", "close_restricted": "按疑难受限办结",
    "co_added": "增加协办部门", "co_note": "协办意见", "accept_remind": "接单提醒",
    "accept_escalate": "超时未接单督办", "answer_remind": "答复提醒",
    "answer_escalate": "超期督办", "office_escalate": "二级督办", "survey_send": "回访",
    "survey_remind": "回访提醒", "survey_expire": "回访未评价", "spot_check_sent": "抽访",
    "spot_check": "抽访评价", "spot_check_comment": "抽访意见",
    "deadlines_recomputed": "期限重算", "restricted_review": "疑难受限复核",
    "join": "又有一位居民反映（+1）",
}
STATS_TODAY = "📊 <b>今日</b>（截至 {now}）\n"
ONLY_STAFF = "这个命令供工作人员使用。"
FIND_USAGE = "用法：/find 诉求编号，例如 /find 20261201-0007"
# --- staff changes -------------------------------------------------------------------------

INVITE_JOINED = "您已加入 {department}，身份：{role}"
INVITE_REFUSED = "邀请码无效或已过期，请向管理员索取新的邀请码。"
OFFICE_NAME = "连心服务办公室"   # a dispatcher's or admin's "department" when joining
TITLE_RELEASED = "原承办人已离岗，工单退回重新接单"
RELEASE_REASON = "原承办人{name}已不再承办本部门工单"
TRIAGE_RELEASED = "<b>承办人离岗</b>：{department}，{reason}，该部门已无承办人\n"

# --- destinations the bot cannot reach (told to the office once per destination) ----------

UNREACHABLE_TASK = "；任务 {number} 未能送达"
UNREACHABLE_OTHER = "；一条通知未能送达"
UNREACHABLE_GROUP = (
    "⚠️ {department} 的群聊已移除本机器人{lost}。请把机器人加回群聊，或更换配置中的 chat_id。"
)
UNREACHABLE_NEVER_OPENED = (
    "⚠️ {name}（{department}）从未打开过本机器人，收不到消息{lost}。"
    "请提醒其在 Telegram 中打开本机器人并发送 /start。"
)
UNREACHABLE_BLOCKED = "⚠️ {name}（{department}）已停用本机器人，收不到消息{lost}。"
UNREACHABLE_REASON = "部门内无人能收到任务（未打开机器人或群聊已移除机器人），请改派"
NO_DEPARTMENT = "未分配部门"
