"""Reconsideration: a requester asks the district to look again at items it reads as refused, with a
reason; counsel (the legal advisor) decides, upholding or reopening, with a reason the requester reads.

The bright line. A requester reads a reviewer's denial, a student nobody identified and a refusal on a
student's own facts alike: "no records released", no rule named. So what a reconsideration may do is
decided by what the requester reads, never by which of those it is:

- it may ask about any item it reads as refused, and only those;
- counsel may reopen only items it reads as refused *without a rule* (a refusal by a rule that holds
  whoever the student is names its rule and stands: the policy decides, not counsel);
- reopening takes every such item of each student asked about back to "in review" at once, whatever
  lies behind it: a denial goes back to its reviewer, a student nobody identified back to the records
  office to identify, a refusal on the student's facts back to the office's answers to send (the policy's
  refusal stands, and is told again as an unidentified student's closure would be);
- the decision is padded on the public log to a fixed number of leaves, and the requester's e-mail says
  only that counsel decided, with a link.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency
from brightline.casework import selectors
from brightline.casework import triage as triage_bridge
from brightline.casework.calendar import decision_due_at
from brightline.casework.conversation import _locked, _tell_requester, _text
from brightline.casework.models import (
    DeadlineChange,
    DeadlineChangeKind,
    Item,
    ItemState,
    MatchState,
    Reconsideration,
    ReconsiderationOutcome,
    RequestStudent,
)
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.services import LedgerEvent, ledger_append_many, ledger_batched, ledger_padded

# The decision, the items reopened, the deadline moved and the request's state: always four leaves.
DECISION_LEAVES = 4


def _requester_reads(items: list[Item], request: Any) -> dict[int, dict[str, Any]]:
    policy = triage_bridge.policy_for_request(request.policy_sha256)
    return {item.pk: selectors.requester_item(item, policy=policy) for item in items}


@transaction.atomic
@ledger_batched
def reconsideration_ask(
    *, request_id: Any, agency: Agency, asked_by: User | None, item_ids: list[int], reason: str
) -> Reconsideration:
    """The requester asks counsel to reconsider items it reads as refused, with its reason."""
    request = _locked(request_id)
    if request.agency_id != agency.pk:
        raise NotFound("no such request")
    text = _text(
        reason,
        "reason",
        _("Write why the district should reconsider."),
        _("Write why the district should reconsider in at most %(count)s characters."),
    )
    if not item_ids:
        raise InvalidInput([("items", _("Choose at least one record that was not released."))])
    items = list(request.items.select_related("request", "request_student").order_by("position"))
    by_id = {item.pk: item for item in items}
    if any(item_id not in by_id for item_id in item_ids):
        raise InvalidInput([("items", _("Choose records of this request from the list."))])
    shown = _requester_reads([by_id[i] for i in item_ids], request)
    if any(shown[i]["state"] != ItemState.REFUSED for i in item_ids):
        raise InvalidInput([("items", _("Choose only records that were not released."))])
    if request.reconsiderations.filter(outcome=ReconsiderationOutcome.PENDING).exists():
        raise Conflict(
            _("Counsel has not yet decided your last request for reconsideration of this request."),
            field="request",
        )
    now = timezone.now()
    asked = Reconsideration.objects.create(
        request=request, items=sorted(set(item_ids)), reason=text, asked_by=asked_by, asked_at=now
    )
    ledger_append_many(
        [
            LedgerEvent(
                event_type="request.reconsideration_asked",
                subject={"request": str(request.pk), "reconsideration": asked.pk},
                record={
                    "request": str(request.pk),
                    "reconsideration": asked.pk,
                    "items": asked.items,
                    "asked_by": asked_by.pk if asked_by is not None else None,
                    "asked_at": now,
                },
            )
        ]
    )
    transaction.on_commit(partial(_enqueue_counsel_notice, asked.pk))
    return asked


def _enqueue_counsel_notice(reconsideration_id: int) -> None:
    from brightline.casework.tasks import send_reconsideration_notice

    send_reconsideration_notice.enqueue(reconsideration_id)


def counsel_notice_send(*, reconsideration_id: int) -> bool:
    """E-mail the legal advisors that a reconsideration waits for them: the reference and a link."""
    asked = Reconsideration.objects.select_related("request").filter(pk=reconsideration_id).first()
    if asked is None:
        return False
    recipients = list(
        User.objects.filter(role=Role.LEGAL_ADVISOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return False
    link = f"{settings.SITE_URL.rstrip('/')}/review/reconsiderations/{asked.pk}/"
    send_mail(
        f"Request {asked.request.reference}: reconsideration asked",
        f"{asked.request.agency_name} asks for reconsideration on request {asked.request.reference}:\n{link}\n",
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )
    return True


def reopenable(asked: Reconsideration) -> list[Item]:
    """Every item of the students asked about that the requester reads as refused with no rule named."""
    request = asked.request
    students = set(Item.objects.filter(pk__in=asked.items).values_list("request_student_id", flat=True))
    items = list(
        request.items.filter(request_student_id__in=students)
        .select_related("request", "request_student")
        .order_by("position")
    )
    shown = _requester_reads(items, request)
    return [
        item for item in items if shown[item.pk]["state"] == ItemState.REFUSED and not shown[item.pk]["rules"]
    ]


@transaction.atomic
@ledger_batched
def reconsideration_decide(
    *, reconsideration_id: int, counsel: User, outcome: str, reason: str
) -> Reconsideration:
    """Counsel upholds or reopens, with a reason the requester reads (write no student's facts)."""
    from brightline.casework.services import request_refresh_state

    if counsel.role != Role.LEGAL_ADVISOR:
        raise NotAllowed(_("Only counsel (the legal advisor) decides a reconsideration."))
    problems: list[tuple[str, str]] = []
    if outcome not in (ReconsiderationOutcome.UPHELD, ReconsiderationOutcome.REOPENED):
        problems.append(("outcome", _("Choose the decision: uphold or reopen.")))
    try:
        text = _text(
            reason,
            "reason",
            _("Write the reason for the decision: the requester reads it."),
            _("Write the reason for the decision in at most %(count)s characters."),
        )
    except InvalidInput as error:
        problems += error.errors
    if problems:
        raise InvalidInput(problems)
    asked = Reconsideration.objects.select_related("request").filter(pk=reconsideration_id).first()
    if asked is None:
        raise NotFound("no such reconsideration")
    request = _locked(asked.request_id)
    asked = Reconsideration.objects.select_for_update().select_related("request").get(pk=asked.pk)
    if asked.outcome != ReconsiderationOutcome.PENDING:
        raise Conflict(_("This reconsideration is already decided."), field="reconsideration")
    now = timezone.now()
    with ledger_padded(
        leaves=DECISION_LEAVES, subject={}, record={"padding_for": "request.reconsideration_decided"}
    ):
        reopened: list[Item] = []
        if outcome == ReconsiderationOutcome.REOPENED:
            reopened = reopenable(asked)
            if not reopened:
                raise InvalidInput(
                    [
                        (
                            "outcome",
                            _(
                                "Choose to uphold: nothing here can be reopened, the policy refuses these "
                                "records whoever the student is."
                            ),
                        )
                    ]
                )
            _reopen(reopened, now=now)
            before = request.decision_due_at
            request.decision_due_at = max(before, decision_due_at(now, emergency=False))
            request.save(update_fields=["decision_due_at", "updated_at"])
            DeadlineChange.objects.create(
                request=request,
                kind=DeadlineChangeKind.EXTENDED,
                reason="reopened on reconsideration",
                due_before=before,
                due_after=request.decision_due_at,
                changed_by=counsel,
                changed_at=now,
            )
        asked.outcome = outcome
        asked.decision_reason = text
        asked.reopened_items = [item.pk for item in reopened]
        asked.decided_by = counsel
        asked.decided_by_name = counsel.get_full_name() or counsel.get_username()
        asked.decided_at = now
        asked.save()
        ledger_append_many(
            [
                LedgerEvent(
                    event_type="request.reconsideration_decided",
                    subject={"request": str(request.pk), "reconsideration": asked.pk},
                    record={
                        "request": str(request.pk),
                        "reconsideration": asked.pk,
                        "outcome": outcome,
                        "reopened_items": asked.reopened_items,
                        "decided_by": counsel.pk,
                        "decided_at": now,
                    },
                )
            ]
        )
        request_refresh_state(request, actor=counsel)
    _tell_requester(request, "reconsideration")
    return asked


def _reopen(items: list[Item], *, now: Any) -> None:
    """Back to "in review" as the requester reads it: a denial to its reviewer, a student nobody
    identified to the office, a refusal on the student's facts to the office's answers to send."""
    students: dict[int, RequestStudent] = {}
    for item in items:
        rs = item.request_student
        students[rs.pk] = rs
        if item.state == ItemState.DENIED:
            item.state = ItemState.PENDING_REVIEW
        elif item.state == ItemState.UNIDENTIFIED:
            item.state = ItemState.AWAITING_MATCH
            item.outcome = ""
            item.explanation = ""
        item.updated_at = now
    Item.objects.bulk_update(items, ["state", "outcome", "explanation", "updated_at"])
    for rs in students.values():
        fields = ["answer_sent_at", "answer_sent_by"]
        if rs.match_state == MatchState.CLOSED:
            rs.match_state = MatchState.NO_MATCH
            fields.append("match_state")
        rs.answer_sent_at = None
        rs.answer_sent_by = None
        rs.save(update_fields=fields)
