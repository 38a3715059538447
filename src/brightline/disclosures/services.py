"""Writes for disclosures: the record of disclosures, release packets, delivery links, and the
after-the-fact entries school staff make for emergencies and reports of suspected abuse."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.accounts.services import staff_access_record
from brightline.agencies.models import Agency
from brightline.casework.models import Item, Request, RequestStudent
from brightline.disclosures import followers
from brightline.disclosures.models import (
    DeliveryLink,
    DisclosureEntry,
    EntryKind,
    NondisclosureOrder,
    NondisclosureOrderState,
    ReleasePacket,
)
from brightline.disclosures.packets import build_packet_content, redisclosure_notice_for, render_packet_pdf
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.canonical import canonical_json
from brightline.ledger.models import LedgerEntry
from brightline.ledger.services import LedgerEvent, ledger_append, ledger_append_many
from brightline.roster.models import Student
from brightline.training.selectors import require_trained
from brightline.vocabulary import CATEGORIES, FORBIDDEN_RECIPIENT_KINDS, REQUESTER_KINDS

AFTER_THE_FACT_WINDOW = dt.timedelta(hours=48)
RELEASER_ROLES = frozenset({Role.RECORDS_CLERK, Role.ADMIN})
AFTER_THE_FACT_ROLES = frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.RECORDS_CLERK, Role.ADMIN})


def disclosure_event(entry: DisclosureEntry) -> LedgerEvent:
    """The ledger event of a stored entry: its public subject and the record its entry commits to."""
    return LedgerEvent(
        event_type=f"disclosure_record.{entry.kind}",
        subject={
            "disclosure_entry": entry.pk,
            **({"request": str(entry.request_id)} if entry.request_id else {}),
        },
        record={
            "entry": entry.pk,
            "student": entry.student_id,
            "kind": entry.kind,
            "occurred_at": entry.occurred_at.isoformat(),
            "party_kind": entry.party_kind,
            "categories": entry.categories,
            "fields": entry.fields,
            "sealed": entry.sealed,
            # Only late entries carry the mark, so that the records of earlier entries keep their shape.
            **({"late": True, "recorded_at": entry.recorded_at.isoformat()} if entry.late else {}),
            "details_sha256": hashlib.sha256(
                canonical_json(
                    {
                        "party": [entry.party_name, entry.party_position, entry.party_affiliation],
                        "interest": entry.legitimate_interest,
                        "basis": entry.lawful_basis,
                        "threat": entry.threat,
                        "recipients": entry.recipients,
                        "released_by": [entry.released_by_name, entry.released_by_position],
                        **({"late_reason": entry.late_reason} if entry.late else {}),
                    }
                )
            ).hexdigest(),
        },
    )


def ledger_indexes_store(pairs: list[tuple[DisclosureEntry, LedgerEntry]]) -> None:
    """Keep on each entry the index of its ledger entry (for its inclusion proof): one UPDATE per entry,
    sent together."""
    if not pairs:
        return
    for entry, ledger_entry in pairs:
        entry.ledger_index = ledger_entry.index
    with transaction.get_connection().cursor() as cursor:
        cursor.executemany(
            f"UPDATE {DisclosureEntry._meta.db_table} SET ledger_index = %s WHERE id = %s",  # noqa: S608
            [(entry.ledger_index, entry.pk) for entry, _ in pairs],
        )


def _append_entry(entry: DisclosureEntry) -> DisclosureEntry:
    """Store an entry and its ledger event together; the entry keeps its ledger index for its proof."""
    entry.recorded_at = entry.recorded_at or timezone.now()
    entry.save()
    ledger_entry = ledger_append_many([disclosure_event(entry)])[0]
    ledger_indexes_store([(entry, ledger_entry)])
    return entry


def _blank(**values: str | None) -> list[tuple[str, str]]:
    """A "required" error for each of these text fields that is empty or only spaces."""
    return [(field, "required") for field, value in values.items() if not value or not value.strip()]


def _interest(request: Request) -> str:
    text = request.purpose.replace("_", " ")
    return f"{text}: {request.description}" if request.description else text


def request_received_entries(
    *, request: Request, students: list[tuple[RequestStudent, list[Item]]]
) -> list[DisclosureEntry]:
    """99.32(a)(1): each request is recorded, granted or not, in each matched student's record.

    Stores the entries (one INSERT) inside the submitting transaction; the caller appends
    `disclosure_event(entry)` for each in that same transaction, then `ledger_indexes_store`."""
    now = timezone.now()
    entries = []
    # A student matched after the request's non-disclosure order ended is not sealed from the family.
    order_ended = any(
        item.has_obligation("sealed_record") for _rs, items in students for item in items
    ) and order_has_ended(request)
    for request_student, items in students:
        student = request_student.student
        assert student is not None
        outcome_counts: dict[str, int] = {}
        for item in items:
            outcome_counts[item.outcome] = outcome_counts.get(item.outcome, 0) + 1
        entries.append(
            DisclosureEntry(
                student=student,
                student_sis_id=student.sis_id,
                kind=EntryKind.REQUEST,
                request=request,
                occurred_at=request.received_at,
                party_name=request.requester_name,
                party_position=request.requester_position,
                party_affiliation=request.agency_name,
                party_kind=request.requester_kind,
                legitimate_interest=_interest(request),
                categories=[item.category for item in items],
                outcome=", ".join(f"{count} {outcome}" for outcome, count in sorted(outcome_counts.items())),
                sealed=any(item.has_obligation("sealed_record") for item in items) and not order_ended,
                withheld_from_family=any(
                    item.has_obligation("family_notice_by_administrator") for item in items
                ),
                recorded_at=now,
            )
        )
    if entries:
        DisclosureEntry.objects.bulk_create(entries)
    return entries


def emergency_determination_entry(
    *, request: Request, request_student: RequestStudent, determination: Any
) -> DisclosureEntry:
    """99.32(a)(5): the district's finding of an emergency, with the threat and the party, in the
    student's record of disclosures. Stored here; the caller appends `disclosure_event(entry)` in its
    transaction, then `ledger_indexes_store`."""
    student = request_student.student
    assert student is not None
    entry = DisclosureEntry(
        student=student,
        student_sis_id=student.sis_id,
        kind=EntryKind.EMERGENCY_DETERMINATION,
        request=request,
        occurred_at=determination.determined_at,
        party_name=request.requester_name,
        party_position=request.requester_position,
        party_affiliation=request.agency_name,
        party_kind=request.requester_kind,
        legitimate_interest=_interest(request),
        lawful_basis="health or safety emergency (FERPA 99.31(a)(10), 99.36)",
        categories=list(request.document.get("categories") or []),
        outcome="emergency found by the district",
        released_by=determination.determined_by,
        released_by_name=determination.determined_by_name,
        released_by_position=determination.determined_by_position,
        threat=determination.threat,
        recipients=[f"{request.requester_name}, {request.agency_name}"],
        details=determination.rationale,
        recorded_at=timezone.now(),
    )
    entry.save(force_insert=True)
    return entry


def _lawful_basis_text(item: Item) -> str:
    decision = getattr(item, "decision", None)
    if decision is not None and decision.lawful_basis:
        return f"{decision.lawful_basis.replace('_', ' ')} (reviewed: {decision.rationale})"
    return f"policy rule {', '.join(item.rules)}: {item.explanation}"


def packet_release(
    *, request_id: Any, released_by: User, recipients: list[str] | None = None
) -> ReleasePacket:
    """Release every cleared item of a request: a packet of only the approved fields, the record of
    disclosures written for each student, and notices to families where the policy asks for them.

    Casework moves the items (`casework.services.items_release`: the emergency and the families' say
    checked again, then released); this writes what the release leaves behind, in its transaction."""
    from brightline.casework.services import items_release

    if released_by.role not in RELEASER_ROLES:
        raise NotAllowed("only the records office releases records")
    require_trained(released_by)

    def write(request: Request, items: list[Item], now: dt.datetime) -> ReleasePacket:
        return _packet_write(
            request=request, items=items, now=now, released_by=released_by, recipients=recipients
        )

    return items_release(request_id=request_id, released_by=released_by, write=write)


def _packet_write(
    *, request: Request, items: list[Item], now: dt.datetime, released_by: User, recipients: list[str] | None
) -> ReleasePacket:
    if not Agency.objects.filter(pk=request.agency_id, verified=True).exists():
        # Verified agencies only: its cleared items wait, visibly, until the records office verifies it.
        raise Conflict(
            f"{request.agency_name} is not verified: nothing is released to it until the records office "
            "verifies the agency"
        )
    content = build_packet_content(request=request, items=items, released_at=now)
    notice = redisclosure_notice_for(request=request, items=items)
    content["redisclosure_notice"] = notice
    content_bytes = canonical_json(content)
    packet = ReleasePacket.objects.create(
        request=request,
        content=content,
        content_sha256=hashlib.sha256(content_bytes).hexdigest(),
        redisclosure_notice=notice,
        released_by=released_by,
        released_by_name=released_by.get_full_name() or released_by.username,
        released_at=now,
    )
    ledger_append(
        event_type="release.packet_released",
        subject={"request": str(request.pk), "packet": str(packet.pk)},
        record={
            "request": str(request.pk),
            "packet": str(packet.pk),
            "items": [item.pk for item in items],
            "content_sha256": packet.content_sha256,
            "released_by": released_by.pk,
        },
    )
    by_student: dict[int, list[Item]] = {}
    for item in items:
        by_student.setdefault(item.request_student_id, []).append(item)
    # A release after the request's non-disclosure order ended is not sealed from the family.
    order_ended = any(item.has_obligation("sealed_record") for item in items) and order_has_ended(request)
    for student_items in by_student.values():
        rs = student_items[0].request_student
        student = rs.student
        assert student is not None
        # 99.32(a)(5): the threat as the district found it (the requester's words when none was recorded).
        determination = getattr(rs, "determination", None)
        threat = (
            (
                determination.threat
                if determination is not None and determination.found
                else request.emergency_threat
            )
            if any(i.has_obligation("record_threat") for i in student_items)
            else ""
        )
        _append_entry(
            DisclosureEntry(
                student=student,
                student_sis_id=student.sis_id,
                kind=EntryKind.DISCLOSURE,
                request=request,
                packet=packet,
                occurred_at=now,
                party_name=request.requester_name,
                party_position=request.requester_position,
                party_affiliation=request.agency_name,
                party_kind=request.requester_kind,
                legitimate_interest=_interest(request),
                lawful_basis="; ".join(f"{i.category}: {_lawful_basis_text(i)}" for i in student_items),
                categories=[i.category for i in student_items],
                fields=[f"{i.category}.{field}" for i in student_items for field in i.approved_fields],
                outcome="released",
                released_by=released_by,
                released_by_name=packet.released_by_name,
                released_by_position=released_by.position,
                threat=threat,
                recipients=(recipients or [f"{request.requester_name}, {request.agency_name}"])
                if threat
                else [],
                sealed=any(i.has_obligation("sealed_record") for i in student_items) and not order_ended,
                withheld_from_family=any(
                    i.has_obligation("family_notice_by_administrator") for i in student_items
                ),
            )
        )
        after = sorted(
            {
                i.category
                for i in student_items
                if i.has_obligation("notify_family_after_release") and not i.has_obligation("sealed_record")
            }
        )
        followers.notices().after_release(request=request, student=student, categories=after)
    return packet


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def packet_requires_acknowledgment(packet: ReleasePacket) -> bool:
    return bool(packet.redisclosure_notice)


STAFF_NOT_RECIPIENT = (
    "district staff cannot act as the recipient: only the requesting agency's own people acknowledge the "
    "redisclosure terms and take a download link; staff open a released packet from the records office, "
    "where the opening is logged"
)


def _require_recipient(packet: ReleasePacket, *, user: User | None, agency: Any) -> None:
    """Only the requesting agency speaks for the recipient: one of its requesters signed in, or its API
    token (`agency` is what the token or the session speaks for). District staff, the auditor included,
    are refused, whatever else they hold; so is anyone speaking for another agency.

    Called with neither (code acting for the agency, such as a test or a command), the request's own
    agency is taken to be the recipient."""
    if user is not None and user.is_authenticated:
        if user.is_district_staff:
            raise NotAllowed(STAFF_NOT_RECIPIENT)
        requester = getattr(user, "requester", None) if user.role == Role.REQUESTER else None
        if requester is None or requester.agency_id != packet.request.agency_id:
            raise NotAllowed("only the requesting agency's people act for the recipient of this release")
    if agency is not None and agency.pk != packet.request.agency_id:
        raise NotAllowed("only the requesting agency's people act for the recipient of this release")


@transaction.atomic
def packet_acknowledge(
    *,
    packet: ReleasePacket,
    acknowledged_by_name: str,
    user: User | None = None,
    agency: Any = None,
    api_token: Any = None,
) -> ReleasePacket:
    """The recipient acknowledges the redisclosure terms; only then do download links work.

    `user` is the requester signed in, `agency` the agency the session or `api_token` speaks for (see
    `_require_recipient`: staff are refused). The ledger entry names who acknowledged: the name typed,
    the requester's user id or the token, and the agency."""
    packet = (
        ReleasePacket.objects.select_for_update(of=("self",))
        .select_related("request__agency")
        .get(pk=packet.pk)
    )
    _require_recipient(packet, user=user, agency=agency)
    if not acknowledged_by_name.strip():
        raise InvalidInput([("acknowledged_by", "the name of the person acknowledging is required")])
    if packet.acknowledged_at is None:
        person = user if user is not None and user.is_authenticated else None
        packet.acknowledged_at = timezone.now()
        packet.acknowledged_by_name = acknowledged_by_name.strip()
        packet.acknowledged_by = person
        packet.save(update_fields=["acknowledged_at", "acknowledged_by_name", "acknowledged_by"])
        recipient_agency = packet.request.agency
        ledger_append(
            event_type="release.acknowledged",
            subject={"packet": str(packet.pk), "request": str(packet.request_id)},
            record={
                "packet": str(packet.pk),
                "acknowledged_at": packet.acknowledged_at.isoformat(),
                "acknowledged_by": {
                    "name": packet.acknowledged_by_name,
                    "user": person.pk if person is not None else None,
                    "api_token": api_token.pk if api_token is not None else None,
                    "agency": recipient_agency.pk,
                    "agency_name": recipient_agency.name,
                },
            },
        )
    return packet


