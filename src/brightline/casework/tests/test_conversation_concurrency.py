"""Two people acting on one request at the same moment (PostgreSQL, row locks): two clerks asking to
clarify, two counsel deciding one reconsideration. One wins; the other waits for the lock, then is told."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from brightline.accounts.models import Role
from brightline.casework import conversation, reconsideration, services
from brightline.casework.models import DeadlineChange, Reconsideration
from brightline.errors import Conflict
from brightline.testing import World, make_user, request_body

HANG = 60


def _race(first_call: Callable[[], object], second_call: Callable[[], object]) -> dict[str, object]:
    first_holds_lock = threading.Event()
    release_first = threading.Event()
    outcomes: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                first_call()
                first_holds_lock.set()
                release_first.wait(timeout=HANG)
            outcomes["first"] = "done"
        except Exception as error:
            outcomes["first"] = error
            first_holds_lock.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            second_call()
            outcomes["second"] = "done"
        except Exception as error:
            outcomes["second"] = error
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_holds_lock.wait(timeout=HANG)
    two = threading.Thread(target=second)
    two.start()
    two.join(timeout=1)
    assert two.is_alive(), "the second must wait for the first one's row lock"
    release_first.set()
    one.join(timeout=HANG)
    two.join(timeout=HANG)
    assert not one.is_alive() and not two.is_alive()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_asking_to_clarify_at_once_one_gets_a_conflict(world: World) -> None:
    other = make_user("other-clerk", Role.RECORDS_CLERK, first="Other", last="Clerk")
    request = services.request_submit(
        agency=world.police, document=request_body(world.alice, categories=["academic"]), channel="api"
    ).request
    outcomes = _race(
        lambda: conversation.clarification_ask(
            request_id=request.pk, asked_by=world.clerk, body="Which year?"
        ),
        lambda: conversation.clarification_ask(request_id=request.pk, asked_by=other, body="Which school?"),
    )
    assert outcomes["first"] == "done" and isinstance(outcomes["second"], Conflict)
    assert DeadlineChange.objects.filter(request=request, kind="paused").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_counsel_deciding_one_reconsideration_at_once_one_gets_a_conflict(world: World) -> None:
    other = make_user("other-counsel", Role.LEGAL_ADVISOR, first="Other", last="Counsel")
    request = services.request_submit(
        agency=world.police, document=request_body(world.alice, categories=["academic"]), channel="api"
    ).request
    item = request.items.get()
    services.item_decide(item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="No.")
    asked = reconsideration.reconsideration_ask(
        request_id=request.pk, agency=world.police, asked_by=None, item_ids=[item.pk], reason="Again."
    )
    outcomes = _race(
        lambda: reconsideration.reconsideration_decide(
            reconsideration_id=asked.pk, counsel=world.legal_advisor, outcome="upheld", reason="Stands."
        ),
        lambda: reconsideration.reconsideration_decide(
            reconsideration_id=asked.pk, counsel=other, outcome="reopened", reason="Reopen."
        ),
    )
    assert outcomes["first"] == "done" and isinstance(outcomes["second"], Conflict)
    assert Reconsideration.objects.get(pk=asked.pk).outcome == "upheld"
