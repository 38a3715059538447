"""The rate limits' counters hold plain counts now (accounts/ratelimits.py), no longer pickles: the
counters of the windows in progress are emptied, which at most lets each caller start its current
window again. Nothing else is kept in the table."""

from django.db import migrations

TABLE = "brightline_rate_limits"


def empty(apps, schema_editor):
    schema_editor.execute(f"DELETE FROM {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_sign_in_through_the_district_provider")]

    operations = [migrations.RunPython(empty, empty)]