@transaction.atomic
def delivery_link_issue(
    *, packet: ReleasePacket, user: User | None = None, agency: Any = None
) -> tuple[DeliveryLink, str]:
    """A fresh single-use link for the recipient (`_require_recipient`: staff are refused); the plain
    token is returned once and only its digest is stored."""
    packet = ReleasePacket.objects.select_for_update(of=("self",)).select_related("request").get(pk=packet.pk)
    _require_recipient(packet, user=user, agency=agency)
    if packet_requires_acknowledgment(packet) and packet.acknowledged_at is None:
        raise Conflict("acknowledge the redisclosure notice before downloading", field="acknowledged_by")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = DeliveryLink.objects.create(
        packet=packet,
        token_sha256=_token_digest(token),
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.RELEASE_LINK_HOURS),
    )
    return link, token


@transaction.atomic
def delivery_link_redeem(*, token: str, fmt: str, opened_by: User | None = None) -> ReleasePacket:
    """Spend a link: it works once, before it expires, and the download is a ledger event.

    A link is the recipient's: a member of district staff signed in (`opened_by`) who follows one is
    refused and the link is left unspent, so that no staff opening is ever recorded as the delivery."""
    if fmt not in ("json", "pdf"):
        raise InvalidInput([("format", "json or pdf")])
    link = (
        DeliveryLink.objects.select_for_update(of=("self",))
        .select_related("packet")
        .filter(token_sha256=_token_digest(token))
        .first()
    )
    if link is None:
        raise NotFound("this link is not valid")
    if opened_by is not None and opened_by.is_authenticated and opened_by.is_district_staff:
        raise NotAllowed(STAFF_NOT_RECIPIENT)
    now = timezone.now()
    if link.used_at is not None:
        raise Conflict("this link was already used; ask for a new one")
    if now >= link.expires_at:
        raise Conflict("this link has expired; ask for a new one")
    link.used_at = now
    link.used_format = fmt
    link.save(update_fields=["used_at", "used_format"])
    ledger_append(
        event_type="release.downloaded",
        subject={"packet": str(link.packet_id), "link": link.pk},
        record={"packet": str(link.packet_id), "link": link.pk, "format": fmt, "at": now.isoformat()},
    )
    return link.packet


