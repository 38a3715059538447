"""The notices' side of casework's port (`casework.followers`), registered at start-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from brightline.notices.selectors import advance_notice_satisfied, objection_pending
from brightline.notices.services import (
    advance_notices_queue,
    counsel_notice_for_preservation,
    obligations_after_triage,
)


class FamilyAndCounsel:
    def before_release(self, *, request: Any, student: Any, items: Sequence[Any]) -> None:
        advance_notices_queue(request=request, student=student, items=items)

    def after_triage(self, *, request: Any, request_students: Sequence[Any], items: Sequence[Any]) -> None:
        obligations_after_triage(request=request, request_students=request_students, items=items)

    def preservation_recorded(self, *, preservation: Any) -> None:
        counsel_notice_for_preservation(preservation=preservation)

    def release_may_proceed(self, *, request: Any, student_id: int, now: dt.datetime) -> bool:
        return advance_notice_satisfied(
            request=request, student_id=student_id, now=now
        ) and not objection_pending(request=request, student_id=student_id)
