"""A judged query set for knowledge-base search: a small bilingual corpus, the synonym list an editor
would keep for it, and queries (English, Chinese, mixed, misspelt, cross-language) with graded
relevance (3 answers the question, 2 is highly relevant, 1 is related).

The judgments were written with the corpus, before the search was run or tuned on them. Used by
tests/kb/test_search_quality.py and printed by bench/bench_kb.py.
"""

from __future__ import annotations

import math

# key, language, product, title, body, tags, visibility
_A = [
    ("a1", "en", "PushKit", "APNs certificate expired: iOS devices stop receiving push notifications",
     "When the Apple Push Notification service (APNs) certificate expires, PushKit can no longer deliver "
     "notifications to iOS devices and the console shows error PK-403. Create a new certificate in the Apple "
     "Developer portal, export it as a .p12 file and upload it under Settings > Certificates. Notifications "
     "resume within five minutes.", ["APNs", "iOS", "certificate"]),
    ("a2", "zh", "PushKit", "推送证书过期，iOS 设备收不到通知",
     "苹果推送服务（APNs）证书过期后，PushKit 无法再向 iOS 设备发送通知，控制台显示错误 PK-403。请在苹果开发者"
     "后台重新生成证书，导出为 .p12 文件，并在“设置 > 证书”中上传。五分钟内通知恢复。", ["APNs", "iOS", "证书"]),
    ("a3", "en", "PushKit", "Android devices get no notifications after the FCM server key change",
     "Firebase Cloud Messaging (FCM) retired the legacy server keys. Android devices stop receiving "
     "notifications until the PushKit project uses the FCM HTTP v1 API: download a service account JSON file "
     "from the Firebase console and upload it in the project's Android settings.", ["FCM", "Android"]),
    ("a4", "zh", "PushKit", "推送到达率低的排查步骤",
     "推送到达率低时，先检查用户是否在系统设置里关闭了通知权限，再确认厂商通道（华为、小米、OPPO、vivo）是否配置"
     "正确。应用被系统清理后台后，只有厂商通道能送达消息。", ["到达率", "厂商通道"]),
    ("a5", "en", "PushKit", "Rotate PushKit API keys",
     "Create a second API key, deploy it to your servers, then revoke the old key. Both keys work during the "
     "change, so no message is lost.", ["API key"]),
    ("a6", "en", "CloudSync", "CloudSync client stuck on Syncing forever",
     "The desktop client stays at Syncing when a file is locked by another program or when a path is longer "
     "than 260 characters on Windows. Close the program that holds the file, shorten the path, or enable long "
     "paths in Windows, then pause and resume sync.", ["desktop", "Windows"]),
    ("a7", "zh", "CloudSync", "同步冲突文件是怎么产生的",
     "两台电脑同时修改同一个文件时，CloudSync 会保留两个版本，并把后保存的那个命名为“冲突副本”。打开两个版本，"
     "合并内容后删除冲突副本即可。", ["冲突"]),
    ("a8", "en", "CloudSync", "Restore deleted files from the CloudSync recycle bin",
     "Deleted files stay in the recycle bin for 30 days. Open the web console, choose Recycle bin, select the "
     "files and click Restore; they return to their original folder.", ["recycle bin"]),
    ("a9", "zh", "CloudSync", "从回收站恢复已删除的文件",
     "删除的文件会在回收站保留 30 天。打开网页控制台，进入“回收站”，选中文件后点击“恢复”，文件会回到原来的文件夹。",
     ["回收站"]),
    ("a10", "en", "CloudSync", "CloudSync upload speed is slow",
     "Check the bandwidth limit under Preferences > Network; the default limits uploads to 1 MB/s. A proxy "
     "that inspects TLS traffic also slows uploads down.", ["bandwidth"]),
    ("a11", "en", "PayGate", "Payment callback (webhook) not received",
     "After a payment PayGate sends a POST request to your notify URL. Your server must answer HTTP 200 within "
     "5 seconds, otherwise PayGate retries 8 times over 24 hours. Make sure your firewall allows PayGate's IP "
     "ranges and that the notify URL is reachable from the internet.", ["webhook", "callback"]),
    ("a12", "zh", "PayGate", "支付回调通知收不到怎么办",
     "支付完成后 PayGate 会向你的通知地址发送 POST 请求。服务器必须在 5 秒内返回 HTTP 200，否则 PayGate 会在 24 "
     "小时内重试 8 次。请确认防火墙放行了 PayGate 的 IP 段，并且通知地址可以从公网访问。", ["回调"]),
    ("a13", "zh", "PayGate", "退款失败：商户可用余额不足",
     "发起退款时提示“商户可用余额不足”，说明当天的结算款还没有到账。请先充值备付金，或者等结算完成后再重新发起退款。",
     ["退款"]),
    ("a14", "en", "PayGate", "Refund part of a payment",
     "You can refund part of a payment from the order page or through the refunds API. Up to 50 partial "
     "refunds are allowed within 365 days, and together they cannot exceed the amount paid.", ["refund"]),
    ("a15", "en", "PayGate", "Signature verification failed (error PG-1001)",
     "The most common causes are signing with the wrong key, URL-encoding the parameters before signing, or "
     "not sorting the parameters by name. Sign the raw values sorted by name with your API secret.",
     ["signature"]),
    ("a16", "zh", "PayGate", "发票申请与开具时间",
     "每月 5 日前开具上个月的发票。需要增值税专用发票的，请先在账户中心填写开票信息。", ["发票"]),
    ("a17", "en", "EdgeVPN", "EdgeVPN connection drops every hour",
     "The VPN session is renegotiated every 60 minutes. When a firewall drops UDP port 4500 after its NAT "
     "timeout, the tunnel cannot be rebuilt and the client disconnects. Set the keepalive interval to 20 "
     "seconds in the client profile.", ["disconnect", "keepalive"]),
    ("a18", "zh", "EdgeVPN", "VPN 连接后无法访问内网",
     "VPN 已连接但打不开内网网站时，检查分流路由配置是否包含内网网段，以及 DNS 服务器是否设置为公司内网的 DNS。",
     ["内网", "DNS"]),
    ("a19", "en", "EdgeVPN", "EdgeVPN login fails with certificate not trusted",
     "After the company renewed the gateway's TLS certificate the client no longer trusts it. Import the new "
     "root CA into the system's certificate store, then sign in again.", ["certificate", "login"]),
    ("a20", "zh", "EdgeVPN", "VPN 客户端登录提示密码错误",
     "账号密码正确但提示密码错误时，检查是否开启了双因素认证：需要在密码后面直接输入动态口令。", ["登录", "密码"]),
    ("a21", "en", "Accounts", "Reset your password for the admin console",
     "Click Forgot password on the sign-in page and enter your email address. The reset link in the mail is "
     "valid for 30 minutes.", ["password"]),
    ("a22", "zh", "Accounts", "忘记密码怎么办",
     "在登录页面点击“忘记密码”，输入邮箱地址。邮件中的重置链接 30 分钟内有效。", ["密码"]),
    ("a23", "en", "Accounts", "Enable two-factor authentication (2FA)",
     "Open Profile > Security, choose Two-factor authentication and scan the QR code with an authenticator "
     "app. Keep the recovery codes somewhere safe.", ["2FA", "security"]),
    ("a24", "en", "DataHub", "DataHub nightly import job times out",
     "Import jobs stop after 2 hours. Split large tables by date or raise job.timeout in the job settings.",
     ["import", "timeout"]),
    ("a25", "zh", "DataHub", "数据库连接池耗尽导致报表超时",
     "报表页面一直转圈然后超时，日志里出现 connection pool exhausted。把连接池大小 pool_size 从 10 调到 30，"
     "并检查是否有未关闭的数据库连接。", ["连接池", "超时"]),
    ("a26", "en", "DataHub", "Schedule a maintenance window for a DataHub upgrade",
     "Upgrades need a maintenance window of about two hours. File a maintenance request with your preferred "
     "window at least five working days ahead.", ["upgrade", "maintenance"]),
    ("a27", "zh", "DataHub", "升级到 DataHub 3.0 的注意事项",
     "升级前请先备份数据库。DataHub 3.0 需要 PostgreSQL 13 或更高版本，升级过程大约需要 30 分钟。", ["升级"]),
    ("a28", "en", "DataHub", "Back up and restore the DataHub database",
     "Run pg_dump every night and keep the dumps for 14 days. Restore a dump with pg_restore into an empty "
     "database, then restart DataHub.", ["backup", "PostgreSQL"]),
    ("a29", "en", "PrintFleet", "Printer shows error E-42 (paper jam sensor)",
     "E-42 means the paper path sensor reports a jam. Open tray 2, remove torn paper and clean the sensor with "
     "a dry cloth.", ["E-42", "paper jam"]),
    ("a30", "zh", "PrintFleet", "打印机脱机无法打印",
     "打印机显示脱机时，检查网线是否插好、打印机的 IP 地址是否变化，并清空电脑上的打印队列。", ["脱机"]),
    ("a31", "en", "PrintFleet", "Add a network printer on macOS",
     "Open System Settings > Printers & Scanners, click Add and choose the printer by its IP address.",
     ["macOS"]),
    ("a32", "en", "", "Export tickets to CSV",
     "In the queue, filter the tickets you need and choose Export. The CSV file uses UTF-8 with a byte order "
     "mark so that Excel shows Chinese text correctly.", ["export"]),
    ("a33", "zh", "Accounts", "如何更换账户绑定的手机号",
     "进入“个人资料 > 安全”，点击手机号旁的“更换”，先验证旧手机号，再输入新手机号和验证码。", ["手机号"]),
    ("a34", "en", "PushKit", "PushKit rate limits and HTTP 429 responses",
     "A project may send at most 1,000 requests per second. Above that PushKit answers HTTP 429 Too Many "
     "Requests; back off and send in batches of up to 500 devices.", ["rate limit"]),
    ("a35", "en", "Accounts", "Single sign-on (SSO) with Azure AD fails with AADSTS50011",
     "AADSTS50011 means the redirect URI in Azure AD does not match. Copy the reply URL shown in Settings > "
     "SSO into the Azure app registration.", ["SSO", "Azure AD"]),
    ("a36", "zh", "Accounts", "单点登录 SSO 配置",
     "支持 SAML 2.0 和 OIDC 两种协议。在“设置 > 单点登录”中填写身份提供方的元数据地址即可。", ["SSO"]),
    ("a37", "en", "PayGate", "Escalating PayGate settlement discrepancies",
     "When a merchant's settlement does not match the payments, collect the order numbers and escalate to "
     "the finance team on the settlements channel.", ["settlement"], "internal"),
    ("a38", "en", "DataHub", "Time zone of report timestamps",
     "Timestamps are stored in UTC and shown in the viewer's time zone, which is set in the profile.",
     ["time zone"]),
    ("a39", "zh", "PayGate", "微信支付和支付宝的开通流程",
     "在 PayGate 控制台提交营业执照和结算账户，审核通过后即可开通微信支付和支付宝。", ["微信支付", "支付宝"]),
    ("a40", "en", "PayGate", "Webhook retries and idempotency",
     "Every notification carries an id. Store the ids you processed and ignore a repeated one: PayGate "
     "retries a webhook until your server answers 200, so the same notification can arrive twice.",
     ["webhook"]),
]  # fmt: skip

