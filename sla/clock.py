"""Business time: working hours per weekday in one IANA time zone, with holidays and make-up days.

Pure and deterministic (no database, no clock). The contract is DESIGN.md, "Pure functions".

Internally every instant is an int of microseconds since the Unix epoch. Each local date owns the
working intervals (in UTC) that lie between the first instant of that date and the first instant of
the next one, so the dates partition the time line and can be walked in order even across DST
changes. Ordinary dates cost one subtraction; only the few dates next to an offset change go through
the exact (slower) path, and whole weeks without any special date are skipped in one step.
"""

from __future__ import annotations

import bisect
import operator
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_presets

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_US = timedelta(microseconds=1)
_SECOND = 1_000_000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_ONE_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_CACHE_LIMIT = 50_000  # dates kept per calendar (about 130 years); cleared wholesale beyond that

Interval = tuple[int, int]


class CalendarError(ValueError):
    """A calendar definition that cannot be used; the message names the problem."""


class DayRule(NamedTuple):
    """Why a local date has the hours it has, for explaining a due time."""

    kind: str  # "weekday", "closed" (listed holiday), "holiday" (country's), "workday", "make_up_day"
    name: str  # the country's name for its holiday, else ""
    ranges: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class _Year:
    offsets: tuple[int, ...]  # UTC offset at local midnight, from Dec 31 before to Jan 2 after
    irregular: frozenset[date]  # dates near an offset change: computed exactly
    holidays: Mapping[date, str]  # the country's closed dates
    make_up: frozenset[date]  # the country's weekend working days
    special: tuple[date, ...]  # sorted: every date that may differ from the weekly template


