"""`brightline ledger verify-remote` against this site, fetched through the test client."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from brightline.ledger.remote import RemoteVerificationError, verify_remote
from brightline.ledger.services import checkpoint_sign
from brightline.ledger.testing import ledger_triggers_disabled
from brightline.ledger.tests.conftest import append_disclosures

pytestmark = pytest.mark.django_db
SITE = "https://records.example.org"


def fetcher(client: Client, replace: dict[str, bytes] | None = None) -> Callable[[str], bytes]:
    def fetch(url: str) -> bytes:
        assert url.startswith(SITE)
        path = url.removeprefix(SITE)
        if replace and path in replace:
            return replace[path]
        response = client.get(path)
        assert response.status_code == 200, (path, response.content)
        return response.content

    return fetch


def test_a_log_that_only_grew_verifies_from_a_saved_checkpoint(client: Client) -> None:
    append_disclosures(7)
    checkpoint_sign()
    saved = client.get("/ledger/checkpoint").content.decode()
    append_disclosures(12)
    checkpoint_sign()
    report = verify_remote(SITE, since_text=saved, rehash=True, fetch=fetcher(client))
    assert report.checkpoint.size == 19
    assert report.lines == [
        "latest checkpoint: size 19, signature by records.example.org/springfield/ledger verified",
        "consistent with the saved checkpoint of size 7",
        "all 19 entries re-hashed to the signed root",
    ]


def test_a_rewritten_history_fails_the_consistency_check(client: Client) -> None:
    entries = append_disclosures(7)
    checkpoint_sign()
    saved = client.get("/ledger/checkpoint").content.decode()
    append_disclosures(3)
    # The operator rewrites entry 2 (and its stored subtree hashes) and signs a new checkpoint.
    from brightline.ledger import merkle
    from brightline.ledger.models import LedgerEntry, LedgerHead, LedgerNode

    with ledger_triggers_disabled():
        forged = re.sub(rb'"time":"\d{4}', b'"time":"1999', bytes(entries[2].data))
        LedgerEntry.objects.filter(index=2).update(data=forged, leaf_hash=merkle.leaf_hash(forged))
        LedgerNode.objects.all().delete()
        frontier: list[bytes] = []
        for index, data in enumerate(LedgerEntry.objects.order_by("index").values_list("data", flat=True)):
            for level, position, value in merkle.frontier_append(
                frontier, index, merkle.leaf_hash(bytes(data))
            ):
                LedgerNode.objects.create(level=level, index=position, hash=value)
        LedgerHead.objects.update(frontier=merkle.pack(frontier))
    checkpoint_sign()
    with pytest.raises(RemoteVerificationError, match="not consistent with the saved one"):
        verify_remote(SITE, since_text=saved, fetch=fetcher(client))


def test_a_checkpoint_not_signed_by_the_logs_key_is_refused(client: Client) -> None:
    append_disclosures(2)
    checkpoint_sign()
    note = client.get("/ledger/checkpoint").content
    tampered = note.replace(b"\n2\n", b"\n3\n")
    with pytest.raises(RemoteVerificationError, match="does not verify"):
        verify_remote(SITE, fetch=fetcher(client, {"/ledger/checkpoint": tampered}))


def test_an_older_checkpoint_served_as_the_latest_is_refused(client: Client) -> None:
    append_disclosures(2)
    checkpoint_sign()
    older = client.get("/ledger/checkpoint").content
    append_disclosures(2)
    checkpoint_sign()
    saved = client.get("/ledger/checkpoint").content.decode()
    with pytest.raises(RemoteVerificationError, match="the log shrank: saved size 4, latest size 2"):
        verify_remote(SITE, since_text=saved, fetch=fetcher(client, {"/ledger/checkpoint": older}))


def test_the_command_saves_the_checkpoint_it_verified(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from brightline.ledger import remote

    append_disclosures(3)
    checkpoint_sign()
    monkeypatch.setattr(remote, "fetch_url", fetcher(client))
    saved = tmp_path / "checkpoint.txt"
    call_command("ledger", "verify-remote", SITE, "--entries", "--save", str(saved))
    assert saved.read_text() == client.get("/ledger/checkpoint").content.decode()
    append_disclosures(2)
    checkpoint_sign()
    call_command("ledger", "verify-remote", SITE, "--since", str(saved))
    assert "consistent with the saved checkpoint of size 3" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--key"):
        call_command("ledger", "verify", "--key", "not-a-key")
