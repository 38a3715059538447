"""The training module of version 1 (the shipped default policy), so that staff can be trained and act.

Reads training/default/module.json as it is when the migration runs, like policy's 0002.
"""

import datetime as dt
import json
from pathlib import Path

from django.db import migrations

MODULE = Path(__file__).resolve().parent.parent / "default" / "module.json"


def seed(apps, schema_editor):
    Version = apps.get_model("policy", "Version")
    TrainingModule = apps.get_model("training", "TrainingModule")
    version = Version.objects.filter(number=1).first()
    if version is None or TrainingModule.objects.filter(version=version).exists():
        return
    data = json.loads(MODULE.read_text(encoding="utf-8"))
    TrainingModule.objects.create(
        version=version,
        title=data["title"],
        content=data["content"],
        questions=data["questions"],
        attestation=data["attestation"],
        created_at=dt.datetime.now(tz=dt.UTC),
    )


def unseed(apps, schema_editor):
    apps.get_model("training", "TrainingModule").objects.filter(
        version__number=1, completions__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_modules_and_completions"),
        ("policy", "0002_default_policy_version"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
