"""Demo data: three customer companies, their people, our engineers, a month of tickets and the
knowledge base they were answered from.

Everything goes through the services with a back-dated `now`, so each ticket's history, first response
and status changes are real and the SLA, reports and reviews built on top have something true to show.
A fixed random seed makes every run produce the same data (relative to the day it runs).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from core import services as accounts
from core.db import utcnow
from core.extensions import db
from core.models import User
from kb import demo as kb_demo
from kb.models import Article
from support import links, services
from support.models import Status, Ticket

SEED = 20261124
ADMIN_PASSWORD, ENGINEER_PASSWORD, CUSTOMER_PASSWORD = "admin-demo-1", "engineer-demo-1", "customer-demo-1"
GATEWAY, MANAGER = "EdgeLink IG-500", "EdgeLink Manager"

ORGANISATIONS = {
    "hengtai": ("恒泰智能制造有限公司", "premium", "hengtai.cn hengtai.com.cn"),
    "northwind": ("Northwind Utilities", "standard", "northwind.example"),
    "harbour": ("Harbour Logistics Ltd", "basic", "harbourlogistics.example"),
}

# (email, name, role, organisation key, locale, time zone)
PEOPLE = [
    ("admin@aftercare.example", "Alex Morgan", "admin", None, "en", "Europe/London"),
    ("li.wei@aftercare.example", "李伟", "engineer", None, "zh_Hans", "Asia/Shanghai"),
    ("sarah.jones@aftercare.example", "Sarah Jones", "engineer", None, "en", "Europe/London"),
    ("zhao.lei@aftercare.example", "赵磊", "engineer", None, "zh_Hans", "Asia/Shanghai"),
    ("zhang.min@hengtai.cn", "张敏", "customer", "hengtai", "zh_Hans", "Asia/Shanghai"),
    ("wang.fang@hengtai.cn", "王芳", "customer", "hengtai", "zh_Hans", "Asia/Shanghai"),
    ("tom.baker@northwind.example", "Tom Baker", "customer", "northwind", "en", "Europe/London"),
    ("emma.clark@northwind.example", "Emma Clark", "customer", "northwind", "en", "Europe/London"),
    ("priya.shah@harbourlogistics.example", "Priya Shah", "customer", "harbour", "en", "Asia/Singapore"),
    ("david.okafor@harbourlogistics.example", "David Okafor", "customer", "harbour", "en", "Asia/Singapore"),
]
PASSWORDS = {"admin": ADMIN_PASSWORD, "engineer": ENGINEER_PASSWORD, "customer": CUSTOMER_PASSWORD}


@dataclass(frozen=True)
class Scenario:
    lang: str
    kind: str
    priority: str
    product: str
    component: str
    subject: str
    body: str
    details: dict
    fix: str


def _s(lang, kind, priority, product, component, subject, body, fix, **details) -> Scenario:
    return Scenario(lang, kind, priority, product, component, subject, body, details, fix)


# fmt: off
SCENARIOS = [
    _s("zh", "incident", "urgent", GATEWAY, "VPN", "VPN 隧道每隔两三个小时断开一次",
       "二号车间的 IG-500 到总部的 IPsec VPN 从昨天开始每隔两三个小时断开一次，要十分钟左右才能自动重连，"
       "期间 MES 采集的数据丢失。固件版本 3.1.4，断开前日志里有 “DPD timeout”。",
       "原因是网关和总部防火墙的 DPD 间隔不一致。已远程把 DPD 间隔改为 30 秒、超时 120 秒，观察 24 小时未再断开。",
       impact="二号车间 MES 数据采集中断", environment="IG-500，固件 3.1.4，IPsec 对接总部防火墙",
       steps="无固定步骤，平均两三个小时出现一次"),
    _s("zh", "incident", "high", MANAGER, "云连接器", "设备离线：三台网关在管理平台显示离线",
       "今天早上 8 点以后，仓库的三台网关（序列号 IG5-2207 开头）在 EdgeLink Manager 里显示离线，"
       "但现场指示灯正常，本地也能 ping 通。",
       "管理平台轮换证书后，旧版云连接器不信任新的中间证书。已推送 CA 包更新，三台设备已重新上线。",
       impact="无法远程监控仓库温湿度", environment="IG-500 ×3，固件 3.0.9"),
    _s("zh", "upgrade", "normal", GATEWAY, "固件", "申请将固件升级到 3.2",
       "我们有 12 台 IG-500 运行 3.1.4，希望升级到 3.2 以支持 OPC UA。请给出升级方案和回退方案。",
       "已在测试设备上验证 3.2.0，升级与回退步骤已发到您的邮箱，按约定的维护窗口执行。",
       current_version="3.1.4", target_version="3.2.0", preferred_window="周六 22:00 至周日 02:00"),
    _s("zh", "maintenance", "normal", GATEWAY, "网络", "计划停机维护：更换核心交换机期间请远程值守",
       "我们计划在月底更换车间核心交换机，网关会断网约两个小时。希望贵方届时远程值守，恢复后帮忙检查 VPN 和数据上报。",
       "维护已完成，VPN 与 MQTT 上报均已恢复，数据补传正常。", preferred_window="本月 30 日 20:00-23:00"),
    _s("zh", "question", "low", GATEWAY, "Modbus", "Modbus TCP 轮询周期最小能设多少？",
       "我们要采集 200 个寄存器，想知道 IG-500 的 Modbus TCP 最小轮询周期，以及最多能同时连接多少个从站。",
       "最小轮询周期 100 毫秒，建议单台网关不超过 32 个从站；200 个寄存器建议按连续地址合并成 8 个块读取。"),
    _s("zh", "incident", "normal", GATEWAY, "证书", "管理页面提示证书即将过期",
       "网关 Web 管理页面提示 HTTPS 证书 7 天后过期。怎么更新？能不能换成我们自己 CA 签发的证书？",
       "可以在“系统 > 证书”上传 PEM 格式的证书和私钥；3.1 及以上版本也支持 ACME 自动续期。",
       impact="浏览器提示不安全", environment="固件 3.1.2"),
    _s("zh", "incident", "high", GATEWAY, "MQTT", "MQTT 断线重连后数据重复上报",
       "网络抖动导致 MQTT 重连后，最近 5 分钟的数据会重复上报一遍，平台上出现重复记录。",
       "3.1.4 的离线缓存在重连时没有清除已确认的消息，已提供 3.1.5 补丁修复，升级后不再重复。",
       impact="能耗报表数据偏高", environment="MQTT QoS 1，阿里云 IoT 平台"),
    _s("zh", "maintenance", "high", GATEWAY, "电源", "机房断电维护期间网关如何安全关机",
       "下周机房整体断电维护，请告诉我们网关安全关机和来电后自检的步骤，避免文件系统损坏。",
       "已发送关机与恢复检查清单；来电后请确认“系统 > 状态”中存储健康为正常。",
       preferred_window="下周二 08:00-12:00"),
    _s("en", "incident", "urgent", GATEWAY, "VPN",
       "VPN drops every few hours at the Riverside pumping station",
       "Since Monday the IPsec tunnel from the IG-500 at Riverside drops roughly every three hours and "
       "takes about ten minutes to come back. SCADA loses telemetry meanwhile. Firmware 3.1.4; the log "
       "shows 'DPD timeout' right before each drop.",
       "The DPD settings did not match your head-end firewall. We set DPD to 30 s with a 120 s timeout "
       "remotely; no drop in the last 24 hours.",
       impact="No telemetry from two pumps", environment="IG-500, firmware 3.1.4, IPsec to a Cisco ASA"),
    _s("en", "upgrade", "normal", GATEWAY, "Firmware",
       "Firmware upgrade request: 3.1.4 to 3.2 for 40 gateways",
       "We would like to move our 40 field gateways to 3.2 for the OPC UA server. Please confirm the upgrade "
       "path and how to roll back if something goes wrong.",
       "3.2.0 is validated for your configuration; the staged rollout plan (5, then 35 units) is in "
       "your inbox.",
       current_version="3.1.4", target_version="3.2.0", preferred_window="Sunday 01:00-05:00 GMT"),
    _s("en", "incident", "high", MANAGER, "Certificates",
       "Device certificates expired, gateways cannot reach the cloud",
       "Since this morning six gateways fail to connect to EdgeLink Manager with 'certificate has expired'.",
       "The device certificates issued in the pilot expired. New ones were pushed through EdgeLink Manager; "
       "please reboot the two units that were offline during the push.",
       impact="Six sites without remote access", environment="EdgeLink Manager 2.7 (cloud)"),
    _s("en", "maintenance", "normal", GATEWAY, "Network",
       "Maintenance window for the substation network migration",
       "We are migrating the substation network to new VLANs and need your help to change the gateways' "
       "addresses and check the VPN afterwards.",
       "All gateways are on the new VLANs and the VPN came back up; the old addresses were removed.",
       preferred_window="Saturday 06:00-10:00 BST"),
    _s("en", "question", "low", MANAGER, "Web console", "How do I export the event log as CSV?",
       "Our auditors want last quarter's event log. Is there a way to export it as CSV?",
       "Events > Export > CSV exports up to 100 000 rows at a time; the REST API's /api/events?format=csv "
       "has no limit."),
    _s("en", "question", "normal", GATEWAY, "Modbus", "Can the IG-500 forward Modbus RTU over TCP?",
       "We have old meters on RS-485. Can the gateway act as a Modbus RTU to TCP bridge for our SCADA?",
       "Yes: enable Serial > Modbus gateway mode and map the serial port to TCP port 502; up to 4 TCP "
       "masters."),
    _s("en", "incident", "normal", MANAGER, "Web console", "Web console very slow after upgrading to 3.1.4",
       "Since the upgrade every page of the gateway's web console takes 20-30 seconds to load.",
       "The 3.1.4 web console tries to reach an NTP server that your firewall blocks; pointing NTP at "
       "your own server fixed it, and 3.1.5 no longer blocks the page on it.",
       impact="Field technicians cannot configure devices", environment="Chrome 120, firmware 3.1.4"),
    _s("en", "incident", "high", GATEWAY, "Cellular", "Gateway reboots when the LTE backup link takes over",
       "When the fibre fails over to the LTE backup the gateway reboots instead of switching routes.",
       "A watchdog bug in the LTE module firmware; the module update in 3.1.5 fixes it.",
       impact="Failover does not work", environment="IG-500 with LTE module, firmware 3.1.3"),
    _s("en", "upgrade", "low", MANAGER, "Server", "Upgrade the on-premises EdgeLink Manager to 2.8",
       "Please plan the upgrade of our on-premises EdgeLink Manager from 2.6.1 to 2.8.",
       "Upgraded to 2.8.0 with a database backup first; all 40 devices reconnected.",
       current_version="2.6.1", target_version="2.8.0", preferred_window="Any weekday after 18:00 SGT"),
    _s("en", "maintenance", "low", GATEWAY, "Certificates",
       "Please renew the TLS certificate before it expires in December",
       "The gateway's TLS certificate expires on 12 December. Can you renew it during a quiet hour?",
       "The certificate was renewed and now expires in two years; ACME renewal is switched on.",
       preferred_window="Weekdays 12:00-13:00 SGT"),
    _s("en", "incident", "urgent", GATEWAY, "Cloud connector",
       "All gateways in the Rotterdam warehouse are offline",
       "None of the 8 gateways in our Rotterdam warehouse report since 04:10 local time. The local "
       "network looks fine.",
       "The warehouse's new proxy blocked MQTT over port 8883. With the exception in place all gateways "
       "are back.",
       impact="No temperature monitoring for the cold store", environment="IG-500 ×8 behind a new proxy"),
    _s("en", "question", "normal", GATEWAY, "Logging", "SNMP traps do not arrive at our Zabbix server",
       "We configured SNMP traps on the gateway but Zabbix receives nothing. Is there a known issue?",
       "Traps are sent from the management interface, not the LAN port; allowing that address on Zabbix "
       "fixed it."),
]

ZH, EN = "zh", "en"
ACK = {ZH: ["您好，已收到，我们正在排查。",
            "收到，已安排工程师跟进。能否提供设备序列号和最近一小时的系统日志？"],
       EN: ["Thanks for the report, we are looking into it now.",
            "Thanks. Could you send the serial number and the system log of the last hour (System > Logs)?"]}
FOLLOW_UP = {ZH: ["日志已上传，序列号 IG5-2207-0413。", "补充一下：重启之后问题依旧。"],
             EN: ["Log attached as requested, serial IG5-2207-0413.",
                  "One more thing: a reboot did not help."]}
NOTES = {ZH: ["怀疑和上周平台证书轮换有关，先跟平台组确认。", "高级别客户，注意解决时限。",
              "和上个月北区的问题现象一致。"],
         EN: ["Looks like the DPD mismatch we saw last month.",
              "Asked the customer for a remote session slot.",
              "Reproduced on the lab unit with the same firmware."]}
ASK = {ZH: ["已做调整，请您在现场确认是否恢复，我们等您的反馈。"],
       EN: ["We applied a change. Could you confirm on your side that it works? We will wait for your "
            "answer."]}
HOLD = {ZH: ["等待研发确认 3.2.1 补丁的发布时间，先挂起。"],
        EN: ["On hold until the vendor ships the patch (ETA next week)."]}
SITES = {ZH: ["一号车间", "三号仓库", "苏州工厂"], EN: ["Depot 3", "North site", "Plant B"]}
# fmt: on

# The knowledge-base article (a key of kb.demo.ARTICLES) that answers each scenario: its resolved
# tickets are linked to it as `solved_by`.
SOLVED_BY = {
    "VPN 隧道每隔两三个小时断开一次": "zh-vpn",
    "设备离线：三台网关在管理平台显示离线": "zh-ca-bundle",
    "申请将固件升级到 3.2": "zh-firmware",
    "管理页面提示证书即将过期": "zh-https-cert",
    "MQTT 断线重连后数据重复上报": "zh-mqtt",
    "Modbus TCP 轮询周期最小能设多少？": "zh-modbus",
    "VPN drops every few hours at the Riverside pumping station": "en-vpn",
    "Device certificates expired, gateways cannot reach the cloud": "en-device-certs",
    "Can the IG-500 forward Modbus RTU over TCP?": "en-modbus-rtu",
    "Gateway reboots when the LTE backup link takes over": "en-lte",
    "All gateways in the Rotterdam warehouse are offline": "en-mqtt-proxy",
}
# Articles an engineer wrote after solving one of their tickets (linked as `created_from`).
WRITTEN_FROM = ("zh-mqtt", "en-mqtt-proxy")

# Every kind's tickets walk through these final statuses in turn.
STATUS_CYCLE = [Status.new, Status.open, Status.pending, Status.on_hold, Status.resolved, Status.closed]
TICKET_COUNT = 50


def has_data() -> bool:
    return db.session.scalar(sa.select(User.id).limit(1)) is not None


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(role, email, password, organisation) for every demo account."""
    names = {key: org[0] for key, org in ORGANISATIONS.items()}
    return [(role, email, PASSWORDS[role], names.get(org, "")) for email, _n, role, org, _l, _t in PEOPLE]


