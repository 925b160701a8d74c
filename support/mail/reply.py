"""Separating the new text of a mail from the quoted history and signature under it.

Clients mark the start of the history differently: QQ Mail and Foxmail with a dashed
"原始邮件"/"Original" line, NetEase 163/126 and Gmail with an attribution line ("在 …，X <a@b> 写道：",
"On …, X <a@b> wrote:"), Outlook with a From/Sent block (发件人/发送时间 in Chinese), Apple Mail with
"Begin forwarded message:", plain-text clients with "> " lines. The text above the first such marker,
less a trailing signature ("-- ", "发自我的iPhone", "Sent from my iPhone"), is the reply. Bottom-posted
replies (the quote first, the answer under it) keep the answer. The full text stays in `body`.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

_SEPARATOR = re.compile(
    r"^[-=_*\s]{2,}\s*(original message|original|forwarded message|forward message|message d.origine"
    r"|message transf[ée]r[ée]|urspr[üu]ngliche nachricht|weitergeleitete nachricht|mensaje original"
    r"|原始邮件|原始郵件|原邮件|转发邮件|轉寄郵件|轉發郵件|元のメッセージ|転送されたメッセージ"
    r"|원본 메시지|전달된 메시지)\s*[-=_*\s]{2,}$",
    _I,
)
_FORWARD_INTRO = re.compile(
    r"^(begin forwarded message|以下是转发的邮件|下面是被转发的邮件|转发的邮件|開始轉寄的郵件"
    r"|転送されたメッセージ)\s*[:：]?$",
    _I,
)
_FROM_FIELD = re.compile(
    r"^\*?\s*(from|发件人|發件人|寄件者|寄件人|差出人|보낸 사람|von|de|da)\s*\*?\s*[:：]", _I
)
_DATE_FIELD = re.compile(
    r"^\*?\s*(sent|date|发送时间|發送時間|发送日期|日期|时间|時間|寄件日期|送信日時|날짜|보낸 날짜|gesendet"
    r"|datum|envoy[ée]|date d.envoi|enviado|fecha)\s*\*?\s*[:：]",
    _I,
)
_UNDERLINE = re.compile(r"^[_—–-]{10,}$")
_ATTRIBUTIONS = (
    re.compile(
        r"^(on|am|le|el|il|em|op)\s.{3,300}\b(wrote|schrieb|a [ée]crit|escribi[óo]|ha scritto"
        r"|escreveu|schreef)\s*[:：]?$",
        _I,
    ),
    re.compile(r"^.{0,300}(@|\d).{0,300}(写道|寫道|写到|寫到|書きました|wrote)\s*[:：]?$", _I),
    # Gmail in Japanese: "2026年11月24日(火) 10:00 山田 <a@b>:"
    re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日.{0,200}@.{0,100}>\s*[:：]$"),
)
_WRAPPED_START = re.compile(r"^(on|am|le|el|il|em|op|at|在)\s|^\d{4}", _I)
_SIGNATURE = re.compile(r"^-- ?$")
# A client's sign-off is a short line of its own: no sentence punctuation inside it.
_MOBILE = re.compile(
    r"^(sent from my\b{w}|sent from (mail|outlook|yahoo|gmail|samsung|huawei)\b{w}|get outlook for {w}"
    r"|发自我的{w}|来自我的{w}|發自我的{w}|寄自我的{w}|(从|從)我的{w}(发送|傳送|發送)"
    r"|(发自|来自){w}(邮箱|郵箱|mail){w}|iphoneから送信|von meinem {w} gesendet|enviado desde mi {w})\.?$".replace(
        "{w}", r"[^,，.。!！?？:：;；]{0,40}"
    ),
    _I,
)
_SPACES = re.compile(r"(&nbsp;|[\u00a0\u3000\u2002\u2003\u200b])", _I)


def extract_reply(text: str) -> str:
    """The new text of a message body: no quoted history, no signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    flat = [_SPACES.sub(" ", line).strip() for line in lines]
    start, end = 0, _boundary(flat, 0)
    if not _has_content(flat[:end]) and end < len(flat):
        # Bottom-posting: the attribution and quote come first and the answer under them.
        after = _skip_quote(flat, end)
        if after is not None:
            start, end = after, _boundary(flat, after)
    kept = _drop_signature(_drop_trailing_quote(lines[start:end], flat[start:end]))
    return "\n".join(line.rstrip() for line in kept).strip("\n")


def _boundary(flat: list[str], start: int) -> int:
    """Index of the first line that starts quoted or forwarded history, or len(flat)."""
    for index in range(start, len(flat)):
        line = flat[index]
        if not line:
            continue
        if _SEPARATOR.match(line) or _FORWARD_INTRO.match(line) or _attribution_span(flat, index):
            return index
        if _FROM_FIELD.match(line) and any(_DATE_FIELD.match(n) for n in flat[index + 1 : index + 5]):
            # Outlook puts a rule of underscores above the block; it belongs to the history too.
            before = index - 1
            while before > start and not flat[before]:
                before -= 1
            return before if before >= start and _UNDERLINE.match(flat[before]) else index
    return len(flat)


def _attribution_span(flat: list[str], index: int) -> int:
    """How many lines the attribution starting at `index` takes (0 when there is none)."""
    # Clients wrap long attribution lines, often inside the <address>.
    for span in (1, 2, 3):
        joined = " ".join(flat[index : index + span])
        if len(joined) > 500 or index + span > len(flat) or not all(flat[index : index + span]):
            return 0
        if span > 1 and not _WRAPPED_START.match(flat[index]):
            return 0
        if any(pattern.match(joined) for pattern in _ATTRIBUTIONS):
            return span
    return 0


def _skip_quote(flat: list[str], index: int) -> int | None:
    """After an attribution and its "> " block, where the answer starts (None if it never does)."""
    position = index if flat[index].startswith(">") else index + max(1, _attribution_span(flat, index))
    quoted = False
    while position < len(flat) and (not flat[position] or flat[position].startswith(">")):
        quoted = quoted or flat[position].startswith(">")
        position += 1
    if quoted and _has_content(flat[position:]):
        return position
    return None


def _drop_trailing_quote(lines: list[str], flat: list[str]) -> list[str]:
    end = len(lines)
    while end and (not flat[end - 1] or flat[end - 1].startswith(">")):
        end -= 1
    return lines[:end]


def _drop_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line.rstrip("\n")) and (
            line.startswith("-- ") or _count_content(lines[index + 1 :]) <= 10
        ):
            lines = lines[:index]
            break
    content = [i for i, line in enumerate(lines) if line.strip()]
    for index in content[-4:]:
        if _MOBILE.match(_SPACES.sub(" ", lines[index]).strip()):
            return lines[:index]
    return lines


def _has_content(flat: list[str]) -> bool:
    return any(line and not line.startswith(">") for line in flat)


def _count_content(lines: list[str]) -> int:
    return sum(1 for line in lines if line.strip())
