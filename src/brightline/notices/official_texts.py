"""What counsel and the missing-persons contact read: plain-text emails in English.

They go to people inside the district (counsel) or to the police unit that already knows the child is
missing, so they may name students. They never go to a requester. Families' notices are in `texts.py`,
through the language catalogs; nothing here is a family's text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from brightline.casework.models import Channel, Preservation
from brightline.notices.models import CounselNotice, MissingChildAlert
from brightline.notices.texts import CATEGORY_NAMES
from brightline.vocabulary import label_en


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%A, %B} {local.day}, {local:%Y at %I:%M %p %Z}"


def _words(identifier: str, table: str = "") -> str:
    """An identifier as the vocabulary's English label ("Immigration enforcement"), never as a code."""
    if table:
        return label_en(table, identifier)
    return identifier.replace("_", " ")


def _channel(channel: str) -> str:
    return str(Channel(channel).label) if channel in Channel.values else _words(channel)


def _day(iso: str) -> str:
    """A requester's ISO date as a day in words ("May 1, 2013")."""
    try:
        day = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{day:%B} {day.day}, {day:%Y}"


def _named(named: dict[str, Any]) -> str:
    if "student_id" in named:
        return f"district student id {named['student_id']}"
    name = f"{named.get('first_name', '')} {named.get('last_name', '')}".strip()
    return f"{name}, born {_day(named['birth_date'])}" if named.get("birth_date") else name


def request_url(request: Any) -> str:
    """Where staff open the request (counsel reads it on the review page)."""
    return f"{settings.SITE_URL}{reverse('web:review_request', args=[request.pk])}"


def counsel_copy_text(notice: CounselNotice) -> tuple[str, str]:
    """Subject and body of counsel's copy of a request: the request as the requester sent it, and why
    counsel gets it."""
    request = notice.request
    district = settings.DISTRICT_NAME
    if request is None:
        preservation = _preservation(notice.reference)
        if preservation is not None:
            return preservation_copy_text(notice, preservation)
        return (
            f"Copy of request {notice.reference} for counsel",
            f"Request {notice.reference} is no longer held.\n\nWhy counsel gets a copy: {notice.reason}\n",
        )
    document = request.document or {}
    legal = document.get("legal_process") or {}
    onward = document.get("onward_recipients") or []
    students = []
    for rs in request.students.select_related("student").order_by("position"):
        line = f"- as named: {_named(rs.named)}"
        if rs.student is not None:
            line += f" — matched to {rs.student.first_name} {rs.student.last_name} ({rs.student.sis_id})"
        students.append(line)
    categories = ", ".join(CATEGORY_NAMES.get(c, _words(c)) for c in document.get("categories") or [])
    requester = ", ".join(part for part in (request.requester_name, request.requester_position) if part)
    lines = [
        f"A copy of request {request.reference} for counsel, as the district's policy requires "
        "(its condition: the district's legal advisor gets a copy of the request).",
        "",
        f"Why: {notice.reason}",
        f"Open the request: {request_url(request)}",
        "",
        f"Reference: {request.reference}",
        f"Received: {_when(request.received_at)} ({_channel(request.channel)})",
        f"From: {request.agency_name} ({_words(request.requester_kind, 'requester_kind')}): {requester}",
        f"Purpose: {_words(request.purpose, 'purpose')}",
        f"Legal process: {_words(legal.get('kind') or 'none', 'legal_process')}"
        + (" with a non-disclosure order" if legal.get("nondisclosure_order") else ""),
        f"Onward recipients named: {', '.join(_words(o, 'onward_recipient') for o in onward) if onward else 'none'}",
        f"Records asked for: {categories}",
        "Students:",
        *students,
        "",
        "Description, as the requester wrote it:",
        request.description or "(none)",
        "",
        f"Records Office, {district}",
    ]
    return f"Copy of request {request.reference} for counsel: {request.agency_name}", "\n".join(lines)


def _preservation(reference: str) -> Preservation | None:
    return Preservation.objects.filter(reference=reference).first()