def demo_present() -> bool:
    return db.session.scalar(sa.select(User.id).where(User.email == PEOPLE[0][0])) is not None


def seed(*, now: datetime | None = None) -> dict[str, int]:
    """Create the demo organisations, people, tickets and articles; flushes, the caller commits once
    and then builds the search index."""
    now = (now or utcnow()).replace(second=0, microsecond=0)
    rng = random.Random(SEED)
    orgs = {
        key: accounts.save_organisation(None, name=name, tier=tier, email_domains=domains)
        for key, (name, tier, domains) in ORGANISATIONS.items()
    }
    people: dict[str, User] = {}
    for email, name, role, org, locale, timezone in PEOPLE:
        people[email] = accounts.create_user(
            email,
            role=role,
            name=name,
            organisation=orgs.get(org),
            password=PASSWORDS[role],
            locale=locale,
            timezone=timezone,
        )
    customers = {key: [u for u in people.values() if u.organisation is orgs[key]] for key in orgs}
    engineers = [u for u in people.values() if u.role == "engineer"]
    uses: dict[int, int] = {}
    per_kind: dict[str, int] = {}
    played: list[tuple[Scenario, Ticket]] = []
    for i in range(TICKET_COUNT):
        index = i % len(SCENARIOS)
        scenario = SCENARIOS[index]
        repeat = uses[index] = uses.get(index, -1) + 1
        # Cycling the statuses per kind gives every kind every status.
        status = STATUS_CYCLE[per_kind.setdefault(scenario.kind, 0) % len(STATUS_CYCLE)]
        per_kind[scenario.kind] += 1
        org = "hengtai" if scenario.lang == ZH else ("northwind", "harbour")[index % 2]
        played.append((scenario, _play(scenario, status, repeat, rng, now, customers[org], engineers)))
    articles = kb_demo.seed(
        authors={ZH: people["li.wei@aftercare.example"], EN: people["sarah.jones@aftercare.example"]},
        editor=people["admin@aftercare.example"],
        now=now,
    )
    return {
        "organisations": len(orgs),
        "users": len(people),
        "tickets": db.session.scalar(sa.select(sa.func.count(Ticket.id))),
        "articles": len(articles),
        "links": _link_articles(played, articles),
    }