ARTICLES = [
    {
        "key": a[0],
        "id": int(a[0][1:]),
        "language": a[1],
        "product": a[2],
        "title": a[3],
        "body": a[4],
        "tags": a[5],
        "visibility": a[6] if len(a) > 6 else "public",
    }
    for a in _A
]

# What an editor would keep in the synonym list for this corpus: product terms across the languages,
# spelling variants (登陆 for 登录) and plain synonyms.
SYNONYMS = [
    ["证书", "certificate", "cert"],
    ["过期", "expired", "expire", "expiry"],
    ["推送", "push"],
    ["通知", "notification", "notifications"],
    ["删除", "deleted", "delete"],
    ["恢复", "restore", "recover"],
    ["回收站", "recycle bin", "trash"],
    ["回调", "callback", "webhook", "notify url"],
    ["退款", "refund"],
    ["密码", "password"],
    ["忘记密码", "forgot password", "reset password"],
    ["报表", "report", "reports"],
    ["超时", "timeout", "time out", "times out"],
    ["打印机", "printer"],
    ["脱机", "offline"],
    ["同步", "sync", "syncing", "synchronization"],
    ["冲突", "conflict"],
    ["卡住", "stuck", "hangs", "frozen"],
    ["升级", "upgrade"],
    ["数据库", "database", "db"],
    ["备份", "backup", "back up"],
    ["签名", "signature"],
    ["双因素认证", "双重认证", "two-factor authentication", "2fa", "two factor"],
    ["单点登录", "sso", "single sign-on"],
    ["登录", "登陆", "login", "log in", "sign in"],
    ["断线", "断开", "掉线", "disconnect", "disconnects", "drops"],
    ["内网", "intranet", "internal network"],
    ["发票", "invoice"],
    ["手机号", "phone number", "mobile number"],
    ["维护窗口", "maintenance window"],
]

