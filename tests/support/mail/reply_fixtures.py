"""The reply-format fixtures: one message per client, new text above its quoted history."""

from __future__ import annotations

from tests.support.mail.mailbuilder import (
    REPLY_TO_1042,
    alternative,
    common,
    ew,
    html_part,
    single,
    text_part,
)


def reply_fixtures() -> dict[str, bytes]:
    f: dict[str, bytes] = {}
    f["qq-mail.eml"] = alternative(
        common(
            ew("回复：[#1042] 服务器无法启动", "gb18030"),
            f'"{ew("张三", "gb18030")}" <zhangsan@qq.com>',
            X_QQ_mid="xmqqtsbq4e2f9a1c",
            X_Mailer="QQMail 2.x",
        )
        + REPLY_TO_1042,
        text_part(
            "好的，我明天重启服务器再试一下。\n\n\n\n\n------------------ 原始邮件 ------------------\n"
            '发件人: "Aftercare Support"<support@aftercare.example>;\n发送时间: 2026年11月20日(星期五) 上午10:00\n'
            '收件人: "张三"<zhangsan@qq.com>;\n\n主题: Re: [#1042] 服务器无法启动\n\n\n\n您好，请重启服务器后再观察一下。\n',
            "gb18030",
        ),
        html_part(
            "<div>好的，我明天重启服务器再试一下。</div><div><br></div>"
            '<div style="font-size: 12px;">------------------&nbsp;原始邮件&nbsp;------------------</div>'
            '<div style="background:#efefef;"><div><b>发件人:</b>&nbsp;"Aftercare Support"&lt;support@aftercare.example&gt;;'
            "</div><div><b>发送时间:</b>&nbsp;2026年11月20日(星期五) 上午10:00</div></div><div><br></div>"
            "您好，请重启服务器后再观察一下。",
            "gb18030",
            "base64",
        ),
    )
    f["foxmail-original.eml"] = single(
        common(
            ew("回复: [#1042] 服务器无法启动", "gb2312"),
            "zhangsan <zhangsan@example.cn>",
            X_Mailer="Foxmail 7.2.25.228[cn]",
        )
        + REPLY_TO_1042,
        text_part(
            '收到，谢谢！\n\n------------------&nbsp;Original&nbsp;------------------\nFrom: &nbsp;"Aftercare Support"'
            '<support@aftercare.example>;\nDate: &nbsp;Fri, Nov 20, 2026 10:00 AM\nTo: &nbsp;"zhangsan"'
            "<zhangsan@example.cn>; \nSubject: &nbsp;[#1042] 服务器无法启动\n\n\n您好，问题已经解决。\n",
            "gbk",
        ),
    )
    f["netease-163.eml"] = alternative(
        common(
            ew("Re:[#1042] 服务器无法启动", "GBK"),
            "zhangsan <zhangsan@163.com>",
            X_Mailer="NetEase Flash Mail 2.4.1.32",
        )
        + REPLY_TO_1042,
        text_part(
            "已经按照步骤操作，问题依旧。\n\n发自网易邮箱大师\n\n\n\n\n"
            '在 2026-11-20 10:00:00，"Aftercare Support" <support@aftercare.example> 写道：\n'
            ">您好，请按照以下步骤操作：\n>1. 重启服务\n>2. 清除缓存\n",
            "GBK",
        ),
        html_part(
            "<div>已经按照步骤操作，问题依旧。</div><div><br></div><div>发自网易邮箱大师</div><br><br>"
            '<div id="isReplyContent">在 2026-11-20 10:00:00，"Aftercare Support" &lt;support@aftercare.example&gt; 写道：'
            '<blockquote id="isReplyContent">您好，请按照以下步骤操作：<br>1. 重启服务<br>2. 清除缓存</blockquote></div>',
            "GBK",
            "base64",
        ),
    )
    f["outlook-zh.eml"] = alternative(
        common(
            ew("答复: [#1042] 请安装补丁", "gb2312"),
            f"{ew('王五', 'gb2312')} <wangwu@example.cn>",
            Thread_Topic=ew("[#1042] 请安装补丁", "gb2312"),
        )
        + REPLY_TO_1042,
        text_part(
            "您好，\n\n补丁已经安装，系统恢复正常。\n\n谢谢！\n王五\n\n________________________________\n"
            "发件人: Aftercare Support <support@aftercare.example>\n发送时间: 2026年11月20日 10:00\n"
            "收件人: 王五 <wangwu@example.cn>\n主题: [#1042] 请安装补丁\n\n请安装附件中的补丁。\n",
            "gb2312",
            "quoted-printable",
        ),
        html_part(
            "<div>您好，<br><br>补丁已经安装，系统恢复正常。<br><br>谢谢！<br>王五</div>"
            '<hr style="display:inline-block"><div id="divRplyFwdMsg"><b>发件人:</b> Aftercare Support '
            "&lt;support@aftercare.example&gt;<br><b>发送时间:</b> 2026年11月20日 10:00<br><b>收件人:</b> 王五<br>"
            "<b>主题:</b> [#1042] 请安装补丁</div><div>请安装附件中的补丁。</div>",
            "gb2312",
        ),
    )
    f["outlook-zh-original-message.eml"] = single(
        common(ew("答复: [#1043] 维护窗口确认", "gb2312"), "Zhao Liu <zhaoliu@example.cn>") + REPLY_TO_1042,
        text_part(
            "好的，周五晚上可以停机维护。\n\n-----原始邮件-----\n发件人: Aftercare Support [mailto:support@aftercare.example] \n"
            "发送时间: 2026年11月20日 10:00\n收件人: 赵六\n主题: [#1043] 维护窗口确认\n\n请确认维护窗口。\n",
            "gb2312",
        ),
    )
    f["outlook-en.eml"] = alternative(
        common(
            "RE: [#1044] Please install the patch",
            "John Smith <john.smith@example.com>",
            Thread_Topic="[#1044] Please install the patch",
        )
        + REPLY_TO_1042,
        text_part(
            "Thanks, the patch fixed it.\n\nBest regards,\nJohn\n\n________________________________\n"
            "From: Aftercare Support <support@aftercare.example>\nSent: Friday, November 20, 2026 10:00 AM\n"
            "To: John Smith <john.smith@example.com>\nSubject: [#1044] Please install the patch\n\n"
            "Please install the attached patch.\n",
            "us-ascii",
            "quoted-printable",
        ),
        html_part(
            '<div>Thanks, the patch fixed it.<br><br>Best regards,<br>John</div><hr><div id="divRplyFwdMsg">'
            "<b>From:</b> Aftercare Support<br><b>Sent:</b> Friday, November 20, 2026 10:00 AM<br>"
            "<b>Subject:</b> [#1044] Please install the patch</div><div>Please install the attached patch.</div>",
            "us-ascii",
        ),
    )
    f["gmail-en.eml"] = alternative(
        common("Re: [#1045] Nightly crash", "Ana Lima <ana.lima@gmail.com>") + REPLY_TO_1042,
        text_part(
            "Yes, it happens every night at 2am.\n\nOn Tue, Nov 24, 2026 at 10:00 AM Aftercare Support <\n"
            "support@aftercare.example> wrote:\n\n> Does the crash happen at a fixed time?\n>\n> --\n> Aftercare Support\n>\n",
            "UTF-8",
            "quoted-printable",
        ),
        html_part(
            '<div dir="ltr">Yes, it happens every night at 2am.</div><br><div class="gmail_quote">'
            '<div dir="ltr" class="gmail_attr">On Tue, Nov 24, 2026 at 10:00 AM Aftercare Support &lt;'
            '<a href="mailto:support@aftercare.example">support@aftercare.example</a>&gt; wrote:<br></div>'
            '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Does the crash happen at a fixed time?<br>'
            "</blockquote></div>",
            "UTF-8",
        ),
    )
    f["gmail-zh.eml"] = alternative(
        common(ew("Re: [#1045] 夜间崩溃", "UTF-8"), f"{ew('刘洋', 'UTF-8')} <liuyang@gmail.com>")
        + REPLY_TO_1042,
        text_part(
            "每天凌晨两点左右会出现。\n\n2026年11月24日周二 10:00，Aftercare Support <support@aftercare.example> 写道：\n\n"
            "> 请问崩溃是否在固定时间发生？\n>\n",
            "UTF-8",
        ),
        html_part(
            '<div dir="ltr">每天凌晨两点左右会出现。</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
            "2026年11月24日周二 10:00，Aftercare Support &lt;support@aftercare.example&gt; 写道：<br></div>"
            '<blockquote class="gmail_quote">请问崩溃是否在固定时间发生？</blockquote></div>',
            "UTF-8",
            "base64",
        ),
    )
    f["apple-iphone-zh.eml"] = single(
        common(
            ew("回复： [#1046] 客户端闪退", "utf-8"),
            f"{ew('周敏', 'utf-8')} <zhoumin@icloud.com>",
            X_Mailer="iPhone Mail (22B91)",
        )
        + REPLY_TO_1042,
        text_part(
            "重启之后好了，谢谢！\n\n发自我的iPhone\n\n> 在 2026年11月24日，10:00，Aftercare Support "
            "<support@aftercare.example> 写道：\n> \n> 请重启一下手机客户端。\n> \n",
            "utf-8",
            "quoted-printable",
        ),
        b"\n",
    )
    f["apple-ipad-zh.eml"] = single(
        common(ew("Re: [#1047] 升级", "utf-8"), "Chen <chen@icloud.com>", X_Mailer="iPad Mail (22B91)")
        + REPLY_TO_1042,
        text_part(
            "已升级到 2.4.1，问题解决。\n\n从我的 iPad 发送\n\n> 2026年11月24日 10:00，Aftercare Support "
            "<support@aftercare.example> 写道：\n> \n> 请升级到 2.4.1。\n",
            "utf-8",
            "quoted-printable",
        ),
        b"\n",
    )
    f["apple-mail-en.eml"] = single(
        common("Re: [#1048] Update", "Tom <tom@me.com>", X_Mailer="Apple Mail (2.3826.300.87.4.3)")
        + REPLY_TO_1042,
        text_part(
            "It works now.\n\nSent from my iPad\n\n> On Nov 24, 2026, at 10:00, Aftercare Support "
            "<support@aftercare.example> wrote:\n> \n> Please update to 2.4.1.\n",
            "us-ascii",
            "7bit",
        ),
        b"\n",
    )
    f["apple-forward.eml"] = single(
        common("Fwd: Disk full", "Tom <tom@me.com>"),
        text_part(
            "FYI, see below.\n\nBegin forwarded message:\n\nFrom: Monitoring <alerts@example.com>\nSubject: Disk full\n"
            "Date: 24 November 2026 at 09:00:00 GMT+8\nTo: ops@example.com\n\nDisk /var is 98% full.\n",
            "us-ascii",
            "7bit",
        ),
    )
    f["thunderbird-bottom-post.eml"] = single(
        common("Re: [#1049] Version", "John Smith <john.smith@example.com>", User_Agent="Mozilla Thunderbird")
        + REPLY_TO_1042,
        text_part(
            "On 24/11/2026 10:00, Aftercare Support wrote:\n> Which version are you running?\n\n"
            "Version 2.4.0 on Debian 12. \nIt started after the upgrade.\n\n-- \nJohn Smith\nExample Corp\n",
            "utf-8",
            "7bit",
            flowed=True,
        ),
    )
    return f
