"""Business-calendar speed: `add` of 10,000 working minutes across holidays (target < 1 ms).

Run with `python -m bench.bench_clock` from the checkout root.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sla.clock import WEEKDAYS, BusinessCalendar

OFFICE = {day: [("09:00", "12:00"), ("13:00", "18:00")] for day in WEEKDAYS[:5]}
TARGET_MS = 1.0


def _per_call_ms(calls) -> float:
    began = time.perf_counter()
    for call in calls:
        call()
    return (time.perf_counter() - began) * 1000 / len(calls)


def _measure(make, starts) -> tuple[float, float, float, float]:
    cold = _per_call_ms([lambda: make().add(starts[0], 10_000)])  # includes filling the year caches
    calendar = make()
    for start in starts:
        calendar.add(start, 10_000)
    warm = _per_call_ms([lambda s=s: calendar.add(s, 10_000) for s in starts])
    count = _per_call_ms([lambda s=s: calendar.minutes_between(s, s + timedelta(days=30)) for s in starts])
    huge = _per_call_ms([lambda: make().add(starts[0], 1_000_000)])
    return cold, warm, count, huge


def main() -> int:
    # Starts every 13 hours through 2026, so many runs cross the Spring Festival and National Day.
    starts = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=13 * i) for i in range(600)]
    first = _per_call_ms([lambda: BusinessCalendar("Asia/Shanghai", OFFICE, country="CN").add(starts[0], 0)])
    print(f"first calendar with a country in this process (the holidays package loads): {first:.1f} ms")
    rows = [
        (label, *_measure(make, starts))
        for label, make in [
            ("CN, Shanghai 9-12 13-18", lambda: BusinessCalendar("Asia/Shanghai", OFFICE, country="CN")),
            ("US, New York 9-12 13-18", lambda: BusinessCalendar("America/New_York", OFFICE, country="US")),
            ("24x7, Berlin", lambda: BusinessCalendar.always("Europe/Berlin")),
        ]
    ]

    print(f"{'calendar':<26}{'add 10k cold':>14}{'add 10k':>10}{'30 days':>10}{'add 1M cold':>13}  (ms)")
    for label, cold, warm, count, huge in rows:
        print(f"{label:<26}{cold:>14.3f}{warm:>10.3f}{count:>10.3f}{huge:>13.1f}")
    slow = [label for label, _, warm, _, _ in rows if warm >= TARGET_MS]
    print(
        f"target: add of 10,000 minutes under {TARGET_MS} ms once warm: {'missed by ' + ', '.join(slow) if slow else 'met'}"
    )
    return 1 if slow else 0


def rows(full: bool) -> list[dict]:
    """`python -m bench` rows (the same size either way: it takes a second)."""
    from bench.common import row

    starts = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=13 * i) for i in range(600)]
    floor = _measure(lambda: BusinessCalendar.always("Europe/Berlin"), starts)[1]
    found = []
    for label, make in [
        ("China, Shanghai office hours", lambda: BusinessCalendar("Asia/Shanghai", OFFICE, country="CN")),
        ("US, New York office hours", lambda: BusinessCalendar("America/New_York", OFFICE, country="US")),
    ]:
        warm = _measure(make, starts)[1]
        found.append(
            row(
                f"business calendar: add 10,000 working minutes, warm ({label})",
                f"{warm:.3f} ms",
                f"< {TARGET_MS:g} ms",
                f"{floor:.3f} ms (24x7 calendar, no closed time)",
                warm / floor if floor else None,
                warm < TARGET_MS,
            )
        )
    return found


if __name__ == "__main__":
    raise SystemExit(main())
