"""The business-time calendar: what a due time means to the people waiting on it."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.clock import WEEKDAYS, BusinessCalendar, CalendarError

SHANGHAI, NEW_YORK, BERLIN = (
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Berlin"),
)
OFFICE = {day: [("09:00", "12:00"), ("13:00", "18:00")] for day in WEEKDAYS[:5]}
NINE_TO_SIX = {day: [("09:00", "18:00")] for day in WEEKDAYS[:5]}

shanghai = BusinessCalendar("Asia/Shanghai", OFFICE)
china = BusinessCalendar("Asia/Shanghai", OFFICE, country="CN")
# Weekdays plus a Sunday night shift that the clock changes cut into.
new_york = BusinessCalendar("America/New_York", {**NINE_TO_SIX, "sun": [("01:00", "03:00")]})
always = BusinessCalendar.always()


def local(tz, *args, fold=0):
    return datetime(*args, tzinfo=tz, fold=fold)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# -- ordinary days --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ((2026, 3, 2, 10, 0), 60, (2026, 3, 2, 11, 0)),  # Monday, inside the morning
        ((2026, 3, 2, 11, 30), 60, (2026, 3, 2, 13, 30)),  # the lunch break does not count
        ((2026, 3, 2, 12, 30), 30, (2026, 3, 2, 13, 30)),  # started during lunch: counts from 13:00
        ((2026, 3, 2, 17, 59), 1, (2026, 3, 2, 18, 0)),  # the last minute ends at closing time
        ((2026, 3, 2, 17, 0), 60, (2026, 3, 2, 18, 0)),
        ((2026, 3, 2, 17, 0), 61, (2026, 3, 3, 9, 1)),
        ((2026, 3, 6, 17, 0), 120, (2026, 3, 9, 10, 0)),  # Friday evening to Monday morning
        ((2026, 3, 7, 15, 0), 30, (2026, 3, 9, 9, 30)),  # raised on Saturday
        ((2026, 3, 2, 9, 0), 8 * 60 * 5, (2026, 3, 6, 18, 0)),  # exactly one working week
    ],
)
def test_add_counts_only_working_minutes(start, minutes, due):
    result = shanghai.add(local(SHANGHAI, *start), minutes)
    assert result == local(SHANGHAI, *due)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "first_working_instant"),
    [
        ((2026, 3, 2, 10, 15, 30), (2026, 3, 2, 10, 15, 30)),  # already working: unchanged
        ((2026, 3, 2, 7, 0), (2026, 3, 2, 9, 0)),
        ((2026, 3, 2, 12, 0), (2026, 3, 2, 13, 0)),  # ranges are half-open: 12:00 is lunch
        ((2026, 3, 2, 18, 0), (2026, 3, 3, 9, 0)),
        ((2026, 3, 7, 11, 0), (2026, 3, 9, 9, 0)),
    ],
)
def test_add_zero_is_the_first_working_instant_at_or_after_the_start(start, first_working_instant):
    assert shanghai.add(local(SHANGHAI, *start), 0) == local(SHANGHAI, *first_working_instant)


@pytest.mark.parametrize(
    ("a", "b", "minutes"),
    [
        ((2026, 3, 2, 9, 0), (2026, 3, 2, 18, 0), 480),
        ((2026, 3, 2, 11, 0), (2026, 3, 2, 14, 0), 120),
        ((2026, 3, 6, 17, 0), (2026, 3, 9, 10, 0), 120),
        ((2026, 3, 7, 0, 0), (2026, 3, 9, 0, 0), 0),  # a weekend
        ((2026, 3, 2, 9, 0, 0), (2026, 3, 2, 9, 1, 59), 1),  # whole minutes only
        ((2026, 3, 2, 14, 0), (2026, 3, 2, 11, 0), 0),  # reversed
        ((2026, 3, 2, 10, 0), (2026, 3, 2, 10, 0), 0),
        ((2026, 3, 2, 0, 0), (2026, 3, 30, 0, 0), 4 * 5 * 480),  # four plain weeks
    ],
)
def test_minutes_between_counts_working_minutes_in_the_half_open_span(a, b, minutes):
    assert shanghai.minutes_between(local(SHANGHAI, *a), local(SHANGHAI, *b)) == minutes


def test_any_time_zone_goes_in_and_utc_comes_out():
    start = local(NEW_YORK, 2026, 3, 2, 21, 0)  # Tuesday 10:00 in Shanghai
    assert shanghai.add(start, 60) == utc(2026, 3, 3, 3, 0)
    assert shanghai.minutes_between(start, utc(2026, 3, 3, 3, 0)) == 60


def test_naive_datetimes_are_refused():
    naive = datetime(2026, 3, 2, 10, 0)
    aware = local(SHANGHAI, 2026, 3, 2, 10, 0)
    for call in (
        lambda: shanghai.add(naive, 10),
        lambda: shanghai.minutes_between(naive, aware),
        lambda: shanghai.minutes_between(aware, naive),
        lambda: shanghai.is_working(naive),
    ):
        with pytest.raises(ValueError, match="naive"):
            call()


def test_minutes_must_be_a_non_negative_whole_number():
    start = local(SHANGHAI, 2026, 3, 2, 10, 0)
    with pytest.raises(ValueError, match="negative"):
        shanghai.add(start, -1)
    with pytest.raises(TypeError):
        shanghai.add(start, 1.5)


# -- holidays and make-up days ---------------------------------------------------------------------


def test_a_listed_holiday_closes_its_own_date():
    calendar = BusinessCalendar("Asia/Shanghai", OFFICE, holidays=["2026-03-09", date(2026, 3, 10)])
    assert calendar.add(local(SHANGHAI, 2026, 3, 6, 17, 0), 120) == local(SHANGHAI, 2026, 3, 11, 10, 0)
    assert calendar.describe(date(2026, 3, 9)).kind == "closed"


def test_china_2026_spring_festival_closes_nine_days_and_works_two_saturdays():
    # The package's 2026 data: Feb 15-23 off, Saturdays Feb 14 and Feb 28 worked instead.
    assert china.describe(date(2026, 2, 14)).kind == "make_up_day"
    assert china.describe(date(2026, 2, 28)).kind == "make_up_day"
    assert china.describe(date(2026, 2, 17)).kind == "holiday"
    assert "Spring Festival" in china.describe(date(2026, 2, 17)).name
    # A make-up Saturday works Monday's hours, lunch break included.
    assert china.add(local(SHANGHAI, 2026, 2, 13, 17, 0), 120) == local(SHANGHAI, 2026, 2, 14, 10, 0)
    assert china.add(local(SHANGHAI, 2026, 2, 14, 11, 30), 60) == local(SHANGHAI, 2026, 2, 14, 13, 30)
    # From the make-up Saturday straight across the festival.
    assert china.add(local(SHANGHAI, 2026, 2, 14, 17, 0), 120) == local(SHANGHAI, 2026, 2, 24, 10, 0)
    assert china.minutes_between(local(SHANGHAI, 2026, 2, 14), local(SHANGHAI, 2026, 3, 2)) == 480 * 6
    # Without the country preset the same span is two ordinary weeks.
    assert shanghai.minutes_between(local(SHANGHAI, 2026, 2, 14), local(SHANGHAI, 2026, 3, 2)) == 480 * 10


def test_china_new_year_and_national_day_2026():
    assert china.describe(date(2026, 1, 4)).kind == "make_up_day"  # a Sunday
    assert china.add(local(SHANGHAI, 2025, 12, 31, 17, 0), 120) == local(SHANGHAI, 2026, 1, 4, 10, 0)
    assert china.describe(date(2026, 9, 20)).kind == "make_up_day"
    assert china.describe(date(2026, 10, 10)).kind == "make_up_day"
    assert china.minutes_between(local(SHANGHAI, 2026, 10, 1), local(SHANGHAI, 2026, 10, 8)) == 0


def test_the_year_end_is_crossed_into_next_years_holidays():
    # 2027-01-01 is a Friday holiday, then a weekend.
    assert china.add(local(SHANGHAI, 2026, 12, 31, 17, 0), 120) == local(SHANGHAI, 2027, 1, 4, 10, 0)


def test_listed_dates_combine_with_the_country_and_win_over_it():
    calendar = BusinessCalendar(
        "Asia/Shanghai",
        OFFICE,
        holidays=[date(2026, 2, 24), date(2026, 2, 28)],  # a company day off; skip a make-up Saturday
        workdays=[date(2026, 2, 21), date(2026, 2, 17)],  # work a weekend day and a public holiday
        country="CN",
    )
    assert calendar.describe(date(2026, 2, 28)).kind == "closed"
    assert calendar.describe(date(2026, 2, 17)).kind == "workday"
    assert calendar.describe(date(2026, 2, 14)).kind == "make_up_day"  # the country still counts
    assert calendar.add(local(SHANGHAI, 2026, 2, 14, 17, 0), 60 + 480 + 60) == local(
        SHANGHAI, 2026, 2, 21, 10, 0
    )
    week_after = calendar.minutes_between(local(SHANGHAI, 2026, 2, 23), local(SHANGHAI, 2026, 3, 2))
    assert week_after == 480 * 3  # Feb 23 is the country's, Feb 24 and 28 are the company's


def test_describe_names_the_hours_of_an_ordinary_day():
    rule = shanghai.describe(date(2026, 3, 2))
    assert rule.kind == "weekday"
    assert rule.ranges == (("09:00", "12:00"), ("13:00", "18:00"))
    assert shanghai.describe(date(2026, 3, 7)).ranges == ()


# -- clock changes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "hours", "day", "minutes"),
    [
        (NEW_YORK, ("01:00", "03:00"), (2026, 11, 1), 180),  # 01:00-02:00 happens twice
        (NEW_YORK, ("01:00", "03:00"), (2026, 3, 8), 60),  # 02:00-03:00 never happens
        (NEW_YORK, ("01:00", "03:00"), (2026, 3, 1), 120),
        (NEW_YORK, ("01:15", "01:45"), (2026, 11, 1), 60),  # wholly inside the repeated hour
        (NEW_YORK, ("02:15", "02:45"), (2026, 3, 8), 0),  # wholly inside the skipped hour
        (NEW_YORK, ("00:00", "24:00"), (2026, 11, 1), 25 * 60),
        (NEW_YORK, ("00:00", "24:00"), (2026, 3, 8), 23 * 60),
        (BERLIN, ("02:00", "04:00"), (2026, 10, 25), 180),
        (BERLIN, ("01:00", "04:00"), (2026, 3, 29), 120),
        (BERLIN, ("09:00", "18:00"), (2026, 3, 29), 540),  # far from the change: untouched
    ],
)
def test_working_time_is_real_elapsed_time_across_clock_changes(tz, hours, day, minutes):
    calendar = BusinessCalendar(tz, {name: [hours] for name in WEEKDAYS})
    start, end = local(tz, *day), local(tz, *day) + timedelta(days=1)
    assert calendar.minutes_between(start, end) == minutes
    if minutes:  # the day's last working minute ends where its last working stretch does
        assert calendar.add(start, minutes) == calendar.intervals(start, end)[-1][1]


def test_deadlines_in_the_repeated_hour_count_real_minutes():
    start = local(NEW_YORK, 2026, 11, 1, 1, 0)  # the first 01:00, EDT
    assert start.astimezone(UTC) == utc(2026, 11, 1, 5, 0)
    assert new_york.add(start, 90) == utc(2026, 11, 1, 6, 30)  # 01:30 EST, the second time round
    assert new_york.add(start, 180) == utc(2026, 11, 1, 8, 0)  # 03:00 EST, closing
    assert new_york.add(local(NEW_YORK, 2026, 11, 1, 1, 30, fold=1), 30) == utc(2026, 11, 1, 7, 0)


def test_a_deadline_across_spring_forward_keeps_the_local_opening_hours():
    # Friday 17:00 EST + 3 working hours: one on Friday, one in the Sunday shift (01:00-03:00 lasts
    # one real hour that night), one on Monday, ending 10:00 local, which is now EDT (UTC-4).
    assert new_york.add(local(NEW_YORK, 2026, 3, 6, 17, 0), 120) == utc(2026, 3, 8, 7, 0)
    assert new_york.add(local(NEW_YORK, 2026, 3, 6, 17, 0), 180) == utc(2026, 3, 9, 14, 0)
    assert new_york.minutes_between(local(NEW_YORK, 2026, 3, 6, 17, 0), utc(2026, 3, 9, 14, 0)) == 180


def _brute_force(calendar, hours, a, b):
    """The definition, minute by minute: the start of each working minute in [a, b)."""
    ranges = {
        name: [(int(s[:2]) * 60 + int(s[3:]), int(e[:2]) * 60 + int(e[3:])) for s, e in day]
        for name, day in hours.items()
    }
    found, moment = [], a
    while moment < b:
        wall = moment.astimezone(calendar.tz)
        minute = wall.hour * 60 + wall.minute
        if any(s <= minute < e for s, e in ranges.get(WEEKDAYS[wall.weekday()], ())):
            found.append(moment)
        moment += timedelta(minutes=1)
    return found


AWKWARD = {
    day: [("00:00", "00:45"), ("01:00", "01:30"), ("02:15", "03:00"), ("22:30", "24:00")] for day in WEEKDAYS
}


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("America/New_York", date(2026, 3, 8)),
        ("America/New_York", date(2026, 11, 1)),
        ("Europe/Berlin", date(2026, 3, 29)),
        ("Europe/Berlin", date(2026, 10, 25)),
        ("America/Santiago", date(2026, 4, 5)),  # falls back from Sunday 00:00 into Saturday
        ("America/Santiago", date(2026, 9, 6)),  # Sunday 00:00-01:00 never happens
        ("America/St_Johns", date(2010, 11, 7)),  # 00:01 back to 23:01 of the day before
        ("Australia/Lord_Howe", date(2026, 4, 5)),  # a half-hour change
        ("Pacific/Apia", date(2011, 12, 30)),  # a whole date skipped
    ],
)
def test_clock_changes_agree_with_the_minute_by_minute_definition(zone, day):
    calendar = BusinessCalendar(zone, AWKWARD)
    a = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=2)
    b = a + timedelta(days=4)
    minutes = _brute_force(calendar, AWKWARD, a, b)
    assert calendar.minutes_between(a, b) == len(minutes)
    assert calendar.add(a, 0) == minutes[0]
    for k in range(1, len(minutes), 7):
        assert calendar.add(a, k) == minutes[k - 1] + timedelta(minutes=1)
    working = set(minutes)
    assert all(
        calendar.is_working(a + timedelta(minutes=i)) == (a + timedelta(minutes=i) in working)
        for i in range(0, 5760, 13)
    )


# -- 24:00, overnight, 24x7 ------------------------------------------------------------------------


def test_an_overnight_shift_is_one_stretch_across_midnight():
    calendar = BusinessCalendar("Europe/Berlin", {"sat": [("20:00", "24:00")], "sun": [("00:00", "04:00")]})
    assert calendar.add(local(BERLIN, 2026, 3, 7, 23, 0), 120) == local(BERLIN, 2026, 3, 8, 1, 0)
    assert calendar.add(local(BERLIN, 2026, 3, 7, 20, 0), 240) == local(BERLIN, 2026, 3, 8, 0, 0)
    assert calendar.minutes_between(local(BERLIN, 2026, 3, 7, 12, 0), local(BERLIN, 2026, 3, 8, 12, 0)) == 480
    stretch = calendar.intervals(local(BERLIN, 2026, 3, 7), local(BERLIN, 2026, 3, 9))
    assert stretch == [(local(BERLIN, 2026, 3, 7, 20, 0), local(BERLIN, 2026, 3, 8, 4, 0))]
    assert calendar.next_change(local(BERLIN, 2026, 3, 7, 21, 0)) == local(BERLIN, 2026, 3, 8, 4, 0)


def test_a_24x7_calendar_is_plain_elapsed_time_even_in_a_dst_zone():
    # Adding a timedelta to a New York datetime is wall-clock arithmetic; real time is in UTC.
    start = local(NEW_YORK, 2026, 11, 1, 0, 30).astimezone(UTC)
    calendar = BusinessCalendar.always("America/New_York")
    assert calendar.add(start, 180) == start + timedelta(minutes=180)
    assert calendar.minutes_between(start, start + timedelta(days=400)) == 400 * 1440
    assert calendar.next_change(start) is None
    assert always.add(utc(2026, 1, 1), 1_000_000) == utc(2026, 1, 1) + timedelta(minutes=1_000_000)


@pytest.mark.parametrize("calendar", [china, new_york, always], ids=["china", "new_york", "24x7"])
def test_a_million_minutes_ends_and_agrees_with_counting_in_short_steps(calendar):
    start = utc(2026, 1, 5, 3, 17)
    due = calendar.add(start, 1_000_000)
    assert calendar.minutes_between(start, due) == 1_000_000
    # Spans of two days or less are clipped date by date, never summed from running totals.
    step, moment, total = timedelta(days=2), start, timedelta(0)
    while moment < due:
        total += calendar.working_time(moment, min(moment + step, due))
        moment += step
    assert total == timedelta(minutes=1_000_000)


@pytest.mark.parametrize("calendar", [china, new_york, shanghai], ids=["china", "new_york", "shanghai"])
def test_spans_of_several_years_count_the_same_as_their_days(calendar):
    # Long spans count their inner dates from running totals kept per year (an overdue badge years
    # old is cheap); counting date by date in two-day steps must agree, the second time too.
    a, b = utc(2022, 6, 15, 7, 30), utc(2028, 2, 3, 11, 45)
    step, moment, total = timedelta(days=2), a, timedelta(0)
    while moment < b:
        total += calendar.working_time(moment, min(moment + step, b))
        moment += step
    assert calendar.working_time(a, b) == total
    assert calendar.working_time(a, b) == total


# -- is_working, next_change, intervals ------------------------------------------------------------


def test_is_working_and_next_change_follow_the_ranges():
    assert shanghai.is_working(local(SHANGHAI, 2026, 3, 2, 9, 0))
    assert not shanghai.is_working(local(SHANGHAI, 2026, 3, 2, 12, 0))
    assert shanghai.next_change(local(SHANGHAI, 2026, 3, 2, 10, 0)) == local(SHANGHAI, 2026, 3, 2, 12, 0)
    assert shanghai.next_change(local(SHANGHAI, 2026, 3, 2, 12, 0)) == local(SHANGHAI, 2026, 3, 2, 13, 0)
    assert shanghai.next_change(local(SHANGHAI, 2026, 3, 6, 18, 0)) == local(SHANGHAI, 2026, 3, 9, 9, 0)


def test_intervals_explain_a_due_time():
    start = local(SHANGHAI, 2026, 3, 6, 10, 0)
    due = shanghai.add(start, 8 * 60)
    assert shanghai.intervals(start, due) == [
        (local(SHANGHAI, 2026, 3, 6, 10, 0), local(SHANGHAI, 2026, 3, 6, 12, 0)),
        (local(SHANGHAI, 2026, 3, 6, 13, 0), local(SHANGHAI, 2026, 3, 6, 18, 0)),
        (local(SHANGHAI, 2026, 3, 9, 9, 0), local(SHANGHAI, 2026, 3, 9, 10, 0)),
    ]
    assert all(s.tzinfo is UTC and e.tzinfo is UTC for s, e in shanghai.intervals(start, due))
    assert shanghai.intervals(due, start) == []


# -- invalid calendars ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": {}}, "no working hours"),
        ({"hours": {day: [] for day in WEEKDAYS}, "workdays": ["2026-02-14"]}, "no working hours"),
        ({"hours": {"mon": [("09:00", "12:00"), ("11:00", "13:00")]}}, "overlap"),
        ({"hours": {"mon": [("18:00", "09:00")]}}, "does not end after it starts"),
        ({"hours": {"mon": [("09:00", "09:00")]}}, "does not end after it starts"),
        ({"hours": {"mon": [("9h", "12:00")]}}, "HH:MM"),
        ({"hours": {"mon": [("09:00", "25:00")]}}, "00:00 to 24:00"),
        ({"hours": {"mon": [("09:00", "12:60")]}}, "00:00 to 24:00"),
        ({"hours": {"mon": [("24:00", "24:00")]}}, "cannot start at 24:00"),
        ({"hours": {"mon": [("09:00",)]}}, "range"),
        ({"hours": {"monday": [("09:00", "12:00")]}}, 'unknown weekday "monday"'),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"country": "XX"}, 'unknown country "XX"'),
        ({"holidays": ["2026-02-30"]}, "not a date"),
        ({"holidays": [datetime(2026, 2, 1, tzinfo=UTC)]}, "date and time"),
        ({"holidays": ["2026-05-04"], "workdays": ["2026-05-04"]}, "both as a holiday and as a working day"),
    ],
)
def test_unusable_calendars_are_refused_with_a_clear_message(kwargs, message):
    arguments = {"timezone": "Asia/Shanghai", "hours": OFFICE, **kwargs}
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar(**arguments)
    assert issubclass(CalendarError, ValueError)


def test_hours_come_back_normalised():
    calendar = BusinessCalendar("UTC", {"Mon": [["9:00", "12:00"], ("12:00", "13:00")]})
    assert calendar.hours["mon"] == [("09:00", "13:00")]
    assert calendar.hours["sun"] == []


# -- properties -------------------------------------------------------------------------------------

CALENDARS = st.sampled_from([always, shanghai, china, new_york])
INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
WHOLE_MINUTES = INSTANTS.map(lambda moment: moment.replace(second=0, microsecond=0))
MINUTES = st.integers(min_value=1, max_value=20_000)
quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@quick
@given(CALENDARS, INSTANTS, MINUTES)
def test_add_and_minutes_between_are_inverse(calendar, a, m):
    due = calendar.add(a, m)
    assert calendar.minutes_between(a, due) == m
    assert calendar.working_time(a, due) == timedelta(minutes=m)
    # ...and `due` is the earliest such instant.
    assert calendar.working_time(a, due - timedelta(microseconds=1)) < timedelta(minutes=m)


@quick
@given(CALENDARS, INSTANTS)
def test_add_zero_is_working_and_skips_no_working_time(calendar, a):
    first = calendar.add(a, 0)
    assert first >= a
    assert calendar.is_working(first)
    assert calendar.working_time(a, first) == timedelta(0)
    assert calendar.is_working(a) == (first == a)


@quick
@given(CALENDARS, INSTANTS, MINUTES, MINUTES)
def test_add_is_monotonic_and_composes(calendar, a, m, n):
    assert calendar.add(a, 0) <= calendar.add(a, m) < calendar.add(a, m + n)
    assert calendar.add(a, m + n) - calendar.add(a, m) >= timedelta(minutes=n)
    assert calendar.add(calendar.add(a, m), n) == calendar.add(a, m + n)


@quick
@given(CALENDARS, st.lists(INSTANTS, min_size=3, max_size=3).map(sorted))
def test_working_time_is_additive_and_monotonic(calendar, instants):
    a, b, c = instants
    assert calendar.working_time(a, b) + calendar.working_time(b, c) == calendar.working_time(a, c)
    assert timedelta(0) <= calendar.working_time(a, b) <= b - a
    assert calendar.minutes_between(a, b) <= calendar.minutes_between(a, c)
    assert calendar.add(a, 1) <= calendar.add(b, 1)


@quick
@given(CALENDARS, st.lists(WHOLE_MINUTES, min_size=3, max_size=3).map(sorted))
def test_minutes_between_is_additive_on_whole_minutes(calendar, instants):
    # Off whole minutes, rounding each part down can lose a minute; on them, nothing is rounded.
    a, b, c = instants
    assert calendar.minutes_between(a, b) + calendar.minutes_between(b, c) == calendar.minutes_between(a, c)


@quick
@given(INSTANTS, st.integers(min_value=0, max_value=2_000_000))
def test_a_24x7_calendar_adds_plain_minutes(a, m):
    calendar = BusinessCalendar.always("America/New_York")
    assert calendar.add(a, m) == a + timedelta(minutes=m)
    assert calendar.minutes_between(a, a + timedelta(minutes=m, seconds=59)) == m
