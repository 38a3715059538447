"""Reads of the record of disclosures, filtered by who is asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brightline.accounts.models import Role, User
from brightline.disclosures.models import (
    DisclosureEntry,
    EntryKind,
    NondisclosureOrder,
    NondisclosureOrderState,
)
from brightline.disclosures.words import (
    CATEGORY_WORDS,
    ITEM_STATE_WORDS,
    KIND_WORDS,
    LAWFUL_BASIS_WORDS,
    PURPOSE_WORDS,
    RULE_BASIS,
    words,
)
from brightline.errors import NotAllowed, NotFound
from brightline.roster.models import Student

RECORD_STAFF_ROLES = frozenset(
    {Role.RECORDS_CLERK, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR, Role.AUDITOR, Role.ADMIN}
)


def disclosures_for_staff(*, user: User, sis_id: str) -> QuerySet[DisclosureEntry]:
    """Every entry for a student, sealed ones included: staff and auditors keep the full record."""
    if user.role not in RECORD_STAFF_ROLES:
        raise NotAllowed("only the records office, reviewers and auditors read the record of disclosures")
    if not Student.objects.filter(sis_id=sis_id).exists():
        raise NotFound("no such student")
    return DisclosureEntry.objects.filter(student_sis_id=sis_id).order_by("occurred_at", "id")


def students_of_family(user: User) -> QuerySet[Student]:
    """The students whose records this family member may read: their children with notice rights, or
    themself as an eligible student."""
    if user.role == Role.PARENT:
        return Student.objects.filter(
            guardian_relationships__guardian__user=user, guardian_relationships__has_notice_rights=True
        ).distinct()
    if user.role == Role.ELIGIBLE_STUDENT:
        return Student.objects.filter(user=user)
    return Student.objects.none()


def disclosures_for_family(*, user: User, student: Student) -> QuerySet[DisclosureEntry]:
    """A family's view of one student's record: sealed entries (non-disclosure orders) and entries an
    administrator has not yet released (abuse investigations) are not shown."""
    if not students_of_family(user).filter(pk=student.pk).exists():
        raise NotFound("no such student")
    return DisclosureEntry.objects.filter(student=student, sealed=False, withheld_from_family=False).order_by(
        "-occurred_at", "-id"
    )


@dataclass(frozen=True)
class FamilyEntry:
    """One entry of the record of disclosures as a family reads it: every identifier said in words
    (`disclosures.words`), the agency by its verified name, never a rule id or a code."""

    entry: DisclosureEntry
    kind: str
    agency: str
    person: str
    interest: str
    asked: list[tuple[str, str]]  # (part of the record, what became of it): every request, refused too
    disclosed: list[tuple[str, list[str]]]  # (part of the record, the inventory fields in words)
    bases: list[tuple[str, str]]  # (part of the record, the lawful basis in words)
    released_by: str
    threat: str
    recipients: list[str]
    late: bool = False
    late_reason: str = ""
    # The non-disclosure order that kept the entry from the family ended on this day (None: never sealed).
    sealed_until: dt.date | None = None


def _agency_words(entry: DisclosureEntry) -> str:
    """The agency by the name the records office verified (security: never the request's free text);
    an agency not verified yet is named by its kind only. An entry school staff recorded after the fact
    names the recipient as the staff member wrote it."""
    request = entry.request
    if request is None:
        return entry.party_affiliation
    agency = request.agency
    if agency.verified:
        return agency.name
    return _("An agency not yet verified by the district")


def _basis_of(item: Any) -> str:
    decision = item.decision
    if decision is not None and decision.lawful_basis:
        return str(decision.lawful_basis)
    for rule in item.rules:
        if rule in RULE_BASIS:
            return RULE_BASIS[rule]
    return ""


def family_record(*, user: User, student: Student) -> list[FamilyEntry]:
    """`disclosures_for_family` in words (99.32(a), 603 CMR 23.07(1)): for each entry the date, the
    party, what was asked for and what became of each part (refused requests too), what was disclosed
    field by field from the inventory, the legitimate interest and the lawful basis, who at the district
    released it, and for an emergency the threat and every recipient. A fixed number of queries."""
    from brightline.casework.models import Item
    from brightline.roster.models import DataField

    entries = list(disclosures_for_family(user=user, student=student).select_related("request__agency"))
    request_ids = {entry.request_id for entry in entries if entry.request_id}
    orders_ended = (
        {
            order.request_id: timezone.localdate(order.ended_at)
            for order in NondisclosureOrder.objects.filter(
                request_id__in=request_ids, ended_at__isnull=False
            ).only("request_id", "ended_at")
        }
        if any(entry.request is not None and entry.request.nondisclosure_order for entry in entries)
        else {}
    )
    items_of: dict[Any, list[Any]] = {}
    if request_ids:
        for item in (
            Item.objects.filter(request_id__in=request_ids, request_student__student=student)
            .prefetch_related("decisions")
            .order_by("position")
        ):
            items_of.setdefault(item.request_id, []).append(item)
    labels = (
        {
            (field.category, field.field_name): field.label
            for field in DataField.objects.only("category", "field_name", "label")
        }
        if any(entry.fields for entry in entries)
        else {}
    )
    record = []
    for entry in entries:
        request = entry.request
        items = items_of.get(entry.request_id, [])
        if request is not None:
            interest = str(words(PURPOSE_WORDS, request.purpose))
            if request.description:
                interest = f"{interest}: {request.description}"
        elif entry.kind == EntryKind.EMERGENCY_AFTER_THE_FACT:
            interest = words(PURPOSE_WORDS, "health_safety_emergency")
        elif entry.kind == EntryKind.ABUSE_REPORT:
            interest = words(PURPOSE_WORDS, "child_abuse_investigation")
        else:
            interest = entry.legitimate_interest
        asked = (
            [(words(CATEGORY_WORDS, item.category), words(ITEM_STATE_WORDS, item.state)) for item in items]
            if entry.kind == EntryKind.REQUEST
            else []
        )
        disclosed: list[tuple[str, list[str]]] = []
        if entry.kind != EntryKind.REQUEST:
            for category in entry.categories:
                names = [
                    labels.get((category, name.split(".", 1)[1]), name.split(".", 1)[1].replace("_", " "))
                    for name in entry.fields
                    if name.split(".", 1)[0] == category
                ]
                disclosed.append((words(CATEGORY_WORDS, category), names))
        bases: list[tuple[str, str]] = []
        if entry.kind == EntryKind.DISCLOSURE:
            released = {item.category: item for item in items if item.category in entry.categories}
            for category in entry.categories:
                basis = _basis_of(released[category]) if category in released else ""
                if basis:
                    bases.append((words(CATEGORY_WORDS, category), words(LAWFUL_BASIS_WORDS, basis)))
        elif entry.kind in (EntryKind.EMERGENCY_AFTER_THE_FACT, EntryKind.EMERGENCY_DETERMINATION):
            bases.append(("", words(LAWFUL_BASIS_WORDS, "health_safety_emergency_determined")))
        elif entry.kind == EntryKind.ABUSE_REPORT:
            bases.append(("", words(LAWFUL_BASIS_WORDS, "abuse_investigation")))
        elif entry.lawful_basis:
            bases.append(("", entry.lawful_basis))
        person = ", ".join(part for part in (entry.party_name, entry.party_position) if part)
        released_by = (
            ", ".join(part for part in (entry.released_by_name, entry.released_by_position) if part)
            if entry.kind != EntryKind.REQUEST
            else ""
        )
        record.append(
            FamilyEntry(
                entry=entry,
                kind=words(KIND_WORDS, entry.kind),
                agency=_agency_words(entry),
                person=person,
                interest=interest,
                asked=asked,
                disclosed=disclosed,
                bases=bases,
                released_by=released_by,
                threat=entry.threat,
                recipients=list(entry.recipients) if entry.threat else [],
                late=entry.late,
                late_reason=entry.late_reason,
                sealed_until=orders_ended.get(entry.request_id),
            )
        )
    return record


# --- Non-disclosure orders in force -----------------------------------------------------------------

ORDER_READER_ROLES = frozenset({Role.LEGAL_ADVISOR, Role.ADMIN})


@dataclass(frozen=True)
class OrderInForce:
    """A request whose entries a non-disclosure order seals: its recorded terms (`order`, None until
    counsel records them: until further order, reviewed from the day the request arrived), how many
    entries and students it seals, and when it comes due (it ends, or counsel's review is due)."""

    request: Any
    order: NondisclosureOrder | None
    sealed_entries: int
    students: int
    ends_on: dt.date | None
    review_on: dt.date | None
    due_at: dt.datetime

    @property
    def until_further_order(self) -> bool:
        return self.ends_on is None


def orders_in_force() -> list[OrderInForce]:
    """Every order still sealing entries, soonest due first (for the daily reminders and the page)."""
    from brightline.casework.calendar import district_zone, end_of_day
    from brightline.casework.models import Request

    sealed = Q(disclosure_entries__sealed=True)
    requests = list(
        Request.objects.filter(Exists(DisclosureEntry.objects.filter(request=OuterRef("pk"), sealed=True)))
        .exclude(
            nondisclosure_terms__state__in=(NondisclosureOrderState.ENDED, NondisclosureOrderState.REVEALED)
        )
        .annotate(
            sealed_count=Count("disclosure_entries", filter=sealed),
            student_count=Count("disclosure_entries__student_sis_id", filter=sealed, distinct=True),
        )
        .order_by("received_at", "pk")
    )
    orders = {order.request_id: order for order in NondisclosureOrder.objects.filter(request__in=requests)}
    found = []
    for request in requests:
        order = orders.get(request.pk)
        ends_on = order.ends_on if order is not None else None
        if ends_on is not None:
            review_on = None
            due_at = dt.datetime.combine(ends_on, dt.time.min, tzinfo=district_zone())
        else:
            review_on = (
                order.review_on
                if order is not None and order.review_on is not None
                else timezone.localdate(request.received_at)
                + dt.timedelta(days=settings.NONDISCLOSURE_REVIEW_DAYS)
            )
            due_at = end_of_day(review_on)
        found.append(
            OrderInForce(
                request=request,
                order=order,
                sealed_entries=request.sealed_count,
                students=request.student_count,
                ends_on=ends_on,
                review_on=review_on,
                due_at=due_at,
            )
        )
    return sorted(found, key=lambda standing: standing.due_at)


def nondisclosure_orders_in_force(*, user: User) -> list[OrderInForce]:
    """The orders counsel and the administrator watch: no student is named, only counts."""
    if getattr(user, "role", None) not in ORDER_READER_ROLES:
        raise NotAllowed("only counsel and the administrator see the non-disclosure orders")
    return orders_in_force()


def nondisclosure_orders_ended(*, user: User, limit: int = 20) -> list[NondisclosureOrder]:
    if getattr(user, "role", None) not in ORDER_READER_ROLES:
        raise NotAllowed("only counsel and the administrator see the non-disclosure orders")
    return list(
        NondisclosureOrder.objects.exclude(state=NondisclosureOrderState.IN_FORCE).order_by(
            "-ended_at", "-pk"
        )[:limit]
    )
