"""Turning a notice into what the family receives: an email (plain text with an HTML alternative) or a
printable PDF letter on the district's letterhead. Both carry the family's language, then English."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from brightline.notices.models import FamilyNotice
from brightline.notices.texts import NoticeText, direction_of, html_lang, notice_texts


@lru_cache(maxsize=1)
def _weasyprint() -> Any:
    import weasyprint

    return weasyprint


def _plain(text: NoticeText) -> str:
    lines = [text.greeting, ""]
    lines += [paragraph for paragraph in text.paragraphs]
    if text.headers and text.rows:
        lines.append("")
        for row in text.rows:
            lines.append(f"- {row.date} · {row.party} · {row.what} · {row.records}")
    lines.append("")
    if text.reference:
        lines.append(text.reference)
    lines += [text.closing, "", text.office, settings.DISTRICT_NAME]
    if text.follows_in_english:
        lines += ["", text.follows_in_english]
    return "\n".join(lines)


def email_subject(notice: FamilyNotice) -> str:
    texts = notice_texts(notice)
    return " / ".join(text.subject for text in texts)


def email_message(notice: FamilyNotice, *, connection: Any = None) -> EmailMultiAlternatives:
    """The email for one notice: the family's language first, English after a rule."""
    texts = notice_texts(notice)
    body = "\n\n----------------------------------------\n\n".join(_plain(text) for text in texts)
    message = EmailMultiAlternatives(
        subject=" / ".join(text.subject for text in texts),
        body=body,
        to=[notice.email],
        connection=connection,
        headers={"Content-Language": ", ".join(html_lang(text.language) for text in texts)},
    )
    html = render_to_string("notices/email.html", {"texts": texts, "district_name": settings.DISTRICT_NAME})
    message.attach_alternative(html, "text/html")
    return message


def letter_html(notice: FamilyNotice, *, now: dt.datetime | None = None) -> str:
    """The printable letter: letterhead, date, the mailing address block, the notice in the family's
    language and in English. The root element carries the family's `lang` and `dir`."""
    now = now or timezone.now()
    texts = notice_texts(notice, now=now)
    first = texts[0]
    return render_to_string(
        "notices/letter.html",
        {
            "notice": notice,
            "texts": texts,
            "lang": first.lang,
            "dir": direction_of(first.language),
            "district_name": settings.DISTRICT_NAME,
            "address_lines": [line for line in notice.postal_address.splitlines() if line.strip()],
        },
    )


# Tagged PDF (PDF/UA-1), as the release packet: a screen reader reads each letter in order, in its
# language, with its headings and table.
PDF_VARIANT = "pdf/ua-1"


def letter_pdf(notice: FamilyNotice, *, now: dt.datetime | None = None) -> bytes:
    return bytes(_weasyprint().HTML(string=letter_html(notice, now=now)).write_pdf(pdf_variant=PDF_VARIANT))


def letters_pdf(notices: list[FamilyNotice], *, now: dt.datetime | None = None) -> bytes:
    """The day's mail: every letter in one PDF, each beginning on its own page, in the order given."""
    weasyprint = _weasyprint()
    if not notices:
        return bytes(weasyprint.HTML(string=_NO_LETTERS).write_pdf(pdf_variant=PDF_VARIANT))
    documents = [weasyprint.HTML(string=letter_html(notice, now=now)).render() for notice in notices]
    pages = [page for document in documents for page in document.pages]
    return bytes(documents[0].copy(pages).write_pdf(pdf_variant=PDF_VARIANT))


_NO_LETTERS = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Letters to mail</title></head>'
    "<body><p>No letters are waiting.</p></body></html>"
)
