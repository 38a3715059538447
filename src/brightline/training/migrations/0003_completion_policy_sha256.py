"""Each completion names the policy text its module taught; completions made before are bound to their
version's text as it stands (a version's text is fixed once it opens for comment)."""

from typing import Any

from django.db import migrations, models


def bind_to_version_text(apps: Any, schema_editor: Any) -> None:
    completion = apps.get_model("training", "TrainingCompletion")
    for row in completion.objects.select_related("module__version").filter(policy_sha256=""):
        row.policy_sha256 = row.module.version.sha256
        row.save(update_fields=["policy_sha256"])


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_default_training_module"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingcompletion",
            name="policy_sha256",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(bind_to_version_text, migrations.RunPython.noop),
    ]
