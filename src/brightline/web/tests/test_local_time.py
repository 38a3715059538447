"""Dates and times read in the district's time zone and the reader's language, the zone said in words; no
template or page module formats a date in English by hand."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from brightline.web.answer_letter import named_in_words

MOMENT = dt.datetime(2026, 12, 3, 19, 27, tzinfo=dt.UTC)  # 2:27 PM in New York
PACKAGE = Path(__file__).resolve().parents[2]


def _render(text: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load brightline %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("language", "moment", "day"),
    [
        ("en", "December 3, 2026, 2:27 PM", "April 5, 2011"),
        ("es", "3 de diciembre de 2026, 14:27", "5 de abril de 2011"),
        ("pt", "3 de dezembro de 2026 14:27", "5 de abril de 2011"),
        ("ru", "3 декабря 2026 г., 14:27", "5 апреля 2011 г."),
        ("zh-hans", "2026年12月3日 14:27", "2011年4月5日"),
        ("ht", "3 desanm 2026, 14:27", "5 avril 2011"),
    ],
)
def test_a_moment_reads_in_the_district_time_zone_in_the_reader_language(
    settings: object, language: str, moment: str, day: str
) -> None:
    settings.TIME_ZONE = "America/New_York"  # type: ignore[attr-defined]
    assert _render("{{ moment|when }}", language, moment=MOMENT) == moment
    assert _render("{{ born|day }}", language, born=dt.date(2011, 4, 5)) == day
    assert _render("{{ born|day }}", language, born="2011-04-05") == day


def test_the_time_zone_is_said_in_words(settings: object) -> None:
    settings.TIME_ZONE = "America/Chicago"  # type: ignore[attr-defined]
    assert _render("{{ moment|when }}", "en", moment=MOMENT) == "December 3, 2026, 1:27 PM"
    assert (
        _render('{{ moment|when:"zone" }}', "en", moment=MOMENT) == "December 3, 2026, 1:27 PM (Central Time)"
    )
    assert _render("{{ zone|zone_words }}", "en", zone="America/New_York") == "Eastern Time"
    assert _render("{{ zone|zone_words }}", "es", zone="America/New_York") == "hora oriental"
    assert _render("{{ zone|zone_words }}", "ht", zone="America/New_York") != "Eastern Time"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [("en", "Eastern Time"), ("es", "hora oriental")])
def test_the_footer_names_the_time_zone_in_words(settings: object, language: str, words: str) -> None:
    settings.TIME_ZONE = "America/New_York"  # type: ignore[attr-defined]
    client = Client(headers={"accept-language": language})
    client.cookies["django_language"] = language
    page = client.get("/").content.decode()
    assert f"({words})" in page
    assert "America/New_York" not in page


def test_a_student_named_by_birth_date_reads_the_day_in_words() -> None:
    named = {"first_name": "Alice", "last_name": "Adams", "birth_date": "2011-04-05"}
    with translation.override("en"):
        assert named_in_words(named) == "Alice Adams, born April 5, 2011"
    with translation.override("es"):
        assert "5 de abril de 2011" in named_in_words(named)
        assert "2011-04-05" not in named_in_words(named)


def test_no_template_formats_a_date_in_english_by_hand() -> None:
    hand_made = re.compile(r'\|date:"[^"]*[FMN] j, Y|\|date:"Y-m-d|\|date:"(DATE|DATETIME)_FORMAT"')
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.glob("*/templates/**/*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if hand_made.search(line)
    ]
    assert found == []
