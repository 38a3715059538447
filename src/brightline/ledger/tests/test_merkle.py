"""The tree hashing and proofs against a direct transcription of RFC 9162's recursive definitions."""

from __future__ import annotations

import hashlib

from brightline.ledger import merkle


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


LEAVES = [f"leaf {number}".encode() for number in range(70)]


def _frontier_tree(count: int) -> tuple[list[bytes], dict[merkle.Perfect, bytes]]:
    frontier: list[bytes] = []
    stored: dict[merkle.Perfect, bytes] = {}
    for index, data in enumerate(LEAVES[:count]):
        leaf = merkle.leaf_hash(data)
        stored[(0, index)] = leaf
        for level, position, value in merkle.frontier_append(frontier, index, leaf):
            stored[(level, position)] = value
    return frontier, stored


def test_frontier_root_equals_the_rfc_tree_hash_for_every_size() -> None:
    for size in range(0, 70):
        frontier, _ = _frontier_tree(size)
        assert merkle.root_from_frontier(frontier) == mth(LEAVES[:size]), size


def test_proofs_from_stored_subtrees_equal_the_rfc_definitions_and_verify() -> None:
    _, stored = _frontier_tree(70)

    def lookup(pieces: object) -> dict[merkle.Perfect, bytes]:
        return stored

    for size in range(1, 70):
        root = mth(LEAVES[:size])
        for index in range(size):
            proof = merkle.hashes_for_ranges(merkle.inclusion_ranges(index, size), lookup)
            assert proof == path(index, LEAVES[:size])
            assert merkle.verify_inclusion(index, size, merkle.leaf_hash(LEAVES[index]), proof, root)
        for first in range(1, size + 1):
            proof = merkle.hashes_for_ranges(merkle.consistency_ranges(first, size), lookup)
            assert proof == subproof(first, LEAVES[:size], True)
            assert merkle.verify_consistency(first, size, mth(LEAVES[:first]), root, proof)


def test_a_proof_for_the_wrong_leaf_or_root_does_not_verify() -> None:
    _, stored = _frontier_tree(13)
    proof = merkle.hashes_for_ranges(merkle.inclusion_ranges(5, 13), lambda pieces: stored)
    root = mth(LEAVES[:13])
    assert not merkle.verify_inclusion(5, 13, merkle.leaf_hash(LEAVES[6]), proof, root)
    assert not merkle.verify_inclusion(6, 13, merkle.leaf_hash(LEAVES[5]), proof, root)
    consistency = merkle.hashes_for_ranges(merkle.consistency_ranges(7, 13), lambda pieces: stored)
    assert not merkle.verify_consistency(7, 13, mth(LEAVES[:6]), root, consistency)
