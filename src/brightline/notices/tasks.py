"""Background work for notices, run by the task worker (`brightline db_worker`).

Tasks carry only primary keys and are queued on commit; the logic lives in services.
"""

from __future__ import annotations

from django_tasks import task

from brightline.notices import services


@task()
def send_notice_email(notice_id: int) -> str:
    """Try to deliver one email notice; returns the notice's state afterwards."""
    return str(services.notice_send_email(notice_id=notice_id).state)


@task()
def send_due_notice_emails() -> int:
    """Queue every email notice (and every email to counsel or the missing-persons contact) whose retry
    time has come (a safety net for lost tasks)."""
    return len(services.notices_send_due()) + len(services.official_emails_send_due())


@task()
def send_official_email(email_id: int) -> str:
    """Try to deliver one email to counsel or the missing-persons contact; returns its state afterwards."""
    return str(services.official_email_send(email_id=email_id).state)
