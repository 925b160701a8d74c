"""Demo knowledge base: the articles a desk supporting the EdgeLink gateways would have written.

Half Chinese, half English, a few for staff only, two pairs of translations, one article with a second
revision, and the synonym groups an editor keeps for them. Everything is written through the services
with a back-dated `now`, so revisions and publishing times are real; `support.demo` links the articles
to the demo's resolved tickets (kb knows nothing of tickets). The caller commits and then builds the
search index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.db import utcnow
from core.models import User
from kb import services
from kb.models import Article, ArticleStatus, Visibility

GATEWAY, MANAGER = "EdgeLink IG-500", "EdgeLink Manager"
# Bilingual names: one list of categories serves readers of both languages.
NETWORK = "网络与 VPN · Networking & VPN"
CERTIFICATES = "证书 · Certificates"
FIRMWARE = "固件升级 · Firmware"
DATA = "数据采集 · Data acquisition"
CLOUD = "云平台 · Cloud platform"
LICENSING = "许可证 · Licensing"


@dataclass(frozen=True)
class DemoArticle:
    key: str
    language: str
    slug: str
    title: str
    body: str
    category: str
    product: str
    tags: str
    days_ago: int  # when it was written and published, counted back from the seed's `now`
    visibility: str = Visibility.public
    translation_of: str | None = None  # the key of the article it translates
    # (days ago, text appended, revision note): a later edit, so the history page has something to show
    revised: tuple[int, str, str] | None = None


# fmt: off
ARTICLES = [
    DemoArticle(
        "zh-vpn", "zh", "ig500-vpn-dpd-timeout-zh", "IPsec VPN 每隔几小时断开一次：DPD 参数不一致",
        "## 现象\n\nIG-500 到总部的 IPsec VPN 每隔两三个小时断开一次，约十分钟后才自动重连；断开前系统日志里有 "
        "`DPD timeout`。\n\n## 原因\n\n网关与对端防火墙的 DPD（对端存活检测）间隔或超时设置不一致，一端认为对端已失联，"
        "主动拆除了隧道。\n\n## 解决方法\n\n1. 打开“网络 > VPN > IPsec”，编辑对应隧道。\n2. 将 **DPD 间隔** 设为 30 秒，"
        "**DPD 超时** 设为 120 秒，动作选择“重启”。\n3. 请对端管理员在防火墙上使用相同的参数。\n4. 观察 24 小时，"
        "日志中不应再出现 `DPD timeout`。\n\n如果仍然断开，请把“系统 > 日志”中断开前后十分钟的日志附在工单里。",
        NETWORK, GATEWAY, "VPN, IPsec, DPD, 隧道断开", 75,
    ),
    DemoArticle(
        "zh-apns", "zh", "apns-certificate-expired-zh", "APNs 推送证书已过期，iOS App 收不到告警通知",
        "## 现象\n\nEdgeLink Manager 的告警不再推送到 EdgeLink iOS App，Android 端正常；“系统 > 通知渠道”中 Apple "
        "渠道显示错误 `certificate has expired`。\n\n## 原因\n\n用于苹果推送服务（APNs）的证书有效期为一年，"
        "到期后推送全部失败。\n\n## 解决方法\n\n1. 在苹果开发者后台为 App ID 重新生成推送证书。\n2. 在钥匙串中导出为 "
        "`.p12` 文件并设置密码。\n3. 在 EdgeLink Manager 的“系统 > 通知渠道 > Apple”中上传新证书，填写密码并保存。\n"
        "4. 点击“发送测试通知”，五分钟内手机应收到。\n\n建议在证书到期前 30 天设置提醒，或改用不会过期的 `.p8` 令牌密钥。",
        CERTIFICATES, MANAGER, "APNs, iOS, 推送, 证书", 62,
    ),
    DemoArticle(
        "zh-https-cert", "zh", "ig500-https-certificate-zh", "网关 Web 管理页面的 HTTPS 证书即将过期：更换与自动续期",
        "网关 Web 管理页面提示 HTTPS 证书即将过期时，可以任选一种方式更新：\n\n- **上传自有证书**：在“系统 > 证书”"
        "上传 PEM 格式的证书链和私钥（私钥不能加密），保存后网关会重启 Web 服务，约 10 秒。\n- **ACME 自动续期**"
        "（固件 3.1 及以上）：在同一页面打开 ACME，填写企业内部 ACME 服务器地址，网关会在到期前 30 天自动续期。\n\n"
        "更换后请用浏览器确认证书的有效期和颁发者。若浏览器仍提示不安全，请确认证书的主题备用名称（SAN）包含访问网关用的"
        "IP 或域名。",
        CERTIFICATES, GATEWAY, "证书, HTTPS, ACME, 过期", 58,
    ),
    DemoArticle(
        "zh-firmware", "zh", "ig500-firmware-upgrade-3-2-zh", "IG-500 固件升级到 3.2 的步骤与回退方法",
        "## 升级前\n\n- 确认当前版本为 3.1.x；3.0.x 需要先升级到 3.1.4。\n- 在“系统 > 配置”导出配置备份。\n"
        "- 安排维护窗口：升级约 8 分钟，期间 VPN 与数据上报中断。\n\n## 升级\n\n1. 在“系统 > 固件”上传 "
        "`ig500-3.2.0.bin`。\n2. 等待校验通过后点击“升级”，网关自动重启两次。\n3. 重新登录，确认“系统 > 状态”"
        "中版本为 3.2.0。\n\n## 回退\n\n网关保留上一个固件分区：在“系统 > 固件”点击“切换到备用分区”即可回到 3.1.x，"
        "配置保持不变。",
        FIRMWARE, GATEWAY, "固件, 升级, 回退, 3.2", 48,
        revised=(9, "\n\n## 3.2.1 补充\n\n3.2.1 修复了升级后 OPC UA 服务偶尔无法启动的问题，新升级请直接使用 "
                    "`ig500-3.2.1.bin`，步骤相同。", "补充 3.2.1 说明"),
    ),
    DemoArticle(
        "zh-mqtt", "zh", "mqtt-duplicate-after-reconnect-zh", "MQTT 断线重连后数据重复上报",
        "## 现象\n\n网络抖动导致 MQTT 重连后，平台上出现最近几分钟的重复记录。\n\n## 原因\n\n固件 3.1.4 的离线缓存"
        "在重连时没有清除已经被平台确认（PUBACK）的消息，QoS 1 下会再次发送。\n\n## 解决方法\n\n- 升级到 3.1.5 或更高版本。\n"
        "- 暂时无法升级时，可在“数据上报 > MQTT”关闭“离线缓存”，代价是断线期间的数据不再补传。\n- 平台侧可按消息中的 "
        "`ts` 和 `seq` 字段去重。",
        DATA, GATEWAY, "MQTT, 重复数据, 离线缓存, QoS", 2,
    ),
    DemoArticle(
        "zh-modbus", "zh", "modbus-tcp-polling-limits-zh", "Modbus TCP 轮询周期和从站数量的上限",
        "| 项目 | 上限 |\n| --- | --- |\n| 最小轮询周期 | 100 毫秒 |\n| 同时连接的从站 | 建议不超过 32 个 |\n"
        "| 单次读取寄存器 | 125 个 |\n\n寄存器较多时，请把地址连续的寄存器合并成块读取：例如 200 个寄存器按连续地址分成 "
        "8 个块，比逐个读取快十倍以上。轮询周期过短会导致从站响应超时，日志中出现 `Modbus exception 0x0B`。",
        DATA, GATEWAY, "Modbus, 轮询, 从站, 寄存器", 40,
    ),
    DemoArticle(
        "zh-ca-bundle", "zh", "cloud-connector-ca-bundle-zh", "平台证书轮换后网关离线：推送 CA 包",
        "**仅供工程师使用。**\n\n管理平台每年轮换一次 TLS 证书。固件 3.0.9 及更早版本的云连接器内置的 CA 包不包含新的"
        "中间证书，轮换后会显示离线，但现场指示灯正常、本地能 ping 通。\n\n处理步骤：\n\n1. 在运维后台按序列号筛选"
        "离线设备，确认固件版本 ≤ 3.0.9。\n2. 通过带外通道（4G 管理口）推送 `ca-bundle-2026.pem`。\n3. 设备会在 "
        "5 分钟内重新上线；未上线的请客户重启一次。\n4. 在工单中建议客户安排升级到 3.1.5。",
        CLOUD, MANAGER, "云连接器, 离线, CA, 证书轮换", 30, visibility=Visibility.internal,
    ),
    DemoArticle(
        "en-vpn", "en", "ig500-vpn-dpd-timeout", "VPN tunnel drops every few hours with 'DPD timeout'",
        "## Symptom\n\nThe IPsec tunnel from an IG-500 drops every two or three hours and takes about ten "
        "minutes to come back. The system log shows `DPD timeout` just before each drop.\n\n## Cause\n\nDead "
        "peer detection (DPD) is set differently on the gateway and on the head-end firewall, so one side "
        "declares the other dead and tears the tunnel down.\n\n## Fix\n\n1. Open Network > VPN > IPsec and edit "
        "the tunnel.\n2. Set the **DPD interval** to 30 s and the **DPD timeout** to 120 s, action *restart*.\n"
        "3. Ask whoever runs the firewall to use the same values.\n4. Watch the log for 24 hours: no more "
        "`DPD timeout`.\n\nStill dropping? Attach the log of the ten minutes around a drop (System > Logs) to "
        "your ticket.",
        NETWORK, GATEWAY, "VPN, IPsec, DPD, tunnel", 74, translation_of="zh-vpn",
    ),
    DemoArticle(
        "en-apns", "en", "apns-certificate-expired", "APNs certificate expired: no alerts on the iOS app",
        "## Symptom\n\nEdgeLink Manager alerts no longer reach the EdgeLink iOS app while Android still gets "
        "them; System > Notification channels shows `certificate has expired` for the Apple channel.\n\n"
        "## Cause\n\nThe certificate for the Apple Push Notification service (APNs) is valid for one year; "
        "once it expires every push fails.\n\n## Fix\n\n1. Create a new push certificate for the app ID in the "
        "Apple Developer portal.\n2. Export it from Keychain as a `.p12` file with a password.\n3. Upload it "
        "under System > Notification channels > Apple in EdgeLink Manager and enter the password.\n4. Send a "
        "test notification: it arrives within five minutes.\n\nSet a reminder 30 days before it expires, or "
        "switch to a `.p8` token key, which does not expire.",
        CERTIFICATES, MANAGER, "APNs, iOS, push notifications, certificate", 61, translation_of="zh-apns",
    ),
    DemoArticle(
        "en-device-certs", "en", "device-certificates-expired",
        "Gateways cannot reach EdgeLink Manager: device certificate has expired",
        "Gateways enrolled during a pilot received device certificates that are valid for one year. When "
        "they expire the gateways show *offline* in EdgeLink Manager and their log says `certificate has "
        "expired`.\n\n1. In EdgeLink Manager open Devices, filter on *Certificate expired* and select the "
        "gateways.\n2. Choose Actions > Renew device certificate. Online gateways pick the new certificate up "
        "within a minute.\n3. Gateways that were offline during the renewal need one reboot.\n\nProduction "
        "certificates are valid for ten years and renewed automatically.",
        CERTIFICATES, MANAGER, "certificate, offline, TLS, EdgeLink Manager", 55,
    ),
    DemoArticle(
        "en-modbus-rtu", "en", "modbus-rtu-to-tcp-bridge", "Use the IG-500 as a Modbus RTU to TCP bridge",
        "Old meters on RS-485 can be read by a SCADA system over Modbus TCP through the gateway:\n\n1. Open "
        "Serial > Port 1 and set baud rate, parity and stop bits to the meters' values.\n2. Choose Serial > "
        "Modbus gateway mode and map the port to TCP port 502.\n3. Point the SCADA master at the gateway's LAN "
        "address; the unit id selects the meter.\n\nUp to four TCP masters may connect at once. Keep the "
        "response timeout at 1000 ms or more for slow meters.",
        DATA, GATEWAY, "Modbus, RTU, RS-485, SCADA", 38,
    ),
    DemoArticle(
        "en-mqtt-proxy", "en", "gateways-offline-behind-proxy-mqtt-8883",
        "All gateways of a site offline after a proxy or firewall change: allow MQTT on port 8883",
        "Gateways talk to EdgeLink Manager over MQTT with TLS on port **8883**. A new web proxy or firewall "
        "that only lets HTTP(S) out cuts them off, although the local network looks fine.\n\n- Ask the "
        "network team to allow outgoing TCP 8883 to `mqtt.edgelink.example`.\n- Where only port 443 is "
        "possible, switch the gateways to MQTT over WebSocket (Cloud > Connection > Transport) before the "
        "change.\n- The gateways reconnect by themselves within two minutes once the port is open.",
        NETWORK, GATEWAY, "MQTT, offline, proxy, firewall, 8883", 1,
    ),
    DemoArticle(
        "en-licence", "en", "move-edgelink-manager-licence", "Moving an EdgeLink Manager licence to a new server",
        "**Staff only.**\n\nOn-premises licences are bound to the server's machine id. When a customer moves "
        "EdgeLink Manager to new hardware:\n\n1. Ask for the new machine id (Settings > Licence > Machine id).\n"
        "2. Release the old activation in the licence portal; at most two moves a year without approval from "
        "sales.\n3. Issue the new licence file and send it through the ticket, never by plain mail.\n4. The "
        "customer uploads it under Settings > Licence; device limits and expiry stay the same.",
        LICENSING, MANAGER, "licence, license, activation, migration", 44, visibility=Visibility.internal,
    ),
    DemoArticle(
        "en-lte", "en", "lte-failover-reboot-known-issue",
        "Known issue: gateway reboots when the LTE backup link takes over",
        "**Staff only.** A watchdog bug in the LTE module firmware shipped with IG-500 3.1.3 and earlier reboots "
        "the gateway instead of switching the default route when the wired uplink fails.\n\n- Fixed by the LTE "
        "module update in 3.1.5; tell customers to upgrade.\n- Workaround until then: Network > Failover > "
        "set *Detection* to ICMP with a 30 s interval (the bug only hits with link-state detection).\n- Do not "
        "offer a replacement module: the hardware is fine.",
        NETWORK, GATEWAY, "LTE, failover, reboot, watchdog", 20, visibility=Visibility.internal,
    ),
]

# Words customers and engineers use for the same thing, across the two languages.
SYNONYMS = [
    "证书, certificate, cert",
    "固件, firmware",
    "网关, gateway",
    "离线, offline, 掉线",
    "断开, drop, disconnect",
    "隧道, tunnel",
    "升级, upgrade",
]
# fmt: on


def seed(*, authors: dict[str, User], editor: User | None, now: datetime | None = None) -> dict[str, Article]:
    """Write the demo articles (by `authors[language]`) and synonyms; returns the articles by key."""
    now = now or utcnow()
    articles: dict[str, Article] = {}
    for item in ARTICLES:
        author = authors[item.language]
        article = services.create_article(
            author=author,
            title=item.title,
            body=item.body,
            language=item.language,
            status=ArticleStatus.published,
            visibility=item.visibility,
            category=item.category,
            product=item.product,
            tags=item.tags,
            slug=item.slug,
            translation_of=articles[item.translation_of] if item.translation_of else None,
            now=now - timedelta(days=item.days_ago),
        )
        if item.revised:
            days_ago, addition, note = item.revised
            services.update_article(
                article,
                editor=author,
                body=item.body + addition,
                note=note,
                now=now - timedelta(days=days_ago),
            )
        articles[item.key] = article
    for terms in SYNONYMS:
        services.save_synonyms(None, terms, editor=editor, now=now - timedelta(days=80))
    return articles
