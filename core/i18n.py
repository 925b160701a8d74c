"""Language and time zone of the viewer, and the filters templates use to show times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates as babel_dates
from flask import current_app, g, has_request_context, request, session
from flask_babel import (
    Domain,
    format_date,
    format_datetime,
    format_timedelta,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_babel import gettext as _
from flask_login import current_user

LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文"}
# Content languages (articles): each named in its own language, as language pickers do.
CONTENT_LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
# Closer to now than this, a time reads "just now": "12 seconds ago" is noise on a support desk.
JUST_NOW = timedelta(seconds=45)


def select_locale() -> str:
    """The user's setting, else the language chosen in the switcher, else Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    # Commands and jobs render lazy strings (service errors, mail) with no request to ask.
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    # Browsers say zh-CN, zh-Hans, zh; all of them read Simplified Chinese here.
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans", "zh-SG"], default="en")
    return "zh_Hans" if best.startswith("zh") else "en"


def select_timezone() -> str:
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["DEFAULT_TIMEZONE"]


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


EXACT_TIME_PATTERN = "yyyy-MM-dd HH:mm zzz"


def exact_time(value: datetime | None) -> str:
    """A datetime in the viewer's time zone and language, e.g. 2026-11-24 10:30 CST."""
    if not value:
        return ""
    if _babel_state() is None:
        return format_datetime(value, EXACT_TIME_PATTERN)
    # Same text as flask_babel.format_datetime(value, pattern), built cheaply: a queue page shows
    # a hundred of these. The digits are ASCII in every language we offer; only the zone's short
    # name goes through Babel, once per request and UTC offset.
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(get_timezone())
    zone_names = g.setdefault("aftercare_zone_names", {})
    locale = get_locale()
    key = (locale, local.tzinfo, local.utcoffset(), local.dst())
    zone = zone_names.get(key)
    if zone is None:
        zone = zone_names[key] = babel_dates.format_datetime(local, "zzz", locale=locale)
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d} {zone}"


def _babel_state():
    """Flask-Babel's per-request state (locale, translations), or None outside an app context."""
    return g.get("_flask_babel") if g else None


class RequestCachedDomain(Domain):
    """Flask-Babel's message domain, with the translations looked up once per request and locale.

    Flask-Babel finds domain, locale and catalogue again for every string, and a queue page
    translates several hundred (lazy labels included). The cache is keyed by the identity of the
    locale object Flask-Babel holds, so force_locale (mail in the recipient's language) and
    refresh() still switch language."""

    def get_translations(self):
        babel_state = _babel_state()
        if babel_state is not None:
            cached = getattr(babel_state, "aftercare_translations", None)
            locale = getattr(babel_state, "babel_locale", None)
            if cached is not None and locale is not None and cached[0] is locale and cached[1] is self:
                return cached[2]
        translations = super().get_translations()
        locale = getattr(babel_state, "babel_locale", None) if babel_state is not None else None
        if locale is not None:
            babel_state.aftercare_translations = (locale, self, translations)
        return translations


def _cached_translations():
    """The current translations for Jinja's _() and ngettext(), by the shortest path."""
    babel_state = _babel_state()
    if babel_state is not None:
        cached = getattr(babel_state, "aftercare_translations", None)
        if (
            cached is not None
            and cached[0] is getattr(babel_state, "babel_locale", None)
            and cached[1] is getattr(babel_state, "babel_domain", None)
        ):
            return cached[2]
    return get_translations()


def relative_time(value: datetime | None, now: datetime | None = None) -> str:
    """'3 hours ago' / '3小时前' for the past, 'in 2 hours' / '2小时后' for the future."""
    if value is None:
        return ""
    delta = value - (now or datetime.now(UTC))
    if abs(delta) < JUST_NOW:
        return _("just now")
    return format_timedelta(delta, add_direction=True, threshold=0.9)


def day(value: date | datetime | None) -> str:
    """A date in the viewer's language: 'Nov 24, 2026' / '2026年11月24日' (a datetime in their zone)."""
    return format_date(value, "medium") if value else ""


def month(value: date | datetime | str | None) -> str:
    """A month in the viewer's language: 'Nov 2026' / '2026年11月'; also from a "2026-11" key.

    Not moved into the viewer's zone: report months are calendar months in UTC, and the first of a
    month at 00:00 UTC is still the month before in New York."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(f"{value}-01")
        except ValueError:
            return value
    if not value:
        return ""
    return format_date(value, get_locale().datetime_skeletons["yMMM"].pattern, rebase=False)


def to_datetime(value: datetime | str | None) -> datetime | None:
    """A datetime from an ISO string (as JSON snapshots keep them), for the time macro."""
    if not value or isinstance(value, datetime):
        return value or None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def content_language(code: str | None) -> str:
    """An article's language by its own name (中文, English), not a code like ZH."""
    return CONTENT_LANGUAGE_NAMES.get(code or "", (code or "").upper())


def register(app) -> None:
    babel_config = app.extensions["babel"]
    babel_config.instance.domain_instance = RequestCachedDomain(domain=babel_config.default_domain)
    # Flask-Babel's own callables look up domain, locale and translations for every string;
    # a queue page translates several hundred.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _cached_translations().ugettext(s),
        ngettext=lambda s, p, n: _cached_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _cached_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _cached_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters["exact_time"] = exact_time
    app.jinja_env.filters["relative_time"] = relative_time
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["month"] = month
    app.jinja_env.filters["content_language"] = content_language
    app.jinja_env.filters["to_datetime"] = to_datetime
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["get_locale"] = get_locale
