"""The notices' side of the record of disclosures' port (`disclosures.followers`), registered at start-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from brightline.disclosures.followers import DecisionDue
from brightline.notices.models import FamilyNoticeDecision, FamilyNoticeState, NoticeKind
from brightline.notices.services import (
    _queue,
    after_release_notices_queue,
    family_notice_decision_for_entry,
    forbidden_disclosure_alert,
)


class FamilyNotices:
    def after_release(
        self, *, request: Any, student: Any, categories: Sequence[str], entry: Any = None
    ) -> None:
        after_release_notices_queue(
            request=request, student=student, categories=list(categories), entry=entry
        )

    def entry_withheld(self, *, entry: Any) -> None:
        family_notice_decision_for_entry(entry=entry)

    def forbidden_party(self, *, entry: Any) -> None:
        forbidden_disclosure_alert(entry=entry)

    def order_ended(
        self, *, request: Any, student: Any, categories: Sequence[str], details: dict[str, Any]
    ) -> None:
        _queue(
            kind=NoticeKind.ORDER_ENDED,
            request=request,
            student=student,
            categories=list(categories),
            details=details,
        )

    def decisions_due(self, *, until: dt.datetime) -> Sequence[DecisionDue]:
        decisions = FamilyNoticeDecision.objects.filter(
            Q(state__in=(FamilyNoticeState.PENDING, FamilyNoticeState.WITHHELD)), due_at__lte=until
        ).order_by("due_at", "pk")
        return [DecisionDue(decision.pk, decision.reference, decision.due_at) for decision in decisions]
