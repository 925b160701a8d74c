"""What a ticket says, without what surrounds it: greetings, sign-offs, signatures, quoted mail, links,
version numbers; plus the error codes in it and its words, for recurring-problem detection.

Pure functions, no database and no Flask. English words are lower-cased and reduced by a small suffix
stemmer (plural, -ed, -ing, -ly; enough to match "expired"/"expires"/"expire"); Chinese runs stay whole
for glossary matching and are cut into character bigrams for word overlap. Bigrams rather than jieba:
`kb/search.py` is the only module that imports jieba, and bigrams are about fifty times faster, which the
100,000-ticket target needs; they serve only the same-language word overlap, the cross-language part
rests on the glossary.
"""

from __future__ import annotations

import functools
import re
import unicodedata

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
MAX_CHARS = 3000  # the description of a fault is at the top; logs pasted below it only add noise

# A reply header ends the new text: everything after it is the quoted earlier mail.
_QUOTE_HEADERS = re.compile(
    r"^\s*(?:on\s.{0,120}\bwrote:?|-{2,}\s*(?:original message|forwarded message|原始邮件|转发邮件)\s*-{2,}"
    r"|from:\s.+|发件人[:：].*|在\s?.{0,80}写道[:：]?|_{5,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# A sign-off line (short, at the start of a line) ends the description: a name and signature follow.
_SIGN_OFF = re.compile(
    r"^\s*(?:best(?: regards| wishes)?|kind regards|regards|many thanks|thanks(?: a lot| again)?"
    r"|thank you|cheers|br|sincerely|yours(?: sincerely| truly)?|greetings|sent from my\b.*"
    r"|谢谢|多谢|感谢|此致|顺祝|祝好|敬礼|发自我的.*|--\s*)[\s!,.，。！、]*(?:[\w .'-]{0,30})?$",
    re.IGNORECASE | re.MULTILINE,
)
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[^\n.!?]{0,40}[,!.:]?"
    r"|(?:您好|你好|尊敬的[^\n，,：:]{0,20}|各位|大家好)[\s,，!！:：]*)",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^.*(?:confidential|intended solely|privileged|保密|机密|免责声明).*$", re.IGNORECASE | re.MULTILINE
)
# ASCII classes throughout: for Python's \w a Chinese character is a word character, and "网关从3.2.1"
# must lose the version, not the gateway.
_URL = re.compile(
    r"(?:https?://|www\.)[!-~]+|(?<![a-z0-9])[a-z0-9._+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    r"|(?<![a-z0-9-])[a-z][a-z0-9-]*(?:\.[a-z0-9-]+){2,}(?![a-z0-9])",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?:tel\.?|phone|mobile|电话|手机)[:：]?\s*\+?[\d ()-]{6,}", re.IGNORECASE)
_VERSION = re.compile(r"(?<![a-z0-9.])(?:v|version\s*)?\d+(?:\.\d+){1,3}(?![a-z0-9.])", re.IGNORECASE)

# Error codes. Some shapes are unmistakable (ERR_CONN_RESET, NET::ERR_CERT_DATE_INVALID, 0x80070005,
# CERT_HAS_EXPIRED); letters-and-digits (LIC-403, E1023, x509) are codes only where an error is being
# quoted, because device names and models (GW-0193, G200, IG-500) have the same shape and must not tie
# two different faults on the same device together.
_STRONG_CODE = re.compile(
    r"(?<![a-z0-9_-])(?:(?:[a-z]+::)?err_[a-z0-9_]+|0x[0-9a-f]{4,8}|[a-z]{2,6}_[a-z0-9_]{3,})(?![a-z0-9_-])",
    re.I,
)
_WEAK_CODE = re.compile(r"(?<![a-z0-9_-])([a-z]{1,4})-?(\d{3,5})(?![a-z0-9_-]|\.\d)", re.I)
_ERROR_CONTEXT = re.compile(
    r"(?:error|err|code|fail|exception|message|get|got|报错|错误|代码|提示|故障码)[^\n.!?;。！？；]{0,20}$",
    re.I,
)
_CODE = re.compile(rf"{_STRONG_CODE.pattern}|{_WEAK_CODE.pattern}", re.I)
_HTTP_STATUS = re.compile(
    r"(?:error|status|http|code|报错|错误|错误码|状态码)\s*[:：(（]?\s*([45]\d\d)\b|\b([45]\d\d)\s*[)）]?\s*(?:error|错误)",
    re.IGNORECASE,
)