def _link_articles(played: list[tuple[Scenario, Ticket]], articles: dict[str, Article]) -> int:
    """Link resolved tickets to the article that answers them, the way the engineer did on resolving.

    A ticket resolved before its article existed cannot have been solved by it; the earliest such ticket
    of a WRITTEN_FROM article is the one the article was written from.
    """
    made = 0
    written: set[str] = set()
    resolved = sorted(
        ((s, t) for s, t in played if t.resolved_at is not None and s.subject in SOLVED_BY),
        key=lambda pair: pair[1].resolved_at,
    )
    for scenario, ticket in resolved:
        key = SOLVED_BY[scenario.subject]
        article = articles[key]
        if ticket.resolved_at >= article.created_at:
            relation, at = links.Relation.solved_by, ticket.resolved_at
        elif key in WRITTEN_FROM and key not in written:
            relation, at = links.Relation.created_from, article.created_at
            written.add(key)
        else:
            continue
        links.link_article(ticket, article, relation=relation, actor=ticket.assignee, now=at)
        made += 1
    return made


def _play(scenario: Scenario, final: Status, repeat: int, rng, now, customers, engineers) -> Ticket:
    """Open one ticket in the past and walk it to `final` the way a desk would."""
    lang = scenario.lang
    age = timedelta(hours=rng.uniform(1, 30)) if final == Status.new else timedelta(days=rng.uniform(2, 9))
    if final == Status.closed:
        age = timedelta(days=rng.uniform(12, 29))
    elif final in (Status.resolved, Status.on_hold):
        age += timedelta(days=rng.uniform(0, 14))
    clock = [(now - age).replace(second=0, microsecond=0)]

    def tick(low: int = 10, high: int = 300) -> datetime:
        clock[0] = min(clock[0] + timedelta(minutes=rng.randint(low, high)), now - timedelta(minutes=1))
        return clock[0]

    requester = rng.choice(customers)
    subject = scenario.subject
    if repeat:
        site = SITES[lang][(repeat - 1) % len(SITES[lang])]
        subject = f"{subject}（{site}）" if lang == ZH else f"{subject} ({site})"
    ticket = services.open_ticket(
        requester=requester,
        subject=subject,
        body=scenario.body,
        kind=scenario.kind,
        priority=scenario.priority,
        channel=rng.choice(["web", "web", "email", "api"]),
        product=scenario.product,
        component=scenario.component,
        details=scenario.details,
        now=clock[0],
    )
    pool = [e for e in engineers if (e.locale == "zh_Hans") == (lang == ZH)] + [engineers[0]]
    engineer = rng.choice(pool)
    if final == Status.new:
        if rng.random() < 0.5:
            services.add_message(ticket, author=requester, body=rng.choice(FOLLOW_UP[lang]), now=tick())
        return ticket
    services.update_ticket(ticket, actor=engineer, assignee=engineer, now=tick(5, 90))
    services.add_message(ticket, author=engineer, body=rng.choice(ACK[lang]), now=tick())
    if rng.random() < 0.6:
        services.add_message(ticket, author=engineer, body=rng.choice(NOTES[lang]), internal=True, now=tick())
    if rng.random() < 0.3 and scenario.priority != "urgent":
        services.update_ticket(ticket, actor=engineer, priority="high", now=tick())
    if final == Status.open:
        services.add_message(ticket, author=requester, body=rng.choice(FOLLOW_UP[lang]), now=tick())
        return ticket
    if final == Status.pending:
        services.add_message(ticket, author=engineer, body=rng.choice(ASK[lang]), now=tick())
        services.change_status(ticket, Status.pending, actor=engineer, now=tick(1, 5))
        return ticket
    services.add_message(ticket, author=requester, body=rng.choice(FOLLOW_UP[lang]), now=tick())
    if final == Status.on_hold:
        services.add_message(ticket, author=engineer, body=rng.choice(HOLD[lang]), internal=True, now=tick())
        services.change_status(ticket, Status.on_hold, actor=engineer, now=tick(1, 5))
        return ticket
    services.add_message(ticket, author=engineer, body=scenario.fix, now=tick(60, 600))
    services.change_status(ticket, Status.resolved, actor=engineer, now=tick(1, 5))
    if final == Status.closed:
        if rng.random() < 0.5:
            # A thank-you message would reopen the ticket; customers close it with the button instead.
            services.change_status(ticket, Status.closed, actor=requester, now=tick(30, 24 * 60))
        else:
            # Nobody answered: the desk's auto-close job closes it a week later.
            services.change_status(ticket, Status.closed, actor=None, now=tick(7 * 24 * 60, 7 * 24 * 60 + 30))
    return ticket
