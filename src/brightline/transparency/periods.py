"""Reporting periods: calendar quarters (`2026-Q1`) and half-years (`2026-H1`) in the district's zone."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from brightline.casework.calendar import district_zone

PERIOD_KEY = re.compile(r"^(?P<year>\d{4})-(?P<kind>[QH])(?P<number>[1-4])$")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, order=True)
class Period:
    """A quarter or a half-year; `start` is included and `end` excluded, both local midnight."""

    year: int
    kind: str  # "Q" or "H"
    number: int

    @classmethod
    def parse(cls, key: str) -> Period:
        """`2026-Q1` … `2026-Q4`, `2026-H1`, `2026-H2`; anything else is a ValueError."""
        match = PERIOD_KEY.match(key)
        if match is None:
            raise ValueError(
                f"period {key!r}: expected a quarter such as 2026-Q1 or a half-year such as 2026-H1"
            )
        year, kind, number = int(match["year"]), match["kind"], int(match["number"])
        if kind == "H" and number > 2:
            raise ValueError(f"period {key!r}: a year has two halves, H1 and H2")
        if year < 1970:
            raise ValueError(f"period {key!r}: no reports before 1970")
        return cls(year, kind, number)

    @property
    def key(self) -> str:
        return f"{self.year}-{self.kind}{self.number}"

    @property
    def months(self) -> int:
        return 3 if self.kind == "Q" else 6

    @property
    def quarters(self) -> tuple[Period, ...]:
        """The quarters a half-year is made of (none for a quarter)."""
        if self.kind == "Q":
            return ()
        return (Period(self.year, "Q", 2 * self.number - 1), Period(self.year, "Q", 2 * self.number))

    @property
    def first_month(self) -> int:
        return (self.number - 1) * self.months + 1

    @property
    def start_date(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end_date(self) -> dt.date:
        """The first day after the period."""
        month = self.first_month + self.months
        return dt.date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.start_date, dt.time(), tzinfo=district_zone())

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.end_date, dt.time(), tzinfo=district_zone())

    @property
    def utc_start(self) -> dt.datetime:
        """`start` in UTC, as the database stores times: a range filter needs no conversion per row."""
        return self.start.astimezone(dt.UTC)

    @property
    def utc_end(self) -> dt.datetime:
        return self.end.astimezone(dt.UTC)

    @property
    def label(self) -> str:
        last = MONTHS[self.first_month + self.months - 2]
        return f"{MONTHS[self.first_month - 1]} to {last} {self.year}"

    @property
    def title(self) -> str:
        if self.kind == "Q":
            return f"Quarter {self.number} of {self.year} ({self.label})"
        return f"{'First' if self.number == 1 else 'Second'} half of {self.year} ({self.label})"

    def has_started(self, now: dt.datetime) -> bool:
        return now >= self.start

    def is_complete(self, now: dt.datetime) -> bool:
        return now >= self.end


def periods_from(first: dt.date, last: dt.date) -> list[Period]:
    """Every quarter and half-year that overlaps first..last, newest first, halves before their quarters."""
    found: list[Period] = []
    for year in range(last.year, first.year - 1, -1):
        for half in (2, 1):
            candidates = [Period(year, "H", half)] + [
                Period(year, "Q", quarter) for quarter in ((4, 3) if half == 2 else (2, 1))
            ]
            found.extend(p for p in candidates if p.start_date <= last and p.end_date > first)
    return found
