"""Background work for casework, run by the task worker (`brightline db_worker`)."""

from __future__ import annotations

from django_tasks import task

from brightline.casework import reminders


@task()
def send_deadline_reminder(reminder_id: int) -> bool:
    return reminders.deadline_reminder_send(reminder_id=reminder_id).delivered_at is not None


@task()
def queue_deadline_reminders() -> int:
    return len(reminders.deadline_reminders_queue())


@task()
def send_requester_update(request_id: str, state: str) -> bool:
    return reminders.requester_update_send(request_id=request_id, state=state)


@task()
def send_requester_notice(request_id: str, what: str) -> bool:
    from brightline.casework.conversation import requester_notice_send

    return requester_notice_send(request_id=request_id, what=what)


@task()
def send_office_notice(request_id: str) -> bool:
    from brightline.casework.conversation import office_notice_send

    return office_notice_send(request_id=request_id)


@task()
def send_reconsideration_notice(reconsideration_id: int) -> bool:
    from brightline.casework.reconsideration import counsel_notice_send

    return counsel_notice_send(reconsideration_id=reconsideration_id)