# query, kind, {article key: grade}
QUERIES = [
    ("apns certificate expired", "en", {"a1": 3, "a2": 2}),
    ("push notifications not delivered android", "en", {"a3": 3, "a4": 2, "a1": 1}),
    ("restore deleted files", "en", {"a8": 3, "a9": 2, "a28": 1}),
    ("payment webhook not received", "en", {"a11": 3, "a12": 2, "a40": 2}),
    ("partial refund", "en", {"a14": 3, "a13": 1}),
    ("vpn disconnects every hour", "en", {"a17": 3}),
    ("forgot password", "en", {"a21": 3, "a22": 2, "a20": 1}),
    ("signature verification failed", "en", {"a15": 3, "a11": 1}),
    ("upgrade datahub", "en", {"a26": 3, "a27": 3, "a28": 1}),
    ("error E-42", "en", {"a29": 3}),
    ("HTTP 429 too many requests", "en", {"a34": 3}),
    ("two factor authentication", "en", {"a23": 3, "a20": 2}),
    ("sso login fails", "en", {"a35": 3, "a36": 2}),
    ("推送证书过期", "zh", {"a2": 3, "a1": 2}),
    ("收不到推送通知", "zh", {"a4": 3, "a2": 2, "a3": 2, "a1": 1}),
    ("恢复删除的文件", "zh", {"a9": 3, "a8": 2}),
    ("支付回调收不到", "zh", {"a12": 3, "a11": 2, "a40": 1}),
    ("退款失败", "zh", {"a13": 3, "a14": 1}),
    ("忘记密码", "zh", {"a22": 3, "a21": 2}),
    ("报表超时", "zh", {"a25": 3, "a24": 1}),
    ("发票", "zh", {"a16": 3}),
    ("单点登录", "zh", {"a36": 3, "a35": 2}),
    ("如何更换手机号", "zh", {"a33": 3}),
    ("APNs 证书过期", "mixed", {"a2": 3, "a1": 3}),
    ("FCM 推送失败", "mixed", {"a3": 3, "a4": 2}),
    ("PayGate 签名错误", "mixed", {"a15": 3}),
    ("DataHub 3.0 升级", "mixed", {"a27": 3, "a26": 2}),
    ("EdgeVPN 内网访问不了", "mixed", {"a18": 3}),
    ("SSO AADSTS50011", "mixed", {"a35": 3}),
    ("打印机报错 E-42", "mixed", {"a29": 3, "a30": 1}),
    ("certficate expird", "typo", {"a1": 3, "a2": 2, "a19": 1}),
    ("pasword reset", "typo", {"a21": 3, "a22": 2}),
    ("refnd", "typo", {"a14": 3, "a13": 2}),
    ("recyle bin", "typo", {"a8": 3, "a9": 2}),
    ("webhok retries", "typo", {"a40": 3, "a11": 2}),
    ("maintenence window", "typo", {"a26": 3}),
    ("登陆失败", "synonym", {"a19": 2, "a20": 2, "a35": 2, "a36": 1}),
    ("report timeout", "cross", {"a25": 3, "a24": 2, "a38": 1}),
    ("printer offline", "cross", {"a30": 3, "a29": 1}),
    ("sync conflict copy", "cross", {"a7": 3, "a6": 1}),
    ("VPN 断线", "cross", {"a17": 3, "a18": 1}),
    ("数据库备份", "cross", {"a28": 3, "a27": 1}),
    ("双因素认证", "cross", {"a23": 3, "a20": 2}),
    ("CloudSync 同步卡住", "cross", {"a6": 3, "a7": 1}),
]


def ndcg_at(ranked_keys: list[str], grades: dict[str, int], k: int = 5) -> float:
    """Normalised discounted cumulative gain of a ranking, with gains 2^grade - 1."""
    dcg = sum((2 ** grades.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(ranked_keys[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def documents() -> list[dict]:
    """The corpus as kb.search indexes it."""
    return [
        {
            "id": a["id"],
            "slug": None,
            "title": a["title"],
            "body": a["body"],
            "tags": a["tags"],
            "language": a["language"],
            "product": a["product"],
            "category": "",
            "visibility": a["visibility"],
        }
        for a in ARTICLES
    ]


def evaluate(run, k: int = 5) -> dict[str, float]:
    """Mean nDCG@k per kind of query and overall; `run(query)` returns article ids best first."""
    scores: dict[str, list[float]] = {}
    for query, kind, grades in QUERIES:
        keys = [f"a{article_id}" for article_id in run(query)]
        scores.setdefault(kind, []).append(ndcg_at(keys, grades, k))
    result = {kind: sum(v) / len(v) for kind, v in scores.items()}
    every = [s for v in scores.values() for s in v]
    result["all"] = sum(every) / len(every)
    return result
