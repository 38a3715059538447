"""Background work for the record of disclosures, run by the task worker (`brightline db_worker`)."""

from __future__ import annotations

from django_tasks import task

from brightline.disclosures import reminders, services


@task()
def send_withheld_reminder(reminder_id: int) -> bool:
    return reminders.withheld_reminder_send(reminder_id=reminder_id).delivered_at is not None


@task()
def withheld_due_daily() -> int:
    """End the orders whose end date has come, then queue today's reminders."""
    ended = services.nondisclosure_orders_end_due()
    return len(ended) + len(reminders.withheld_reminders_queue())
