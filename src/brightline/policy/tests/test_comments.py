"""Public comment: anyone comments during the period, confirms by email, staff moderate, the page shows it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.errors import Conflict, NotAllowed, NotFound
from brightline.policy.models import Comment, CommentStatus, Version
from brightline.policy.selectors import comment_summary
from brightline.policy.services import (
    COMMENTS_PER_ADDRESS_PER_HOUR,
    mentions,
    policy_comment_moderate,
    policy_comment_submit,
    policy_comment_verify,
    policy_draft_create,
    policy_version_open_comment,
)
from brightline.policy.tests.lifecycle_helpers import reworded_draft
from brightline.testing import World

pytestmark = [pytest.mark.django_db, pytest.mark.urls("brightline.policy.tests.urls")]
VERIFY = "https://district.example/policy/comments/confirm/{token}"


@pytest.fixture
def open_version(world: World) -> Version:
    version = policy_draft_create(
        author=world.legal_advisor, label="2026.3", text=reworded_draft(), summary="R4 in plain words."
    )
    today = timezone.localdate()
    return policy_version_open_comment(
        version_id=version.pk,
        opened_by=world.legal_advisor,
        opens_on=today,
        closes_on=today + dt.timedelta(days=30),
    )


def confirm_link(message: mail.EmailMessage) -> str:
    match = re.search(r"/policy/comments/confirm/(\S+)", message.body)
    assert match
    return match.group(0)


def test_a_comment_is_published_after_email_confirmation_and_moderation(
    world: World, open_version: Version, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    page = f"/policy/versions/{open_version.number}/"
    assert "Comment on this version" in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{page}comment",
            {
                "name": "Ana Lopes",
                "email": "Ana@Example.org",
                "body": "Rule F4 must stay: discipline is not police work.",
            },
        )
    assert response.status_code == 200 and "Check your e-mail" in response.content.decode()
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.UNVERIFIED and comment.email == "ana@example.org"
    assert comment.rules_mentioned == ["F4"] and comment.categories_mentioned == ["discipline"]
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    link = confirm_link(message)
    assert "Ana Lopes" not in client.get(page).content.decode()

    assert "Confirm my comment" in client.get(link).content.decode()  # a GET confirms nothing
    assert Comment.objects.get().status == CommentStatus.UNVERIFIED
    assert "is confirmed" in client.post(link).content.decode()
    assert Comment.objects.get().status == CommentStatus.PENDING

    staff = Client()
    sign_in(staff, world.superintendent)
    assert "discipline is not police work" in staff.get("/policy/comments/").content.decode()
    staff.post(f"/policy/comments/{comment.pk}/moderate", {"decision": "publish"})
    shown = client.get(page).content.decode()
    assert "Ana Lopes" in shown and "discipline is not police work" in shown
    assert "ana@example.org" not in shown.lower()


def test_comments_are_refused_outside_the_period_and_for_drafts(world: World, open_version: Version) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
        with pytest.raises(Conflict):
            policy_comment_submit(
                version_id=open_version.pk,
                body="Late.",
                email="a@example.org",
                ip="10.0.0.1",
                verify_url=VERIFY,
            )
    draft = policy_draft_create(
        author=world.legal_advisor, label="2026.4", text=reworded_draft(), summary="x"
    )
    response = Client().post(
        f"/policy/versions/{draft.number}/comment", {"email": "a@example.org", "body": "Hi"}
    )
    assert response.status_code == 404


def test_comments_are_limited_per_address_and_per_email(world: World, open_version: Version) -> None:
    for number in range(COMMENTS_PER_ADDRESS_PER_HOUR):
        policy_comment_submit(
            version_id=open_version.pk,
            body=f"Comment {number}",
            email=f"p{number}@example.org",
            ip="10.0.0.9",
            verify_url=VERIFY,
        )
    with pytest.raises(NotAllowed, match="this address"):
        policy_comment_submit(
            version_id=open_version.pk,
            body="One more",
            email="new@example.org",
            ip="10.0.0.9",
            verify_url=VERIFY,
        )
    for number in range(3):
        policy_comment_submit(
            version_id=open_version.pk,
            body=f"Again {number}",
            email="same@example.org",
            ip=f"10.1.0.{number}",
            verify_url=VERIFY,
        )
    response = Client(REMOTE_ADDR="10.2.0.1").post(
        f"/policy/versions/{open_version.number}/comment", {"email": "SAME@example.org", "body": "And again"}
    )
    assert (
        response.status_code == 429
        and "too many comments from this email" in response.content.decode().lower()
    )


def test_the_committee_summary_counts_every_confirmed_comment_and_its_themes(
    world: World, open_version: Version
) -> None:
    bodies = [
        "Keep rule F1 and never give immigration status.",
        "Rule F1 protects families. Also rule D is too broad.",
        "Please publish the counts of health records released.",
    ]
    comments = []
    for number, body in enumerate(bodies):
        comment = policy_comment_submit(
            version_id=open_version.pk,
            body=body,
            email=f"c{number}@example.org",
            ip="10.3.0.1",
            verify_url=VERIFY,
        )
        comments.append(comment)
    Comment.objects.filter(pk__in=[c.pk for c in comments[:2]]).update(status=CommentStatus.PENDING)
    policy_comment_moderate(comment_id=comments[0].pk, moderator=world.legal_advisor, publish=True)
    policy_comment_moderate(
        comment_id=comments[1].pk, moderator=world.legal_advisor, publish=False, reason="Names a student."
    )
    with pytest.raises(NotAllowed):
        policy_comment_moderate(comment_id=comments[2].pk, moderator=world.clerk, publish=True)
    summary = comment_summary(open_version)
    assert (
        summary.received,
        summary.confirmed,
        summary.published,
        summary.not_published,
        summary.waiting,
    ) == (3, 2, 1, 1, 0)
    assert summary.rules == [("F1", 2), ("D", 1)]
    assert summary.categories == [("immigration", 1)]


def test_a_confirmation_link_expires_and_an_unknown_one_is_not_found(
    world: World, open_version: Version, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        policy_comment_submit(
            version_id=open_version.pk, body="Hi", email="late@example.org", ip="10.4.0.1", verify_url=VERIFY
        )
    token = confirm_link(mail.outbox[-1]).rsplit("/", 1)[1]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=49)):
        with pytest.raises(Conflict, match="expired"):
            policy_comment_verify(token=token)
    assert policy_comment_verify(token=token).status == CommentStatus.PENDING
    with pytest.raises(NotFound, match="not valid"):
        policy_comment_verify(token="nonsense")
    assert Client().post("/policy/comments/confirm/nonsense").status_code == 404


def test_rules_are_recognised_by_id_and_single_letters_only_after_the_word_rule() -> None:
    assert mentions("Rules R1 and v2; rule L; plan D") == (["L", "R1", "V2"], [])
