"""Times on pages: relative words in the viewer's language, the exact time in the viewer's zone on hover."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale, refresh

from core.i18n import content_language, day, exact_time, month, relative_time, to_datetime

NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai, 03:30 in Berlin


@pytest.fixture
def zone(app, monkeypatch):
    """Set the viewer's time zone (an anonymous viewer gets the default one)."""

    def set_zone(name: str) -> None:
        monkeypatch.setitem(app.config, "DEFAULT_TIMEZONE", name)
        refresh()  # Flask-Babel keeps the zone it chose for the rest of the request

    yield set_zone
    refresh()


@pytest.mark.parametrize(
    ("locale", "offset", "expected"),
    [
        ("en", timedelta(hours=-3), "3 hours ago"),
        ("en", timedelta(hours=2), "in 2 hours"),
        ("en", timedelta(days=-2), "2 days ago"),
        ("en", timedelta(seconds=-20), "just now"),
        ("en", timedelta(seconds=30), "just now"),
        ("zh_Hans", timedelta(hours=-3), "3小时前"),
        ("zh_Hans", timedelta(hours=2), "2小时后"),
        ("zh_Hans", timedelta(minutes=-5), "5分钟前"),
        ("zh_Hans", timedelta(seconds=-20), "刚刚"),
    ],
)
def test_relative_time_in_both_languages_past_and_future(locale, offset, expected):
    with force_locale(locale):
        assert relative_time(NOW + offset, now=NOW) == expected


def test_relative_time_of_nothing_is_empty():
    assert relative_time(None, now=NOW) == ""
    assert exact_time(None) == ""


def test_exact_time_is_in_the_viewers_zone(zone):
    zone("Asia/Shanghai")
    assert exact_time(NOW).startswith("2026-11-24 10:30")
    zone("Europe/Berlin")
    assert exact_time(NOW).startswith("2026-11-24 03:30")
    zone("America/New_York")
    assert exact_time(NOW).startswith("2026-11-23 21:30")  # still the day before there


def test_the_time_macro_shows_relative_words_and_the_exact_time_on_hover(zone):
    zone("Asia/Shanghai")
    value = datetime.now(UTC) - timedelta(hours=3, minutes=5)
    template = '{% from "macros.html" import time %}{{ time(value) }}'
    with force_locale("zh_Hans"):
        html = render_template_string(template, value=value)
    assert f'datetime="{value.isoformat()}"' in html
    assert f'title="{exact_time(value)}"' in html
    assert ">3小时前</time>" in html
    with force_locale("en"):
        assert ">3 hours ago</time>" in render_template_string(template, value=value)
    assert render_template_string(template, value=None).strip() == ""


def test_dates_and_months_read_naturally_in_each_language(zone):
    zone("Asia/Shanghai")
    with force_locale("en"):
        assert day(date(2026, 11, 24)) == "Nov 24, 2026"
        assert month(date(2026, 11, 1)) == "Nov 2026"
    with force_locale("zh_Hans"):
        assert day(date(2026, 11, 24)) == "2026年11月24日"
        assert month(date(2026, 11, 1)) == "2026年11月"
    # A report month starts at midnight UTC: it stays that month for a viewer west of Greenwich.
    zone("America/New_York")
    with force_locale("en"):
        assert month(datetime(2026, 11, 1, tzinfo=UTC)) == "Nov 2026"
        assert day(NOW) == "Nov 23, 2026"  # a moment's date is the viewer's date


def test_snapshot_times_and_article_languages():
    assert to_datetime("2026-11-24T02:30:00+00:00") == NOW
    assert to_datetime("2026-11-24T02:30:00") == NOW  # naive means UTC
    assert to_datetime("not a time") is None and to_datetime(None) is None
    assert (content_language("zh"), content_language("en")) == ("中文", "English")
