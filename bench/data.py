"""What the generator writes: a desk's people and years of tickets, as plain rows for bulk loading.

Everything is drawn from one seeded `random.Random`, so a size and a seed always give the same data.
Ticket ids are consecutive and grow with `created_at`, as the app assigns numbers (Ticket.number is the
id). Each ticket carries its thread and the history the services would have written (created, replied,
noted, assigned, status changes), so the ticket page and its live SLA panel render as for real tickets.

Stored SLA clocks are an approximation of what `sla.timers.evaluate` would store: open tickets get their
first-response and resolution clocks (due times from the policy's business calendar, pauses ignored),
closed ones a completed resolution clock; next-reply clocks are left out. `flask sla recompute` rebuilds
them exactly from the history when that matters.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sla import policies as rules
from support.models import NO_SLA_DUE, PRIORITY_RANK

# Columns in the order the loaders write them; a table's other columns take their defaults.
COLUMNS = {
    "tickets": [
        "id",
        "subject",
        "kind",
        "priority",
        "priority_rank",
        "status",
        "channel",
        "requester_id",
        "organisation_id",
        "assignee_id",
        "product",
        "component",
        "details",
        "created_at",
        "updated_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "sla_due_at",
        "version",
    ],
    "messages": ["id", "ticket_id", "author_id", "body", "internal", "channel", "created_at"],
    "ticket_events": ["ticket_id", "actor_id", "kind", "data", "at"],
    "sla_clocks": [
        "ticket_id",
        "target",
        "cycle",
        "policy_id",
        "phase",
        "outcome",
        "goal_minutes",
        "used_seconds",
        "started_at",
        "stopped_at",
        "due_at",
        "warn_at",
        "settings_at",
        "computed_at",
        "warned_at",
        "breached_at",
        "next_check_at",
    ],
}

KINDS = (("incident", 45), ("question", 30), ("maintenance", 15), ("upgrade", 10))
PRIORITIES = (("urgent", 5), ("high", 20), ("normal", 55), ("low", 20))
CHANNELS = (("web", 50), ("email", 40), ("api", 10))
OPEN_MIX = (("new", 15), ("open", 50), ("pending", 20), ("on_hold", 15))
PRODUCTS = [
    "EdgeLink IG-500",
    "EdgeLink Manager",
    "PrintFleet",
    "CloudSync",
    "PayGate",
    "DataHub",
    "VPN Gateway",
    "LabelPro LP-40",
    "ScanStation",
    "ERP Connector",
    "Mobile App",
    "Billing Portal",
]
COMPONENTS = ["", "", "firmware", "web console", "API", "database", "installer", "reports", "login", "sync"]
# Messages per ticket: most threads are short, a few run long (the ticket page must stay fast for them).
THREAD_LENGTHS = ((1, 40), (2, 22), (3, 16), (5, 9), (7, 7), (12, 3.5), (16, 1), (24, 1), (35, 0.5))

EN_SUBJECTS = [
    "{product}: {component} stops responding after the update",
    "Error {code} when exporting reports from {product}",
    "{product} keeps logging users out",
    "Upgrade {product} from {old} to {new}",
    "Scheduled maintenance window for {product}",
    "How do I configure {component} in {product}?",
    "{product} is slow since Monday",
    "Licence renewal question for {product}",
    "Certificate expired on the {product} server",
    "{product} sync fails with {code}",
]
ZH_SUBJECTS = [
    "{product} 的{component}升级后无响应",
    "从 {product} 导出报表时出现错误 {code}",
    "{product} 频繁自动退出登录",
    "申请将 {product} 从 {old} 升级到 {new}",
    "{product} 计划维护时间窗口",
    "请问如何在 {product} 中配置{component}？",
    "{product} 从周一开始变得很慢",
    "{product} 服务器证书已过期",
    "{product} 同步失败，错误码 {code}",
    "关于 {product} 授权续期的问题",
]
EN_SENTENCES = [
    "Since this morning the {product} shows error {code} on every second request.",
    "We restarted the service twice, but the problem came back after about an hour.",
    "About forty users at our Shanghai site are affected.",
    "The log file says the connection to the database timed out.",
    "Could you tell us whether version {new} fixes this?",
    "We would prefer a maintenance window on Saturday night.",
    "Nothing changed on our side except the operating system patches.",
    "Please call me if you need remote access to the machine.",
    "The same configuration works fine on the test system.",
    "Attached are the steps that reproduce it on a clean install.",
]
ZH_SENTENCES = [
    "今天早上开始，{product} 每隔一次请求就报错误 {code}。",
    "我们已经重启了两次服务，但大约一小时后问题又出现了。",
    "上海工厂大约有四十个用户受到影响。",
    "日志显示连接数据库超时。",
    "请问 {new} 版本是否修复了这个问题？",
    "我们希望把维护时间安排在周六晚上。",
    "除了操作系统补丁以外，我们这边没有做任何改动。",
    "如果需要远程访问这台机器，请给我打电话。",
    "同样的配置在测试环境中运行正常。",
    "复现步骤如下，在全新安装的系统上也能复现。",
]
EN_STAFF = [
    "Thank you for the details. Could you send us the log from the last hour?",
    "We reproduced it here: it is a known problem fixed in {new}.",
    "Please try clearing the cache and restarting the {component} service.",
    "The patch is ready; we can install it in the window you proposed.",
    "I have escalated this to the product team and will update you tomorrow.",
    "The certificate has been renewed; please check that the warning is gone.",
]
ZH_STAFF = [
    "感谢提供详细信息。请把最近一小时的日志发给我们。",
    "我们已经复现了这个问题，这是已知问题，在 {new} 中已修复。",
    "请尝试清除缓存并重启{component}服务。",
    "补丁已经准备好，可以在您建议的时间窗口安装。",
    "我已将此问题升级给产品团队，明天给您回复。",
    "证书已经续期，请确认警告是否已消失。",
]
EN_NOTES = ["Customer is on an old firmware; check before patching.", "Same as last month's issue, see KB."]
ZH_NOTES = ["客户的固件版本较旧，打补丁前先确认。", "与上个月的问题相同，参见知识库。"]
EN_ORGS = ["Northwind", "Harbour", "Bluebell", "Granite", "Summit", "Riverside", "Oakridge", "Pioneer"]
EN_TRADES = ["Utilities", "Logistics", "Foods", "Health", "Retail", "Energy", "Printing", "Telecom"]
ZH_ORGS = ["恒泰", "华信", "中远", "金桥", "长城", "东方", "新世纪", "天诚"]
ZH_TRADES = ["智能制造", "物流", "医疗", "电子", "能源", "零售", "印务", "通信"]
EN_NAMES = ["Tom", "Emma", "Priya", "David", "Olivia", "James", "Mia", "Noah", "Ava", "Lucas"]
EN_SURNAMES = ["Baker", "Clark", "Shah", "Okafor", "Smith", "Brown", "Taylor", "Wilson", "Evans"]
ZH_SURNAMES = "王李张刘陈杨赵黄周吴"
ZH_GIVEN = ["敏", "芳", "伟", "磊", "静", "强", "丽", "军", "洋", "娜"]


@dataclass
class Org:
    id: int
    tier: str
    lang: str
    customers: list[int] = field(default_factory=list)


@dataclass
class World:
    """The people tickets are drawn from, and the SLA policies that decide their due times."""

    orgs: list[Org]
    loners: list[int]  # customers without an organisation
    engineers: dict[int, str]  # id -> display name
    policies: Sequence  # SlaPolicy rows, in the order they are tried
    settings_at: datetime
    calendar_of: dict  # policy id -> BusinessCalendar


_CUMULATIVE: dict[int, tuple[list, list[float]]] = {}


def pick(rng: random.Random, table):
    """A value of a ((value, weight), ...) table, drawn by weight (the sums are kept per table)."""
    found = _CUMULATIVE.get(id(table))
    if found is None:
        found = _CUMULATIVE[id(table)] = (
            [v for v, _ in table],
            list(itertools.accumulate(w for _, w in table)),
        )
    values, cumulative = found
    return values[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _one(rng: random.Random, items):
    """rng.choice's result, cheaper (see _between)."""
    return items[int(rng.random() * len(items))]


