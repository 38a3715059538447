"""A requester's receipt: given by the public API, checked by `verify-remote --receipt`, refused when
anything in it, the checkpoint or the proof was changed by one byte."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from brightline.ledger.receipts import ReceiptError, receipt_parse
from brightline.ledger.remote import RemoteVerificationError, verify_remote
from brightline.ledger.selectors import receipt_for
from brightline.ledger.services import checkpoint_sign
from brightline.ledger.tests.conftest import append_disclosures
from brightline.ledger.tests.test_verify_remote import SITE, fetcher

pytestmark = pytest.mark.django_db


def flip(encoded: str, at: int = 5) -> str:
    raw = bytearray(base64.b64decode(encoded))
    raw[at] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_the_api_gives_a_receipt_only_once_a_checkpoint_covers_the_entry(client: Client) -> None:
    append_disclosures(6)
    assert client.get("/api/v1/ledger/receipt?index=3").status_code == 409
    checkpoint_sign()
    answer = client.get("/api/v1/ledger/receipt?index=3")
    assert answer.status_code == 200
    receipt = answer.json()
    assert sorted(receipt) == ["index", "leaf", "size"]
    assert receipt["index"] == 3 and receipt["size"] == 6
    entry = client.get("/api/v1/ledger/entries?start=3&end=3").json()["entries"][0]
    from brightline.ledger.merkle import leaf_hash

    assert base64.b64decode(receipt["leaf"]) == leaf_hash(base64.b64decode(entry["data"]))
    # The same JSON as the selector's, byte for byte, and nothing else: no event type, no subject.
    assert json.loads(receipt_for(3) or "") == receipt
    assert client.get("/api/v1/ledger/receipt?index=6").status_code == 422


def test_a_receipt_verifies_against_the_latest_checkpoint_after_the_log_grew(client: Client) -> None:
    append_disclosures(5)
    checkpoint_sign()
    receipt = receipt_for(2)
    assert receipt is not None
    append_disclosures(9)
    checkpoint_sign()
    report = verify_remote(SITE, receipt_text=receipt, fetch=fetcher(client))
    assert report.lines[-1] == "receipt: entry 2 is in the signed tree of size 14"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("leaf", "inclusion"),
        ("proof", "inclusion"),
        ("signature", "signature"),
        ("size", "shrank"),
        ("entry", "entry"),
    ],
)
def test_one_byte_changed_anywhere_fails_and_names_the_step(client: Client, change: str, code: str) -> None:
    append_disclosures(11)
    checkpoint_sign()
    receipt = json.loads(receipt_for(6) or "")
    replace: dict[str, bytes] = {}
    if change == "leaf":
        receipt["leaf"] = flip(receipt["leaf"])
    elif change == "size":
        receipt["size"] = 12
    elif change == "proof":
        proof = client.get("/api/v1/ledger/proof/inclusion?index=6&size=11").json()
        proof["hashes"][1] = flip(proof["hashes"][1])
        replace["/api/v1/ledger/proof/inclusion?index=6&size=11"] = json.dumps(proof).encode()
    elif change == "signature":
        note = client.get("/ledger/checkpoint").content.decode()
        body, _, line = note.partition("\n\n")
        dash_name, signature = line.rstrip("\n").rsplit(" ", 1)
        replace["/ledger/checkpoint"] = f"{body}\n\n{dash_name} {flip(signature, 40)}\n".encode()
    elif change == "entry":
        entries = client.get("/api/v1/ledger/entries?start=6&end=6").json()
        data = bytearray(base64.b64decode(entries["entries"][0]["data"]))
        data[-3] = ord("9") if data[-3] != ord("9") else ord("8")  # a digit of the time
        entries["entries"][0]["data"] = base64.b64encode(bytes(data)).decode()
        replace["/api/v1/ledger/entries?start=6&end=6"] = json.dumps(entries).encode()
    text = json.dumps(receipt)
    assert verify_remote(SITE, receipt_text=receipt_for(6), fetch=fetcher(client)).lines
    with pytest.raises(RemoteVerificationError) as raised:
        verify_remote(SITE, receipt_text=text, fetch=fetcher(client, replace))
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "receipt"),
        ("[1, 2]", "receipt"),
        ('{"index": 1, "leaf": "AAAA", "size": 3, "event": "x"}', "receipt"),
        ('{"index": -1, "leaf": "AAAA", "size": 3}', "index"),
        ('{"index": true, "leaf": "AAAA", "size": 3}', "index"),
        ('{"index": 3, "leaf": "AAAA", "size": 3}', "index"),
        ('{"index": 1, "leaf": "AAAA", "size": 9007199254740992}', "size"),
        ('{"index": 1, "leaf": "AAAA", "size": 3}', "leaf"),
        ('{"index": 1, "leaf": "not base64!", "size": 3}', "leaf"),
    ],
)
def test_a_receipt_that_is_not_one_is_refused_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(ReceiptError) as raised:
        receipt_parse(text)
    assert raised.value.code == "receipt"
    assert str(raised.value).startswith(f"{field}:")


def test_the_command_checks_a_receipt_and_exits_1_on_a_changed_one(
    client: Client, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from brightline.ledger import remote

    append_disclosures(4)
    checkpoint_sign()
    receipt = receipt_for(1) or ""
    monkeypatch.setattr(remote, "fetch_url", fetcher(client))
    url = SITE
    call_command("ledger", "verify-remote", url, "--receipt", receipt)
    assert "receipt: entry 1 is in the signed tree of size 4" in capsys.readouterr().out
    kept = tmp_path / "receipt.json"
    kept.write_text(receipt + "\n", encoding="utf-8")
    call_command("ledger", "verify-remote", url, "--receipt", str(kept))
    assert "receipt: entry 1 is in the signed tree of size 4" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--receipt: cannot read"):
        call_command("ledger", "verify-remote", url, "--receipt", str(tmp_path / "missing.json"))
    changed = json.loads(receipt)
    changed["leaf"] = flip(changed["leaf"], 0)
    with pytest.raises(CommandError, match="not in the signed tree") as raised:
        call_command("ledger", "verify-remote", url, "--receipt", json.dumps(changed))
    assert raised.value.returncode == 1


def test_a_receipt_keeps_the_bytes_of_the_receipts_already_given() -> None:
    """A receipt a requester kept is JSON they may compare byte for byte: the canonical encoder writes
    exactly the bytes the receipts given before it did."""
    from brightline.ledger.receipts import Receipt, receipt_json

    leaf = bytes(range(32))
    pinned = '{"index":41,"leaf":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","size":57}'
    assert receipt_json(index=41, leaf=leaf, size=57) == pinned
    assert Receipt(index=41, leaf_hash=leaf, size=57).as_json() == pinned
    assert receipt_parse(pinned) == Receipt(index=41, leaf_hash=leaf, size=57)
    largest = receipt_json(index=2**53 - 2, leaf=b"\xff" * 32, size=2**53 - 1)
    assert largest == (
        '{"index":9007199254740990,"leaf":"//////////////////////////////////////////8=",'
        '"size":9007199254740991}'
    )
