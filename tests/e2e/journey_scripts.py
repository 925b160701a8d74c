"""What the people of the browser journeys type, in English and in Chinese (tests/e2e/test_journeys.py).

Each language's text is wholly in that language (product names, versions and file names aside), so a
journey can tell the interface's words from its people's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Filing:
    """One ticket a customer files, and the article that should be suggested while they type it."""

    kind: str
    subject: str
    body: str
    details: dict[str, str]
    attachment: str
    article: str
    search: str = ""  # what the engineer types into the queue's search
    link_query: str = ""  # what the engineer types into the knowledge panel


@dataclass(frozen=True)
class Script:
    locale: str
    html_lang: str
    browser_locale: str
    article_language: str
    org_name: str
    customer_name: str
    engineer_name: str
    filings: tuple[Filing, ...]
    articles: tuple[tuple[str, str], ...]
    note: str
    reply: str
    answer: str
    answer_attachment: str

    def typed(self) -> list[str]:
        """Everything the journey's people type, name or attach."""
        texts = [self.org_name, self.customer_name, self.engineer_name, self.note, self.reply, self.answer]
        texts.append(self.answer_attachment)
        for filing in self.filings:
            texts += [filing.subject, filing.body, filing.attachment, *filing.details.values()]
        for title, body in self.articles:
            texts += [title, body]
        return texts


ENGLISH = Script(
    locale="en",
    html_lang="en",
    browser_locale="en-US",
    article_language="en",
    org_name="Northwind Plant",
    customer_name="Tom Baker",
    engineer_name="Ada Lovelace",
    filings=(
        Filing(
            kind="incident",
            subject="Gateway drops offline every hour",
            body="Since the firmware update the gateway loses its network link every hour.",
            details={
                "impact": "Line 2 stops reporting to the control room.",
                "environment": "Gateway GX-200, firmware 3.1.4",
                "steps": "Power on the gateway\nWait one hour",
            },
            attachment="gateway-log.txt",
            article="Gateway offline every hour: the watchdog after firmware 3.1",
            search="drops offline",
            link_query="gateway watchdog",
        ),
        Filing(
            kind="question",
            subject="How do I export the alarm history?",
            body="We need last month's alarms as a spreadsheet for the audit.",
            details={},
            attachment="audit-request.txt",
            article="Exporting the alarm history as a spreadsheet",
        ),
        Filing(
            kind="maintenance",
            subject="Replace the cooling fan of cabinet 4",
            body="The fan of cabinet 4 is loud and the cabinet runs warm.",
            details={"preferred_window": "Saturday night, 22:00 to 02:00"},
            attachment="cabinet-temperatures.csv",
            article="Replacing the cooling fan of a cabinet",
        ),
        Filing(
            kind="upgrade",
            subject="Upgrade the controller firmware",
            body="Please plan the upgrade of our three controllers.",
            details={"current_version": "3.1.4", "target_version": "4.0.2", "preferred_window": "Any Sunday"},
            attachment="controllers.txt",
            article="Controller firmware upgrade checklist",
        ),
    ),
    articles=(
        (
            "Gateway offline every hour: the watchdog after firmware 3.1",
            "The watchdog of firmware 3.1 restarts the gateway's network link every hour. Install 3.1.5.",
        ),
        (
            "Exporting the alarm history as a spreadsheet",
            "Open the alarm history, choose the months and press export.",
        ),
        (
            "Replacing the cooling fan of a cabinet",
            "Switch the cabinet off, unscrew the fan cover and swap the fan.",
        ),
        (
            "Controller firmware upgrade checklist",
            "Back up the configuration, check the target version's notes, then upgrade one controller at a time.",
        ),
    ),
    note="Looks like the watchdog bug of 3.1; the customer should install 3.1.5.",
    reply="Please send us the gateway's uptime after the next drop.",
    answer="It dropped again after three hours; the uptime is attached.",
    answer_attachment="uptime.txt",
)

CHINESE = Script(
    locale="zh_Hans",
    html_lang="zh-Hans",
    browser_locale="zh-CN",
    article_language="zh",
    org_name="恒泰制造",
    customer_name="张敏",
    engineer_name="李伟",
    filings=(
        Filing(
            kind="incident",
            subject="网关每小时掉线一次",
            body="固件升级以后，网关每隔一小时就断开网络连接。",
            details={
                "impact": "二号产线的数据无法上报到中控室。",
                "environment": "网关 GX-200，固件 3.1.4",
                "steps": "打开网关电源\n等待一小时",
            },
            attachment="网关日志.txt",
            article="网关每小时掉线：固件 3.1 的看门狗问题",
            search="掉线",
            link_query="网关 看门狗",
        ),
        Filing(
            kind="question",
            subject="怎样导出告警历史记录？",
            body="审计需要上个月的全部告警，最好是表格。",
            details={},
            attachment="审计要求.txt",
            article="把告警历史记录导出为表格",
        ),
        Filing(
            kind="maintenance",
            subject="更换四号机柜的散热风扇",
            body="四号机柜的风扇噪音很大，柜内温度偏高。",
            details={"preferred_window": "周六晚上 22:00 到 02:00"},
            attachment="机柜温度.csv",
            article="更换机柜散热风扇的步骤",
        ),
        Filing(
            kind="upgrade",
            subject="控制器固件升级",
            body="请安排我们三台控制器的固件升级。",
            details={
                "current_version": "3.1.4",
                "target_version": "4.0.2",
                "preferred_window": "任意一个星期天",
            },
            attachment="控制器清单.txt",
            article="控制器固件升级检查清单",
        ),
    ),
    articles=(
        (
            "网关每小时掉线：固件 3.1 的看门狗问题",
            "固件 3.1 的看门狗每小时重启一次网关的网络连接。请安装 3.1.5。",
        ),
        ("把告警历史记录导出为表格", "打开告警历史记录，选择月份，然后点击导出。"),
        ("更换机柜散热风扇的步骤", "关闭机柜电源，拧下风扇盖板，换上新的风扇。"),
        ("控制器固件升级检查清单", "先备份配置，阅读目标版本的说明，再逐台升级控制器。"),
    ),
    note="看起来是 3.1 的看门狗缺陷，客户应安装 3.1.5。",
    reply="下次掉线以后，请把网关的运行时间发给我们。",
    answer="三小时后又掉线了，运行时间见附件。",
    answer_attachment="运行时间.txt",
)

SCRIPTS = {script.locale: script for script in (ENGLISH, CHINESE)}