@transaction.atomic
def after_the_fact_record(
    *,
    student: Student,
    kind: str,
    disclosed_at: dt.datetime,
    recipient_name: str,
    recipient_position: str,
    recipient_affiliation: str,
    recipient_kind: str,
    categories: list[str],
    details: str,
    recorded_by: User,
    recipients: list[str] | None = None,
    late_reason: str = "",
) -> DisclosureEntry:
    """School staff record a disclosure already made: in a health or safety emergency (99.36, with the
    threat and every recipient) or a report of suspected abuse to child-protective services (51A).

    Due within 48 hours; late is late, not never: a later entry is accepted, marked late with the reason
    given (required), and the family is told as for any emergency disclosure. A principal or school staff
    member records only for a student of their own school. A disclosure to a party the policy forbids
    (immigration enforcement, a fusion center) alerts counsel and the superintendent at once."""
    from brightline.incidents.selectors import schools_for

    if recorded_by.role not in AFTER_THE_FACT_ROLES:
        raise NotAllowed("only school staff and the records office record disclosures after the fact")
    if (
        recorded_by.role in (Role.PRINCIPAL, Role.SCHOOL_STAFF)
        and not schools_for(recorded_by).filter(pk=student.school_id or 0).exists()
    ):
        raise NotAllowed("school staff record disclosures only for students of their own school")
    require_trained(recorded_by, acting="recording a disclosure made after the fact")
    errors: list[tuple[str, str]] = []
    kinds = {EntryKind.EMERGENCY_AFTER_THE_FACT: "emergency", EntryKind.ABUSE_REPORT: "abuse report"}
    if kind not in kinds:
        errors.append(("kind", "emergency or abuse_report"))
    now = timezone.now()
    if disclosed_at > now + dt.timedelta(minutes=5):
        errors.append(("disclosed_at", "cannot be in the future"))
    late = now - disclosed_at > AFTER_THE_FACT_WINDOW
    if late and not late_reason.strip():
        errors.append(
            ("late_reason", "more than 48 hours after the disclosure: say why it is recorded only now")
        )
    errors += _blank(
        recipient_name=recipient_name, recipient_affiliation=recipient_affiliation, details=details
    )
    if recipient_kind not in REQUESTER_KINDS:
        errors.append(("recipient_kind", f"unknown requester kind {recipient_kind!r}"))
    if kind == EntryKind.ABUSE_REPORT and recipient_kind != "child_protective_services":
        errors.append(("recipient_kind", "a report of suspected abuse goes to child-protective services"))
    bad = [category for category in categories if category not in CATEGORIES or category == "immigration"]
    if not categories:
        errors.append(("categories", "name the parts of the record that were disclosed"))
    elif bad:
        errors.append(("categories", f"not disclosable categories: {', '.join(bad)}"))
    if errors:
        raise InvalidInput(errors)
    emergency = kind == EntryKind.EMERGENCY_AFTER_THE_FACT
    entry = _append_entry(
        DisclosureEntry(
            student=student,
            student_sis_id=student.sis_id,
            kind=kind,
            occurred_at=disclosed_at,
            party_name=recipient_name.strip(),
            party_position=recipient_position.strip(),
            party_affiliation=recipient_affiliation.strip(),
            party_kind=recipient_kind,
            legitimate_interest="health or safety emergency"
            if emergency
            else "report of suspected abuse or neglect (M.G.L. c.119 s.51A)",
            lawful_basis="34 CFR 99.36 emergency" if emergency else "M.G.L. c.119 s.51A mandated report",
            categories=categories,
            threat=details.strip() if emergency else "",
            details="" if emergency else details.strip(),
            withheld_from_family=not emergency,
            recipients=recipients or [f"{recipient_name.strip()}, {recipient_affiliation.strip()}"],
            outcome="disclosed",
            released_by=recorded_by,
            released_by_name=recorded_by.get_full_name() or recorded_by.username,
            released_by_position=recorded_by.position,
            recorded_by=recorded_by,
            late=late,
            late_reason=late_reason.strip() if late else "",
        )
    )
    if recipient_kind in FORBIDDEN_RECIPIENT_KINDS:
        followers.notices().forbidden_party(entry=entry)
    if not emergency:
        # Nothing hidden for ever: the administrator shows the report or extends the hold by a deadline.
        followers.notices().entry_withheld(entry=entry)
    if emergency:
        # 99.36: the family is told of a disclosure made in an emergency, as after an emergency release.
        followers.notices().after_release(request=None, student=student, categories=categories, entry=entry)
    return entry


