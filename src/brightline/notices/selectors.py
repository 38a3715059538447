"""Reads about family notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from brightline.accounts.models import STAFF_ROLES, Role, User
from brightline.errors import NotAllowed, NotFound
from brightline.notices.models import (
    DELIVERED_STATES,
    CatalogReview,
    CounselNotice,
    FamilyNotice,
    FamilyNoticeDecision,
    FamilyNoticeState,
    NoticeChannel,
    NoticeKind,
    NoticeState,
    OfficialEmail,
    OfficialEmailState,
)

OFFICE_ROLES = frozenset({Role.RECORDS_CLERK, Role.ADMIN})


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    postal_address: str
    language: str
    guardian: Any | None  # None for the eligible student themself


def notice_recipients(student: Any) -> list[Recipient]:
    """Everyone the law asks the district to tell: each guardian with notice rights, and the student
    once eligible (14 or older, or grade 9 and above, in Massachusetts)."""
    recipients = [
        Recipient(
            name=f"{rel.guardian.first_name} {rel.guardian.last_name}",
            email=rel.guardian.email,
            postal_address="\n".join(rel.guardian.postal_address_lines),
            language=rel.guardian.preferred_language,
            guardian=rel.guardian,
        )
        for rel in student.guardian_relationships.select_related("guardian")
        .filter(has_notice_rights=True)
        .order_by("pk")
    ]
    if student.is_eligible_on(timezone.localdate()):
        user = student.user
        first_address = recipients[0].postal_address if recipients else ""
        recipients.append(
            Recipient(
                name=f"{student.first_name} {student.last_name}",
                email=user.email if user is not None else "",
                postal_address=first_address,
                language=recipients[0].language if recipients else "en",
                guardian=None,
            )
        )
    return recipients


def advance_notice_satisfied(*, request: Any, student_id: int, now: dt.datetime) -> bool:
    """True once every advance notice for this student on this request was delivered and the period passed.

    Delivered means the mail server accepted the email, or the records office mailed the letter; a
    bounced email, or a letter printed but not mailed, has told nobody. The period runs from the last
    delivery. A student with no advance notice at all is not satisfied: with nobody to tell, the records
    office must find a recipient first; the release never goes out unannounced.
    """
    notices = list(
        FamilyNotice.objects.filter(
            request=request, student_id=student_id, kind=NoticeKind.ADVANCE
        ).values_list("state", "sent_at")
    )
    if not notices:
        return False
    sent_times = [sent_at for state, sent_at in notices if state in DELIVERED_STATES and sent_at is not None]
    if len(sent_times) != len(notices):
        return False
    last_sent = max(sent_times)
    return now >= last_sent + dt.timedelta(days=settings.ADVANCE_NOTICE_DAYS)


def notices_visible_to_family(user: Any, student: Any) -> list[FamilyNotice]:
    return list(FamilyNotice.objects.filter(student=student).order_by("-queued_at"))


def letters_to_mail(*, user: User | AnonymousUser) -> QuerySet[FamilyNotice]:
    """Letters the records office owes: families without email, bounced emails, letters printed but not
    yet mailed. Oldest first."""
    if getattr(user, "role", None) not in OFFICE_ROLES:
        raise NotAllowed("only the records office mails letters")
    return (
        FamilyNotice.objects.filter(
            Q(channel=NoticeChannel.LETTER, state=NoticeState.QUEUED)
            | Q(state__in=(NoticeState.BOUNCED, NoticeState.PRINTED))
        )
        .select_related("request", "student")
        .order_by("queued_at", "pk")
    )


def notice_for_office(*, user: User | AnonymousUser, notice_id: int) -> FamilyNotice:
    if getattr(user, "role", None) not in OFFICE_ROLES:
        raise NotAllowed("only the records office reads family notices")
    notice = FamilyNotice.objects.select_related("request", "student").filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("no such notice")
    return notice


@dataclass(frozen=True)
class CatalogStatus:
    language: str
    name: str
    complete: bool
    total: int
    translated: int
    fuzzy: list[str]
    untranslated: list[str]
    missing: list[str]
    review: CatalogReview | None
    reviewed: bool  # a review exists and the catalog has not changed since

    @property
    def stale(self) -> bool:
        return self.review is not None and not self.reviewed


def catalog_statuses(*, user: User | AnonymousUser) -> list[CatalogStatus]:
    """For each translated language: is every msgid translated (none fuzzy), and is the current text
    reviewed by a district translator."""
    from brightline.notices.catalogs import catalog_completeness, catalog_sha256, translated_languages

    if getattr(user, "role", None) not in STAFF_ROLES:
        raise NotAllowed("only district staff see the translation catalogs")
    names = dict(settings.LANGUAGES)
    latest: dict[str, CatalogReview] = {}
    for each in CatalogReview.objects.order_by("language", "-reviewed_at", "-id"):
        latest.setdefault(each.language, each)
    statuses = []
    for language in translated_languages():
        completeness = catalog_completeness(language)
        review = latest.get(language)
        statuses.append(
            CatalogStatus(
                language=language,
                name=str(names[language]),
                complete=completeness.complete,
                total=completeness.total,
                translated=completeness.translated,
                fuzzy=completeness.fuzzy,
                untranslated=completeness.untranslated,
                missing=completeness.missing,
                review=review,
                reviewed=review is not None and review.catalog_sha256 == catalog_sha256(language),
            )
        )
    return statuses


# --- Counsel's copies, the administrator's decisions and settings --------------------------------------


def counsel_notices_to_read(*, user: User | AnonymousUser) -> list[CounselNotice]:
    """Counsel's copies of requests not yet marked read, oldest first."""
    if getattr(user, "role", None) != Role.LEGAL_ADVISOR:
        raise NotAllowed("only counsel reads its copies of requests")
    return list(
        CounselNotice.objects.filter(read_at__isnull=True)
        .select_related("request")
        .order_by("created_at", "pk")
    )


