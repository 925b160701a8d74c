"""Language and time zone of the viewer, and the filters templates use to show times."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_request_context, request, session
from flask_babel import format_datetime, format_timedelta, get_locale
from flask_login import current_user

LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文"}


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


def exact_time(value: datetime | None) -> str:
    """A datetime in the viewer's time zone and language, e.g. 2026-11-24 10:30 CST."""
    return format_datetime(value, "yyyy-MM-dd HH:mm zzz") if value else ""


def relative_time(value: datetime | None, now: datetime | None = None) -> str:
    """'3 hours ago' / '3小时前'."""
    if value is None:
        return ""
    return format_timedelta(value - (now or datetime.now(UTC)), add_direction=True, threshold=0.9)


def register(app) -> None:
    app.jinja_env.filters["exact_time"] = exact_time
    app.jinja_env.filters["relative_time"] = relative_time
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["get_locale"] = get_locale
