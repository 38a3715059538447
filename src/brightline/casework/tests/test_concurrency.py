"""Two reviewers deciding the same item at the same moment: one wins, the other is told so."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from brightline.accounts.models import Role
from brightline.casework import services
from brightline.casework.models import Decision, ItemState
from brightline.errors import Conflict
from brightline.testing import World, make_user, request_body

# How long a thread may take before the test calls it hung. Only a hang reaches it, so it can be wide
# enough for a machine busy with other work.
HANG = 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_one_item_at_once_one_gets_a_conflict(world: World) -> None:
    acting = make_user("acting-super", Role.SUPERINTENDENT, first="Acting", last="Superintendent")
    request = services.request_submit(
        agency=world.police, document=request_body(world.alice, categories=["academic"]), channel="api"
    ).request
    item = request.items.get()
    first_holds_lock = threading.Event()
    release_first = threading.Event()
    outcomes: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                services.item_decide(
                    item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="First."
                )
                first_holds_lock.set()
                # Keep the transaction (and the row lock) open while the second reviewer tries.
                release_first.wait(timeout=HANG)
            outcomes["first"] = "decided"
        except Exception as error:  # reported to the main thread below
            outcomes["first"] = error
        finally:
            connection.close()

    def second() -> None:
        try:
            services.item_decide(
                item_id=item.pk,
                reviewer=acting,
                action="approve",
                rationale="Second.",
                lawful_basis="consent_obtained",
            )
            outcomes["second"] = "decided"
        except Exception as error:
            outcomes["second"] = error
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_holds_lock.wait(timeout=HANG)
    two = threading.Thread(target=second)
    two.start()
    # One second in which the second reviewer would finish if the row lock did not hold it back; load
    # only slows that reviewer down, so a busy machine cannot fail this check.
    two.join(timeout=1)
    assert two.is_alive(), "the second reviewer must wait for the first one's row lock"
    release_first.set()
    one.join(timeout=HANG)
    two.join(timeout=HANG)
    assert not one.is_alive() and not two.is_alive(), f"a reviewer is still waiting after {HANG} s"
    assert outcomes["first"] == "decided"
    assert isinstance(outcomes["second"], Conflict)
    item.refresh_from_db()
    assert item.state == ItemState.DENIED
    assert Decision.objects.filter(item=item).count() == 1
