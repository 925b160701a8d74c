"""The glossary's starting vocabulary: concepts of an after-delivery desk (devices, consoles, certificates,
licences, reports, mail, backups, firmware) with the words customers use for them in English and Chinese.

A concept is one idea, whatever the language: "offline", "掉线" and "dropping off the platform" are all
OFFLINE. Its kind says how much it tells about a fault:
- symptom: what goes wrong (offline, expired, locked, slow, not received);
- vague: that something goes wrong, without saying what ("failed", "error", "无法");
- object: what it goes wrong with (certificate, licence, backup, alarm mail);
- common: words most tickets use (the console, data): they count a little.
`flask reviews glossary --seed` (and the glossary page) load these rows; from then on the team keeps its
own copy on the page, so the list below is only where a new desk starts.
"""

from __future__ import annotations

from typing import NamedTuple


class Concept(NamedTuple):
    code: str
    kind: str  # symptom | vague | object | common
    label_en: str
    label_zh: str
    terms_en: tuple[str, ...]
    terms_zh: tuple[str, ...]


def _c(code: str, kind: str, label_en: str, label_zh: str, en: str, zh: str) -> Concept:
    return Concept(code, kind, label_en, label_zh, _split(en), _split(zh))


def _split(terms: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in terms.split("|") if t.strip())


