"""A family asks for the record of disclosures; a parent without custody asks for records."""

from __future__ import annotations

import pytest
from django.utils import timezone

from brightline.casework import services as casework
from brightline.errors import InvalidInput, NotAllowed, NotFound
from brightline.notices import services
from brightline.notices.conftest import Mailbox
from brightline.notices.models import FamilyNotice, NoticeChannel, NoticeKind, NoticeState
from brightline.roster.models import Guardian, GuardianRelationship
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def _requests_for_alice(world: World) -> None:
    """One ordinary request and one under a non-disclosure order (its entry is sealed)."""
    for legal_process in (
        {"kind": "none", "nondisclosure_order": False},
        {"kind": "grand_jury_subpoena", "nondisclosure_order": True},
    ):
        body = request_body(world.alice, categories=["attendance"], legal_process=legal_process)
        casework.request_submit(
            agency=world.police, document=body, channel="portal", submitted_by=world.detective
        )


def test_record_copy_lists_only_what_the_family_may_see_in_their_language(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:
    _requests_for_alice(world)
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.record_copy_request(student=world.alice, requested_by=world.parent)
    assert notice.kind == NoticeKind.RECORD_COPY and notice.recipient_name == "Maria Rivera"
    assert len(notice.details["entries"]) == 1
    assert notice.details["entries"][0]["party"] == "Dana Keane, City Police Department"
    message = smtp_server.to("maria@example.org")[0]
    assert str(message["Subject"]).strip().startswith("Registro de divulgaciones de Alice Rivera / ")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Usted pidió una copia del registro de divulgaciones de Alice Rivera." in body
    assert "Dana Keane, City Police Department · Solicitud recibida · asistencia" in body
    assert "Dana Keane, City Police Department · Request received · attendance" in body
    # Only one row: the sealed request is not in the family's copy.
    assert body.count("City Police Department ·") == 2
    notice.refresh_from_db()
    assert notice.state == NoticeState.SENT


def test_record_copy_with_nothing_recorded_says_so(world: World) -> None:
    notice = services.record_copy_request(student=world.alice, requested_by=world.parent)
    from brightline.notices.texts import notice_text

    text = notice_text(notice, "es")
    assert (
        "Nadie de fuera de las escuelas ha pedido ni recibido expedientes de Alice Rivera." in text.paragraphs
    )
    assert text.rows == []


def test_only_the_family_can_ask_for_a_record_copy(world: World) -> None:
    for outsider in (world.other_parent, world.detective, world.clerk):
        with pytest.raises(NotFound):
            services.record_copy_request(student=world.alice, requested_by=outsider)
    assert not FamilyNotice.objects.filter(kind=NoticeKind.RECORD_COPY).exists()


@pytest.fixture
def carlos(world: World) -> Guardian:
    guardian = Guardian.objects.create(
        sourced_id="g-9",
        first_name="Carlos",
        last_name="Rivera",
        email="carlos@example.org",
        preferred_language="es",
    )
    GuardianRelationship.objects.create(student=world.alice, guardian=guardian, is_custodial=False)
    return guardian


def test_custodial_parents_are_told_when_a_parent_without_custody_asks(
    world: World, carlos: Guardian, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notices = services.custodial_parent_notices_queue(
            student=world.alice, requesting_guardian=carlos, entered_by=world.clerk
        )
    assert {n.recipient_name for n in notices} == {"Maria Rivera", "José Rivera"}
    assert {n.channel for n in notices} == {NoticeChannel.EMAIL, NoticeChannel.LETTER}
    assert smtp_server.to("carlos@example.org") == []
    message = smtp_server.to("maria@example.org")[0]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Carlos Rivera, padre o madre de Alice Rivera sin la custodia, pidió los expedientes" in body
    access_after = timezone.localdate() + __import__("datetime").timedelta(days=21)
    assert notices[0].details["access_after"] == access_after.isoformat()
    assert "We will give this parent access after" in body


def test_custodial_notice_is_refused_for_a_custodial_parent_or_an_outsider(
    world: World, carlos: Guardian
) -> None:
    maria = Guardian.objects.get(sourced_id="g-1")
    with pytest.raises(InvalidInput):
        services.custodial_parent_notices_queue(
            student=world.alice, requesting_guardian=maria, entered_by=world.clerk
        )
    with pytest.raises(NotAllowed):
        services.custodial_parent_notices_queue(
            student=world.alice, requesting_guardian=carlos, entered_by=world.detective
        )
    with pytest.raises(NotFound):
        services.custodial_parent_notices_queue(
            student=world.ben, requesting_guardian=carlos, entered_by=world.clerk
        )
