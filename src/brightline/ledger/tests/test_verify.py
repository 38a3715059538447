"""`brightline ledger verify` and the tamper drill: alter rows behind the triggers' back, then verify."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from brightline.ledger.keys import public_key_bytes
from brightline.ledger.models import Checkpoint, EventRecord, LedgerEntry
from brightline.ledger.notes import VerifierKey
from brightline.ledger.services import checkpoint_sign
from brightline.ledger.testing import ledger_triggers_disabled
from brightline.ledger.tests.conftest import ORIGIN, append_disclosures
from brightline.ledger.verification import verify_ledger

pytestmark = pytest.mark.django_db


def _key() -> VerifierKey:
    return VerifierKey(ORIGIN, 0x01, public_key_bytes())


def _problems(**options: int) -> list[str]:
    return verify_ledger(key=_key(), **options).messages()


def _retimed(data: bytes) -> bytes:
    """The same leaf, still canonical and committing to the same record, with another time."""
    return re.sub(rb'"time":"\d{4}', b'"time":"1999', data)


def _sql(statement: str, params: list[object]) -> None:
    with ledger_triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_untouched_ledger_verifies_and_the_command_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    append_disclosures(9)
    checkpoint_sign()
    append_disclosures(4)
    checkpoint_sign()
    assert _problems() == []
    call_command("ledger", "verify")
    assert "ledger verified: 13 entries" in capsys.readouterr().out


def test_verification_in_small_chunks_folds_to_the_same_answer() -> None:
    append_disclosures(21)
    checkpoint_sign()
    append_disclosures(2)
    checkpoint_sign()
    whole = verify_ledger(key=_key())
    for chunk in (1, 2, 4, 8, 16):
        chunked = verify_ledger(key=_key(), chunk=chunk)
        assert chunked.messages() == [] and chunked.root == whole.root, chunk


def test_a_rewritten_event_record_is_named_by_its_entry() -> None:
    entries = append_disclosures(45)
    checkpoint_sign()
    record_id = entries[41].record_id
    _sql(
        f"UPDATE {EventRecord._meta.db_table} SET canonical = %s WHERE id = %s",  # noqa: S608
        [b'{"nonce":"0","record":{}}', record_id],
    )
    problems = _problems()
    assert problems[0] == "entry 41: record hash does not match its event record"
    with pytest.raises(CommandError, match="entry 41: record hash does not match") as raised:
        call_command("ledger", "verify")
    assert raised.value.returncode == 1


def test_an_entry_deleted_in_the_middle_is_named(chunk: int = 8) -> None:
    append_disclosures(30)
    checkpoint_sign()
    _sql(f'DELETE FROM {LedgerEntry._meta.db_table} WHERE "index" = %s', [17])  # noqa: S608
    assert _problems()[0] == "entry 17 missing"
    assert _problems(chunk=chunk)[0] == "entry 17 missing"


def test_two_entries_swapped_are_named_out_of_order() -> None:
    entries = append_disclosures(10)
    five, six = bytes(entries[5].data), bytes(entries[6].data)
    table = LedgerEntry._meta.db_table
    _sql(
        f'UPDATE {table} SET data = %s, leaf_hash = %s WHERE "index" = 5',  # noqa: S608
        [six, hashlib.sha256(b"\x00" + six).digest()],
    )
    _sql(
        f'UPDATE {table} SET data = %s, leaf_hash = %s WHERE "index" = 6',  # noqa: S608
        [five, hashlib.sha256(b"\x00" + five).digest()],
    )
    assert _problems()[0] == "entries 5 and 6 out of order"


def test_a_consistently_rewritten_leaf_breaks_the_signed_checkpoint() -> None:
    # Data and leaf hash rewritten together, the record untouched: only the tree can tell.
    entries = append_disclosures(8)
    checkpoint_sign()
    data = _retimed(bytes(entries[3].data))
    table = LedgerEntry._meta.db_table
    _sql(
        f'UPDATE {table} SET data = %s, leaf_hash = %s WHERE "index" = 3',  # noqa: S608
        [data, hashlib.sha256(b"\x00" + data).digest()],
    )
    assert _problems() == [
        "the ledger head's frontier does not match the recomputed tree",
        f"checkpoint {Checkpoint.objects.get().pk} (size 8): root hash does not match the log at size 8",
    ]


def test_a_leaf_whose_stored_hash_was_not_updated_is_named() -> None:
    entries = append_disclosures(4)
    data = _retimed(bytes(entries[2].data))
    _sql(f'UPDATE {LedgerEntry._meta.db_table} SET data = %s WHERE "index" = 2', [data])  # noqa: S608
    assert _problems()[0] == "entry 2: its stored leaf hash does not match its data"


def test_the_last_entry_erased_with_the_head_rolled_back_is_caught_by_the_checkpoint() -> None:
    append_disclosures(6)
    checkpoint_sign()
    _sql(f'DELETE FROM {LedgerEntry._meta.db_table} WHERE "index" = %s', [5])  # noqa: S608
    assert _problems()[0] == "entry 5 missing: the ledger head counts 6 entries"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerhead SET size = 5")
    assert any(problem.startswith("entry 5 missing: checkpoint") for problem in _problems())


def test_a_forged_checkpoint_signature_is_caught() -> None:
    append_disclosures(3)
    checkpoint = checkpoint_sign()
    assert checkpoint is not None
    forged = checkpoint.note.replace("\n3\n", "\n2\n")
    _sql(f"UPDATE {Checkpoint._meta.db_table} SET note = %s WHERE id = %s", [forged, checkpoint.pk])  # noqa: S608
    assert any("does not verify" in problem for problem in _problems())


def test_a_checkpoint_signed_by_another_key_is_caught(capsys: pytest.CaptureFixture[str]) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from brightline.ledger.notes import raw_public_key, verifier_key

    append_disclosures(2)
    checkpoint_sign()
    other = verifier_key(ORIGIN, raw_public_key(Ed25519PrivateKey.generate().public_key()))
    with pytest.raises(CommandError, match="no signature by"):
        call_command("ledger", "verify", "--key", other)


def test_an_entry_erased_and_the_rest_renumbered_is_named_missing() -> None:
    append_disclosures(12)
    table = LedgerEntry._meta.db_table
    with ledger_triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM {table} WHERE "index" = 7')  # noqa: S608
        for index in range(8, 12):
            cursor.execute(f'UPDATE {table} SET "index" = %s WHERE "index" = %s', [index - 1, index])  # noqa: S608
    assert _problems()[0] == "entry 7 missing (its place holds entry 8)"