@transaction.atomic
def packet_staff_open(*, packet: ReleasePacket, user: User, http_request: Any = None) -> ReleasePacket:
    """A member of staff opens a released packet (to check or audit it): written to the staff access log
    (603 CMR 23.07(1)) once for each student whose records the packet holds. Staff are never the
    recipient: nothing about the delivery or the acknowledgment changes."""
    if not user.is_district_staff:
        raise NotAllowed("only district staff open a packet here")
    sis_ids = (
        DisclosureEntry.objects.filter(packet=packet, kind=EntryKind.DISCLOSURE)
        .order_by("student_sis_id")
        .values_list("student_sis_id", flat=True)
        .distinct()
    )
    for sis_id in sis_ids:
        staff_access_record(
            user=user,
            student=sis_id,
            what=f"release packet of {packet.request.reference}",
            request=http_request,
        )
    return packet


def packet_json_bytes(packet: ReleasePacket) -> bytes:
    """The packet as delivered: the canonical JSON whose SHA-256 is stamped on it."""
    return canonical_json(packet.content)


def packet_pdf_bytes(packet: ReleasePacket) -> bytes:
    """The printable packet. It is rendered from the stored content the first time it is asked for and
    kept, so releasing stays fast and the PDF always shows exactly what the JSON holds."""
    if packet.pdf:
        with packet.pdf.open("rb") as handle:
            return bytes(handle.read())
    rendered = render_packet_pdf(packet)
    with transaction.atomic():
        locked = ReleasePacket.objects.select_for_update().get(pk=packet.pk)
        if not locked.pdf:
            locked.pdf.save(f"{packet.pk}.pdf", ContentFile(rendered), save=True)
    return rendered


