"""RFC 6962 / RFC 9162 Merkle tree hashing, the compact frontier, proofs and their verification.

Leaf hash: SHA-256(0x00 ‖ data). Interior node: SHA-256(0x01 ‖ left ‖ right). The tree of n leaves
splits at k, the largest power of two smaller than n (RFC 9162 section 2.1.1).

A *frontier* is the list of roots of the perfect subtrees that make up a tree of size n, one per set
bit of n, largest first. Appending a leaf merges equal-sized subtrees like binary addition, so it costs
O(log n) hashes and the root is the fold of the frontier from the right.

A *range* [start, end) below is a subtree of the RFC's recursion: start is a multiple of a power of two
at least as large as any power of two in end - start, so the range splits into aligned perfect
subtrees `(level, index)` covering leaves [index·2^level, (index+1)·2^level).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Range = tuple[int, int]
Perfect = tuple[int, int]  # (level, index)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k, for n >= 2."""
    return 1 << ((n - 1).bit_length() - 1)


def frontier_levels(size: int) -> list[int]:
    """The levels of the perfect subtrees of a tree of `size` leaves, largest first."""
    return [level for level in range(size.bit_length() - 1, -1, -1) if size >> level & 1]


def frontier_append(frontier: list[bytes], size: int, leaf: bytes) -> list[tuple[int, int, bytes]]:
    """Append a leaf hash to the frontier of a tree of `size` leaves, in place.

    Returns the perfect subtrees this completes, as (level, index, hash) with level >= 1.
    """
    completed: list[tuple[int, int, bytes]] = []
    carry = leaf
    level = 0
    while size >> level & 1:
        carry = node_hash(frontier.pop(), carry)
        level += 1
        completed.append((level, size >> level, carry))
    frontier.append(carry)
    return completed


def root_from_frontier(frontier: Sequence[bytes]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for left in reversed(frontier[:-1]):
        root = node_hash(left, root)
    return root


def pack(hashes: Iterable[bytes]) -> bytes:
    return b"".join(hashes)


def unpack(packed: bytes) -> list[bytes]:
    if len(packed) % HASH_SIZE:
        raise ValueError("a packed hash list must be a whole number of 32-byte hashes")
    return [packed[offset : offset + HASH_SIZE] for offset in range(0, len(packed), HASH_SIZE)]


def range_pieces(start: int, end: int) -> list[Perfect]:
    """The aligned perfect subtrees of the range [start, end), left to right."""
    pieces: list[Perfect] = []
    offset = start
    for level in frontier_levels(end - start):
        pieces.append((level, offset >> level))
        offset += 1 << level
    return pieces


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees whose hashes make the inclusion proof of leaf `index` in a tree of `size`, in order.

    RFC 9162 section 2.1.3.1 PATH(m, D[n]), nearest the leaf first.
    """
    if not 0 <= index < size:
        raise ValueError(f"index {index} is not in a tree of size {size}")
    ranges: list[Range] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = largest_power_of_two_below(end - start)
        if m < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m = start + k, m - k
    ranges.reverse()
    return ranges


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The subtrees whose hashes prove the tree of `first` leaves is a prefix of the tree of `second`.

    RFC 9162 section 2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
    """
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    ranges: list[Range] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = largest_power_of_two_below(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def hashes_for_ranges(
    ranges: Sequence[Range], perfect: Callable[[Sequence[Perfect]], dict[Perfect, bytes]]
) -> list[bytes]:
    """Hash each range from its perfect pieces, fetched in one call to `perfect`."""
    wanted = sorted({piece for start, end in ranges for piece in range_pieces(start, end)})
    found = perfect(wanted)
    hashes: list[bytes] = []
    for start, end in ranges:
        hashes.append(root_from_frontier([found[piece] for piece in range_pieces(start, end)]))
    return hashes


# Verification, RFC 9162 sections 2.1.3.2 and 2.1.4.2.


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    if first == second:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is itself a node of the second
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
