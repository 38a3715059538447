"""What a notice says, in one language: every sentence a family reads goes through the gettext catalogs
in `brightline/locale`. Letters and emails are built from the same `NoticeText`.

The facts (names, dates, categories, the entries of a record copy) come from the notice row, fixed when
it was queued; only the wording changes with the language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from babel.core import UnknownLocaleError
from babel.dates import format_date
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, to_locale

from brightline.notices.models import FamilyNotice, NoticeKind

SOURCE_LANGUAGE = "en"

# The plain names of the record categories, as a family reads them.
CATEGORY_NAMES: dict[str, str] = {
    "directory": gettext_noop("directory information (name, age, grade, dates of enrollment)"),
    "contact": gettext_noop("home address and phone numbers"),
    "enrollment": gettext_noop("school and class schedule"),
    "attendance": gettext_noop("attendance"),
    "academic": gettext_noop("grades and test scores"),
    "discipline": gettext_noop("discipline records"),
    "health": gettext_noop("health records"),
    "special_education": gettext_noop("special education records"),
    "counseling": gettext_noop("counseling records"),
    "law_enforcement_unit": gettext_noop("school police reports"),
    "child_welfare": gettext_noop("child welfare reports"),
    "immigration": gettext_noop("citizenship or immigration information"),
}

# Kinds of entries in the record of disclosures (disclosures.models.EntryKind), as a family reads them.
ENTRY_KIND_NAMES: dict[str, str] = {
    "request": gettext_noop("Request received"),
    "disclosure": gettext_noop("Records released"),
    "emergency": gettext_noop("Released in an emergency"),
    "abuse_report": gettext_noop("Report of suspected abuse or neglect"),
    "weapon_routing": gettext_noop("Weapon report sent to the police"),
}

# Babel (CLDR) has no long date pattern for Haitian Creole; the letters write the month out.
_HAITIAN_MONTHS = (
    "janvye",
    "fevriye",
    "mas",
    "avril",
    "me",
    "jen",
    "jiyè",
    "out",
    "septanm",
    "oktòb",
    "novanm",
    "desanm",
)

_LIST_SEPARATORS = {"ar": "، ", "zh-hans": "、"}


def direction_of(language: str) -> str:
    """ "rtl" for the languages written right to left (settings.LANGUAGES_BIDI), else "ltr"."""
    return "rtl" if language.split("-")[0] in settings.LANGUAGES_BIDI else "ltr"


def html_lang(language: str) -> str:
    """The BCP 47 tag for an HTML `lang` attribute ("zh-hans" → "zh-Hans")."""
    return "zh-Hans" if language == "zh-hans" else language


def date_in(language: str, day: dt.date) -> str:
    """A date written out the way a reader of `language` writes it."""
    if language == "ht":
        return f"{day.day} {_HAITIAN_MONTHS[day.month - 1]} {day.year}"
    try:
        return format_date(day, format="long", locale=to_locale(language))
    except (UnknownLocaleError, ValueError):
        return day.isoformat()


def month_in(language: str, month: int) -> str:
    """A month's name (1 to 12) as a reader of `language` writes it on its own."""
    if language == "ht":
        return _HAITIAN_MONTHS[month - 1]
    try:
        return format_date(dt.date(2000, month, 1), "LLLL", locale=to_locale(language))
    except (UnknownLocaleError, ValueError):
        return format_date(dt.date(2000, month, 1), "LLLL", locale="en")


def categories_in(language: str, categories: list[str]) -> str:
    separator = _LIST_SEPARATORS.get(language, ", ")
    with translation.override(language):
        return separator.join(_(CATEGORY_NAMES[c]) if c in CATEGORY_NAMES else c for c in categories)


@dataclass(frozen=True)
class RecordRow:
    """One line of a record copy: when, who, what happened, which records."""

    date: str
    party: str
    what: str
    records: str


@dataclass(frozen=True)
class NoticeText:
    language: str
    direction: str
    subject: str
    greeting: str
    paragraphs: list[str]
    headers: tuple[str, str, str, str] | None = None
    rows: list[RecordRow] = field(default_factory=list)
    reference: str = ""
    closing: str = ""
    office: str = ""
    follows_in_english: str = ""
    dated: str = ""

    @property
    def lang(self) -> str:
        return html_lang(self.language)


def _local_day(moment: dt.datetime | None) -> dt.date:
    return timezone.localdate(moment or timezone.now())


def _student_name(notice: FamilyNotice) -> str:
    if notice.student is not None:
        return f"{notice.student.first_name} {notice.student.last_name}"
    return str(notice.details.get("student_name", ""))


def _agency(notice: FamilyNotice) -> str:
    if notice.request is not None:
        return notice.request.agency_name
    return str(notice.details.get("party", ""))


def release_not_before(notice: FamilyNotice, *, now: dt.datetime | None = None) -> dt.date:
    """The earliest day the letter may promise: the period runs from the last delivery, which is never
    earlier than the moment this notice went out (or is being written)."""
    told = notice.sent_at or notice.printed_at or now or timezone.now()
    return _local_day(told + dt.timedelta(days=settings.ADVANCE_NOTICE_DAYS))