_RUNS = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[a-z0-9]+)")
ZH_STOP = frozenset(
    str.split(
        "您好 你好 谢谢 麻烦 请问 帮忙 一下 我们 你们 他们 这个 那个 已经 现在 今天 昨天 还是 就是 但是 "
        "因为 所以 如果 可以 没有 什么 怎么 一直 开始 出现 问题 处理 尽快 看看 看一 下吧"
    )
)


def normalise(text: str) -> str:
    """NFKC-folded, lower-cased text (full-width letters and digits become ASCII)."""
    return unicodedata.normalize("NFKC", text or "").lower()


def description(subject: str, body: str) -> str:
    """The subject and the new text of the first message: no greeting, sign-off, quote or disclaimer."""
    body = (body or "")[: MAX_CHARS * 2]
    quoted = _QUOTE_HEADERS.search(body)
    if quoted:
        body = body[: quoted.start()]
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith(">"))
    # A sign-off in the first line is part of the sentence ("Thanks for the quick fix, but..."); later, it
    # starts the signature.
    first_break = body.find("\n")
    for match in _SIGN_OFF.finditer(body):
        if first_break != -1 and match.start() > first_break:
            body = body[: match.start()]
            break
    body = _DISCLAIMER.sub(" ", body)
    body = _GREETING.sub(" ", body.lstrip(), count=1)
    text = f"{subject or ''}\n{body}"[:MAX_CHARS]
    return _PHONE.sub(" ", text)


def codes(text: str) -> set[str]:
    """Error codes and HTTP error statuses in `text`, upper-cased ("E1023", "LIC403", "HTTP500").

    Dashes are dropped so "LIC-403" and "LIC403" are one code; version numbers are not codes.
    """
    found = {m.group(0).upper().split("::")[-1] for m in _STRONG_CODE.finditer(text)}
    for match in _WEAK_CODE.finditer(text):
        letters, digits = match.groups()
        quoted = text[match.end() : match.end() + 1] == ":" or letters.lower() in ("e", "err")
        if quoted or _ERROR_CONTEXT.search(text, max(0, match.start() - 30), match.start()):
            found.add(f"{letters}{digits}".upper())
    for match in _HTTP_STATUS.finditer(text):
        found.add("HTTP" + (match.group(1) or match.group(2)))
    return found


def strip_noise(text: str) -> str:
    """Links, addresses, version numbers and codes removed (codes are read separately by `codes`)."""
    text = _URL.sub(" ", text)
    text = _VERSION.sub(" ", text)
    return _CODE.sub(" ", text)


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A small English suffix stemmer: expired/expires/expire/expiring -> expir, emails -> email."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


_EN_STOP_WORDS = """a about above after again all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor not now
    of off on once only or other our ours out over own please same she should so some such than that the
    their them then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours help issue problem hi hello thank thanks
    team support regard dear sir madam kind best asap urgent since today yesterday morning still again
    anymore get got see seem seems us one two three every time day week
    """.split()  # noqa: SIM905
EN_STOP = frozenset(stem(word) for word in _EN_STOP_WORDS)


def canonical(text: str, *, normalised: bool = False) -> str:
    """Normalised, noise-free text as space-separated stemmed English words and whole Chinese runs.

    Glossary terms go through the same function, so a term matches whatever inflection the text uses.
    """
    parts = []
    for match in _RUNS.finditer(strip_noise(text if normalised else normalise(text))):
        if match.lastgroup == "cjk":
            parts.append(match.group())
        else:
            parts.append(stem(match.group()))
    return " " + " ".join(parts) + " "


def words(canonical_text: str) -> set[str]:
    """Content words of a canonical text: English stems and Chinese character bigrams, stop words out."""
    found: set[str] = set()
    for part in canonical_text.split():
        if part[0] >= "\u3400":
            if len(part) == 1:
                continue
            found.update(b for i in range(len(part) - 1) if (b := part[i : i + 2]) not in ZH_STOP)
        elif len(part) > 2 and not part.isdigit() and part not in EN_STOP:
            found.add(part)
    return found


def language(text: str) -> str:
    """ "zh" when Chinese characters make up a good part of the text, else "en"."""
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk * 2 >= latin else "en"
