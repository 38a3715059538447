"""Printed letters: every kind of notice, in every language, rendered to PDF and read back."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ContentStream

from brightline.notices.letters import letter_html, letter_pdf
from brightline.notices.models import FamilyNotice, NoticeChannel, NoticeKind
from brightline.notices.texts import notice_texts
from brightline.testing import World

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
RTL_SCRIPT = re.compile(r"[\u0590-\u08ff]")
LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")


def _notices(world: World, language: str) -> list[FamilyNotice]:
    """One unsaved notice of each kind to a guardian who reads `language`, with no email."""
    common = {
        "student": world.alice,
        "recipient_name": "Maria Rivera",
        "postal_address": "12 Elm Street\nBoston, MA 02119",
        "language": language,
        "channel": NoticeChannel.LETTER,
        "queued_at": timezone.now(),
    }
    return [
        FamilyNotice(
            kind=NoticeKind.ADVANCE,
            categories=["attendance", "contact"],
            details={"party": "City Police Department"},
            **common,
        ),
        FamilyNotice(
            kind=NoticeKind.AFTER_RELEASE,
            categories=["health"],
            details={"party": "Transit Police", "released_on": "2026-03-04"},
            **common,
        ),
        FamilyNotice(
            kind=NoticeKind.RECORD_COPY,
            categories=["attendance"],
            details={
                "entries": [
                    {
                        "date": "2026-02-10",
                        "party": "Dana Keane, City Police Department",
                        "kind": "request",
                        "categories": ["attendance"],
                    },
                    {
                        "date": "2026-03-04",
                        "party": "R. Alves, Transit Police",
                        "kind": "emergency",
                        "categories": ["contact", "health"],
                    },
                ]
            },
            **common,
        ),
        FamilyNotice(
            kind=NoticeKind.CUSTODIAL_PARENT,
            details={"parent": "Carlos Rivera", "access_after": "2026-04-01"},
            **common,
        ),
    ]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _glyph_codes(reader: PdfReader) -> list[int]:
    """Every 2-byte glyph code the pages draw (all fonts are Identity-H CID fonts)."""
    codes: list[int] = []
    for page in reader.pages:
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            strings = []
            if operator in (b"Tj", b"'"):
                strings = [operands[0]]
            elif operator == b"TJ":
                strings = [part for part in operands[0] if not isinstance(part, (int, float))]
            for string in strings:
                data = bytes(string.original_bytes if hasattr(string, "original_bytes") else string)
                codes += [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
    return codes


def _fonts(reader: PdfReader) -> dict[str, str]:
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = str(font["/Subtype"])
    return fonts


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_letter_reads_in_the_family_language_then_english_with_every_glyph_drawn(
    world: World, language: str
) -> None:
    for notice in _notices(world, language):
        now = timezone.now()
        reader = PdfReader(io.BytesIO(letter_pdf(notice, now=now)))
        extracted = "\n".join(page.extract_text() for page in reader.pages)
        flat = _squash(extracted)
        texts = notice_texts(notice, now=now)
        assert [text.language for text in texts] == ([language, "en"] if language != "en" else ["en"])
        assert settings.DISTRICT_NAME in extracted
        assert "12 Elm Street" in extracted and "Boston, MA 02119" in extracted
        for text in texts:
            sentences = [text.subject, *text.paragraphs, text.closing, text.office]
            sentences += [value for row in text.rows for value in (row.what, row.records)]
            for sentence in sentences:
                if RTL_SCRIPT.search(sentence) and LATIN_OR_DIGIT.search(sentence):
                    # Mixed-direction lines come back in visual order; their words must all be there.
                    for word in sentence.split():
                        assert _squash(word.strip(".,:،")) in flat, (language, notice.kind, word)
                else:
                    assert _squash(sentence) in flat, (language, notice.kind, sentence)
        # No .notdef (glyph 0) anywhere: every character found a font that has it.
        codes = _glyph_codes(reader)
        assert codes and 0 not in codes
        assert set(_fonts(reader).values()) == {"/Type0"}


def test_arabic_letter_is_right_to_left_with_an_english_part_left_to_right(world: World) -> None:
    html = letter_html(_notices(world, "ar")[0])
    assert '<html lang="ar" dir="rtl">' in html
    assert '<section class="version" lang="ar" dir="rtl">' in html
    assert '<section class="version" lang="en" dir="ltr">' in html
    # The address block stays left to right for the post office.
    assert '<section class="address" lang="en" dir="ltr">' in html
    reader = PdfReader(io.BytesIO(letter_pdf(_notices(world, "ar")[0])))
    assert any("Arabic" in name for name in _fonts(reader))


def test_chinese_letter_embeds_a_simplified_chinese_font(world: World) -> None:
    notice = _notices(world, "zh-hans")[0]
    assert '<html lang="zh-Hans" dir="ltr">' in letter_html(notice)
    reader = PdfReader(io.BytesIO(letter_pdf(notice)))
    assert any("CJK-SC" in name for name in _fonts(reader))
    assert "法律规定我们必须在答复之前通知您。" in _squash(reader.pages[0].extract_text())


def test_advance_letter_promises_no_release_before_the_notice_period_ends(world: World, settings) -> None:
    settings.ADVANCE_NOTICE_DAYS = 10
    notice = _notices(world, "es")[0]
    now = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    spanish, english = notice_texts(notice, now=now)
    assert "No entregaremos estos expedientes antes del 12 de marzo de 2026." in spanish.paragraphs
    assert "We will not release these records before March 12, 2026." in english.paragraphs
