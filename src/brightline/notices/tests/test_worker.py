"""The database task backend and its worker, `brightline db_worker`, deliver the queued emails."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from brightline.ledger.testing import ledger_rows_removable  # noqa: F401
from brightline.notices.conftest import Mailbox
from brightline.notices.models import FamilyNotice, NoticeState
from brightline.notices.tests.helpers import subpoena_approved
from brightline.testing import World

# Real commits: the worker runs each task in its own transaction, as it does in production.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ledger_rows_removable")]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings) -> None:
    settings.TASKS = DATABASE_TASKS


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=StringIO())


def test_worker_sends_the_email_queued_on_commit_carrying_only_its_id(
    world: World, database_tasks: None, smtp_server: Mailbox
) -> None:
    request = subpoena_approved(world, world.alice)
    notice = FamilyNotice.objects.get(request=request, email="maria@example.org")
    task = DBTaskResult.objects.get()
    assert task.task_path == "brightline.notices.tasks.send_notice_email"
    assert task.args_kwargs == {"args": [], "kwargs": {"notice_id": notice.pk}}
    assert smtp_server.messages == []
    _run_worker()
    notice.refresh_from_db()
    assert notice.state == NoticeState.SENT
    assert len(smtp_server.to("maria@example.org")) == 1


def test_failed_send_is_requeued_to_run_after_the_backoff(
    world: World, database_tasks: None, smtp_server: Mailbox
) -> None:
    smtp_server.defer.add("maria@example.org")
    request = subpoena_approved(world, world.alice)
    _run_worker()
    notice = FamilyNotice.objects.get(request=request, email="maria@example.org")
    assert notice.state == NoticeState.QUEUED and notice.attempts == 1
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after == notice.next_attempt_at
    # Not due yet: the worker leaves it waiting.
    _run_worker()
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert smtp_server.messages == []