def family_notice_decisions_open(*, user: User | AnonymousUser) -> list[FamilyNoticeDecision]:
    """The decisions an administrator still owes, soonest due first: not yet taken, withheld until a
    review date, or taken to tell the family while a later entry (a release since) is still kept from
    it. Each carries `still_withheld`."""
    if getattr(user, "role", None) != Role.ADMIN:
        raise NotAllowed("only an administrator decides whether the family is told")
    from brightline.disclosures.models import DisclosureEntry

    withheld = DisclosureEntry.objects.filter(
        request_id=OuterRef("request_id"),
        student_id=OuterRef("student_id"),
        withheld_from_family=True,
        sealed=False,
    )
    return list(
        FamilyNoticeDecision.objects.annotate(still_withheld=Exists(withheld))
        .filter(Q(state__in=(FamilyNoticeState.PENDING, FamilyNoticeState.WITHHELD)) | Q(still_withheld=True))
        .select_related("request", "student")
        .order_by("due_at", "pk")
    )


@dataclass(frozen=True)
class ObligationSettings:
    """What the obligations need from the district's configuration, for the administrator."""

    missing_persons_contact: str
    family_notice_decision_days: int
    site_url: str
    counsel_with_email: list[User]
    counsel_without_email: list[User]
    undelivered: list[OfficialEmail]

    @property
    def checklist(self) -> list[tuple[str, bool, str]]:
        """(what, done, what to do) for each thing the obligations need."""
        return [
            (
                "Missing-persons contact",
                bool(self.missing_persons_contact),
                "Set BRIGHTLINE_MISSING_PERSONS_CONTACT to the police unit's address, for example "
                "Missing Persons Unit <mpu@police.example>, and restart. Until then alerts are kept here "
                "as undeliverable.",
            ),
            (
                "Counsel reachable by email",
                bool(self.counsel_with_email) and not self.counsel_without_email,
                "Give every legal advisor an email address: counsel's copies of requests go there.",
            ),
        ]


