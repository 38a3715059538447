"""The batch check: the compiled scanner and the Python one accept and reject exactly the same rows.

The regular expression CANONICAL_LEAF is the definition of a canonical leaf; `_speedups.c` reads the
same form by hand for speed. These tests hold the two to each other on valid leaves, on leaves with
every part pushed to its limits, and on random damage.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brightline.ledger import batches
from brightline.ledger.batches import CANONICAL_LEAF, pure_check_batch, pure_node_level
from brightline.ledger.canonical import canonical_json

if os.environ.get("CI"):  # in CI the compiled module must have been built: a silent fallback hides it
    from brightline.ledger import _speedups as compiled
else:
    compiled = pytest.importorskip("brightline.ledger._speedups")


def _row(index: int, data: bytes, record: bytes | None = b'{"nonce":"00","record":{}}') -> tuple:
    return (index, data, hashlib.sha256(b"\x00" + data).digest(), record)


def _leaf(
    index: int, record: bytes, *, event_type: str = "item.decided", subject: dict | None = None
) -> bytes:
    """A leaf of the earlier form, which named the event type and subject (logs keep such leaves)."""
    return canonical_json(
        {
            "event_type": event_type,
            "index": index,
            "record_sha256": hashlib.sha256(record).hexdigest(),
            "subject": {"item": 7, "request": 3} if subject is None else subject,
            "time": "2026-03-02T14:05:09.123456Z",
        }
    )


def _public_leaf(index: int, record: bytes, *, time: str = "2026-03-02T14:05:09.123456Z") -> bytes:
    """A leaf as `ledger_append` writes it now: the index, the record's hash and the time."""
    return canonical_json({"index": index, "record_sha256": hashlib.sha256(record).hexdigest(), "time": time})


def _both(rows: list[tuple], first: int) -> bytes | None:
    python, c = pure_check_batch(rows, first), compiled.check_batch(rows, first)
    assert python == c, (rows, first)
    return c


def _regex_says(index: int, data: bytes, record: bytes) -> bool:
    found = CANONICAL_LEAF.fullmatch(data)
    return (
        found is not None
        and found["index"] == str(index).encode()
        and found["record"] == hashlib.sha256(record).hexdigest().encode()
    )


RECORD = b'{"nonce":"ab","record":{"x":1}}'


def test_a_good_batch_gives_its_leaf_hashes_from_both() -> None:
    rows = [_row(index, _leaf(index, RECORD), RECORD) for index in range(40, 60)]
    expected = b"".join(hashlib.sha256(b"\x00" + row[1]).digest() for row in rows)
    assert _both(rows, 40) == expected
    assert _both([], 5) == b""


def test_leaves_of_both_forms_in_one_batch_give_their_leaf_hashes_from_both() -> None:
    rows = [
        _row(index, (_public_leaf if index % 3 else _leaf)(index, RECORD), RECORD) for index in range(7, 30)
    ]
    expected = b"".join(hashlib.sha256(b"\x00" + row[1]).digest() for row in rows)
    assert _both(rows, 7) == expected


def test_a_leaf_with_half_of_the_earlier_form_is_not_canonical() -> None:
    sha = hashlib.sha256(RECORD).hexdigest()
    for data in (
        b'{"event_type":"a.b","index":3,"record_sha256":"%s","time":"2026-03-02T14:05:09.123456Z"}',
        b'{"index":3,"record_sha256":"%s","subject":{},"time":"2026-03-02T14:05:09.123456Z"}',
        b'{"index":3,"record_sha256":"%s","time":"2026-03-02T14:05:09.123456Z","x":1}',
    ):
        leaf = data.replace(b"%s", sha.encode())
        assert _both([_row(3, leaf, RECORD)], 3) is None
        assert not _regex_says(3, leaf, RECORD)


def test_text_where_bytes_belong_is_refused_by_both() -> None:
    rows = [_row(index, _public_leaf(index, RECORD), RECORD) for index in range(4)]
    for position in (1, 2, 3):
        damaged = list(rows[2])
        damaged[position] = bytes(damaged[position]).decode("latin-1")
        assert _both([*rows[:2], tuple(damaged), rows[3]], 0) is None


def test_memoryviews_from_a_postgresql_driver_are_read_alike() -> None:
    rows = [
        (index, memoryview(data), memoryview(leaf), memoryview(record))
        for index, data, leaf, record in (_row(i, _leaf(i, RECORD), RECORD) for i in range(3))
    ]
    assert _both(rows, 0) is not None


@pytest.mark.parametrize(
    "change",
    [
        "wrong first index",
        "a gap",
        "record missing",
        "record altered",
        "stored leaf altered",
        "short stored leaf",
        "data says another index",
        "not a tuple",
    ],
)
def test_every_kind_of_damage_is_refused_by_both(change: str) -> None:
    rows = [_row(index, _leaf(index, RECORD), RECORD) for index in range(10)]
    first = 0
    if change == "wrong first index":
        first = 1
    elif change == "a gap":
        del rows[4]
    elif change == "record missing":
        rows[3] = rows[3][:3] + (None,)
    elif change == "record altered":
        rows[3] = rows[3][:3] + (RECORD + b" ",)
    elif change == "stored leaf altered":
        rows[3] = (rows[3][0], rows[3][1], bytes(32), rows[3][3])
    elif change == "short stored leaf":
        rows[3] = (rows[3][0], rows[3][1], rows[3][2][:31], rows[3][3])
    elif change == "data says another index":
        rows[3] = _row(3, _leaf(4, RECORD), RECORD)
    elif change == "not a tuple":
        rows[3] = list(rows[3])  # type: ignore[call-overload]
        assert compiled.check_batch(rows, first) is None
        return
    assert _both(rows, first) is None


