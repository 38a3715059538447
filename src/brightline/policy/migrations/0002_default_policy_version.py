"""Version 1: the shipped default policy, effective from the beginning.

Reads the policy text and VERSION from the package (policy/default) as they are when the migration runs:
a new district starts from the default it installed. A district that already ran this keeps its
versions; a later shipped default is recorded as a draft by `brightline policy seed-default`.
"""

import datetime as dt
import hashlib
from pathlib import Path

from django.db import migrations

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "default"
SUMMARY = (
    "The policy Bright Line ships, as written in DOMAIN.md: refusals first (civil immigration "
    "enforcement, the regional intelligence center, immigration data, school discipline to police "
    "without legal process or an emergency, abuse files outside child protective services), then legal "
    "process reviewed by counsel, then releases without review (emergencies, abuse investigations, foster "
    "care, school police records, directory information, consent, school officials, parents), then "
    "review by the superintendent."
)


def seed(apps, schema_editor):
    Version = apps.get_model("policy", "Version")
    if Version.objects.exists():
        return
    text = (DEFAULT_DIR / "policy.cedar").read_text(encoding="utf-8")
    label = (DEFAULT_DIR / "VERSION").read_text(encoding="utf-8").strip() or "default"
    Version.objects.create(
        number=1,
        label=label,
        policy_id="default",
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        summary=SUMMARY,
        status="effective",
        created_by_name="Bright Line",
        created_at=dt.datetime.now(tz=dt.UTC),
        effective_from=None,
    )


def unseed(apps, schema_editor):
    apps.get_model("policy", "Version").objects.filter(number=1, policy_id="default").delete()


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_versions_and_comments")]

    operations = [migrations.RunPython(seed, unseed)]
