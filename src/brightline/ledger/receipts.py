"""A receipt: what a requester keeps to check, later and from outside, that their submission is in the log.

A receipt is JSON with exactly three keys (canonical form: sorted, no spaces):

    {"index":41,"leaf":"<base64 of 32 bytes>","size":57}

- `index`: the entry's 0-based position in the log;
- `leaf`: its RFC 6962 leaf hash, SHA-256(0x00 ‖ data), base64;
- `size`: the size of the signed checkpoint that covered the entry when the receipt was given.

Everything in it is public already (any entry's data and every checkpoint are published): it names no
event type, agency, student or request. Checking it (`receipt_check`, and the same steps in
`static/web/verify.js`): the latest checkpoint is at least `size` entries (a log only grows), the
inclusion proof of `index` in the latest checkpoint's tree leads from `leaf` to its signed root, and
the published entry at `index` hashes to `leaf` and names that index.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from brightline.ledger.canonical import canonical_json
from brightline.ledger.merkle import HASH_SIZE, leaf_hash, verify_inclusion

# Both verifiers (Python and the browser's JavaScript) read only integers a JavaScript number holds exactly.
MAX_SAFE_INTEGER = 2**53 - 1
KEYS = ("index", "leaf", "size")


class ReceiptError(ValueError):
    """A receipt that cannot be read or does not check; `code` names the step, as verify.js does."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Receipt:
    index: int
    leaf_hash: bytes
    size: int

    def as_json(self) -> str:
        return receipt_json(index=self.index, leaf=self.leaf_hash, size=self.size)


def receipt_json(*, index: int, leaf: bytes, size: int) -> str:
    """The receipt in the ledger's one canonical JSON (`ledger.canonical`): the bytes of every receipt
    given so far, which hold only integers and ASCII base64."""
    return canonical_json({"index": index, "leaf": base64.b64encode(leaf).decode(), "size": size}).decode()


def _integer(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_SAFE_INTEGER:
        raise ReceiptError("receipt", f"{name}: a whole number from {minimum} to {MAX_SAFE_INTEGER}")
    return value


def receipt_parse(text: str) -> Receipt:
    """Read a pasted receipt; ReceiptError (code "receipt") names the field that is wrong."""
    try:
        parsed = json.loads(text)
    except ValueError:
        raise ReceiptError("receipt", "receipt: not JSON") from None
    if not isinstance(parsed, dict):
        raise ReceiptError("receipt", "receipt: a JSON object with index, leaf and size")
    if sorted(parsed) != list(KEYS):
        raise ReceiptError("receipt", "receipt: exactly the keys index, leaf and size")
    index = _integer(parsed["index"], "index", 0)
    size = _integer(parsed["size"], "size", 1)
    if index >= size:
        raise ReceiptError("receipt", "index: less than size (the checkpoint covers entries 0 to size - 1)")
    encoded = parsed["leaf"]
    try:
        leaf = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else b""
    except binascii.Error:
        leaf = b""
    if len(leaf) != HASH_SIZE:
        raise ReceiptError("receipt", "leaf: the base64 of its 32-byte leaf hash")
    return Receipt(index=index, leaf_hash=leaf, size=size)


def entry_matches(receipt: Receipt, data: bytes) -> bool:
    """The published entry's data hashes to the receipt's leaf hash and names the receipt's index."""
    if leaf_hash(data) != receipt.leaf_hash:
        return False
    try:
        parsed = json.loads(data)
    except ValueError:
        return False
    return isinstance(parsed, dict) and parsed.get("index") == receipt.index


def receipt_check(
    receipt: Receipt, *, checkpoint_size: int, checkpoint_root: bytes, proof: list[bytes], data: bytes
) -> None:
    """Check a receipt against a checkpoint whose signature was verified, the inclusion proof of the
    receipt's index in that checkpoint's tree, and the published entry; ReceiptError names the failing step.

    Call `receipt_covered` first (before fetching the proof)."""
    receipt_covered(receipt, checkpoint_size=checkpoint_size)
    if not verify_inclusion(receipt.index, checkpoint_size, receipt.leaf_hash, proof, checkpoint_root):
        raise ReceiptError(
            "inclusion",
            f"entry {receipt.index} with this leaf hash is not in the signed tree of size {checkpoint_size}",
        )
    if not entry_matches(receipt, data):
        raise ReceiptError(
            "entry", f"the published entry {receipt.index} does not hash to the receipt's leaf hash"
        )


def receipt_covered(receipt: Receipt, *, checkpoint_size: int) -> None:
    if checkpoint_size < receipt.size:
        raise ReceiptError(
            "shrank",
            f"the latest checkpoint (size {checkpoint_size}) is smaller than the receipt's (size {receipt.size})",
        )
