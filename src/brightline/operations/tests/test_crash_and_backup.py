"""A real server killed mid-flight loses nothing it acknowledged and leaves nothing half-written; a
backup restores to a database whose ledger verifies. On SQLite, and on PostgreSQL when DATABASE_URL
points at one."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from brightline.operations.testing import LiveServer, fresh_database, sample_body, submit

pytestmark = [pytest.mark.slow]

# How long one answer or one wait may take before the test calls it hung. Only a hang reaches it, so it
# is wide enough for a machine busy with other work, where a first request to a new worker takes seconds.
HANG = 60
# Acknowledged requests to wait for before the server is killed, so that it dies in the middle of work.
IN_FLIGHT = 25

CHECK = """
import json
from brightline.casework.models import Request
from brightline.ledger.models import LedgerEntry
ids = set(str(pk) for pk in Request.objects.values_list("pk", flat=True))
half = []
for request in Request.objects.prefetch_related("items"):
    items = list(request.items.all())
    if not items:
        half.append(f"{request.pk}: no items")
    for item in items:
        if item.state != "awaiting_match" and not item.outcome:
            half.append(f"{request.pk}: item {item.pk} is {item.state} without a triage")
logged = {e.subject["request"] for e in LedgerEntry.objects.filter(event_type="request.submitted")}
print(json.dumps({"ids": sorted(ids), "half": half, "unlogged": sorted(ids - logged), "orphans": sorted(logged - ids)}))
"""


def state_of(server: LiveServer) -> dict[str, list[str]]:
    return json.loads(server.manage("shell", "-c", CHECK).stdout.strip().splitlines()[-1])


def test_a_killed_server_keeps_every_acknowledged_request_and_nothing_half_written(tmp_path: Path) -> None:
    with fresh_database(os.environ.get("DATABASE_URL"), tmp_path) as url:
        server = LiveServer(data_dir=tmp_path, database_url=url, workers=2)
        token = server.prepare()
        server.start()
        acknowledged: list[str] = []
        enough = threading.Event()
        stop = threading.Event()
        lock = threading.Lock()

        def load(thread: int) -> None:
            number = thread * 100_000
            while not stop.is_set():
                number += 1
                try:
                    status, body = submit(server.base, token, sample_body(number), timeout=HANG)
                except OSError:
                    return  # the server is gone
                if status == 201:
                    with lock:
                        acknowledged.append(body["id"])
                        if len(acknowledged) >= IN_FLIGHT:
                            enough.set()

        threads = [threading.Thread(target=load, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        assert enough.wait(timeout=HANG), f"{len(acknowledged)} requests acknowledged in {HANG} s"
        server.kill()  # SIGKILL while the threads are still sending
        stop.set()
        for thread in threads:
            thread.join(timeout=HANG)

        state = state_of(server)
        assert set(acknowledged) <= set(state["ids"]), "an acknowledged request was lost"
        assert state["half"] == [] and state["unlogged"] == [] and state["orphans"] == []
        verify = server.manage("ledger", "verify", check=False)
        assert verify.returncode == 0, verify.stdout + verify.stderr

        server.start()  # and it comes back up and serves what it had
        try:
            status, _ = submit(server.base, token, sample_body(1), timeout=HANG)
            assert status == 201
        finally:
            server.stop()


def test_backup_and_restore_round_trip_with_a_verified_ledger(tmp_path: Path) -> None:
    with fresh_database(os.environ.get("DATABASE_URL"), tmp_path) as url:
        server = LiveServer(data_dir=tmp_path, database_url=url)
        token = server.prepare()
        server.start()
        try:
            kept = [submit(server.base, token, sample_body(n), timeout=HANG)[1]["id"] for n in range(3)]
            backup_file = tmp_path / "brightline.backup"
            made = server.manage("backup", str(backup_file))
            assert backup_file.stat().st_size > 0, made.stdout
            later = submit(server.base, token, sample_body(99), timeout=HANG)[1]["id"]
        finally:
            server.stop()

        dry = server.manage("restore", "--dry-run", str(backup_file))
        assert "nothing changed" in dry.stdout
        assert later in state_of(server)["ids"]

        restored = server.manage("restore", str(backup_file))
        assert "restored" in restored.stdout
        state = state_of(server)
        assert sorted(state["ids"]) == sorted(kept) and later not in state["ids"]
        verify = server.manage("ledger", "verify", check=False)
        assert verify.returncode == 0, verify.stdout + verify.stderr


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    with fresh_database(os.environ.get("DATABASE_URL"), tmp_path) as url:
        server = LiveServer(data_dir=tmp_path, database_url=url)
        server.manage("migrate", "--no-input")
        bogus = tmp_path / "not-a-backup"
        bogus.write_text("hello")
        done = server.manage("restore", str(bogus), check=False)
        assert done.returncode != 0 and "not a" in done.stderr
