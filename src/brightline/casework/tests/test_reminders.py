"""Deadline reminders reach the people who must act, once a day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from brightline.casework import services
from brightline.casework.models import DeadlineReminder, ReminderKind
from brightline.casework.reminders import deadline_reminders_queue
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def test_an_overdue_request_reminds_its_reviewer_once_a_day(
    world: World, django_capture_on_commit_callbacks
) -> None:
    received = timezone.now() - dt.timedelta(days=30)
    with time_machine.travel(received, tick=False):
        request = services.request_submit(
            agency=world.police, document=request_body(world.alice, categories=["academic"]), channel="api"
        ).request
    assert request.decision_due_at < timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        reminders = deadline_reminders_queue()
    assert [(r.kind, r.roles) for r in reminders] == [(ReminderKind.OVERDUE, ["superintendent"])]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["super@example.org"]
    assert request.reference in mail.outbox[0].subject and "overdue" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_reminders_queue() == []
    assert len(mail.outbox) == 1 and DeadlineReminder.objects.count() == 1


def test_an_unmatched_student_reminds_the_records_office_and_decided_requests_remind_nobody(
    world: World, django_capture_on_commit_callbacks
) -> None:
    body = request_body(categories=["directory"], identified_by="name_and_birth_date")
    body["students"] = [{"first_name": "Nobody", "last_name": "Known", "birth_date": "2010-01-01"}]
    with time_machine.travel(timezone.now() - dt.timedelta(days=20), tick=False):
        waiting = services.request_submit(agency=world.police, document=body, channel="api").request
        decided = services.request_submit(
            agency=world.ice,
            document=request_body(world.alice, purpose="civil_immigration_enforcement"),
            channel="api",
        ).request
    with django_capture_on_commit_callbacks(execute=True):
        reminders = deadline_reminders_queue()
    assert [(r.request_id, r.roles) for r in reminders] == [(waiting.pk, ["records_clerk"])]
    assert decided.pk not in {r.request_id for r in reminders}


def test_the_command_lists_reminders_without_sending_on_a_dry_run(world: World, capsys) -> None:
    with time_machine.travel(timezone.now() - dt.timedelta(days=30), tick=False):
        services.request_submit(
            agency=world.police, document=request_body(world.alice, categories=["academic"]), channel="api"
        )
    call_command("remind_deadlines", "--dry-run")
    assert "1 reminders would be sent." in capsys.readouterr().out
    assert not DeadlineReminder.objects.exists() and not mail.outbox