class BusinessCalendar:
    """Working hours in one time zone; `add` and `minutes_between` count real working time."""

    def __init__(
        self,
        timezone: str | ZoneInfo,
        hours: Mapping[str, Iterable[tuple[str, str]]],
        holidays: Iterable[date | str] = (),
        workdays: Iterable[date | str] = (),
        country: str | None = None,
    ) -> None:
        self.tz = _zone(timezone)
        self.timezone = self.tz.key
        self._week = _parse_week(hours)
        self._closed = _parse_dates(holidays, "holidays")
        self._workdays = _parse_dates(workdays, "workdays")
        if both := self._closed & self._workdays:
            raise CalendarError(f"{min(both)} is listed both as a holiday and as a working day")
        self.country = country.strip().upper() if country else None
        self._preset = _preset(self.country) if self.country else None
        self._week_us = sum(end - start for day in self._week for start, end in day) * _MINUTE
        if not self._week_us:
            # Make-up days borrow Monday's hours, so they cannot rescue an empty week either.
            raise CalendarError(
                "no working hours on any weekday: a target on this calendar could never fall due"
            )
        self._years: dict[int, _Year] = {}
        self._days: dict[date, tuple[Interval, ...]] = {}
        self._totals: dict[int, list[int]] = {}  # per year, see _running_totals
        self._lock = threading.Lock()  # the holidays package fills its years lazily, not thread-safely

    @classmethod
    def always(cls, tz: str | ZoneInfo = "UTC") -> BusinessCalendar:
        """A 24x7 calendar: working time is plain elapsed time."""
        return cls(tz, {day: [("00:00", "24:00")] for day in WEEKDAYS})

    @property
    def hours(self) -> dict[str, list[tuple[str, str]]]:
        """The weekly hours as given (touching ranges joined), for forms and explanations."""
        return {
            name: [(_fmt(s), _fmt(e)) for s, e in day] for name, day in zip(WEEKDAYS, self._week, strict=True)
        }

    def __repr__(self) -> str:
        country = f", country={self.country!r}" if self.country else ""
        return f"BusinessCalendar({self.timezone!r}, {self.hours!r}{country})"

    # -- public arithmetic -------------------------------------------------------------------------

    def add(self, start: datetime, minutes: int) -> datetime:
        """The UTC instant when `minutes` working minutes after `start` have passed.

        `add(start, 0)` is the first working instant at or after `start`; for more minutes it is
        the end of the last one, which may be a closing time (17:59 + 1 minute = 18:00).
        """
        minutes = operator.index(minutes)
        if minutes < 0:
            raise ValueError(f"cannot add a negative number of working minutes ({minutes})")
        return _from_us(self._advance(_to_us(start), minutes * _MINUTE))

    def add_time(self, start: datetime, duration: timedelta) -> datetime:
        """Like `add`, to the microsecond: for clocks that carry partly used minutes."""
        amount = duration // _US
        if amount < 0:
            raise ValueError(f"cannot add a negative working time ({duration})")
        return _from_us(self._advance(_to_us(start), amount))

    def minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole working minutes in [a, b); 0 when b <= a."""
        return self._working(_to_us(a), _to_us(b)) // _MINUTE

    def working_time(self, a: datetime, b: datetime) -> timedelta:
        """Exact working time in [a, b); unlike minutes, it adds up over any split of the span."""
        return timedelta(microseconds=self._working(_to_us(a), _to_us(b)))

    def intervals(self, a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
        """The working stretches inside [a, b) as (start, end) UTC pairs, touching ones joined."""
        lo, hi = _to_us(a), _to_us(b)
        pieces: list[Interval] = []
        if hi > lo:
            day, last = self._local_date(lo) - _ONE_DAY, self._local_date(hi) + _ONE_DAY
            while day <= last:
                pieces.extend((max(s, lo), min(e, hi)) for s, e in self._day(day) if s < hi and e > lo)
                day += _ONE_DAY
        return [(_from_us(s), _from_us(e)) for s, e in _merge(pieces)]

    def is_working(self, at: datetime) -> bool:
        """Whether the instant falls inside working hours."""
        moment = _to_us(at)
        day = self._local_date(moment)
        return any(s <= moment < e for d in (day - _ONE_DAY, day, day + _ONE_DAY) for s, e in self._day(d))

    def next_change(self, at: datetime) -> datetime | None:
        """The next instant after `at` when work starts or stops; None if none within a year."""
        if not self.is_working(at):
            return self.add(at, 0)
        moment = _to_us(at)
        day = self._local_date(moment) - _ONE_DAY
        horizon = day + timedelta(days=400)
        end: int | None = None
        while day <= horizon:
            for s, e in self._day(day):
                if e <= moment:
                    continue
                if end is not None and s > end:
                    return _from_us(end)
                end = e
            day += _ONE_DAY
        return None

    def describe(self, day: date) -> DayRule:
        """The rule that gives a local date its hours (weekday, holiday, make-up day...)."""
        kind, name, ranges = self._rule(day)
        return DayRule(kind, name, tuple((_fmt(s), _fmt(e)) for s, e in ranges))

    # -- walking the time line ---------------------------------------------------------------------

    def _advance(self, start: int, amount: int) -> int:
        remaining = amount
        day = self._local_date(start) - _ONE_DAY
        jumpable = day + timedelta(days=3)  # from here on a date lies wholly after `start`
        while True:
            if day >= jumpable and remaining > self._week_us:
                weeks = min(self._plain_weeks(day), (remaining - 1) // self._week_us)
                if weeks:
                    remaining -= weeks * self._week_us
                    day += timedelta(weeks=weeks)
                    continue
            for s, e in self._day(day):
                if e <= start:
                    continue
                s = max(s, start)
                # `>=` lets a deadline land on a closing instant rather than the next opening.
                if e - s >= remaining:
                    return s + remaining
                remaining -= e - s
            day += _ONE_DAY

    def _working(self, a: int, b: int) -> int:
        if b <= a:
            return 0
        first, last = self._local_date(a), self._local_date(b)
        # Dates from first + 2 on lie wholly after `a`, dates before `last` wholly before `b`: those
        # in between count in full, by running totals kept per year. Only the edges are clipped, so
        # a ticket overdue for a year costs no more than one overdue for a day.
        inner_start = first + 2 * _ONE_DAY
        if inner_start >= last:
            return self._clipped(first - _ONE_DAY, last + 2 * _ONE_DAY, a, b)
        return (
            self._clipped(first - _ONE_DAY, inner_start, a, b)
            + self._dates_total(inner_start, last)
            + self._clipped(last, last + 2 * _ONE_DAY, a, b)
        )

    def _clipped(self, start: date, end: date, a: int, b: int) -> int:
        """Working time of the dates in [start, end) that falls inside [a, b)."""
        total, day = 0, start
        while day < end:
            for s, e in self._day(day):
                lo, hi = max(s, a), min(e, b)
                if lo < hi:
                    total += hi - lo
            day += _ONE_DAY
        return total

    def _dates_total(self, start: date, end: date) -> int:
        """All the working time the dates in [start, end) own."""
        total = 0
        while start < end:
            new_year = date(start.year, 1, 1)
            stop = min(end, date(start.year + 1, 1, 1))
            running = self._running_totals(start.year)
            total += running[(stop - new_year).days] - running[(start - new_year).days]
            start = stop
        return total

    def _running_totals(self, year: int) -> list[int]:
        """[working time owned by the dates of `year` before its i-th date] for i in 0..days in year."""
        found = self._totals.get(year)
        if found is None:
            day, after, running = date(year, 1, 1), date(year + 1, 1, 1), 0
            found = [0]
            while day < after:
                running += sum(e - s for s, e in self._day(day))
                found.append(running)
                day += _ONE_DAY
            if len(self._totals) >= _CACHE_LIMIT // 366:
                self._totals.clear()
            self._totals[year] = found
        return found

    def _plain_weeks(self, day: date) -> int:
        """Whole weeks from `day` that follow the weekly template at one UTC offset."""
        special = self._year(day.year).special
        i = bisect.bisect_left(special, day)
        barrier = special[i] if i < len(special) else date(day.year + 1, 1, 1)
        return (barrier - day).days // 7

    def _local_date(self, moment: int) -> date:
        return _from_us(moment).astimezone(self.tz).date()

    # -- one date ----------------------------------------------------------------------------------

    def _rule(self, day: date) -> tuple[str, str, tuple[tuple[int, int], ...]]:
        # Explicit lists beat the country's: a company may close on a make-up day or open on a holiday.
        if day in self._closed:
            return "closed", "", ()
        if day in self._workdays:
            return "workday", "", self._week[0]
        year = self._year(day.year)
        if day in year.holidays:
            return "holiday", year.holidays[day], ()
        if day in year.make_up:
            return "make_up_day", "", self._week[0]
        return "weekday", "", self._week[day.weekday()]

    def _day(self, day: date) -> tuple[Interval, ...]:
        found = self._days.get(day)
        if found is None:
            if len(self._days) >= _CACHE_LIMIT:
                self._days.clear()
            found = self._days[day] = self._compute_day(day)
        return found

    def _compute_day(self, day: date) -> tuple[Interval, ...]:
        year = self._year(day.year)
        if day in year.irregular:
            return self._transition_day(day)
        base = _midnight(day) - year.offsets[(day - date(day.year, 1, 1)).days + 1]
        return tuple((base + s * _MINUTE, base + e * _MINUTE) for s, e in self._rule(day)[2])

    def _transition_day(self, day: date) -> tuple[Interval, ...]:
        """Exact intervals for a date near an offset change, from the constant-offset stretches."""
        midnight = _midnight(day)
        # UTC offsets stay within +-16 h, so this span holds every instant of the date and both edges.
        segments = self._segments(midnight - 17 * _HOUR, midnight + _DAY + 17 * _HOUR)
        first, after = _first_at(segments, midnight), _first_at(segments, midnight + _DAY)
        pieces = []
        # After a fall-back across midnight, the previous date's wall times come round again.
        for wall_day in (day - _ONE_DAY, day):
            wall = _midnight(wall_day)
            for s, e in self._rule(wall_day)[2]:
                for t0, t1, offset in segments:
                    lo = max(t0, wall + s * _MINUTE - offset, first)
                    hi = min(t1, wall + e * _MINUTE - offset, after)
                    if lo < hi:
                        pieces.append((lo, hi))
        return tuple(_merge(pieces))

    def _segments(self, lo: int, hi: int) -> list[tuple[int, int, int]]:
        """(start, end, offset) stretches of [lo, hi): hourly probes, then bisection to the second."""
        bounds, offsets = [lo], [self._offset_at(lo)]
        probe = lo
        while probe < hi:
            step = min(probe + _HOUR, hi)
            if self._offset_at(step) != offsets[-1]:
                a, b = probe, step
                while b - a > _SECOND:  # tz transitions fall on whole seconds
                    mid = a + (b - a) // 2 // _SECOND * _SECOND
                    a, b = (mid, b) if self._offset_at(mid) == offsets[-1] else (a, mid)
                bounds.append(b)
                offsets.append(self._offset_at(b))
            probe = step
        bounds.append(hi)
        return [(bounds[i], bounds[i + 1], offsets[i]) for i in range(len(offsets))]

    def _offset_at(self, moment: int) -> int:
        return _from_us(moment).astimezone(self.tz).utcoffset() // _US

    # -- one year ----------------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            with self._lock:
                found = self._years.get(year)
                if found is None:
                    found = self._years[year] = self._build_year(year)
        return found

    def _build_year(self, year: int) -> _Year:
        first = date(year, 1, 1)
        count = (date(year + 1, 1, 1) - first).days
        offsets = tuple(
            datetime.combine(first + timedelta(days=i - 1), datetime.min.time(), self.tz).utcoffset() // _US
            for i in range(count + 3)
        )
        # A date is computed exactly when the offset moves anywhere from the day before to the day
        # after next: that covers changes inside it and at either midnight (gaps, repeats).
        irregular = frozenset(
            first + timedelta(days=i) for i in range(count) if len(set(offsets[i : i + 4])) > 1
        )
        named: dict[date, str] = {}
        make_up: frozenset[date] = frozenset()
        if self._preset is not None:
            # The package records a make-up day only once the year of the holiday it serves is
            # filled, and that may be the neighbouring year (Dec 29 works for a Jan 2 off).
            for y in (year - 1, year, year + 1):
                date(y, 1, 1) in self._preset  # noqa: B015 - the lookup fills the year
            named = {d: name for d, name in self._preset.items() if d.year == year}
            make_up = frozenset(d for d in self._preset.weekend_workdays if d.year == year)
        listed = {d for d in self._closed | self._workdays if d.year == year}
        special = tuple(sorted(irregular | named.keys() | make_up | listed))
        return _Year(offsets, irregular, named, make_up, special)


# -- helpers -----------------------------------------------------------------------------------------


def _to_us(moment: datetime) -> int:
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: business time needs an aware datetime")
    return (moment - _EPOCH) // _US


def _from_us(moment: int) -> datetime:
    return _EPOCH + timedelta(microseconds=moment)


def _midnight(day: date) -> int:
    """Wall-clock midnight of `day`, counted as if it were UTC."""
    return (day.toordinal() - _EPOCH_ORDINAL) * _DAY


def _first_at(segments: list[tuple[int, int, int]], wall: int) -> int:
    """The first instant whose wall-clock time is at or after `wall`."""
    found = [max(t0, wall - offset) for t0, t1, offset in segments if wall - offset < t1]
    return min(found) if found else wall - segments[-1][2]


def _merge(pieces: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for s, e in sorted(pieces):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _fmt(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _zone(timezone: str | ZoneInfo) -> ZoneInfo:
    if isinstance(timezone, ZoneInfo):
        return timezone
    try:
        return ZoneInfo(str(timezone).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(
            f'unknown time zone "{timezone}" (expected an IANA name such as Asia/Shanghai)'
        ) from None


def _preset(country: str) -> holiday_presets.HolidayBase:
    try:
        return holiday_presets.country_holidays(country)
    except NotImplementedError:
        raise CalendarError(
            f'unknown country "{country}": the holidays package has no preset for it'
        ) from None


def _parse_week(hours: Mapping[str, Iterable[tuple[str, str]]]) -> tuple[tuple[tuple[int, int], ...], ...]:
    if not isinstance(hours, Mapping):
        raise CalendarError('hours must map weekdays ("mon".."sun") to lists of ("HH:MM", "HH:MM") ranges')
    by_day = {}
    for key, ranges in hours.items():
        name = str(key).strip().lower()
        if name not in WEEKDAYS:
            raise CalendarError(f'unknown weekday "{key}" (expected one of {", ".join(WEEKDAYS)})')
        if name in by_day:
            raise CalendarError(f'weekday "{name}" is given twice')
        by_day[name] = _parse_day(name, ranges)
    return tuple(by_day.get(name, ()) for name in WEEKDAYS)


def _parse_day(day: str, ranges: Iterable[tuple[str, str]]) -> tuple[tuple[int, int], ...]:
    if isinstance(ranges, str | bytes) or not isinstance(ranges, Iterable):
        raise CalendarError(f'{day}: expected a list of ("HH:MM", "HH:MM") ranges, got {ranges!r}')
    parsed = []
    for item in ranges:
        if isinstance(item, str | bytes) or not isinstance(item, Iterable) or len(item := tuple(item)) != 2:
            raise CalendarError(f'{day}: {item!r} is not a ("HH:MM", "HH:MM") range')
        start, end = _parse_time(day, item[0], end=False), _parse_time(day, item[1], end=True)
        if end <= start:
            raise CalendarError(
                f"{day}: the range {item[0]}-{item[1]} does not end after it starts "
                "(an overnight shift is two ranges: up to 24:00, then from 00:00 the next day)"
            )
        parsed.append((start, end))
    joined: list[tuple[int, int]] = []
    for start, end in sorted(parsed):
        if joined and start < joined[-1][1]:
            raise CalendarError(
                f"{day}: the ranges {_fmt(joined[-1][0])}-{_fmt(joined[-1][1])} and {_fmt(start)}-{_fmt(end)} overlap"
            )
        if joined and start == joined[-1][1]:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return tuple(joined)


def _parse_time(day: str, text: object, *, end: bool) -> int:
    match = _TIME.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise CalendarError(f'{day}: "{text}" is not a time of day in HH:MM form')
    hour, minute = int(match[1]), int(match[2])
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise CalendarError(f'{day}: "{text}" is not a time of day (00:00 to 24:00)')
    if hour == 24 and not end:
        raise CalendarError(f"{day}: a range cannot start at 24:00")
    return hour * 60 + minute


def _parse_dates(values: Iterable[date | str], what: str) -> frozenset[date]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise CalendarError(f"{what}: expected a list of dates, got {values!r}")
    found = set()
    for value in values:
        if isinstance(value, datetime):
            raise CalendarError(f"{what}: {value.isoformat()} is a date and time; give the local date")
        if isinstance(value, date):
            found.add(value)
            continue
        try:
            found.add(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise CalendarError(f'{what}: "{value}" is not a date (YYYY-MM-DD)') from None
    return frozenset(found)
