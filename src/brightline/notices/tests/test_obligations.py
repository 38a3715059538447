"""The obligations that reach people other than the requester are carried out, not only displayed:
counsel receives its copy of an immigration refusal, the missing-persons contact is alerted when a
student flagged missing is asked about, and an administrator decides whether the family is told."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from brightline.accounts.models import Role
from brightline.accounts.tests.helpers import sign_in
from brightline.casework import services as casework
from brightline.casework.models import Request, RequestStudent
from brightline.disclosures.models import DisclosureEntry
from brightline.disclosures.selectors import disclosures_for_family
from brightline.disclosures.services import packet_release
from brightline.env import ConfigurationError
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.ledger.models import LedgerEntry
from brightline.notices import services
from brightline.notices.conftest import Mailbox
from brightline.notices.models import (
    CounselNotice,
    FamilyNotice,
    FamilyNoticeDecision,
    FamilyNoticeState,
    MissingChildAlert,
    NoticeKind,
    OfficialEmail,
    OfficialEmailState,
)
from brightline.testing import World, make_user, request_body
from brightline.vocabulary import label_en

pytestmark = pytest.mark.django_db

CONTACT = "Missing Persons Unit <mpu@police.example>"


def _plain(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def _submit(client: Client, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        "/api/v1/requests",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    answer: dict[str, Any] = response.json()
    return answer


def _events(request: Request, prefix: str) -> list[LedgerEntry]:
    return [
        entry
        for entry in LedgerEntry.objects.filter(subject__request=str(request.pk)).order_by("index")
        if entry.event_type.startswith(prefix)
    ]


def _signed_in(user: Any) -> Client:
    client = Client()
    sign_in(client, user)
    return client


# --- Counsel's copy (notify_legal_advisor) -------------------------------------------------------------


def test_immigration_refusal_puts_a_copy_in_counsels_queue_and_mailbox(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    body = request_body(
        world.alice,
        purpose="civil_immigration_enforcement",
        categories=["directory", "contact"],
        description="Locate for removal proceedings",
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = _submit(Client(), world.ice_token, body)
    request = Request.objects.get(pk=answer["id"])
    assert {item["outcome"] for item in answer["items"]} == {"refuse"}

    notice = CounselNotice.objects.get(request=request)
    assert notice.read_at is None and "F1" in notice.reason
    received = smtp_server.to("counsel@example.org")
    assert len(received) == 1
    text = _plain(received[0])
    assert request.reference in str(received[0]["Subject"])
    assert f"/review/requests/{request.pk}/" in text
    assert "Immigration and Customs Enforcement" in text
    # Every code of the request in the vocabulary's words, never an identifier with underscores.
    assert f"Purpose: {label_en('purpose', 'civil_immigration_enforcement')}" in text
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text), text
    assert "home address and phone numbers" in text
    assert "Locate for removal proceedings" in text
    assert "Alice Rivera (S-1001)" in text
    # Nothing went to the requester.
    assert smtp_server.to("ice@example.org") == []
    assert OfficialEmail.objects.get(counsel_notice=notice).state == OfficialEmailState.SENT
    assert [e.event_type for e in _events(request, "counsel_notice")] == ["counsel_notice.created"]

    counsel = _signed_in(world.legal_advisor)
    page = counsel.get("/review/").content.decode()
    assert "Notices to read" in page and f"Copy of request {request.reference}" in page
    superintendent_page = _signed_in(world.superintendent).get("/review/").content.decode()
    assert "Notices to read" not in superintendent_page

    response = counsel.post(f"/review/counsel-notices/{notice.pk}/read")
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.read_by == world.legal_advisor and notice.read_at is not None
    assert "Notices to read" not in counsel.get("/review/").content.decode()
    read = LedgerEntry.objects.get(event_type="counsel_notice.read", subject__counsel_notice=notice.pk)
    assert read.record.record["read_by"] == world.legal_advisor.pk
    with pytest.raises(Conflict):
        services.counsel_notice_mark_read(counsel_notice_id=notice.pk, read_by=world.legal_advisor)
    with pytest.raises(NotAllowed):
        services.counsel_notice_mark_read(counsel_notice_id=notice.pk, read_by=world.superintendent)


def test_onward_sharing_with_immigration_is_copied_to_counsel_once_per_request(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    body = request_body(world.alice, world.ben, onward_recipients=["immigration_enforcement"])
    # Ben named with a typo: the records office matches him later, and triage runs again for him.
    body["students"][1] = {"first_name": "Benn", "last_name": "Okafor", "birth_date": "2009-09-12"}
    with django_capture_on_commit_callbacks(execute=True):
        answer = _submit(Client(), world.police_token, body)
    request = Request.objects.get(pk=answer["id"])
    ben = RequestStudent.objects.get(request=request, position=1)
    with django_capture_on_commit_callbacks(execute=True):
        casework.student_match_resolve(
            request_student_id=ben.pk, student_id=world.ben.pk, resolved_by=world.clerk
        )
    assert CounselNotice.objects.filter(request=request).count() == 1
    assert len(smtp_server.to("counsel@example.org")) == 1
    assert smtp_server.to("detective@example.org") == []


def test_refusal_naming_only_a_student_nobody_identified_still_reaches_counsel(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    body = request_body(world.alice, purpose="civil_immigration_enforcement")
    body["students"] = [{"first_name": "Nobody", "last_name": "Known", "birth_date": "2012-02-02"}]
    with django_capture_on_commit_callbacks(execute=True):
        answer = _submit(Client(), world.ice_token, body)
    request = Request.objects.get(pk=answer["id"])
    assert CounselNotice.objects.filter(request=request).count() == 1
    text = _plain(smtp_server.to("counsel@example.org")[0])
    assert "as named: Nobody Known, born February 2, 2012" in text
    assert smtp_server.to("ice@example.org") == []


def test_counsel_without_an_email_address_is_shown_to_the_administrator(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    world.legal_advisor.email = ""
    world.legal_advisor.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        _submit(Client(), world.ice_token, request_body(world.alice, purpose="civil_immigration_enforcement"))
    email = OfficialEmail.objects.get()
    assert email.state == OfficialEmailState.UNDELIVERABLE and smtp_server.messages == []
    admin = make_user("admin", Role.ADMIN, first="Ari", last="Admin")
    page = _signed_in(admin).get("/administration/settings/").content.decode()
    assert "Counsel reachable by email" in page and "no email address" in page
    assert "Copy of a request to counsel" in page


# --- The missing-persons alert (alert_police_missing_child) --------------------------------------------


def test_request_about_a_missing_student_alerts_the_contact_and_never_the_requester(
    world: World, smtp_server: Mailbox, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MISSING_PERSONS_CONTACT = CONTACT
    police = Client()
    with django_capture_on_commit_callbacks(execute=True):
        answer = _submit(
            police, world.police_token, request_body(world.dana, categories=["directory", "contact"])
        )
    request = Request.objects.get(pk=answer["id"])

    alerts = smtp_server.to("mpu@police.example")
    assert len(alerts) == 1
    assert "Missing Persons Unit" in str(alerts[0]["To"])
    text = _plain(alerts[0])
    assert "Dana Silva (district student id S-1004" in text
    assert "City Police Department" in text and request.reference in text
    local = timezone.localtime(request.received_at)
    assert f"{local:%B} {local.day}, {local:%Y}" in text
    # The requester learns nothing of it: no email, and no word of it in the API's answer.
    assert smtp_server.to("detective@example.org") == []
    read_back = police.get(
        f"/api/v1/requests/{request.pk}", HTTP_AUTHORIZATION=f"Bearer {world.police_token}"
    )
    for shown in (json.dumps(answer), read_back.content.decode()):
        assert "missing" not in shown.lower() and "alert" not in shown.lower()

    alert = MissingChildAlert.objects.get(request=request)
    assert alert.student == world.dana
    created = _events(request, "missing_child_alert")
    assert [e.event_type for e in created] == ["missing_child_alert.created"]
    record = bytes(created[0].record.canonical).decode()
    assert "Dana" not in record and "Silva" not in record and "S-1004" not in record
    assert created[0].record.record["student"] == world.dana.pk
    assert OfficialEmail.objects.get(missing_child_alert=alert).state == OfficialEmailState.SENT

    # Triage seen again for the same student adds nothing: one alert per request and student.
    items = list(request.items.all())
    with django_capture_on_commit_callbacks(execute=True):
        services.obligations_after_triage(
            request=request, request_students=list(request.students.all()), items=items
        )
    assert MissingChildAlert.objects.filter(request=request).count() == 1
    assert len(smtp_server.to("mpu@police.example")) == 1


def test_without_a_contact_alerts_are_kept_undeliverable_and_sent_once_one_is_set(
    world: World, smtp_server: Mailbox, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MISSING_PERSONS_CONTACT = ""
    with django_capture_on_commit_callbacks(execute=True):
        _submit(Client(), world.police_token, request_body(world.dana))
    email = OfficialEmail.objects.get()
    assert email.state == OfficialEmailState.UNDELIVERABLE and smtp_server.messages == []
    assert LedgerEntry.objects.filter(event_type="official_email.undeliverable").count() == 1

    admin = make_user("admin", Role.ADMIN, first="Ari", last="Admin")
    client = _signed_in(admin)
    page = client.get("/administration/settings/").content.decode()
    assert "No missing-persons contact is set" in page
    assert "Alert to the missing-persons contact" in page and "Undeliverable" in page
    # Sending again before a contact is set says what to do, and sends nothing.
    response = client.post(f"/administration/emails/{email.pk}/send-again", follow=True)
    assert "BRIGHTLINE_MISSING_PERSONS_CONTACT" in response.content.decode()
    assert smtp_server.messages == []

    settings.MISSING_PERSONS_CONTACT = CONTACT
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/administration/emails/{email.pk}/send-again")
    email.refresh_from_db()
    assert email.state == OfficialEmailState.SENT
    assert len(smtp_server.to("mpu@police.example")) == 1
    assert (
        "Every email to counsel and to the missing-persons contact was sent"
        in client.get("/administration/settings/").content.decode()
    )


def test_settings_page_shows_the_contact_to_the_administrator_only(world: World, settings: Any) -> None:
    settings.MISSING_PERSONS_CONTACT = CONTACT
    admin = make_user("admin", Role.ADMIN, first="Ari", last="Admin")
    page = _signed_in(admin).get("/administration/settings/").content.decode()
    assert "Missing Persons Unit &lt;mpu@police.example&gt;" in page
    assert "BRIGHTLINE_MISSING_PERSONS_CONTACT" in page
    assert "No missing-persons contact is set" not in page
    assert _signed_in(world.clerk).get("/administration/settings/").status_code == 403
    assert Client().get("/administration/settings/").status_code == 302


def test_the_contact_setting_is_read_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    from brightline.settings import _mailbox

    monkeypatch.setenv("BRIGHTLINE_MISSING_PERSONS_CONTACT", CONTACT)
    assert _mailbox("BRIGHTLINE_MISSING_PERSONS_CONTACT") == CONTACT
    monkeypatch.setenv("BRIGHTLINE_MISSING_PERSONS_CONTACT", "mpu@police.example")
    assert _mailbox("BRIGHTLINE_MISSING_PERSONS_CONTACT") == "mpu@police.example"
    monkeypatch.setenv("BRIGHTLINE_MISSING_PERSONS_CONTACT", "")
    assert _mailbox("BRIGHTLINE_MISSING_PERSONS_CONTACT") == ""
    for bad in ("Missing Persons Unit", "mpu@police", "a@police.example, b@police.example", "mpu at police"):
        monkeypatch.setenv("BRIGHTLINE_MISSING_PERSONS_CONTACT", bad)
        with pytest.raises(ConfigurationError, match="BRIGHTLINE_MISSING_PERSONS_CONTACT"):
            _mailbox("BRIGHTLINE_MISSING_PERSONS_CONTACT")


# --- The administrator's decision (family_notice_by_administrator) -------------------------------------


def _abuse_investigation(world: World) -> Request:
    body = request_body(
        world.alice, purpose="child_abuse_investigation", categories=["directory", "attendance"]
    )
    return casework.request_submit(
        agency=world.dcf, document=body, channel="portal", submitted_by=world.dcf_investigator
    ).request


def test_administrator_decides_whether_and_when_the_family_is_told(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_user("admin", Role.ADMIN, first="Ari", last="Admin")
    request = _abuse_investigation(world)
    decision = FamilyNoticeDecision.objects.get(request=request, student=world.alice)
    assert decision.state == FamilyNoticeState.PENDING
    assert decision.due_at > request.received_at + dt.timedelta(days=13)  # 10 business days
    assert not disclosures_for_family(user=world.parent, student=world.alice).filter(request=request).exists()
    assert [e.event_type for e in _events(request, "family_notice_decision")] == [
        "family_notice_decision.opened"
    ]

    client = _signed_in(admin)
    page = client.get("/administration/family-notices/").content.decode()
    assert f"Request {request.reference}: Alice Rivera" in page and "overdue" not in page
    FamilyNoticeDecision.objects.filter(pk=decision.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert "overdue" in client.get("/administration/family-notices/").content.decode()
    for other in (world.clerk, world.superintendent, world.principal):
        assert _signed_in(other).get("/administration/family-notices/").status_code == 403

    # Withhold: a reason and a later review date are required, then the decision is due again then.
    prefix = f"decision-{decision.pk}"
    response = client.post(
        f"/administration/family-notices/{decision.pk}/decide",
        {"action": "withhold", f"{prefix}-reason": "", f"{prefix}-review_on": "2020-01-01"},
    )
    assert response.status_code == 422
    review_on = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(
        f"/administration/family-notices/{decision.pk}/decide",
        {
            "action": "withhold",
            f"{prefix}-reason": "Telling the family now would put the investigation at risk.",
            f"{prefix}-review_on": review_on.isoformat(),
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.state == FamilyNoticeState.WITHHELD and decision.review_on == review_on
    assert timezone.localdate(decision.due_at) == review_on
    assert not disclosures_for_family(user=world.parent, student=world.alice).filter(request=request).exists()
    assert FamilyNotice.objects.filter(kind=NoticeKind.ADMINISTRATOR).count() == 0

    # Notify: the entry becomes visible to the family, who is told in Spanish and English.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/administration/family-notices/{decision.pk}/decide", {"action": "notify"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.state == FamilyNoticeState.NOTIFIED and decision.decided_by == admin
    assert disclosures_for_family(user=world.parent, student=world.alice).filter(request=request).exists()
    told = smtp_server.to("maria@example.org")
    assert len(told) == 1
    text = _plain(told[0])
    assert (
        "Department of Children and Families pidió al distrito escolar expedientes de Alice Rivera." in text
    )
    assert (
        "Department of Children and Families asked the school district for records about Alice Rivera."
        in text
    )
    # José has no email: his letter waits for the records office.
    assert (
        FamilyNotice.objects.get(kind=NoticeKind.ADMINISTRATOR, recipient_name="José Rivera").channel
        == "letter"
    )
    assert [e.event_type for e in _events(request, "family_notice_decision")] == [
        "family_notice_decision.opened",
        "family_notice_decision.withheld",
        "family_notice_decision.notified",
    ]
    assert "No decision is waiting" in client.get("/administration/family-notices/").content.decode()

    # A release after the family was told is kept from them again until the administrator tells it too.
    with django_capture_on_commit_callbacks(execute=True):
        packet_release(request_id=request.pk, released_by=world.clerk)
    assert DisclosureEntry.objects.filter(
        request=request, kind="disclosure", withheld_from_family=True
    ).exists()
    assert f"Request {request.reference}" in client.get("/administration/family-notices/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.family_notice_notify(decision_id=decision.pk, decided_by=admin)
    assert not DisclosureEntry.objects.filter(request=request, withheld_from_family=True).exists()
    released = _plain(smtp_server.to("maria@example.org")[-1])
    assert (
        "the school district gave records about Alice Rivera to Department of Children and Families"
        in released
    )
    with pytest.raises(Conflict):
        services.family_notice_notify(decision_id=decision.pk, decided_by=admin)
    with pytest.raises(NotAllowed):
        services.family_notice_notify(decision_id=decision.pk, decided_by=world.clerk)


def test_withholding_needs_a_reason_and_a_later_day(world: World) -> None:
    admin = make_user("admin", Role.ADMIN, first="Ari", last="Admin")
    request = _abuse_investigation(world)
    decision = FamilyNoticeDecision.objects.get(request=request)
    with pytest.raises(InvalidInput) as raised:
        services.family_notice_withhold(
            decision_id=decision.pk, decided_by=admin, reason=" ", review_on=timezone.localdate()
        )
    assert {field for field, _message in raised.value.errors} == {"reason", "review_on"}


def test_the_deployment_checklist_names_a_missing_contact(settings: Any) -> None:
    from django.core.checks import run_checks

    settings.MISSING_PERSONS_CONTACT = ""
    assert "brightline.notices.W001" in {message.id for message in run_checks(include_deployment_checks=True)}
    settings.MISSING_PERSONS_CONTACT = CONTACT
    assert "brightline.notices.W001" not in {
        message.id for message in run_checks(include_deployment_checks=True)
    }
