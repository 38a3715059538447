from __future__ import annotations

import base64
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from brightline.ledger.errors import EntryNotYetCheckpointed
from brightline.ledger.models import Cosignature
from brightline.ledger.notes import cosign, parse_checkpoint
from brightline.ledger.selectors import ENTRIES_PAGE_MAX, inclusion_proof_for
from brightline.ledger.services import checkpoint_sign, witness_register
from brightline.ledger.tests.conftest import append_disclosures

pytestmark = pytest.mark.django_db
API = "/api/v1/ledger"
WITNESS = "witness.civil-rights.example/w1"


def test_entries_are_returned_as_base64_of_the_exact_leaf_bytes(client: Client) -> None:
    entries = append_disclosures(4)
    response = client.get(f"{API}/entries", {"start": 1, "end": 2})
    assert response.status_code == 200
    assert response.json() == {
        "entries": [
            {"index": entry.index, "data": base64.b64encode(bytes(entry.data)).decode()}
            for entry in entries[1:3]
        ]
    }


def test_entries_past_the_end_are_cut_and_pages_are_capped(client: Client) -> None:
    append_disclosures(3)
    assert [e["index"] for e in client.get(f"{API}/entries", {"start": 1, "end": 99}).json()["entries"]] == [
        1,
        2,
    ]
    assert ENTRIES_PAGE_MAX == 1000


@pytest.mark.parametrize(
    "query", [{"start": 2, "end": 1}, {"start": -1, "end": 1}, {"start": 3, "end": 5}, {"start": 0}]
)
def test_bad_entry_ranges_answer_422(client: Client, query: dict) -> None:
    append_disclosures(3)
    assert client.get(f"{API}/entries", query).status_code == 422


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("proof/inclusion", {"index": 3, "size": 3}),
        ("proof/inclusion", {"index": 0, "size": 4}),
        ("proof/inclusion", {"index": 0, "size": 0}),
        ("proof/consistency", {"first": 0, "second": 2}),
        ("proof/consistency", {"first": 3, "second": 2}),
        ("proof/consistency", {"first": 1, "second": 4}),
    ],
)
def test_proofs_of_impossible_sizes_answer_422(client: Client, path: str, query: dict) -> None:
    append_disclosures(3)
    response = client.get(f"{API}/{path}", query)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_the_checkpoint_list_shows_every_signed_checkpoint_newest_first(client: Client) -> None:
    append_disclosures(1)
    checkpoint_sign()
    append_disclosures(1)
    checkpoint_sign()
    listed = client.get(f"{API}/checkpoints").json()["checkpoints"]
    assert [row["size"] for row in listed] == [2, 1]
    assert parse_checkpoint(listed[0]["checkpoint"]).size == 2


def _witness() -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    witness_register(name=WITNESS, public_key=key.public_key().public_bytes_raw())
    return key


def test_a_witness_cosignature_is_verified_stored_and_published(client: Client) -> None:
    append_disclosures(3)
    checkpoint = checkpoint_sign()
    assert checkpoint is not None
    key = _witness()
    line = cosign(parse_checkpoint(checkpoint.note).body, WITNESS, key, int(time.time()))
    response = client.post(
        f"{API}/cosignatures", {"size": 3, "cosignature": line}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["witness"] == WITNESS
    published = client.get("/ledger/checkpoint").content.decode()
    assert published == checkpoint.note + line
    assert [s.name for s in parse_checkpoint(published).signatures][1] == WITNESS
    again = client.post(
        f"{API}/cosignatures", {"size": 3, "cosignature": line}, content_type="application/json"
    )
    assert again.status_code == 201 and Cosignature.objects.count() == 1


def test_cosignatures_that_do_not_verify_answer_422_naming_the_problem(client: Client) -> None:
    append_disclosures(3)
    checkpoint = checkpoint_sign()
    assert checkpoint is not None
    body = parse_checkpoint(checkpoint.note).body
    witness_key = _witness()
    impostor = Ed25519PrivateKey.generate()
    now = int(time.time())
    cases = {
        "no witness named": cosign(body, "stranger.example/w", impostor, now),
        "key hash does not match": cosign(body, WITNESS, impostor, now),
        "no checkpoint of tree size 2": cosign(body, WITNESS, witness_key, now),
        "em dash": "- witness AAAA",
    }
    for problem, line in cases.items():
        size = 2 if "tree size 2" in problem else 3
        response = client.post(
            f"{API}/cosignatures",
            {"size": size, "cosignature": line or "\u2014 x AAAAAAAA"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert problem in response.json()["detail"]
    assert not Cosignature.objects.exists()


def test_a_cosignature_over_another_body_does_not_verify(client: Client) -> None:
    append_disclosures(3)
    checkpoint_sign()
    key = _witness()
    forged_body = "records.example.org/springfield/ledger\n3\n" + base64.b64encode(bytes(32)).decode() + "\n"
    line = cosign(forged_body, WITNESS, key, int(time.time()))
    response = client.post(
        f"{API}/cosignatures", {"size": 3, "cosignature": line}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "does not verify" in response.json()["detail"]


def test_a_familys_entry_carries_its_proof_once_a_checkpoint_covers_it() -> None:
    entries = append_disclosures(6)
    with pytest.raises(EntryNotYetCheckpointed):
        inclusion_proof_for(entries[4].index)
    checkpoint_sign()
    proof = inclusion_proof_for(entries[4].index)
    assert proof["tree_size"] == 6 and proof["index"] == 4
    assert len(proof["hashes"]) == 2  # the sibling leaf 5, then the subtree of entries 0-3
    assert parse_checkpoint(proof["checkpoint"]).size == 6


def test_the_ledger_api_needs_no_sign_in(client: Client) -> None:
    append_disclosures(2)
    for path in (
        "entries?start=0&end=1",
        "proof/inclusion?index=0&size=2",
        "proof/consistency?first=1&second=2",
        "checkpoints",
    ):
        assert client.get(f"{API}/{path}").status_code == 200, path
