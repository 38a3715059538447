"""Reconsideration: the requester asks about items it reads as refused; counsel upholds or reopens.
What the requester reads of it is the same whether the student was denied, unidentified or refused on
its own facts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from brightline.accounts.tests.helpers import sign_in
from brightline.casework import reconsideration, selectors, services
from brightline.casework.models import ItemState, Request
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.models import LedgerEntry
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

MADE_UP = {"first_name": "Nobody", "last_name": "Atall", "birth_date": "2012-02-02"}


def _portal_submit(world: World, body: dict[str, Any]) -> Request:
    return services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request


def _denied(world: World) -> Request:
    request = _portal_submit(world, request_body(world.alice, by_name=True, categories=["academic"]))
    item = request.items.get()
    services.item_decide(
        item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="Not needed."
    )
    return request


def _unidentified(world: World) -> Request:
    body = request_body(categories=["academic"])
    body["students"] = [MADE_UP]
    request = _portal_submit(world, body)
    rs = request.students.get()
    services.student_close_unidentified(request_student_id=rs.pk, closed_by=world.clerk, reason="Not ours.")
    return request


def _requester_reads(world: World, request: Request) -> dict[str, Any]:
    found = selectors.request_get(request_id=request.pk, agency=world.police)
    view = selectors.request_representation(found, for_agency=True)
    return {
        "state": view["state"],
        "items": [(i["state"], i["rules"], i["explanation"]) for i in view["items"]],
        "reconsiderations": [(r.outcome, r.decision_reason) for r in selectors.reconsiderations_of(found)],
    }


@pytest.mark.parametrize("outcome", ["upheld", "reopened"])
def test_a_denial_and_an_unidentified_student_read_alike_through_a_reconsideration(
    world: World, outcome: str, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    seen = []
    leaves = []
    for make in (_denied, _unidentified):
        request = make(world)
        item = request.items.get()
        before = _requester_reads(world, request)
        assert before["items"][0][0] == ItemState.REFUSED
        with django_capture_on_commit_callbacks(execute=True):
            asked = reconsideration.reconsideration_ask(
                request_id=request.pk,
                agency=world.police,
                asked_by=world.detective,
                item_ids=[item.pk],
                reason="The records bear on a missing child.",
            )
        counsel_told = [m for m in mailoutbox if world.legal_advisor.email in m.to]
        assert counsel_told and request.reference in counsel_told[-1].subject
        start = LedgerEntry.objects.count()
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            reconsideration.reconsideration_decide(
                reconsideration_id=asked.pk,
                counsel=world.legal_advisor,
                outcome=outcome,
                reason="Looked again.",
            )
        leaves.append(LedgerEntry.objects.count() - start)
        told = sorted(
            m.subject.replace(request.reference, "REF") for m in mailoutbox if m.to == [world.detective.email]
        )
        seen.append((before, _requester_reads(world, request), told))
    assert seen[0] == seen[1]
    assert leaves[0] == leaves[1] == reconsideration.DECISION_LEAVES
    if outcome == "reopened":
        assert seen[0][1]["state"] == "in_review"
        assert [i[0] for i in seen[0][1]["items"]] == [ItemState.PENDING_REVIEW]


def test_a_reopened_denial_goes_back_to_its_reviewer_and_an_unidentified_student_to_the_office(
    world: World,
) -> None:
    denied = _denied(world)
    unknown = _unidentified(world)
    for request in (denied, unknown):
        asked = reconsideration.reconsideration_ask(
            request_id=request.pk,
            agency=world.police,
            asked_by=world.detective,
            item_ids=[request.items.get().pk],
            reason="Please look again.",
        )
        reconsideration.reconsideration_decide(
            reconsideration_id=asked.pk, counsel=world.legal_advisor, outcome="reopened", reason="Reopened."
        )
    assert denied.items.get().state == ItemState.PENDING_REVIEW
    assert unknown.items.get().state == ItemState.AWAITING_MATCH
    assert unknown.students.get().match_state == "no_match"


def test_only_items_read_as_refused_by_its_own_agency_and_counsel_decides_once(world: World) -> None:
    pending = _portal_submit(world, request_body(world.alice, categories=["academic"]))
    with pytest.raises(InvalidInput) as error:
        reconsideration.reconsideration_ask(
            request_id=pending.pk,
            agency=world.police,
            asked_by=world.detective,
            item_ids=[pending.items.get().pk],
            reason="Why?",
        )
    assert error.value.errors[0][0] == "items"
    request = _denied(world)
    item_id = request.items.get().pk
    with pytest.raises(NotFound):
        reconsideration.reconsideration_ask(
            request_id=request.pk, agency=world.transit, asked_by=None, item_ids=[item_id], reason="x"
        )
    with pytest.raises(InvalidInput) as error:
        reconsideration.reconsideration_ask(
            request_id=request.pk, agency=world.police, asked_by=None, item_ids=[item_id], reason=" "
        )
    assert error.value.errors[0][0] == "reason"
    asked = reconsideration.reconsideration_ask(
        request_id=request.pk, agency=world.police, asked_by=None, item_ids=[item_id], reason="Look again."
    )
    with pytest.raises(Conflict):
        reconsideration.reconsideration_ask(
            request_id=request.pk, agency=world.police, asked_by=None, item_ids=[item_id], reason="Again."
        )
    with pytest.raises(NotAllowed):
        reconsideration.reconsideration_decide(
            reconsideration_id=asked.pk, counsel=world.superintendent, outcome="upheld", reason="x"
        )
    with pytest.raises(InvalidInput) as error:
        reconsideration.reconsideration_decide(
            reconsideration_id=asked.pk, counsel=world.legal_advisor, outcome="maybe", reason="x"
        )
    assert error.value.errors[0][0] == "outcome"
    reconsideration.reconsideration_decide(
        reconsideration_id=asked.pk,
        counsel=world.legal_advisor,
        outcome="upheld",
        reason="The denial stands.",
    )
    with pytest.raises(Conflict):
        reconsideration.reconsideration_decide(
            reconsideration_id=asked.pk, counsel=world.legal_advisor, outcome="upheld", reason="x"
        )
    assert request.items.get().state == ItemState.DENIED


def test_a_refusal_by_a_rule_for_everyone_cannot_be_reopened(world: World, client: Client) -> None:
    body = request_body(world.alice, purpose="civil_immigration_enforcement", categories=["directory"])
    request = services.request_submit(agency=world.ice, document=body, channel="api").request
    asked = reconsideration.reconsideration_ask(
        request_id=request.pk, agency=world.ice, asked_by=None, item_ids=[request.items.get().pk], reason="x"
    )
    with pytest.raises(InvalidInput) as error:
        reconsideration.reconsideration_decide(
            reconsideration_id=asked.pk, counsel=world.legal_advisor, outcome="reopened", reason="x"
        )
    assert error.value.errors[0][0] == "outcome"


def test_the_api_asks_and_reads_a_reconsideration(world: World, client: Client) -> None:
    request = _denied(world)
    url = f"/api/v1/requests/{request.pk}/reconsiderations"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world.police_token}"}
    body = {"items": [request.items.get().pk], "reason": "Please look again."}
    response = client.post(url, data=json.dumps(body), content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    listed = client.get(url, **auth).json()
    assert listed[0]["outcome"] == "pending" and "decided_by" not in listed[0]
    response = client.post(
        url, data=json.dumps({"items": [], "reason": "x"}), content_type="application/json", **auth
    )
    assert response.status_code in (409, 422)
    counsel = Client()
    sign_in(counsel, world.legal_advisor)
    response = counsel.post(
        f"/api/v1/reconsiderations/{listed[0]['id']}/decision",
        data=json.dumps({"outcome": "upheld", "reason": "It stands."}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert client.get(url, **auth).json()[0]["decision_reason"] == "It stands."


def test_ask_and_decide_through_the_pages(world: World, settings: Any) -> None:
    settings.REQUIRE_MFA = False
    request = _denied(world)
    portal, counsel = Client(), Client()
    sign_in(portal, world.detective)
    sign_in(counsel, world.legal_advisor)
    page = portal.get(f"/portal/requests/{request.pk}/").content.decode()
    assert "Ask for reconsideration" in page
    item = request.items.get()
    response = portal.post(
        f"/portal/requests/{request.pk}/reconsider", {"items": [str(item.pk)], "reason": " "}, follow=True
    )
    page = response.content.decode()
    # A sentence naming the field, linked from the summary at the top to the field, and shown beside it.
    assert '<a href="#reconsider-reason">Write why the district should reconsider.</a>' in page
    assert (
        '<span class="usa-error-message" id="reconsider-reason-error">Write why the district should reconsider.</span>'
        in page
    )
    assert "Reason:" not in page and "reason:" not in page
    response = portal.post(
        f"/portal/requests/{request.pk}/reconsider", {"items": ["²"], "reason": "Because."}, follow=True
    )
    assert (
        '<a href="#reconsider-items">Choose records of this request from the list.</a>'
        in response.content.decode()
    )
    response = portal.post(
        f"/portal/requests/{request.pk}/reconsider",
        {"items": [str(item.pk)], "reason": "The child is missing."},
        follow=True,
    )
    assert "Waiting for the district" in response.content.decode()
    queue = counsel.get("/review/").content.decode()
    asked = request.reconsiderations.get()
    assert f"/review/reconsiderations/{asked.pk}/" in queue
    page = counsel.get(f"/review/reconsiderations/{asked.pk}/").content.decode()
    assert "The child is missing." in page and "Reopen for a new decision" in page
    superintendent = Client()
    sign_in(superintendent, world.superintendent)
    assert superintendent.get(f"/review/reconsiderations/{asked.pk}/").status_code == 403
    response = counsel.post(
        f"/review/reconsiderations/{asked.pk}/", {"outcome": "", "reason": ""}, follow=True
    )
    page = response.content.decode()
    assert '<a href="#outcome-upheld">Choose the decision: uphold or reopen.</a>' in page
    assert '<a href="#decision-reason">Write the reason for the decision: the requester reads it.</a>' in page
    assert response.redirect_chain[-1][0].endswith("#outcome-upheld")
    counsel.post(f"/review/reconsiderations/{asked.pk}/", {"outcome": "reopened", "reason": "Looked again."})
    page = portal.get(f"/portal/requests/{request.pk}/").content.decode()
    assert "Counsel reopened these records for a new decision. Looked again." in page
    assert world.legal_advisor.get_full_name() not in page
