"""The district answers the public comments theme by theme before the committee's vote, and the adoption
page shows the vote: adoption is refused while a published comment has no response."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from brightline.accounts.models import User
from brightline.accounts.tests.helpers import sign_in
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.ledger.models import LedgerEntry
from brightline.policy.models import Comment, Version, VersionStatus
from brightline.policy.services import (
    comments_without_response,
    policy_comment_moderate,
    policy_comment_submit,
    policy_comment_theme_write,
    policy_comment_verify,
    policy_draft_create,
    policy_version_adopt,
    policy_version_open_comment,
)
from brightline.policy.tests.lifecycle_helpers import reworded_draft
from brightline.testing import World

pytestmark = pytest.mark.django_db

MINUTES = "https://school-committee.example/minutes/2026-04-01"


def published_comment(capture: Any, version: Version, name: str, body: str, address: str) -> Comment:
    """A comment sent as the page sends it, confirmed from the link mailed to its author, then published."""
    email = f"{name.split()[0].lower()}@example.org"
    with capture(execute=True):
        comment = policy_comment_submit(
            version_id=version.pk,
            name=name,
            email=email,
            body=body,
            ip=address,
            verify_url="https://district.example/policy/comments/confirm/{token}",
        )
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    found = re.search(r"/policy/comments/confirm/(\S+)", message.body)
    assert found
    policy_comment_verify(token=found.group(1))
    counsel = User.objects.get(username="counsel")
    return policy_comment_moderate(comment_id=comment.pk, moderator=counsel, publish=True)


@pytest.fixture
def version(world: World) -> Version:
    draft = policy_draft_create(
        author=world.legal_advisor, label="2026.3", text=reworded_draft(), summary="R4 in plain words."
    )
    today = timezone.localdate()
    return policy_version_open_comment(
        version_id=draft.pk,
        opened_by=world.legal_advisor,
        opens_on=today,
        closes_on=today + dt.timedelta(days=2),
    )


def adopt(world: World, version: Version) -> Version:
    return policy_version_adopt(
        version_id=version.pk,
        recorded_by=world.superintendent,
        voted_on=timezone.localdate() - dt.timedelta(days=1),
        minutes_url=MINUTES,
        meeting="Regular meeting of the school committee",
        result="6 to 1",
    )


def test_adoption_waits_for_a_response_to_every_published_comment(
    world: World, version: Version, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    police = published_comment(
        capture, version, "Ana Lopes", "Rule F4 must stay: no discipline to police.", "198.51.100.1"
    )
    families = published_comment(
        capture, version, "Jo Brown", "Tell families before police see records.", "198.51.100.2"
    )
    ice = published_comment(capture, version, "Kim Le", "Never help immigration enforcement.", "198.51.100.3")
    with time_machine.travel(timezone.now() + dt.timedelta(days=4), tick=True):
        with pytest.raises(InvalidInput, match="3 published comment"):
            adopt(world, version)
        with pytest.raises(NotAllowed):
            policy_comment_theme_write(
                version_id=version.pk,
                author=world.clerk,
                title="Police",
                changed=False,
                response="x",
                comment_ids=[police.pk],
            )
        with pytest.raises(InvalidInput) as error:
            policy_comment_theme_write(
                version_id=version.pk,
                author=world.legal_advisor,
                title="",
                changed=False,
                response="",
                comment_ids=[],
            )
        assert [field for field, _ in error.value.errors] == ["title", "response", "comment_ids"]
        policy_comment_theme_write(
            version_id=version.pk,
            author=world.legal_advisor,
            title="School discipline and the police",
            changed=False,
            response="Rule F4 is unchanged: discipline records never go to the police without legal process.",
            comment_ids=[police.pk, ice.pk],
        )
        assert comments_without_response(Version.objects.get(pk=version.pk)) == [families]
        with pytest.raises(InvalidInput, match="1 published comment"):
            adopt(world, version)
        policy_comment_theme_write(
            version_id=version.pk,
            author=world.legal_advisor,
            title="Telling families first",
            changed=True,
            response="Rule V4 now gives families notice before any federal release.",
            comment_ids=[families.pk],
        )
        adopted = adopt(world, version)
    assert adopted.status == VersionStatus.ADOPTED
    with pytest.raises(Conflict):
        policy_comment_theme_write(
            version_id=version.pk,
            author=world.legal_advisor,
            title="Late",
            changed=False,
            response="Too late.",
            comment_ids=[police.pk],
        )
    events = list(LedgerEntry.objects.order_by("index").values_list("event_type", flat=True))
    assert events.count("policy.comment_response_published") == 2
    adopted_entry = LedgerEntry.objects.filter(event_type="policy.adopted").get()
    assert adopted_entry.pk


def test_the_version_page_shows_the_response_by_theme_and_the_committee_vote(
    world: World, version: Version, django_capture_on_commit_callbacks: Any
) -> None:
    police = published_comment(
        django_capture_on_commit_callbacks, version, "Ana Lopes", "Rule F4 must stay.", "198.51.100.1"
    )
    staff = Client()
    sign_in(staff, world.legal_advisor)
    page = f"/policy/versions/{version.number}/"
    assert "Published comments without a response: 1." in staff.get(page).content.decode()
    response = staff.post(
        f"{page}responses",
        {
            "title": "School discipline and the police",
            "changed": "no",
            "response": "Rule F4 is unchanged.",
            "comment_ids": [str(police.pk)],
        },
    )
    assert response.status_code == 302
    with time_machine.travel(timezone.now() + dt.timedelta(days=4), tick=True):
        sign_in(staff, world.legal_advisor)  # a new day, a new session
        vote = staff.post(
            f"/policy/versions/{version.number}/lifecycle",
            {
                "step": "adopt",
                "voted_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
                "meeting": "Regular meeting of the school committee",
                "result": "6 to 1",
                "minutes_url": MINUTES,
            },
        )
        assert vote.status_code == 302 and vote["Location"] == page
    shown = Client().get(page).content.decode()
    assert "The district&#x27;s response to the comments" in shown or "The district's response" in shown
    assert "School discipline and the police" in shown and "Why the draft did not change:" in shown
    assert f'href="#comment-{police.pk}"' in shown and f'id="comment-{police.pk}"' in shown
    assert "The school committee&#x27;s vote" in shown or "The school committee's vote" in shown
    assert "Regular meeting of the school committee" in shown and "6 to 1" in shown