def preservation_copy_text(notice: CounselNotice, preservation: Preservation) -> tuple[str, str]:
    """Counsel's copy of a preservation request the district holds without helping it: the hold, the
    agency, the records and the link to the holds page. No student: the holds page, behind the sign-in,
    names them (the email would carry a student's name to a mailbox for a request the district refuses
    to help)."""
    categories = ", ".join(CATEGORY_NAMES.get(c, _words(c)) for c in preservation.categories)
    named = len(preservation.students)
    lines = [
        f"A copy of preservation request {preservation.reference} for counsel, as the district's policy "
        "requires (its condition: the district's legal advisor gets a copy of the request).",
        "",
        f"Why: {notice.reason}",
        f"Open the holds in force: {settings.SITE_URL}{reverse('web:office_preservations')}",
        "",
        f"Reference: {preservation.reference}",
        f"Received: {_when(preservation.received_at)}",
        f"From: {preservation.agency_name}",
        f"Records to preserve: {categories}",
        f"Students named: {named}",
        f"The hold ends: {_when(preservation.expires_at)}, unless legal process follows",
        "",
        f"Records Office, {settings.DISTRICT_NAME}",
    ]
    subject = f"Copy of preservation request {preservation.reference} for counsel: {preservation.agency_name}"
    return subject, "\n".join(lines)


def missing_child_alert_text(alert: MissingChildAlert) -> tuple[str, str]:
    """Subject and body of the alert to the missing-persons contact: which student, that their records
    were asked for, when, and by which agency."""
    district = settings.DISTRICT_NAME
    student = alert.student
    if student is not None:
        who = f"{student.first_name} {student.last_name} (district student id {student.sis_id}"
        if student.birth_date is not None:
            who += f", born {student.birth_date:%B} {student.birth_date.day}, {student.birth_date:%Y}"
        who += ")"
        if student.school is not None:
            who += f", {student.school.name}"
    else:
        who = "a student no longer in the district's roster"
    lines = [
        "To the missing-persons contact,",
        "",
        f"{district} received a request for the records of a student its records show as missing.",
        "",
        f"Student: {who}",
        f"Request received: {_when(alert.received_at)}",
        f"From: {alert.agency_name}",
        f"Reference: {alert.reference}",
        "",
        "The requester has not been told that the student is flagged as missing. To follow up, call the "
        "records office and give the reference.",
        "",
        f"Records Office, {district}",
    ]
    return f"Records request about a student flagged missing ({alert.reference})", "\n".join(lines)


def forbidden_disclosure_text(entry: Any) -> tuple[str, str]:
    """Counsel's and the superintendent's alert: school staff recorded, after the fact, a disclosure to
    a party the policy never discloses to (F1 immigration enforcement, F2 a fusion center)."""
    recorded_by = entry.recorded_by.get_full_name() if entry.recorded_by is not None else ""
    categories = ", ".join(CATEGORY_NAMES.get(c, _words(c)) for c in entry.categories)
    subject = (
        f"Alert: records disclosed to {_words(entry.party_kind, 'requester_kind')}, which the policy forbids"
    )
    body = (
        f"School staff recorded in the record of disclosures of {entry.student_sis_id} a disclosure "
        f"the district's policy forbids (no disclosure to {_words(entry.party_kind, 'requester_kind')}).\n\n"
        f"Disclosed on: {_when(entry.occurred_at)}\n"
        f"Recorded on: {_when(entry.recorded_at)}{' (late)' if entry.late else ''}\n"
        f"Recorded by: {recorded_by or entry.released_by_name}\n"
        f"To: {entry.party_name}, {entry.party_affiliation}\n"
        f"Records: {categories}\n"
        f"What staff wrote: {entry.threat or entry.details}\n\n"
        f"Open the student's record of disclosures in {settings.DISTRICT_NAME}'s Bright Line: "
        f"{settings.SITE_URL}/\n"
    )
    return subject, body