def obligation_settings(*, user: User | AnonymousUser) -> ObligationSettings:
    if getattr(user, "role", None) != Role.ADMIN:
        raise NotAllowed("only an administrator sees the district's settings")
    counsel = list(User.objects.filter(role=Role.LEGAL_ADVISOR, is_active=True).order_by("last_name", "pk"))
    return ObligationSettings(
        missing_persons_contact=settings.MISSING_PERSONS_CONTACT,
        family_notice_decision_days=settings.FAMILY_NOTICE_DECISION_DAYS,
        site_url=settings.SITE_URL,
        counsel_with_email=[person for person in counsel if person.email],
        counsel_without_email=[person for person in counsel if not person.email],
        undelivered=list(
            OfficialEmail.objects.filter(
                state__in=(OfficialEmailState.UNDELIVERABLE, OfficialEmailState.FAILED)
            )
            .select_related("counsel_notice", "missing_child_alert")
            .order_by("queued_at", "pk")
        ),
    )


# --- Objections ----------------------------------------------------------------------------------------


def objection_pending(*, request: Any, student_id: int | None) -> bool:
    """True while a family's objection to this student's release on this request waits for the
    reviewer: the release gate holds the student's items until it is decided."""
    from brightline.notices.models import Objection, ObjectionState

    if student_id is None:
        return False
    return Objection.objects.filter(
        request=request, student_id=student_id, state=ObjectionState.PENDING
    ).exists()


def objections_to_decide(*, user: User | AnonymousUser) -> list[Any]:
    """Objections waiting for a reviewer, oldest first (both reviewers see them; the one whose items
    they are decides)."""
    from brightline.notices.models import Objection, ObjectionState

    if getattr(user, "role", None) not in (Role.SUPERINTENDENT, Role.LEGAL_ADVISOR):
        raise NotAllowed("only the reviewers decide on objections")
    return list(
        Objection.objects.filter(state=ObjectionState.PENDING)
        .select_related("request", "student")
        .order_by("raised_at", "pk")
    )


@dataclass(frozen=True)
class OpenRelease:
    """A release the family can still object to: its advance notice runs."""

    request: Any
    agency: str
    categories: list[str]
    objected: bool


@dataclass(frozen=True)
class FamilyVoice:
    """What a family can still object to about one student, and the objections it raised."""

    open_releases: list[OpenRelease]
    objections: list[Any]


def family_voice(*, user: Any, student: Any) -> FamilyVoice:
    """The requests whose release of this student's records waits for the advance-notice period (or
    is cleared by it and not yet released), which the family may object to (sealed items never show),
    and every objection raised about the student (its own, and those the records office entered from
    its letters). Three queries."""
    from brightline.casework.models import Item, ItemState
    from brightline.disclosures.selectors import students_of_family
    from brightline.notices.models import Objection, ObjectionState

    if not students_of_family(user).filter(pk=student.pk).exists():
        raise NotFound("no such student")
    by_request: dict[Any, list[Any]] = {}
    for item in (
        Item.objects.filter(
            request_student__student=student, state__in=(ItemState.AWAITING_NOTICE, ItemState.CLEARED)
        )
        .select_related("request__agency")
        .order_by("request__received_at", "position")
    ):
        if item.has_obligation("notify_family_before_release") and not item.has_obligation("sealed_record"):
            by_request.setdefault(item.request_id, []).append(item)
    objections = list(Objection.objects.filter(student=student).order_by("-raised_at", "-pk"))
    pending = {o.request_id for o in objections if o.state == ObjectionState.PENDING}
    return FamilyVoice(
        open_releases=[
            OpenRelease(
                request=items[0].request,
                agency=items[0].request.agency.name,
                categories=[item.category for item in items],
                objected=request_id in pending,
            )
            for request_id, items in by_request.items()
        ],
        objections=objections,
    )


def notice_for_family(*, user: Any, notice_id: int) -> FamilyNotice:
    """One notice about a student whose records this family member reads (else NotFound): what was
    sent, to read again or to download as the letter."""
    from brightline.disclosures.selectors import students_of_family

    notice = (
        FamilyNotice.objects.filter(pk=notice_id, student__in=students_of_family(user))
        .select_related("request", "student")
        .first()
    )
    if notice is None:
        raise NotFound("no such notice")
    return notice