def _between(rng: random.Random, low: int, high: int) -> int:
    """randint's result, cheaper: the generator draws millions of these."""
    return low + int(rng.random() * (high - low + 1))


def org_rows(count: int, rng: random.Random) -> list[dict]:
    rows = []
    for n in range(count):
        lang = "zh" if n % 5 < 3 else "en"
        if lang == "zh":
            name = f"{rng.choice(ZH_ORGS)}{rng.choice(ZH_TRADES)}有限公司 {n}"
        else:
            name = f"{rng.choice(EN_ORGS)} {rng.choice(EN_TRADES)} {n}"
        tier = pick(rng, (("basic", 50), ("standard", 35), ("premium", 15)))
        rows.append({"name": name, "tier": tier, "email_domains": f"org{n}.bench.example", "lang": lang})
    return rows


def person_name(rng: random.Random, lang: str) -> str:
    if lang == "zh":
        return rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN) + rng.choice(["", *ZH_GIVEN])
    return f"{rng.choice(EN_NAMES)} {rng.choice(EN_SURNAMES)}"


class TicketMaker:
    """Tickets `first_id`.. with their messages, history and clocks, spread over `span` before `now`."""

    def __init__(
        self, world: World, *, first_id: int, total: int, now: datetime, span: timedelta, seed: int
    ) -> None:
        self.world = world
        self.first_id = first_id
        self.total = total
        self.now = now
        self.start = now - span
        self.step = span / max(total, 1)
        self.rng = random.Random(seed)
        weights = [1 / (rank + 3) for rank in range(len(world.orgs))]  # a few big customers, many small
        self.org_weights = list(itertools.accumulate(weights))
        self.engineer_ids = list(world.engineers)
        self.policy_of: dict[tuple, object] = {}

    def batch(self, first_id: int, count: int, first_message_id: int) -> tuple[dict[str, list], int]:
        """Rows per table for tickets first_id .. first_id + count - 1; returns them and the next message id."""
        out: dict[str, list] = {name: [] for name in COLUMNS}
        message_id = first_message_id
        for ticket_id in range(first_id, first_id + count):
            message_id = self._ticket(ticket_id, message_id, out)
        out["sla_clocks"] = list(clock_tuples(out["sla_clocks"]))
        return out, message_id

    def _ticket(self, ticket_id: int, message_id: int, out: dict[str, list]) -> int:
        rng, world = self.rng, self.world
        created = self.start + self.step * (ticket_id - self.first_id + rng.random() * 0.9)
        age = self.now - created
        status = self._status(age)
        org = None
        if rng.random() < 0.05 or not world.orgs:
            requester = _one(rng, world.loners)
            lang = "en"
        else:
            org = world.orgs[bisect.bisect_left(self.org_weights, rng.random() * self.org_weights[-1])]
            requester = _one(rng, org.customers)
            lang = org.lang if rng.random() < 0.9 else ("en" if org.lang == "zh" else "zh")
        kind, priority, channel = pick(rng, KINDS), pick(rng, PRIORITIES), pick(rng, CHANNELS)
        product, component = _one(rng, PRODUCTS), _one(rng, COMPONENTS)
        words = self._words(product, component)
        subject = _one(rng, ZH_SUBJECTS if lang == "zh" else EN_SUBJECTS).format(**words)[:200]
        assignee = None if status == "new" and rng.random() < 0.7 else _one(rng, self.engineer_ids)
        length = 20 if ticket_id % 100 == 0 else self._thread_length(status)
        # The thread happens within a few days of opening (never after now, nor after closing).
        window = min(age * 0.8, timedelta(days=_one(rng, (1, 2, 3, 5, 10))))
        times = sorted(created + window * rng.random() for _ in range(length - 1))
        first_response = resolved = closed = None
        sentences = ZH_SENTENCES if lang == "zh" else EN_SENTENCES
        events = out["ticket_events"]
        body = " ".join(_one(rng, sentences).format(**words) for _ in range(_between(rng, 2, 5)))
        out["messages"].append((message_id, ticket_id, requester, body, False, channel, created))
        events.append(
            (
                ticket_id,
                requester,
                "created",
                {"channel": channel, "kind": kind, "priority": priority, "message_id": message_id},
                created,
            )
        )
        message_id += 1
        if assignee is not None:
            name = world.engineers[assignee]
            assigned = {"from": None, "to": name, "from_id": None, "to_id": assignee}
            events.append((ticket_id, None, "assigned", assigned, created + timedelta(minutes=5)))
        shown = "new"
        staff_turn = status != "new"  # a new ticket has had no answer yet
        for at in times:
            staff = staff_turn and assignee is not None and status != "new"
            internal = staff and rng.random() < 0.12
            if staff:
                author = assignee
                pool = (
                    (ZH_NOTES if lang == "zh" else EN_NOTES)
                    if internal
                    else (ZH_STAFF if lang == "zh" else EN_STAFF)
                )
                text = _one(rng, pool).format(**words)
            else:
                author = requester
                text = " ".join(_one(rng, sentences).format(**words) for _ in range(_between(rng, 1, 3)))
            out["messages"].append(
                (message_id, ticket_id, author, text, internal, "web" if staff else channel, at)
            )
            data = {"message_id": message_id, "by_staff": staff, "channel": channel}
            events.append((ticket_id, author, "noted" if internal else "replied", data, at))
            message_id += 1
            if staff and not internal:
                first_response = first_response or at
                if shown == "new":
                    events.append((ticket_id, author, "status_changed", {"from": "new", "to": "open"}, at))
                    shown = "open"
            if not internal:
                staff_turn = not staff_turn
        last = times[-1] if times else created
        if status != "new" and shown == "new":
            events.append((ticket_id, assignee, "status_changed", {"from": "new", "to": "open"}, last))
            shown = "open"
        updated = last
        if status in ("pending", "on_hold", "resolved", "closed"):
            at = last + timedelta(minutes=_between(rng, 1, 120))
            final = "resolved" if status == "closed" else status
            events.append((ticket_id, assignee, "status_changed", {"from": shown, "to": final}, at))
            updated = at
            if final == "resolved":
                resolved = at
            if status == "closed":
                closed = min(at + timedelta(days=7), self.now - timedelta(minutes=1))
                events.append(
                    (ticket_id, None, "status_changed", {"from": "resolved", "to": "closed"}, closed)
                )
                updated = closed
        tier = org.tier if org else None
        policy = self._policy(priority, kind, tier)
        due = self._clocks(ticket_id, status, created, first_response, resolved or closed, policy, out)
        details = self._details(kind, words)
        out["tickets"].append(
            (
                ticket_id,
                subject,
                kind,
                priority,
                PRIORITY_RANK[priority],
                status,
                channel,
                requester,
                org.id if org else None,
                assignee,
                product,
                component,
                details,
                created,
                updated,
                first_response,
                resolved,
                closed,
                due,
                1,
            )
        )
        return message_id

    def _status(self, age: timedelta) -> str:
        """Young tickets are mostly open, old ones mostly done (a few long-running ones stay open)."""
        days = age.total_seconds() / 86400
        still_open = 0.85 if days < 2 else 0.5 if days < 7 else 0.2 if days < 30 else 0.01
        if self.rng.random() < still_open:
            return pick(self.rng, OPEN_MIX)
        return "resolved" if days < 7 else "closed"

    def _thread_length(self, status: str) -> int:
        length = int(pick(self.rng, THREAD_LENGTHS)) + _between(self.rng, 0, 1)
        return min(length, 2) if status == "new" else length

    def _words(self, product: str, component: str) -> dict[str, str]:
        major = _between(self.rng, 2, 6)
        return {
            "product": product,
            "component": component or "service",
            "code": f"E-{_between(self.rng, 10, 999)}",
            "old": f"{major}.{_between(self.rng, 0, 9)}",
            "new": f"{major + 1}.0",
        }

    @staticmethod
    def _details(kind: str, words: dict[str, str]) -> dict:
        if kind == "incident":
            return {"impact": "Production line stopped", "environment": "Linux, on site", "steps": "1. Start"}
        if kind == "upgrade":
            return {
                "current_version": words["old"],
                "target_version": words["new"],
                "preferred_window": "Sat 22:00",
            }
        if kind == "maintenance":
            return {"preferred_window": "Sun 02:00-04:00"}
        return {}

    def _policy(self, priority: str, kind: str, tier: str | None):
        key = (priority, kind, tier)
        if key not in self.policy_of:
            self.policy_of[key] = rules.pick(self.world.policies, priority=priority, kind=kind, tier=tier)
        return self.policy_of[key]

    def _clocks(self, ticket_id, status, created, first_response, done_at, policy, out) -> datetime:
        """Append the ticket's clocks; return its `sla_due_at` (the earliest running due time)."""
        if policy is None:
            return NO_SLA_DUE
        rows = out["sla_clocks"]
        base = {"ticket_id": ticket_id, "policy_id": policy.id, "settings_at": self.world.settings_at}
        if status in ("resolved", "closed"):
            goal = policy.resolution_minutes or 0
            outcome = "met" if self.rng.random() < 0.9 else "breached"
            used = int(goal * 60 * (self.rng.random() * 0.9 if outcome == "met" else 1.2))
            rows.append(
                _clock(base, "resolution", "completed", outcome, goal, used, created, done_at, done_at)
            )
            return NO_SLA_DUE
        calendar = self.world.calendar_of[policy.id]
        running_due = []
        targets = [
            ("first_response", policy.first_response_minutes),
            ("resolution", policy.resolution_minutes),
        ]
        for target, goal in targets:
            if not goal:
                continue
            if target == "first_response" and first_response is not None:
                rows.append(
                    _clock(
                        base, target, "completed", "met", goal, goal * 30, created, first_response, self.now
                    )
                )
                continue
            due = calendar.add(created, goal)
            warn = calendar.add(created, goal * (policy.warn_percent or 80) // 100)
            used = int(min((self.now - created) / max(due - created, timedelta(minutes=1)), 3) * goal * 60)
            paused = status == "pending" or (status == "on_hold" and policy.pause_on_hold)
            row = _clock(
                base, target, "paused" if paused else "running", None, goal, used, created, None, self.now
            )
            if not paused:
                row.update(due_at=due, warn_at=warn)
                row["warned_at"] = warn if warn <= self.now else None
                row["breached_at"] = due if due <= self.now else None
                row["outcome"] = "breached" if due <= self.now else None
                row["next_check_at"] = warn if warn > self.now else due if due > self.now else None
                running_due.append(due)
            rows.append(row)
        return min(running_due, default=NO_SLA_DUE)


def _clock(base, target, phase, outcome, goal, used, started, stopped, computed) -> dict:
    return {
        **base,
        "target": target,
        "cycle": 0,
        "phase": phase,
        "outcome": outcome,
        "goal_minutes": goal,
        "used_seconds": used,
        "started_at": started,
        "stopped_at": stopped,
        "due_at": None,
        "warn_at": None,
        "computed_at": computed,
        "warned_at": None,
        "breached_at": None,
        "next_check_at": None,
    }


def clock_tuples(rows: list[dict]) -> Iterator[tuple]:
    columns = COLUMNS["sla_clocks"]
    for row in rows:
        yield tuple(row[c] for c in columns)
