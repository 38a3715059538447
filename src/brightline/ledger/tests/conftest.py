from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import transaction

from brightline.ledger.models import LedgerEntry
from brightline.ledger.services import ledger_append
from brightline.ledger.testing import ledger_rows_removable  # noqa: F401 (a fixture)
from brightline.ledger.tests.casework_world import released  # noqa: F401 (a fixture)

ORIGIN = "records.example.org/springfield/ledger"


@pytest.fixture(autouse=True)
def _ledger_keys_in_a_fresh_data_dir(
    settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    settings.LEDGER_ORIGIN = ORIGIN  # type: ignore[attr-defined]
    monkeypatch.delenv("BRIGHTLINE_LEDGER_SIGNING_KEY_FILE", raising=False)


def append_disclosures(count: int) -> list[LedgerEntry]:
    """`count` entries, each in its own transaction, as the disclosures app would write them."""
    entries = []
    for number in range(count):
        with transaction.atomic():
            entries.append(
                ledger_append(
                    event_type="disclosure.released",
                    subject={"request": 1000 + number, "item": 5000 + number},
                    record={"student_name": "Ana Pereira", "agency": "Transit Police", "number": number},
                )
            )
    return entries


@pytest.fixture
def appended() -> Callable[[int], list[LedgerEntry]]:
    return append_disclosures
