"""Fill `disposition` and `decided_at` for requests made before casework kept them.

Self-contained (no app imports, as data migrations should be): the rules are those of
casework.models.disposition_for and casework.services.request_refresh_state.
"""

from django.db import migrations
from django.db.models import Max

OPEN = {"awaiting_match", "pending_review", "awaiting_notice", "cleared"}
UNDECIDED = {"awaiting_match", "in_review"}


def disposition(states):
    present = set(states)
    if not present or present & OPEN:
        return "pending"
    if present == {"released"}:
        return "released_in_full"
    if "released" in present:
        return "released_in_part"
    if present == {"refused"}:
        return "refused"
    return "nothing_released"


def backfill(apps, schema_editor):
    Request = apps.get_model("casework", "Request")
    Item = apps.get_model("casework", "Item")
    Decision = apps.get_model("casework", "Decision")
    RequestStudent = apps.get_model("casework", "RequestStudent")
    for request in Request.objects.filter(decided_at__isnull=True).iterator(chunk_size=500):
        states = list(Item.objects.filter(request_id=request.pk).values_list("state", flat=True))
        request.disposition = disposition(states)
        if request.state not in UNDECIDED:
            moments = [
                request.received_at,
                Decision.objects.filter(item__request_id=request.pk).aggregate(last=Max("decided_at"))["last"],
                RequestStudent.objects.filter(request_id=request.pk).aggregate(last=Max("matched_at"))["last"],
            ]
            request.decided_at = max(moment for moment in moments if moment is not None)
        request.save(update_fields=["disposition", "decided_at"])


class Migration(migrations.Migration):
    dependencies = [("casework", "0003_deadline_reminders")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