@transaction.atomic
def disclosure_record_routing(
    *,
    student: Student,
    recipient_name: str,
    recipient_position: str = "",
    recipient_affiliation: str,
    recipient_kind: str,
    categories: list[str],
    basis: str,
    details: str,
    recorded_by: User,
    occurred_at: dt.datetime | None = None,
) -> DisclosureEntry:
    """Record a disclosure the law requires the district to make on its own motion, such as routing a
    report of a student with a dangerous weapon (M.G.L. c.71 s.37L) to the police chief,
    child-protective services, student services and the school committee."""
    errors = _blank(recipient_name=recipient_name, recipient_affiliation=recipient_affiliation, basis=basis)
    if recipient_kind not in REQUESTER_KINDS:
        errors.append(("recipient_kind", f"unknown requester kind {recipient_kind!r}"))
    bad = [category for category in categories if category not in CATEGORIES or category == "immigration"]
    if not categories:
        errors.append(("categories", "name the parts of the record that were disclosed"))
    elif bad:
        errors.append(("categories", f"not disclosable categories: {', '.join(bad)}"))
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    return _append_entry(
        DisclosureEntry(
            student=student,
            student_sis_id=student.sis_id,
            kind=EntryKind.WEAPON_ROUTING,
            occurred_at=occurred_at or now,
            party_name=recipient_name.strip(),
            party_position=recipient_position.strip(),
            party_affiliation=recipient_affiliation.strip(),
            party_kind=recipient_kind,
            legitimate_interest="report of a student with a dangerous weapon",
            lawful_basis=basis.strip(),
            categories=categories,
            details=details.strip(),
            recipients=[f"{recipient_name.strip()}, {recipient_affiliation.strip()}"],
            outcome="routed",
            released_by=recorded_by,
            released_by_name=recorded_by.get_full_name() or recorded_by.username,
            released_by_position=recorded_by.position,
            recorded_by=recorded_by,
        )
    )