# fmt: off
DEFAULT_CONCEPTS: list[Concept] = [
    # -- symptoms --------------------------------------------------------------------------------
    _c("OFFLINE", "symptom", "offline", "离线",
       "offline|disconnect|disconnected|drop off|drops off|dropping off|dropped off|lost connection|"
       "lose connection|connection lost|loses connection|not online|back online|unreachable|no heartbeat|"
       "last heartbeat|stopped reporting|stop reporting|not reporting|do not report|cannot reach|"
       "can't reach|goes down|went down|keeps dropping|not connected|no connection",
       "离线|掉线|断线|断开|不在线|失联|下线|连不上|心跳|不上报|没有上报|上线|断网|未连接|没有连接"),
    _c("EXPIRED", "symptom", "expired", "过期",
       "expired|expire|expiry|expiration|validity ended|validity period has ended|run out|ran out|"
       "no longer valid|has ended|outdated certificate",
       "过期|到期|失效|有效期|过了期"),
    _c("INVALID", "symptom", "invalid", "无效",
       "invalid|not valid|untrusted|not trusted|not recognised|not recognized",
       "无效|不合法|不受信任|不被信任|不信任"),
    _c("INSECURE", "symptom", "security warning", "安全警告",
       "not private|security warning|not secure|insecure|connection is not private",
       "不安全|私密连接|安全警告|安全提示"),
    _c("LOCKED", "symptom", "locked", "锁定",
       "locked|lock out|locked out|lockout|too many attempt|too many failed attempt|unlock|account blocked|got blocked|is blocked|was blocked|locked me out|lock me out",
       "锁定|被锁|锁住|解锁|锁了|次数过多|尝试次数|冻结"),
    _c("SLOW", "symptom", "slow", "慢",
       "slow|slowly|sluggish|take age|takes ages|take forever|laggy|lag|load slowly|performance",
       "慢|卡顿|很卡|变卡|太卡|加载很久|半天|响应时间长|延迟"),
    _c("STUCK", "symptom", "stuck", "卡住",
       "stuck|hang|hangs|hung|frozen|freeze|spin|spinning|never finish|no response|unresponsive",
       "卡在|卡住|转圈|没反应|无响应|没有响应|死机|不动了"),
    _c("TIMEOUT", "symptom", "timeout", "超时",
       "time out|times out|timed out|timeout|timing out",
       "超时"),
    _c("NOT_RECEIVED", "symptom", "not received", "收不到",
       "not receive|no longer receive|never come|never comes|never arrive|stop arriving|stopped arriving|"
       "not arriving|not sent|not delivered|not get|don't get|do not get|missing|never get|nobody get|no one get|not getting|stopped getting|don't receive|do not receive",
       "收不到|没有收到|没收到|未收到|没有发出|没发出|不发|没有发送|未发送|发不出|收不了|没人收到"),
    _c("WRONG_TIME", "symptom", "wrong time", "时间不准",
       "hours off|hour off|minutes off|wrong time|time is wrong|clock is wrong|are wrong|is wrong|"
       "incorrect time|off by|inaccurate|time offset|hour ahead|hours ahead|hour behind|hours behind|minutes ahead|minutes behind",
       "不准|差了|时间不对|时间错误|快了|慢了|偏差|时间不一致|和服务器不一致"),
    _c("OUT_OF_SYNC", "symptom", "not synchronised", "不同步",
       "not synchronised|not synchronized|not synced|out of sync|sync fail|sync fails|drift|drifts|"
       "time sync|clock sync",
       "不同步|没有同步|没同步|同步失败|漂移|对时|校时|同步没生效|同步好像没生效|同步不生效"),
    _c("CRASH", "symptom", "crash", "崩溃",
       "crash|crashes|crashed|keeps restarting|restarts by itself|reboot loop|reboots itself|"
       "reboots instead|watchdog",
       "崩溃|闪退|自动重启|反复重启|不停重启|重启循环"),
    _c("CHECKSUM", "symptom", "checksum error", "校验错误",
       "checksum|checksum mismatch|checksum error|verification failed|signature verification",
       "校验|校验和|校验失败|校验错误|签名验证"),
    _c("ROLLBACK", "symptom", "rolls back", "回滚",
       "roll back|rolls back|rolled back|rollback|reverts to|reverted to",
       "回滚|回退到|退回到"),
    _c("DISK_FULL", "symptom", "disk full", "磁盘满",
       "disk full|no space left|out of space|storage full|disk is full|not enough space",
       "磁盘满|空间不足|存储满|磁盘已满|硬盘满"),
    _c("DUPLICATE", "symptom", "duplicates", "重复",
       "duplicate|duplicated|twice|double entries",
       "重复"),
    _c("DATA_LOSS", "symptom", "data loss", "数据丢失",
       "data loss|lost data|missing data|gaps in the data|data gap|loses telemetry|no telemetry",
       "数据丢失|丢数据|数据缺失|丢失数据|数据断档"),
    _c("DENIED", "symptom", "access denied", "拒绝访问",
       "permission denied|access denied|forbidden|not authorised|not authorized|no permission",
       "没有权限|权限不足|拒绝访问|无权限"),
    # -- objects ---------------------------------------------------------------------------------
    _c("DEVICE", "object", "device", "设备",
       "gateway|device|unit|router|field device",
       "网关|设备|终端|路由器"),
    _c("CERTIFICATE", "object", "certificate", "证书",
       "certificate|cert|ssl|tls|https|ca bundle",
       "证书|CA包"),
    _c("LICENSE", "object", "licence", "授权",
       "license|licence|subscription|activation|license key",
       "授权|许可|许可证|订阅|激活|注册码"),
    _c("REPORT", "object", "report", "报表",
       "report",
       "报表|报告"),
    _c("EXPORT", "object", "export", "导出",
       "export|download|excel|xlsx|pdf|csv",
       "导出|下载|Excel|PDF"),
    _c("ACCOUNT", "object", "account", "账号",
       "account|user account",
       "账号|账户|帐号|帐户"),
    _c("LOGIN", "object", "login", "登录",
       "login|log in|logging in|sign in|logon|log on",
       "登录|登陆"),
    _c("PASSWORD", "object", "password", "密码",
       "password|passphrase",
       "密码|口令"),
    _c("EMAIL", "object", "email", "邮件",
       "email|e-mail|mail|mails",
       "邮件|邮箱"),
    _c("ALARM", "object", "alarm", "告警",
       "alarm|alert|notification|notify",
       "告警|报警|通知|警报"),
    _c("CLOCK", "object", "clock", "时钟",
       "clock|timestamp|time zone|timezone|ntp|device time|system time|local time|real time|time stamp",
       "时钟|时间戳|时区|设备时间|系统时间|网关时间|本地时间|实际时间|数据时间|ntp"),
    _c("BACKUP", "object", "backup", "备份",
       "backup|back up|backups|restore",
       "备份|还原"),
    _c("DATABASE", "object", "database", "数据库",
       "database|db",
       "数据库"),
    _c("DASHBOARD", "object", "dashboard", "仪表盘",
       "dashboard|overview page|home page|start page|charts|overview",
       "仪表盘|首页|概览|看板|大屏|图表"),
    _c("FIRMWARE", "object", "firmware", "固件",
       "firmware|ota",
       "固件|OTA"),
    _c("UPGRADE", "object", "upgrade", "升级",
       "upgrade|upgrading|update|updating|patch",
       "升级|更新|补丁"),
    _c("API", "object", "API", "接口",
       "api|rest api|integration|interface|webhook",
       "接口|API|回调"),
    _c("NETWORK", "object", "network", "网络",
       "network|lan|wifi|wi-fi|ethernet|cable|vlan|firewall|proxy|port",
       "网络|网线|无线|防火墙|代理|端口|交换机"),
    _c("POWER", "object", "power", "电源",
       "power cut|power outage|power failure|blackout|power supply",
       "停电|断电|来电|电源"),
    _c("VPN", "object", "VPN", "VPN",
       "vpn|ipsec|tunnel|dpd",
       "VPN|隧道|IPsec"),
    _c("MQTT", "object", "MQTT", "MQTT",
       "mqtt|broker",
       "MQTT"),
    _c("MODBUS", "object", "Modbus", "Modbus",
       "modbus|rs-485|rs485|rtu",
       "Modbus|寄存器|485"),
    _c("SENSOR", "object", "sensor", "传感器",
       "sensor|meter|probe|threshold",
       "传感器|探头|电表|阈值"),
    _c("STORAGE", "object", "storage", "存储",
       "disk|storage|memory|ram|space",
       "磁盘|硬盘|存储|内存|空间"),
    _c("MOBILE_APP", "object", "mobile app", "手机App",
       "mobile app|app|ios|android|iphone",
       "手机App|App|手机|iOS|安卓"),
    _c("LED", "object", "status light", "指示灯",
       "led|status light|indicator",
       "指示灯|状态灯"),
    _c("SCHEDULE", "object", "scheduled job", "定时任务",
       "scheduled|cron|every night|scheduled job|backup job",
       "定时|每晚|计划任务|每天晚上"),
    # -- vague and common ---------------------------------------------------------------------------------
    _c("FAILED", "vague", "failed", "失败",
       "fail|failed|fails|failure|error|errors|broken|not work|not working|doesn't work|does not work|"
       "cannot|can't|unable|won't|abort|aborts|aborted",
       "失败|报错|错误|异常|无法|不能|用不了|不行|出错|故障|不成功|没有成功|没成功|没有完成|导不出|打不开|出不来|中断"),
    _c("CONSOLE", "common", "console", "控制台",
       "console|platform|portal|web ui|web interface|web page|page|pages|website",
       "控制台|平台|管理平台|页面|网页|网站|后台"),
    # Questions say nothing about a fault, but "能不能" must not read as "不能" (cannot).
    _c("QUESTION", "common", "question", "咨询",
       "how do i|how can i|how can we|is it possible|could you tell|what is|what are|where do i|where can",
       "能不能|能否|可不可以|可否|请问|如何|怎么|在哪里|是否"),
    _c("DATA", "common", "data", "数据",
       "data|measurement|value|reading|telemetry",
       "数据|测量|数值|读数"),
]
# fmt: on
