"""Backups of the database: SQLite through its online backup API, PostgreSQL through pg_dump/pg_restore.

A backup holds the database only. Uploaded documents and the ledger's signing key live in
`$BRIGHTLINE_DATA_DIR` (files/, keys) and are copied with the machine's file backups.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore could not be done; nothing was changed."""


def _database() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)


def is_sqlite() -> bool:
    return str(_database()["ENGINE"]).endswith("sqlite3")


def postgres_tool(name: str) -> str:
    """pg_dump / pg_restore: on the PATH, else beside pg_ctl in the Debian layout."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if candidates:
        return str(candidates[0])
    raise BackupError(f"{name} was not found: install the PostgreSQL client programs")


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    db = _database()
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


def backup(target: Path) -> None:
    """Write a consistent copy of the live database to `target` (replaced atomically when complete)."""
    target = target.resolve()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if is_sqlite():
        source = sqlite3.connect(str(_database()["NAME"]))
        copy = sqlite3.connect(str(partial))
        try:
            # The online backup API copies a consistent snapshot while other processes keep writing.
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        env, args = _pg_env_and_args()
        _run([postgres_tool("pg_dump"), "--format=custom", "--file", str(partial), *args], env)
    os.replace(partial, target)


def check(source: Path) -> str:
    """Describe a backup file after checking that it is one this database can restore."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    head = source.read_bytes()[:16]
    if is_sqlite():
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source}: not a SQLite backup")
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            status = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if status != "ok":
                raise BackupError(f"{source}: damaged ({status})")
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            applied = conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source}: {error}") from None
        finally:
            conn.close()
        return f"SQLite backup: {tables} tables, {applied} migrations applied"
    if not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{source}: not a pg_dump custom-format backup")
    listing = _run([postgres_tool("pg_restore"), "--list", str(source)], dict(os.environ))
    entries = sum(1 for line in listing.splitlines() if line and not line.startswith(";"))
    return f"PostgreSQL backup: {entries} entries"


def restore(source: Path) -> str:
    """Replace the live database's contents with the backup's. Checks the file first."""
    summary = check(source)
    connections.close_all()
    if is_sqlite():
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(str(_database()["NAME"]), timeout=30)
        try:
            backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
    else:
        env, args = _pg_env_and_args()
        _run(
            [
                postgres_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(source),
            ],
            env,
        )
    return summary