# --- Non-disclosure orders: a sealed entry is not sealed for ever ----------------------------------

ORDER_ROLES = frozenset({Role.LEGAL_ADVISOR, Role.ADMIN})


def order_has_ended(request: Request) -> bool:
    """The request's non-disclosure order has ended (on its end date, or revealed early): an entry
    written for the request from now on is not sealed."""
    return (
        NondisclosureOrder.objects.filter(request=request)
        .exclude(state=NondisclosureOrderState.IN_FORCE)
        .exists()
    )


def _order_locked(request_id: Any) -> tuple[Request, NondisclosureOrder | None]:
    """The request under a row lock, with its order's row if its terms were recorded. NotFound unless
    the request carries an order that sealed something."""
    request = Request.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound("no such order")
    order = NondisclosureOrder.objects.select_for_update().filter(request=request).first()
    if order is None and not DisclosureEntry.objects.filter(request=request, sealed=True).exists():
        raise NotFound("no such order")
    return request, order


def _order_ledger(order: NondisclosureOrder, event: str, **record: Any) -> LedgerEvent:
    subject: dict[str, int | str] = {"nondisclosure_order": order.pk}
    if order.request_id is not None:
        subject["request"] = str(order.request_id)
    return LedgerEvent(
        event_type=f"nondisclosure_order.{event}",
        subject=subject,
        record={"nondisclosure_order": order.pk, "state": order.state, **record},
    )


