"""Every path a request can take, walked through the services end to end."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from brightline.casework import services
from brightline.casework.models import ItemState, MatchState, RequestState
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.disclosures.selectors import disclosures_for_family
from brightline.disclosures.services import (
    delivery_link_issue,
    delivery_link_redeem,
    packet_acknowledge,
    packet_release,
)
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.models import LedgerEntry
from brightline.ledger.services import PADDING_EVENT
from brightline.notices.models import FamilyNotice, NoticeKind, NoticeState
from brightline.notices.services import notice_mark_mailed
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def submit(world: World, agency, user, body):
    return services.request_submit(agency=agency, document=body, channel="portal", submitted_by=user).request


def items_by_category(request):
    return {item.category: item for item in request.items.order_by("position")}


def test_emergency_items_are_released_without_review_and_recorded_with_the_threat(world: World) -> None:
    body = request_body(
        world.alice,
        purpose="health_safety_emergency",
        categories=["contact", "health", "discipline"],
        emergency={
            "threat": "Student missing after a bomb threat at the station",
            "ends_at": (timezone.now() + dt.timedelta(hours=6)).isoformat(),
        },
    )
    request = submit(world, world.transit, world.transit_officer, body)
    items = items_by_category(request)
    # Released without a superintendent's review, but only once the district found the threat real.
    assert items["contact"].state == ItemState.AWAITING_DETERMINATION
    assert items["health"].state == ItemState.AWAITING_DETERMINATION
    assert items["discipline"].state == ItemState.PENDING_REVIEW
    assert request.state == RequestState.IN_REVIEW
    # An emergency is due the same day.
    assert timezone.localdate(request.decision_due_at) == timezone.localdate(request.received_at)
    with pytest.raises(Conflict):
        packet_release(request_id=request.pk, released_by=world.clerk)
    services.emergency_determine(
        request_student_id=items["contact"].request_student_id,
        official=world.clerk,
        found=True,
        threat="Student missing after a bomb threat at the station; last seen at 7:40",
        rationale="Called Sgt. Alves back on the station's published number.",
    )

    packet = packet_release(request_id=request.pk, released_by=world.clerk)
    released = {c["category"]: c["fields"] for c in packet.content["students"][0]["categories"]}
    assert set(released) == {"contact", "health"}
    assert released["contact"]["home_address"] == "12 Elm Street, Boston, MA 02119"
    entry = DisclosureEntry.objects.get(kind=EntryKind.DISCLOSURE, student=world.alice)
    # The threat as the district found it (99.32(a)(5)).
    assert entry.threat.endswith("last seen at 7:40")
    assert entry.recipients == ["R. Alves, Transit Police"]
    assert entry.party_position == "Sergeant"
    assert entry.released_by_name == "Rita Clerk"
    # Notice after release goes to both guardians (one by email, one by letter).
    after = FamilyNotice.objects.filter(request=request, kind=NoticeKind.AFTER_RELEASE)
    assert after.count() == 2
    request.refresh_from_db()
    assert request.state == RequestState.IN_REVIEW  # discipline still waits for the superintendent


def test_reviewed_item_is_approved_only_with_a_lawful_basis_the_policy_accepts(world: World) -> None:
    body = request_body(world.alice, purpose="school_transfer", categories=["academic"])
    request = submit(world, world.police, world.detective, body)
    item = request.items.get()
    assert item.state == ItemState.PENDING_REVIEW and item.reviewer == "superintendent"
    with pytest.raises(InvalidInput) as missing:
        services.item_decide(item_id=item.pk, reviewer=world.superintendent, action="approve", rationale="ok")
    assert missing.value.errors[0][0] == "lawful_basis"
    with pytest.raises(InvalidInput) as unsupported:
        services.item_decide(
            item_id=item.pk,
            reviewer=world.superintendent,
            action="approve",
            rationale="ok",
            lawful_basis="consent_obtained",
        )
    assert unsupported.value.errors[0][0] == "lawful_basis"
    with pytest.raises(NotAllowed):
        services.item_decide(
            item_id=item.pk, reviewer=world.legal_advisor, action="deny", rationale="not mine"
        )
    item.refresh_from_db()
    assert item.state == ItemState.PENDING_REVIEW


def test_denied_item_closes_the_request_and_the_family_sees_the_request(world: World) -> None:
    request = submit(world, world.police, world.detective, request_body(world.alice, categories=["academic"]))
    item = request.items.get()
    decision = services.item_decide(
        item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="No lawful basis shown."
    )
    assert decision.item.state == ItemState.DENIED
    request.refresh_from_db()
    assert request.state == RequestState.CLOSED
    with pytest.raises(Conflict):
        services.item_decide(item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="again")
    entries = list(disclosures_for_family(user=world.parent, student=world.alice))
    assert [e.kind for e in entries] == [EntryKind.REQUEST]
    assert entries[0].party_affiliation == "City Police Department"


def test_refused_request_releases_nothing_and_is_still_recorded(world: World) -> None:
    body = request_body(
        world.alice, purpose="civil_immigration_enforcement", categories=["contact", "enrollment"]
    )
    request = submit(world, world.ice, world.immigration_officer, body)
    assert {item.state for item in request.items.all()} == {ItemState.REFUSED}
    assert all(item.rules == ["F1"] for item in request.items.all())
    assert request.state == RequestState.CLOSED
    with pytest.raises(Conflict):
        packet_release(request_id=request.pk, released_by=world.clerk)
    entry = DisclosureEntry.objects.get(student=world.alice, kind=EntryKind.REQUEST)
    assert entry.outcome == "2 refuse"


def test_narrowed_item_releases_only_the_remaining_fields(world: World) -> None:
    body = request_body(
        world.alice,
        categories=["attendance"],
        legal_process={"kind": "court_order", "nondisclosure_order": True},
    )
    request = submit(world, world.police, world.detective, body)
    item = request.items.get()
    with pytest.raises(InvalidInput) as bad:
        services.item_decide(
            item_id=item.pk,
            reviewer=world.legal_advisor,
            action="narrow",
            rationale="Order covers absences only.",
            lawful_basis="legal_process_received",
            fields_removed=["shoe_size"],
        )
    assert [field for field, _ in bad.value.errors] == ["fields_removed"]
    services.item_decide(
        item_id=item.pk,
        reviewer=world.legal_advisor,
        action="narrow",
        rationale="Order covers absences only.",
        lawful_basis="legal_process_received",
        fields_removed=["tardies", "days_present"],
    )
    packet = packet_release(request_id=request.pk, released_by=world.clerk)
    fields = packet.content["students"][0]["categories"][0]["fields"]
    assert list(fields) == ["absences"]
    entry = DisclosureEntry.objects.get(kind=EntryKind.DISCLOSURE)
    assert entry.fields == ["attendance.absences"]
    assert "legal process received" in entry.lawful_basis


def test_legal_process_waits_for_advance_notice_then_releases(world: World, settings) -> None:
    settings.ADVANCE_NOTICE_DAYS = 10
    body = request_body(
        world.alice,
        purpose="criminal_investigation",
        categories=["attendance"],
        legal_process={"kind": "subpoena", "nondisclosure_order": False},
    )
    request = submit(world, world.police, world.detective, body)
    item = request.items.get()
    assert item.reviewer == "legal_advisor" and item.rules == ["L"]
    services.item_decide(
        item_id=item.pk,
        reviewer=world.legal_advisor,
        action="approve",
        rationale="Valid subpoena received.",
        lawful_basis="legal_process_received",
    )
    item.refresh_from_db()
    assert item.state == ItemState.AWAITING_NOTICE
    notices = list(FamilyNotice.objects.filter(request=request, kind=NoticeKind.ADVANCE))
    assert {n.recipient_name for n in notices} == {"Maria Rivera", "José Rivera"}
    with pytest.raises(Conflict):
        packet_release(request_id=request.pk, released_by=world.clerk)
    # Email goes out; the letter to the guardian without email is printed and mailed.
    for notice in notices:
        if notice.state == NoticeState.QUEUED:
            notice_mark_mailed(notice_id=notice.pk, marked_by=world.clerk)
    for notice in FamilyNotice.objects.filter(request=request):
        assert notice.state in (NoticeState.SENT, NoticeState.MAILED)
    # Still inside the notice period.
    assert services.advance_notice_gate(request=request) == []
    later = timezone.now() + dt.timedelta(days=10, minutes=1)
    with time_machine.travel(later, tick=False):
        assert [i.pk for i in services.advance_notice_gate(request=request)] == [item.pk]
        packet = packet_release(request_id=request.pk, released_by=world.clerk)
    assert packet.content["students"][0]["categories"][0]["category"] == "attendance"
    request.refresh_from_db()
    assert request.state == RequestState.RELEASED


def test_sealed_entries_are_hidden_from_the_family_but_kept_for_auditors(world: World) -> None:
    body = request_body(
        world.alice,
        categories=["attendance"],
        legal_process={"kind": "grand_jury_subpoena", "nondisclosure_order": True},
    )
    request = submit(world, world.police, world.detective, body)
    item = request.items.get()
    assert item.obligations == ["sealed_record"]
    services.item_decide(
        item_id=item.pk,
        reviewer=world.legal_advisor,
        action="approve",
        rationale="Grand jury subpoena.",
        lawful_basis="legal_process_received",
    )
    item.refresh_from_db()
    assert item.state == ItemState.CLEARED
    assert not FamilyNotice.objects.filter(request=request).exists()
    packet_release(request_id=request.pk, released_by=world.clerk)
    assert DisclosureEntry.objects.filter(student=world.alice, sealed=True).count() == 2
    assert list(disclosures_for_family(user=world.parent, student=world.alice)) == []
    assert not FamilyNotice.objects.filter(request=request).exists()


def test_a_family_cannot_read_another_childs_record(world: World) -> None:
    submit(world, world.police, world.detective, request_body(world.alice, categories=["directory"]))
    with pytest.raises(NotFound):
        disclosures_for_family(user=world.other_parent, student=world.alice)


def test_unmatched_student_waits_for_the_records_office_and_is_then_triaged(world: World) -> None:
    body = request_body(categories=["directory"], identified_by="name_and_birth_date")
    body["students"] = [
        {"first_name": "alice", "last_name": "RIVERA", "birth_date": "2013-05-01"},
        {"first_name": "Nobody", "last_name": "Known", "birth_date": "2010-01-01"},
    ]
    request = submit(world, world.police, world.detective, body)
    first, second = request.students.order_by("position")
    assert first.match_state == MatchState.MATCHED and first.student == world.alice
    assert second.match_state == MatchState.NO_MATCH
    assert request.state == RequestState.AWAITING_MATCH
    with pytest.raises(NotAllowed):
        services.student_match_resolve(
            request_student_id=second.pk, student_id=world.ben.pk, resolved_by=world.detective
        )
    services.student_match_resolve(
        request_student_id=second.pk, student_id=world.ben.pk, resolved_by=world.clerk
    )
    states = [item.state for item in request.items.order_by("position")]
    assert ItemState.AWAITING_MATCH not in states
    request.refresh_from_db()
    assert request.state == RequestState.READY


def test_whoever_entered_a_request_cannot_decide_it(world: World) -> None:
    from brightline.accounts.models import Role
    from brightline.testing import make_user

    clerk_reviewer = make_user("actingsuper", Role.SUPERINTENDENT)
    request = services.request_submit(
        agency=world.police,
        document=request_body(world.alice, categories=["academic"]),
        channel="fax",
        entered_by=world.clerk,
        received_at=timezone.now() - dt.timedelta(days=1),
    ).request
    assert request.channel == "fax" and request.entered_by == world.clerk
    # Same person entering and deciding is refused; simulate by making the reviewer the one who entered.
    request.entered_by = clerk_reviewer
    request.save(update_fields=["entered_by"])
    with pytest.raises(NotAllowed):
        services.item_decide(
            item_id=request.items.get().pk, reviewer=clerk_reviewer, action="deny", rationale="x"
        )


def test_idempotency_key_returns_the_first_request(world: World) -> None:
    body = request_body(world.alice)
    first = services.request_submit(agency=world.police, document=body, channel="api", idempotency_key="abc")
    again = services.request_submit(agency=world.police, document=body, channel="api", idempotency_key="abc")
    assert again.request.pk == first.request.pk and not again.created
    with pytest.raises(Conflict):
        services.request_submit(
            agency=world.police, document=request_body(world.ben), channel="api", idempotency_key="abc"
        )


def test_bad_input_names_the_field_and_stores_nothing(world: World) -> None:
    from brightline.casework.models import Request

    before = LedgerEntry.objects.count()
    with pytest.raises(InvalidInput) as error:
        services.request_submit(
            agency=world.police, document=request_body(world.alice, categories=["shoe_size"]), channel="api"
        )
    assert any(field.startswith("categories") for field, _ in error.value.errors)
    with pytest.raises(InvalidInput) as error:
        services.request_submit(agency=world.police, document=request_body(students=[]), channel="api")
    assert error.value.errors[0][0] == "students"
    assert Request.objects.count() == 0 and LedgerEntry.objects.count() == before


def test_download_link_works_once_and_only_after_acknowledgment(world: World) -> None:
    body = request_body(world.alice, purpose="criminal_investigation", categories=["law_enforcement_unit"])
    request = submit(world, world.police, world.detective, body)
    packet = packet_release(request_id=request.pk, released_by=world.clerk)
    assert "regional intelligence center" in packet.redisclosure_notice
    with pytest.raises(Conflict):
        delivery_link_issue(packet=packet)
    packet_acknowledge(packet=packet, acknowledged_by_name="Det. Dana Keane")
    _, token = delivery_link_issue(packet=packet)
    assert delivery_link_redeem(token=token, fmt="json").pk == packet.pk
    with pytest.raises(Conflict):
        delivery_link_redeem(token=token, fmt="pdf")


def test_every_change_is_in_the_ledger(world: World) -> None:
    before = LedgerEntry.objects.count()
    request = submit(world, world.police, world.detective, request_body(world.alice, categories=["academic"]))
    services.item_decide(
        item_id=request.items.get().pk, reviewer=world.superintendent, action="deny", rationale="No."
    )
    kinds = [
        kind
        for kind in LedgerEntry.objects.filter(index__gte=before)
        .order_by("index")
        .values_list("event_type", flat=True)
        if kind != PADDING_EVENT
    ]
    assert kinds[0] == "request.submitted"
    assert "disclosure_record.request" in kinds
    assert "item.decided" in kinds
    assert kinds[-1] == "request.state_changed"