EDGES = [
    ("a.b", {}),
    ("a_1.b2.c_", {"k": 0}),
    ("policy.version.adopted", {"k" + "x" * 63: 1}),  # the longest key
    ("a.b", {"k" + "x" * 64: 1}),  # one too long
    ("a.b", {"k": "A" + "b" * 63}),  # the longest token
    ("a.b", {"k": "A" + "b" * 64}),  # one too long
    ("a.b", {"k": "a.b_c:d-e"}),
    ("a.b", {"k": "-leading"}),
    ("a.b", {"k": "sp ace"}),
    ("a.b", {"k": ""}),
    ("a.b", {"k": 1234567890123}),
    ("a.b", {"a": 1, "b": "x", "c": 0}),
    ("ab", {"k": 1}),  # no dot in the event type
    ("a..b", {"k": 1}),
    ("A.b", {"k": 1}),
    ("a.b", {"K": 1}),
    ("a.b", {"_k": 1}),
]


@pytest.mark.parametrize(("event_type", "subject"), EDGES)
def test_the_edges_of_the_form_are_read_alike(event_type: str, subject: dict) -> None:
    data = _leaf(12, RECORD, event_type=event_type, subject=subject)
    accepted = _both([_row(12, data, RECORD)], 12) is not None
    assert accepted == _regex_says(12, data, RECORD)


@pytest.mark.parametrize(
    "data",
    [
        b'{"event_type":"a.b","index":012,"record_sha256":"%s","subject":{},"time":"2026-03-02T14:05:09.123456Z"}',
        b'{"event_type":"a.b","index":12,"record_sha256":"%s","subject":{"k":01},"time":"2026-03-02T14:05:09.123456Z"}',
        b'{"event_type":"a.b","index":12,"record_sha256":"%s","subject":{},"time":"2026-03-02T14:05:09.123456"}',
        b'{"event_type":"a.b","index":12,"record_sha256":"%s","subject":{},"time":"2026-03-02 14:05:09.123456Z"}',
        b'{"event_type":"a.b","index":12,"record_sha256":"%s","subject":{},"time":"2026-03-02T14:05:09.123456Z"} ',
        b'{"event_type":"a.b","index":12,"record_sha256":"%s","subject":{,},"time":"2026-03-02T14:05:09.123456Z"}',
        b'{"event_type":"a.b","index":12,"record_sha256":"%s","subject":{"k":1,},"time":"2026-03-02T14:05:09.123456Z"}',
        b'{"event_type":"a.b", "index":12,"record_sha256":"%s","subject":{},"time":"2026-03-02T14:05:09.123456Z"}',
        b'{"event_type":"a.b","index":12,"record_sha256":"%s","subject":{},"time":"2026-03-02T14:05:09.123456Z"}',
    ],
)
def test_hand_made_leaves_are_read_alike(data: bytes) -> None:
    data = data.replace(b"%s", hashlib.sha256(RECORD).hexdigest().encode())
    accepted = _both([_row(12, data, RECORD)], 12) is not None
    assert accepted == _regex_says(12, data, RECORD)


def test_an_uppercase_record_hash_is_not_canonical() -> None:
    data = _leaf(5, RECORD).replace(
        hashlib.sha256(RECORD).hexdigest().encode(), hashlib.sha256(RECORD).hexdigest().upper().encode()
    )
    assert _both([_row(5, data, RECORD)], 5) is None


@settings(max_examples=400, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=10**12),
    event_type=st.from_regex(r"[a-z][a-z0-9_]{0,6}(\.[a-z][a-z0-9_]{0,6}){1,3}", fullmatch=True),
    subject=st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_]{0,4}", fullmatch=True),
        st.integers(min_value=0, max_value=10**15)
        | st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,8}", fullmatch=True),
        max_size=4,
    ),
    damage=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=2),
    cut=st.none() | st.integers(min_value=0),
)
def test_random_leaves_and_random_damage_are_read_alike(
    index: int, event_type: str, subject: dict, damage: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(_leaf(index, RECORD, event_type=event_type, subject=subject))
    for at, value in damage:
        data[at % len(data)] = value
    if cut is not None:
        del data[cut % len(data)]
    leaf = bytes(data)
    accepted = _both([_row(index, leaf, RECORD)], index) is not None
    assert accepted == _regex_says(index, leaf, RECORD)


@settings(max_examples=300, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=10**12),
    damage=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=2),
    cut=st.none() | st.integers(min_value=0),
)
def test_random_public_leaves_and_random_damage_are_read_alike(
    index: int, damage: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(_public_leaf(index, RECORD))
    for at, value in damage:
        data[at % len(data)] = value
    if cut is not None:
        del data[cut % len(data)]
    leaf = bytes(data)
    accepted = _both([_row(index, leaf, RECORD)], index) is not None
    assert accepted == _regex_says(index, leaf, RECORD)


@settings(deadline=None)  # correctness, not speed: a busy machine must not fail it by timing
@given(st.binary(max_size=32 * 9).map(lambda raw: raw[: len(raw) - len(raw) % 32]))
def test_a_level_of_nodes_is_hashed_alike(level: bytes) -> None:
    assert compiled.node_level(level) == pure_node_level(level)
    expected = b"".join(
        hashlib.sha256(b"\x01" + level[at : at + 64]).digest() for at in range(0, len(level) - 63, 64)
    )
    assert compiled.node_level(level) == expected


def test_a_level_that_is_not_whole_hashes_is_refused() -> None:
    for node_level in (compiled.node_level, pure_node_level):
        with pytest.raises(ValueError, match="level"):
            node_level(b"x" * 33)


def test_verification_uses_the_compiled_module_when_it_is_built() -> None:
    assert batches.COMPILED
    assert batches.check_batch is compiled.check_batch
