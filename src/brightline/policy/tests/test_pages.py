"""Policy pages: drafting in the browser, the lifecycle forms, diffs, and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.policy.models import Version, VersionStatus
from brightline.policy.services import policy_draft_create
from brightline.policy.tests.lifecycle_helpers import counsel_reviews_by_default, reworded_draft
from brightline.testing import World

pytestmark = [pytest.mark.django_db, pytest.mark.urls("brightline.policy.tests.urls")]


def staff_client(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def test_counsel_drafts_in_the_browser_and_an_invalid_text_is_shown_with_its_problem(world: World) -> None:
    client = staff_client(world.legal_advisor)
    form = client.get("/policy/versions/new").content.decode()
    assert "Cedar text" in form and "forbid" in form  # starts from the text in effect
    bad = reworded_draft().replace('Category::"discipline"', 'Category::"discpline"')
    response = client.post("/policy/versions/new", {"label": "2026.3", "summary": "Plainer R4.", "text": bad})
    assert response.status_code == 200 and "discpline" in response.content.decode()
    assert not Version.objects.filter(number=2).exists()
    response = client.post(
        "/policy/versions/new", {"label": "2026.3", "summary": "Plainer R4.", "text": reworded_draft()}
    )
    assert response.status_code == 302 and response["Location"] == "/policy/versions/2/"
    page = client.get("/policy/versions/2/").content.decode()
    assert "every policy test passes" in page and "Open for public comment" in page


def test_a_draft_is_for_policy_staff_until_it_opens_for_comment(world: World) -> None:
    draft = policy_draft_create(
        author=world.legal_advisor, label="2026.3", text=reworded_draft(), summary="Plainer R4."
    )
    assert Client().get(f"/policy/versions/{draft.number}/").status_code == 404
    assert "2026.3" not in Client().get("/policy/versions/").content.decode()
    assert staff_client(world.clerk).get(f"/policy/versions/{draft.number}/edit").status_code == 403
    client = staff_client(world.superintendent)
    today = timezone.localdate()
    response = client.post(
        f"/policy/versions/{draft.number}/lifecycle",
        {
            "step": "open_comment",
            "opens_on": today.isoformat(),
            "closes_on": (today + dt.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Version.objects.get(pk=draft.pk).status == VersionStatus.COMMENT
    public = Client().get(f"/policy/versions/{draft.number}/").content.decode()
    assert "Comment on this version" in public and "Plainer R4." in public


def test_a_draft_whose_tests_fail_does_not_open_and_the_page_says_why(world: World) -> None:
    draft = policy_draft_create(
        author=world.legal_advisor, label="2026.3", text=counsel_reviews_by_default(), summary="Counsel."
    )
    client = staff_client(world.legal_advisor)
    assert (
        "Before this draft can open for comment"
        in client.get(f"/policy/versions/{draft.number}/").content.decode()
    )
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/policy/versions/{draft.number}/lifecycle",
        {"step": "open_comment", "opens_on": today, "closes_on": today},
    )
    assert response.status_code == 422 and "got legal_advisor" in response.content.decode()
    assert Version.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_the_diff_between_two_versions_labels_each_changed_line(world: World) -> None:
    draft = policy_draft_create(
        author=world.legal_advisor, label="2026.3", text=reworded_draft(), summary="x"
    )
    Version.objects.filter(pk=draft.pk).update(status=VersionStatus.COMMENT)
    page = Client().get("/policy/diff/?from=1&to=2").content.decode()
    assert "Lines added: 1; lines removed: 1." in page
    assert (
        "Removed: </span>@explanation(&quot;school police incident reports may be given to law enforcement for a criminal investigation"
        in page
    )
    assert (
        "Added: </span>@explanation(&quot;school police incident reports may be given to law enforcement for an investigation of a crime"
        in page
    )
    assert "+++ version 2 (2026.3)" in page
    assert Client().get("/policy/diff/?from=1&to=99").status_code == 404


def test_what_would_change_is_a_page_for_policy_staff(world: World) -> None:
    draft = policy_draft_create(
        author=world.legal_advisor, label="2026.3", text=counsel_reviews_by_default(), summary="x"
    )
    page = staff_client(world.superintendent).get(f"/policy/versions/{draft.number}/simulate?months=6")
    assert page.status_code == 200 and "Items that would be decided differently: 0" in page.content.decode()
    assert (
        staff_client(world.clerk).get(f"/policy/versions/{draft.number}/simulate?months=6").status_code == 403
    )
    assert (
        staff_client(world.superintendent)
        .get(f"/policy/versions/{draft.number}/simulate?months=99")
        .status_code
        == 200
    )


def test_the_list_of_versions_shows_the_default_in_effect_from_the_beginning(world: World) -> None:
    page = Client().get("/policy/versions/").content.decode()
    assert "from the beginning" in page and "Effective" in page
