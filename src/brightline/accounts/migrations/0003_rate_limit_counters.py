"""The table of rate-limit counters: the database cache that settings.CACHES["ratelimit"] names.

Created as `brightline createcachetable` would (it skips a table that exists); dropped on the way back.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "brightline_rate_limits"


def create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_mfa_lockout_staff_access")]

    operations = [migrations.RunPython(create, drop)]