def notice_text(notice: FamilyNotice, language: str, *, now: dt.datetime | None = None) -> NoticeText:
    """The notice in one language. Unknown languages read English."""
    if language not in dict(settings.LANGUAGES):
        language = SOURCE_LANGUAGE
    student = _student_name(notice)
    with translation.override(language):
        categories = categories_in(language, notice.categories)
        paragraphs: list[str]
        headers: tuple[str, str, str, str] | None = None
        rows: list[RecordRow] = []
        if notice.kind == NoticeKind.ADVANCE:
            subject = _("Notice before student records are released")
            paragraphs = [
                _("%(agency)s asked the school district for records about %(student)s.")
                % {"agency": _agency(notice), "student": student},
                _("The law says we must tell you before we answer."),
                _("Records asked for: %(categories)s.") % {"categories": categories},
                _("We will not release these records before %(date)s.")
                % {"date": date_in(language, release_not_before(notice, now=now))},
                _("You may ask a court to stop or limit the release. You may want to talk to a lawyer."),
            ]
        elif notice.kind == NoticeKind.AFTER_RELEASE:
            released_on = dt.date.fromisoformat(
                str(notice.details.get("released_on") or _local_day(notice.queued_at).isoformat())
            )
            subject = _("Student records were released in an emergency")
            paragraphs = [
                _("On %(date)s, the school district gave records about %(student)s to %(agency)s.")
                % {"date": date_in(language, released_on), "student": student, "agency": _agency(notice)},
                _(
                    "There was a health or safety emergency. In an emergency, the law allows this without "
                    "your consent."
                ),
                _("Records given: %(categories)s.") % {"categories": categories},
                _("You can see every disclosure in the family portal, or ask the records office for a copy."),
            ]
        elif notice.kind == NoticeKind.RECORD_COPY:
            subject = _("Record of disclosures for %(student)s") % {"student": student}
            entries: list[dict[str, Any]] = list(notice.details.get("entries", []))
            paragraphs = [
                _("You asked for a copy of the record of disclosures for %(student)s.") % {"student": student}
            ]
            if entries:
                paragraphs.append(
                    _(
                        "It lists each time someone outside the schools asked for or received records "
                        "about %(student)s."
                    )
                    % {"student": student}
                )
                headers = (_("Date"), _("Who"), _("What happened"), _("Records"))
                rows = [
                    RecordRow(
                        date=date_in(language, dt.date.fromisoformat(entry["date"])),
                        party=entry["party"],
                        what=_(ENTRY_KIND_NAMES[entry["kind"]])
                        if entry["kind"] in ENTRY_KIND_NAMES
                        else entry["kind"],
                        records=categories_in(language, list(entry["categories"])),
                    )
                    for entry in entries
                ]
            else:
                paragraphs.append(
                    _("No one outside the schools has asked for or received records about %(student)s.")
                    % {"student": student}
                )
        elif notice.kind in (NoticeKind.ADMINISTRATOR, NoticeKind.ORDER_ENDED):
            # An administrator decided that the family is told now (family_notice_by_administrator), or
            # the non-disclosure order that sealed the entries ended: what was asked for and released.
            subject = _("Record of disclosures for %(student)s") % {"student": student}
            paragraphs = []
            if notice.kind == NoticeKind.ORDER_ENDED:
                ended_on = dt.date.fromisoformat(
                    str(notice.details.get("order_ended_on") or _local_day(notice.queued_at).isoformat())
                )
                paragraphs.append(
                    _(
                        "A legal order did not allow the school district to tell you about this until %(date)s."
                    )
                    % {"date": date_in(language, ended_on)}
                )
            asked = list(notice.details.get("asked", []))
            released = list(notice.details.get("released", []))
            if asked:
                paragraphs += [
                    _("%(agency)s asked the school district for records about %(student)s.")
                    % {"agency": _agency(notice), "student": student},
                    _("Records asked for: %(categories)s.") % {"categories": categories_in(language, asked)},
                ]
            if released:
                released_on = dt.date.fromisoformat(
                    str(notice.details.get("released_on") or _local_day(notice.queued_at).isoformat())
                )
                paragraphs += [
                    _("On %(date)s, the school district gave records about %(student)s to %(agency)s.")
                    % {"date": date_in(language, released_on), "student": student, "agency": _agency(notice)},
                    _("Records given: %(categories)s.") % {"categories": categories_in(language, released)},
                ]
            paragraphs.append(
                _("You can see every disclosure in the family portal, or ask the records office for a copy.")
            )
        else:
            access_after = dt.date.fromisoformat(str(notice.details["access_after"]))
            subject = _("A parent asked for student records")
            paragraphs = [
                _(
                    "%(parent)s, a parent of %(student)s who does not have custody, asked for the "
                    "student's records."
                )
                % {"parent": notice.details.get("parent", ""), "student": student},
                _("We will give this parent access after %(date)s.")
                % {"date": date_in(language, access_after)},
                _(
                    "If a court order or another document says this parent may not see the records, give "
                    "it to the principal before that date."
                ),
            ]
        reference = ""
        if notice.request is not None:
            reference = _("Reference: %(reference)s") % {"reference": notice.request.reference}
        return NoticeText(
            language=language,
            direction=direction_of(language),
            subject=subject,
            greeting=_("Dear %(name)s,") % {"name": notice.recipient_name},
            paragraphs=paragraphs,
            headers=headers,
            rows=rows,
            reference=reference,
            closing=_("If you have questions, contact the records office and give the reference number.")
            if reference
            else _("If you have questions, contact the records office."),
            office=_("Records Office"),
            follows_in_english=_("The same letter in English follows.")
            if language != SOURCE_LANGUAGE
            else "",
            dated=date_in(language, _local_day(now)),
        )


def notice_texts(notice: FamilyNotice, *, now: dt.datetime | None = None) -> list[NoticeText]:
    """The notice in the family's language, then in English alongside (once, when they are the same)."""
    texts = [notice_text(notice, notice.language, now=now)]
    if texts[0].language != SOURCE_LANGUAGE:
        texts.append(notice_text(notice, SOURCE_LANGUAGE, now=now))
    return texts


def notice_msgids() -> list[str]:
    """Every msgid the notices use, for the catalog completeness check (collected from this module)."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"_", "gettext_noop"}
            and node.args
        ):
            value = node.args[0]
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.append(value.value)
    return sorted(set(found))
