"""Sequence numbers stay gapless and unique when many writers append at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction

from brightline.ledger.models import LedgerEntry, LedgerHead
from brightline.ledger.services import ledger_append
from brightline.ledger.verification import verify_ledger

WRITERS = 6
EACH = 15
# How long the writers may take before the test calls them hung; only a hang reaches it.
HANG = 300


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database shares one cache between threads; see the process test below",
)
def test_concurrent_writers_in_threads_get_gapless_unique_numbers(ledger_rows_removable: None) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        try:
            barrier.wait(timeout=HANG)
            for step in range(EACH):
                with transaction.atomic():
                    ledger_append(event_type="item.decided", subject={"item": number * 100 + step}, record={})
        except BaseException as error:  # noqa: BLE001 (reported to the test thread)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG)
    assert not any(thread.is_alive() for thread in threads), f"a writer is still appending after {HANG} s"
    assert errors == []
    indices = list(LedgerEntry.objects.order_by("index").values_list("index", flat=True))
    assert indices == list(range(WRITERS * EACH))
    assert LedgerHead.objects.get().size == WRITERS * EACH
    assert verify_ledger(key=None).messages() == []


WRITER = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brightline.settings")
import django
django.setup()
from django.db import transaction
from brightline.ledger.services import ledger_append
number, count = int(sys.argv[1]), int(sys.argv[2])
for step in range(count):
    with transaction.atomic():
        ledger_append(event_type="item.decided", subject={"item": number * 1000 + step}, record={"step": step})
"""

VERIFY = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brightline.settings")
import django
django.setup()
from brightline.ledger.models import LedgerEntry
from brightline.ledger.verification import verify_ledger
report = verify_ledger(key=None, workers=3, chunk=16)
assert report.messages() == [], report.messages()
assert list(LedgerEntry.objects.values_list("index", flat=True)) == list(range(report.entries))
print(report.entries)
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite file database and its BEGIN IMMEDIATE")
def test_concurrent_writer_processes_on_a_sqlite_file_get_gapless_unique_numbers(tmp_path: Path) -> None:
    env = {**os.environ, "BRIGHTLINE_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "brightline", "migrate", "--no-input", "-v0"],
        env=env,
        check=True,
        timeout=HANG,
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(number), str(EACH)], env=env)
        for number in range(WRITERS)
    ]
    assert [writer.wait(timeout=HANG) for writer in writers] == [0] * WRITERS
    verified = subprocess.run(
        [sys.executable, "-c", VERIFY], env=env, check=True, capture_output=True, text=True, timeout=HANG
    )
    assert verified.stdout.strip() == str(WRITERS * EACH)
