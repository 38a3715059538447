"""Business days on the district's calendar: weekends, the Massachusetts public-school holidays, and
any extra closures the records office enters as Holiday rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    following = dt.date(year + (month // 12), month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    # A holiday on a Saturday is observed on Friday, on a Sunday on Monday.
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def standard_holidays(year: int) -> frozenset[dt.date]:
    """Federal holidays and Patriots' Day, as Massachusetts districts close for them."""
    monday, thursday = 0, 3
    return frozenset(
        {
            _observed(dt.date(year, 1, 1)),
            _nth_weekday(year, 1, monday, 3),  # Martin Luther King Jr. Day
            _nth_weekday(year, 2, monday, 3),  # Presidents' Day
            _nth_weekday(year, 4, monday, 3),  # Patriots' Day
            _last_weekday(year, 5, monday),  # Memorial Day
            _observed(dt.date(year, 6, 19)),
            _observed(dt.date(year, 7, 4)),
            _nth_weekday(year, 9, monday, 1),  # Labor Day
            _nth_weekday(year, 10, monday, 2),  # Indigenous Peoples' Day
            _observed(dt.date(year, 11, 11)),
            _nth_weekday(year, 11, thursday, 4),  # Thanksgiving
            _observed(dt.date(year, 12, 25)),
        }
    )


class DistrictCalendar:
    """Answers whether a day is a business day; extra closures come from the Holiday table."""

    def __init__(self, extra_closures: Iterable[dt.date] = ()) -> None:
        self.extra = frozenset(extra_closures)

    @classmethod
    def load(cls, *, after: dt.date | None = None) -> DistrictCalendar:
        """The calendar with the Holiday rows; with `after`, only the closures after that day (all that
        counting business days forward from it needs). Plain SQL: every submission asks."""
        from django.db import connection

        from brightline.casework.models import Holiday

        sql = f"SELECT date FROM {connection.ops.quote_name(Holiday._meta.db_table)}"  # noqa: S608
        with connection.cursor() as cursor:
            if after is None:
                cursor.execute(sql)
            else:
                cursor.execute(f"{sql} WHERE date > %s", [after])
            days = [row[0] for row in cursor.fetchall()]
        return cls(dt.date.fromisoformat(day) if isinstance(day, str) else day for day in days)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in standard_holidays(day.year) and day not in self.extra

    def add_business_days(self, start: dt.date, days: int) -> dt.date:
        """The business day `days` business days after `start` (start itself does not count)."""
        day = start
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days after `start` up to and including `end` (0 when decided the same day)."""
        if end <= start:
            return 0
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count


def district_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=district_zone())


def decision_due_at(received_at: dt.datetime, *, emergency: bool) -> dt.datetime:
    """When a decision is due: emergencies the same day, otherwise N business days after receipt (the
    calendar read only from the day of receipt on)."""
    received_day = timezone.localtime(received_at, district_zone()).date()
    if emergency:
        return end_of_day(received_day)
    calendar = DistrictCalendar.load(after=received_day)
    return end_of_day(calendar.add_business_days(received_day, settings.DECISION_DEADLINE_BUSINESS_DAYS))
