"""Dates, times and the time zone as people of the district read them, in the active language.

Times are shown in the district's time zone (settings.TIME_ZONE), never in UTC; the order and the month
names are the language's own (CLDR through Babel). Haitian Creole has no such data in CLDR, so its dates
follow Django's formats for it (`brightline/formats/ht`) with the month names of the catalog. The time
zone is said as words ("Eastern Time"), translated, never as its identifier ("America/New_York").
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_name
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop

# Languages whose CLDR data in Babel has no month names or zone names: Django's formats and the catalog.
_WITHOUT_CLDR = frozenset({"ht"})

# The names of the United States' zones, for the languages without CLDR data (translated in the catalog).
ZONE_WORDS = (
    gettext_noop("Eastern Time"),
    gettext_noop("Central Time"),
    gettext_noop("Mountain Time"),
    gettext_noop("Pacific Time"),
    gettext_noop("Alaska Time"),
    gettext_noop("Hawaii-Aleutian Time"),
    gettext_noop("Atlantic Time"),
)


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    return Locale.parse(translation.to_locale(language))


def _spaced(text: str) -> str:
    # CLDR puts a narrow no-break space before "PM" and "г."; the letters' fonts and the people who copy
    # a date into a search field expect an ordinary space.
    return text.replace("\u202f", " ")


def _district_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(str(settings.TIME_ZONE))


def local_date(value: dt.date | dt.datetime | str | None) -> str:
    """A day in words ("December 3, 2026", "3 de diciembre de 2026"); a moment is first made local."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, _district_zone()) if timezone.is_aware(value) else value
        value = value.date()
    language = _language()
    if language in _WITHOUT_CLDR:
        return formats.date_format(value, "DATE_FORMAT", use_l10n=True)
    return _spaced(format_date(value, "long", locale=_locale(language)))


def local_datetime(value: dt.datetime | None, *, zone: bool = False) -> str:
    """A moment in the district's time zone, day and hour ("December 3, 2026, 2:27 PM"); with `zone`
    the zone follows in words ("…, 2:27 PM, Eastern Time")."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return local_date(value)
    local = timezone.localtime(value, _district_zone()) if timezone.is_aware(value) else value
    language = _language()
    if language in _WITHOUT_CLDR:
        text = formats.date_format(local, "DATETIME_FORMAT", use_l10n=True)
    else:
        locale = _locale(language)
        pattern = str(locale.datetime_formats["medium"])
        text = pattern.replace("{1}", format_date(local.date(), "long", locale=locale)).replace(
            "{0}", format_time(local.time(), "short", locale=locale)
        )
    text = _spaced(text)
    return f"{text} ({zone_words()})" if zone else text


def zone_words(name: str | None = None) -> str:
    """The district's time zone (or `name`) as words in the active language: "Eastern Time"."""
    zone = zoneinfo.ZoneInfo(name or str(settings.TIME_ZONE))
    english = get_timezone_name(zone, "long", zone_variant="generic", locale="en")
    language = _language()
    if language in _WITHOUT_CLDR:
        return gettext(english)
    return get_timezone_name(zone, "long", zone_variant="generic", locale=_locale(language))
