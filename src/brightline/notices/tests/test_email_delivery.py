"""Email notices go through a real SMTP server on loopback, in the family's language with English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from brightline.errors import Conflict, NotAllowed
from brightline.ledger.models import LedgerEntry
from brightline.notices import services
from brightline.notices.conftest import Mailbox
from brightline.notices.models import FamilyNotice, NoticeChannel, NoticeKind, NoticeState
from brightline.notices.tests.helpers import emergency_request, subpoena_approved
from brightline.testing import World

pytestmark = pytest.mark.django_db


def _plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _subject(message) -> str:
    # Python folds a long encoded subject onto the next line; readers drop the fold's whitespace.
    return str(message["Subject"]).strip()


def _events(notice: FamilyNotice) -> list[str]:
    return list(
        LedgerEntry.objects.filter(subject__notice=notice.pk)
        .order_by("index")
        .values_list("event_type", flat=True)
    )


def test_advance_notice_email_arrives_in_spanish_with_english_alongside(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = subpoena_approved(world, world.alice)
    received = smtp_server.to("maria@example.org")
    assert len(received) == 1
    message = received[0]
    assert _subject(message) == (
        "Aviso antes de entregar los expedientes del estudiante / Notice before student records are released"
    )
    assert message["Content-Language"] == "es, en"
    body = _plain(message)
    spanish, english = body.split("----------------------------------------")
    assert "Estimado/a Maria Rivera:" in spanish
    assert "City Police Department pidió al distrito escolar expedientes de Alice Rivera." in spanish
    assert "Expedientes pedidos: asistencia." in spanish
    assert f"Referencia: {request.reference}" in spanish
    assert "Dear Maria Rivera," in english
    assert "Records asked for: attendance." in english
    html = message.get_body(preferencelist=("html",)).get_content()
    assert 'lang="es"' in html and 'lang="en"' in html
    notice = FamilyNotice.objects.get(request=request, email="maria@example.org")
    assert notice.state == NoticeState.SENT and notice.sent_at is not None and notice.attempts == 1
    assert _events(notice) == ["notice.queued", "notice.sent"]
    # José has no email: his letter waits for the records office, and nothing was emailed for him.
    jose = FamilyNotice.objects.get(request=request, recipient_name="José Rivera")
    assert jose.channel == NoticeChannel.LETTER and jose.state == NoticeState.QUEUED
    assert len(smtp_server.messages) == 1


def test_english_speaking_family_gets_english_once(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        subpoena_approved(world, world.ben)
    message = smtp_server.to("paul@example.org")[0]
    assert _subject(message) == "Notice before student records are released"
    assert message["Content-Language"] == "en"
    assert _plain(message).count("Dear Paul Okafor,") == 1


def test_emergency_release_notice_arrives_in_portuguese(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:
    from brightline.disclosures.services import packet_release

    request = emergency_request(world, world.dana, ["contact", "health"])
    with django_capture_on_commit_callbacks(execute=True):
        packet_release(request_id=request.pk, released_by=world.clerk)
    message = smtp_server.to("rosa@example.org")[0]
    assert _subject(message).startswith("Registros do estudante foram divulgados numa emergência / ")
    body = _plain(message)
    assert "o distrito escolar entregou registros sobre Dana Silva a Transit Police." in body
    assert "Registros entregues: endereço e números de telefone, registros de saúde." in body
    assert "Records given: home address and phone numbers, health records." in body


def test_refused_recipient_bounces_and_falls_back_to_a_printed_letter(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:
    smtp_server.refuse.add("maria@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        request = subpoena_approved(world, world.alice)
    notice = FamilyNotice.objects.get(request=request, email="maria@example.org")
    assert notice.state == NoticeState.BOUNCED
    assert notice.sent_at is None and notice.bounced_at is not None
    assert "550" in notice.last_error
    assert notice.needs_letter
    assert smtp_server.messages == []
    assert _events(notice) == ["notice.queued", "notice.bounced"]
    from brightline.notices.selectors import letters_to_mail

    assert notice in list(letters_to_mail(user=world.clerk))


def test_temporary_failure_is_retried_with_backoff_then_bounces(world: World, closed_port: int) -> None:
    request = subpoena_approved(world, world.alice)
    notice = FamilyNotice.objects.get(request=request, email="maria@example.org")
    start = timezone.now()
    waits = []
    for attempt in range(1, services.MAX_EMAIL_ATTEMPTS):
        notice = services.notice_send_email(notice_id=notice.pk, now=notice.next_attempt_at or start)
        assert notice.state == NoticeState.QUEUED and notice.attempts == attempt
        assert "ConnectionRefusedError" in notice.last_error
        waits.append(notice.next_attempt_at - timezone.now())
        # Not due yet: a second worker (or the sweep) does nothing.
        assert services.notices_send_due(now=timezone.now(), dry_run=True) == []
        again = services.notice_send_email(notice_id=notice.pk)
        assert again.attempts == attempt
    assert [round(w / dt.timedelta(minutes=1)) for w in waits] == [1, 5, 30, 120, 360]
    notice = services.notice_send_email(notice_id=notice.pk, now=notice.next_attempt_at)
    assert notice.state == NoticeState.BOUNCED and notice.attempts == services.MAX_EMAIL_ATTEMPTS
    assert _events(notice) == ["notice.queued", "notice.bounced"]


def test_retry_succeeds_when_the_server_accepts_again(world: World, smtp_server: Mailbox) -> None:
    smtp_server.defer.add("maria@example.org")
    request = subpoena_approved(world, world.alice)
    notice = FamilyNotice.objects.get(request=request, email="maria@example.org")
    notice = services.notice_send_email(notice_id=notice.pk)
    assert notice.state == NoticeState.QUEUED and "451" in notice.last_error
    assert services.notices_send_due(now=notice.next_attempt_at, dry_run=True) == [notice.pk]
    smtp_server.defer.clear()
    notice = services.notice_send_email(notice_id=notice.pk, now=notice.next_attempt_at)
    assert notice.state == NoticeState.SENT and notice.attempts == 2 and notice.last_error == ""
    assert len(smtp_server.to("maria@example.org")) == 1


def test_a_claimed_send_is_not_sent_twice(world: World, smtp_server: Mailbox) -> None:
    request = subpoena_approved(world, world.alice)
    notice = FamilyNotice.objects.get(request=request, email="maria@example.org")
    now = timezone.now()
    assert services._claim(notice.pk, now)
    # Another worker arrives while the first holds the lease: it sends nothing.
    assert services.notice_send_email(notice_id=notice.pk, now=now).state == NoticeState.QUEUED
    assert smtp_server.messages == []


def test_send_due_command_queues_due_emails_and_dry_run_queues_nothing(
    world: World, smtp_server: Mailbox
) -> None:
    from io import StringIO

    from django.core.management import call_command

    request = subpoena_approved(world, world.alice)
    notice = FamilyNotice.objects.get(request=request, email="maria@example.org")
    out = StringIO()
    call_command("notices_send_due", "--dry-run", stdout=out)
    assert f"would queue 1 email notice(s): {notice.pk}" in out.getvalue()
    assert smtp_server.messages == []
    call_command("notices_send_due", stdout=StringIO())
    notice.refresh_from_db()
    assert notice.state == NoticeState.SENT
    assert len(smtp_server.to("maria@example.org")) == 1


def test_late_bounce_undoes_delivery_and_only_the_records_office_records_it(
    world: World, smtp_server: Mailbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = subpoena_approved(world, world.alice)
    notice = FamilyNotice.objects.get(request=request, email="maria@example.org")
    assert notice.state == NoticeState.SENT
    with pytest.raises(NotAllowed):
        services.notice_mark_bounced(notice_id=notice.pk, reason="mailbox full", marked_by=world.detective)
    notice = services.notice_mark_bounced(
        notice_id=notice.pk, reason="550 mailbox unavailable (returned mail)", marked_by=world.clerk
    )
    assert notice.state == NoticeState.BOUNCED and notice.sent_at is None and not notice.delivered
    assert _events(notice) == ["notice.queued", "notice.sent", "notice.bounced"]


def test_letters_are_marked_printed_then_mailed_by_the_records_office_only(world: World) -> None:
    request = subpoena_approved(world, world.alice)
    jose = FamilyNotice.objects.get(request=request, recipient_name="José Rivera")
    for outsider in (world.detective, world.parent, world.superintendent):
        with pytest.raises(NotAllowed):
            services.notice_mark_printed(notice_id=jose.pk, marked_by=outsider)
        with pytest.raises(NotAllowed):
            services.notice_mark_mailed(notice_id=jose.pk, marked_by=outsider)
    printed = services.notice_mark_printed(notice_id=jose.pk, marked_by=world.clerk)
    assert printed.state == NoticeState.PRINTED and printed.printed_at is not None and not printed.delivered
    with pytest.raises(Conflict):
        services.notice_mark_printed(notice_id=jose.pk, marked_by=world.clerk)
    mailed = services.notice_mark_mailed(notice_id=jose.pk, marked_by=world.clerk)
    assert mailed.state == NoticeState.MAILED and mailed.sent_at is not None and mailed.delivered
    with pytest.raises(Conflict):
        services.notice_mark_mailed(notice_id=jose.pk, marked_by=world.clerk)
    assert _events(jose) == ["notice.queued", "notice.printed", "notice.mailed"]
    assert FamilyNotice.objects.get(pk=jose.pk).kind == NoticeKind.ADVANCE