@transaction.atomic
def nondisclosure_order_record(
    *, request_id: Any, ends_on: dt.date | None, recorded_by: User, note: str = ""
) -> NondisclosureOrder:
    """Counsel (or an administrator) records the order's terms: the day it ends, or none ("until further
    order"), which counsel then reviews again within `BRIGHTLINE_NONDISCLOSURE_REVIEW_DAYS`. Recording
    the terms again is that review. The order's entries stay sealed until it ends."""
    if recorded_by.role not in ORDER_ROLES:
        raise NotAllowed("only counsel or an administrator records a non-disclosure order")
    today = timezone.localdate()
    if ends_on is not None and ends_on <= today:
        raise InvalidInput(
            [("ends_on", "a day after today; an order that has already ended is revealed with a reason")]
        )
    request, order = _order_locked(request_id)
    if order is not None and order.state != NondisclosureOrderState.IN_FORCE:
        raise Conflict(f"the order ended on {timezone.localdate(order.ended_at):%B %d, %Y}")
    if order is None:
        order = NondisclosureOrder(request=request, reference=request.reference)
    now = timezone.now()
    order.ends_on = ends_on
    order.review_on = (
        None if ends_on is not None else today + dt.timedelta(days=settings.NONDISCLOSURE_REVIEW_DAYS)
    )
    order.note = note.strip()
    order.recorded_at = now
    order.recorded_by = recorded_by
    order.recorded_by_name = recorded_by.get_full_name() or recorded_by.username
    order.save()
    ledger_append_many(
        [
            _order_ledger(
                order,
                "recorded",
                ends_on=ends_on.isoformat() if ends_on else None,
                review_on=order.review_on.isoformat() if order.review_on else None,
                recorded_by=recorded_by.pk,
                recorded_at=now.isoformat(),
                note_sha256=hashlib.sha256(order.note.encode()).hexdigest(),
            )
        ]
    )
    return order


@transaction.atomic
def nondisclosure_order_reveal(*, request_id: Any, revealed_by: User, reason: str) -> NondisclosureOrder:
    """An administrator or counsel reveals the sealed entries before the order's end date (the order was
    lifted, or has ended early), saying why: the entries become visible to the family and the family is
    told, as when the order ends on its date."""
    if revealed_by.role not in ORDER_ROLES:
        raise NotAllowed("only an administrator or counsel reveals entries under a non-disclosure order")
    if not reason or not reason.strip():
        raise InvalidInput([("reason", "say why the entries are shown before the order's end date")])
    request, order = _order_locked(request_id)
    if order is not None and order.state != NondisclosureOrderState.IN_FORCE:
        raise Conflict(f"the order ended on {timezone.localdate(order.ended_at):%B %d, %Y}")
    if order is None:
        order = NondisclosureOrder(request=request, reference=request.reference)
    return _order_end(
        request=request,
        order=order,
        state=NondisclosureOrderState.REVEALED,
        ended_by=revealed_by,
        reason=reason.strip(),
        now=timezone.now(),
    )


