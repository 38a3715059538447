"""The database refuses UPDATE and DELETE on the ledger's append-only tables.

SQLite: BEFORE UPDATE / BEFORE DELETE triggers that RAISE(ABORT). PostgreSQL: one plpgsql function that
raises, called by BEFORE UPDATE OR DELETE row triggers. The head row (ledger_ledgerhead) must change on
every append and is left out. `create_triggers` and `drop_triggers` are also what the tamper drill in the
tests uses (see the app's README).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLES = (
    "ledger_eventrecord",
    "ledger_ledgerentry",
    "ledger_ledgernode",
    "ledger_checkpoint",
    "ledger_cosignature",
)

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def _statements(vendor: str, create: bool) -> list[str]:
    statements: list[str] = []
    for table in TABLES:
        if vendor == "sqlite":
            for operation in ("UPDATE", "DELETE"):
                name = f"{table}_refuse_{operation.lower()}"
                if create:
                    statements.append(
                        f"CREATE TRIGGER {name} BEFORE {operation} ON {table} BEGIN "
                        f"SELECT RAISE(ABORT, 'the ledger is append-only: {operation} on {table} refused'); END"
                    )
                else:
                    statements.append(f"DROP TRIGGER IF EXISTS {name}")
        elif vendor == "postgresql":
            name = f"{table}_refuse_change"
            if create:
                statements.append(
                    f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
                )
            else:
                statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            raise RuntimeError(f"the ledger's append-only triggers are not written for {vendor}")
    if vendor == "postgresql":
        if create:
            statements.insert(0, POSTGRES_FUNCTION)
        else:
            statements.append("DROP FUNCTION IF EXISTS ledger_refuse_change()")
    return statements


def create_triggers(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, create=True):
            cursor.execute(statement)


def drop_triggers(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, create=False):
            cursor.execute(statement)


def forwards(apps: Any, schema_editor: Any) -> None:
    create_triggers(schema_editor.connection)


def backwards(apps: Any, schema_editor: Any) -> None:
    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_ledger_tables")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
