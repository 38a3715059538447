"""Checkpoints and proofs checked by code that shares nothing with the ledger's own.

Everything below works from the published text and JSON only: the signed note is parsed by hand and
its signature checked with `cryptography`; RFC 9162's verification algorithms (sections 2.1.3.2 and
2.1.4.2) are written out again here, step by step as the RFC numbers them.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import Client

from brightline.ledger.services import checkpoint_sign
from brightline.ledger.tests.conftest import append_disclosures

pytestmark = pytest.mark.django_db


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc9162_verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, path: list[bytes], root: bytes
) -> bool:
    # 1.
    if leaf_index >= tree_size:
        return False
    # 2., 3.
    fn, sn, r = leaf_index, tree_size - 1, leaf
    # 4.
    for p in path:
        if sn == 0:  # a.
            return False
        if fn % 2 == 1 or fn == sn:  # b.
            r = h(b"\x01" + p + r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn //= 2
                    sn //= 2
        else:
            r = h(b"\x01" + r + p)
        fn //= 2  # c.
        sn //= 2
    # 5.
    return sn == 0 and r == root


def rfc9162_verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes, path: list[bytes]
) -> bool:
    if first == second:
        return path == [] and first_hash == second_hash
    # 1.
    if not path:
        return False
    # 2.
    if first & (first - 1) == 0:
        path = [first_hash, *path]
    # 3.
    fn, sn = first - 1, second - 1
    # 4.
    while fn % 2 == 1:
        fn //= 2
        sn //= 2
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = h(b"\x01" + c + fr)
            sr = h(b"\x01" + c + sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn //= 2
                    sn //= 2
        else:
            sr = h(b"\x01" + sr + c)
        fn //= 2
        sn //= 2
    # 7.
    return fr == first_hash and sr == second_hash and sn == 0


def read_signed_checkpoint(note: str, vkey: str) -> tuple[int, bytes]:
    """Parse the C2SP note by hand and verify the log's signature with cryptography directly."""
    name, key_hash_hex, encoded = vkey.strip().split("+", 2)
    key_bytes = base64.b64decode(encoded)
    assert key_bytes[0] == 0x01 and len(key_bytes) == 33
    public = key_bytes[1:]
    assert h(name.encode() + b"\n" + b"\x01" + public)[:4].hex() == key_hash_hex
    body, signatures = note.split("\n\n", 1)
    body += "\n"
    origin, size, root_b64 = body.splitlines()[:3]
    assert origin == name
    verified = False
    for line in signatures.splitlines():
        dash, signer, signature_b64 = line.split(" ")
        assert dash == "\u2014"
        raw = base64.b64decode(signature_b64)
        if signer == name and raw[:4].hex() == key_hash_hex:
            Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], body.encode())
            verified = True
    assert verified
    return int(size), base64.b64decode(root_b64)


def _proof(client: Client, path: str, **query: int) -> list[bytes]:
    response = client.get(f"/api/v1/ledger/proof/{path}", query)
    assert response.status_code == 200
    return [base64.b64decode(value) for value in response.json()["hashes"]]


def test_an_outside_verifier_accepts_our_checkpoints_and_proofs(client: Client) -> None:
    append_disclosures(5)
    checkpoint_sign()
    vkey = client.get("/ledger/key").content.decode()
    old_size, old_root = read_signed_checkpoint(client.get("/ledger/checkpoint").content.decode(), vkey)
    append_disclosures(16)
    checkpoint_sign()
    size, root = read_signed_checkpoint(client.get("/ledger/checkpoint").content.decode(), vkey)
    assert (old_size, size) == (5, 21)

    entries = client.get("/api/v1/ledger/entries", {"start": 0, "end": size - 1}).json()["entries"]
    for entry in entries:
        leaf = h(b"\x00" + base64.b64decode(entry["data"]))
        proof = _proof(client, "inclusion", index=entry["index"], size=size)
        assert rfc9162_verify_inclusion(entry["index"], size, leaf, proof, root)
        assert not rfc9162_verify_inclusion(entry["index"], size, h(b"other"), proof, root)
    assert rfc9162_verify_consistency(
        old_size, size, old_root, root, _proof(client, "consistency", first=5, second=21)
    )
    for first in range(1, size + 1):
        proof = _proof(client, "consistency", first=first, second=size)
        first_root = _root_from_entries(entries[:first])
        assert rfc9162_verify_consistency(first, size, first_root, root, proof), first
        assert not rfc9162_verify_consistency(first, size, h(b"forged"), root, proof)


def _root_from_entries(entries: list[dict]) -> bytes:
    leaves = [h(b"\x00" + base64.b64decode(entry["data"])) for entry in entries]

    def mth(part: list[bytes]) -> bytes:
        if len(part) == 1:
            return part[0]
        k = 1 << ((len(part) - 1).bit_length() - 1)
        return h(b"\x01" + mth(part[:k]) + mth(part[k:]))

    return mth(leaves)