def nondisclosure_orders_end_due(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> list[NondisclosureOrder]:
    """End every order whose end date has come (each in a transaction of its own): its entries become
    visible and the family is told. An order already ended whose request gained a sealed entry since (a
    student matched later) has that entry shown too. Run daily (`brightline withheld_due`)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sealed = DisclosureEntry.objects.filter(request_id=OuterRef("request_id"), sealed=True)
    due = list(
        NondisclosureOrder.objects.filter(
            Q(state=NondisclosureOrderState.IN_FORCE, ends_on__lte=today)
            | (~Q(state=NondisclosureOrderState.IN_FORCE) & Exists(sealed))
        )
        .filter(request__isnull=False)
        .order_by("ends_on", "pk")
    )
    if dry_run:
        return due
    ended = []
    for candidate in due:
        with transaction.atomic():
            request, order = _order_locked(candidate.request_id)
            if order is None or (
                order.state == NondisclosureOrderState.IN_FORCE
                and (order.ends_on is None or order.ends_on > today)
            ):
                continue  # recorded again meanwhile
            state = (
                order.state
                if order.state != NondisclosureOrderState.IN_FORCE
                else NondisclosureOrderState.ENDED
            )
            ended.append(
                _order_end(request=request, order=order, state=state, ended_by=None, reason="", now=now)
            )
    return ended


def _order_end(
    *,
    request: Request,
    order: NondisclosureOrder,
    state: str,
    ended_by: User | None,
    reason: str,
    now: dt.datetime,
) -> NondisclosureOrder:
    """Unseal the request's entries and tell each family what it can now read. Each entry is recorded
    again in the ledger as it now stands (unsealed) and keeps the index of that record for its proof;
    the verifier compares a row with the last event that records it."""

    entries = list(
        DisclosureEntry.objects.select_for_update(of=("self",))
        .filter(request=request, sealed=True)
        .select_related("student")
        .order_by("occurred_at", "pk")
    )
    DisclosureEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(sealed=False)
    for entry in entries:
        entry.sealed = False
    first_end = order.ended_at is None
    if first_end:
        order.state = state
        order.ended_at = now
        order.ended_by = ended_by
        order.ended_by_name = (ended_by.get_full_name() or ended_by.username) if ended_by else ""
        order.end_reason = reason
    order.save()
    appended = ledger_append_many(
        [
            *(disclosure_event(entry) for entry in entries),
            _order_ledger(
                order,
                "ended" if first_end else "entries_shown",
                ended_by=ended_by.pk if ended_by else None,
                ended_at=now.isoformat(),
                reason_sha256=hashlib.sha256(reason.encode()).hexdigest() if reason else None,
                entries=[entry.pk for entry in entries],
            ),
        ]
    )
    ledger_indexes_store(list(zip(entries, appended[: len(entries)], strict=True)))
    # The family is told of what it can now read: never an entry an administrator still withholds
    # (an abuse investigation), which its own decision shows later.
    by_student: dict[int, list[DisclosureEntry]] = {}
    for entry in entries:
        if entry.student is not None and not entry.withheld_from_family:
            by_student.setdefault(entry.student.pk, []).append(entry)
    ended_on = timezone.localdate(order.ended_at or now).isoformat()
    for shown in by_student.values():
        asked = sorted({c for entry in shown if entry.kind == EntryKind.REQUEST for c in entry.categories})
        released = [entry for entry in shown if entry.kind == EntryKind.DISCLOSURE]
        released_categories = sorted({c for entry in released for c in entry.categories})
        if not (asked or released_categories):
            continue
        details: dict[str, Any] = {
            "asked": asked,
            "released": released_categories,
            "order_ended_on": ended_on,
        }
        if released:
            details["released_on"] = timezone.localdate(released[-1].occurred_at).isoformat()
        student = shown[0].student
        assert student is not None
        followers.notices().order_ended(
            request=request, student=student, categories=asked or released_categories, details=details
        )
    return order
