"""`brightline ledger verify-remote`: check a published Bright Line ledger from outside, over HTTP.

1. the log's key: `--key` or GET /ledger/key;
2. the latest checkpoint (GET /ledger/checkpoint): its signature by that key, its origin;
3. with `--since FILE` (a checkpoint saved earlier): its signature, and a consistency proof
   (GET /api/v1/ledger/proof/consistency) showing it is a prefix of the latest — nothing was erased
   or rewritten in between;
4. with `--entries`: every entry (GET /api/v1/ledger/entries), re-hashed into the root of the latest
   checkpoint (and of the saved one), holding only the frontier in memory;
5. with `--receipt` (a requester's receipt, `receipts.py`): the latest checkpoint covers at least the
   receipt's size, the inclusion proof (GET /api/v1/ledger/proof/inclusion) leads from the receipt's leaf
   hash to the signed root, and the published entry at its index hashes to it. `/verify/` runs the same
   steps in the browser (`web/static/web/verify.js`), in the same order, and names a failure by the same
   code (`RemoteVerificationError.code`).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from brightline.ledger.batches import CANONICAL_LEAF
from brightline.ledger.merkle import (
    EMPTY_ROOT,
    frontier_append,
    leaf_hash,
    root_from_frontier,
    verify_consistency,
)
from brightline.ledger.notes import (
    ED25519,
    Checkpoint,
    NoteError,
    VerifierKey,
    parse_checkpoint,
    parse_verifier_key,
    verify_note_signature,
)
from brightline.ledger.receipts import Receipt, ReceiptError, receipt_check, receipt_covered, receipt_parse

Fetch = Callable[[str], bytes]
PAGE = 1000


class RemoteVerificationError(Exception):
    """The published log failed a check; the message names it, `code` the step (as verify.js does):
    key, checkpoint, signature, receipt, shrank, inclusion, entry, fetch, or "log" for the other checks."""

    def __init__(self, message: str, code: str = "log") -> None:
        super().__init__(message)
        self.code = code


def fetch_url(url: str) -> bytes:
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise RemoteVerificationError(f"{url}: only http:// and https:// addresses can be fetched", "fetch")
    request = urllib.request.Request(url, headers={"User-Agent": "brightline-ledger-verify"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (scheme checked above)
            body: bytes = response.read()
            return body
    except OSError as error:
        raise RemoteVerificationError(f"{url}: {error}", "fetch") from None


@dataclass
class RemoteReport:
    checkpoint: Checkpoint
    lines: list[str] = field(default_factory=list)


def _checked_checkpoint(text: str, key: VerifierKey, what: str) -> Checkpoint:
    try:
        checkpoint = parse_checkpoint(text)
    except NoteError as error:
        raise RemoteVerificationError(f"{what}: {error}", "checkpoint") from None
    try:
        verify_note_signature(checkpoint, key)
    except NoteError as error:
        raise RemoteVerificationError(f"{what}: {error}", "signature") from None
    if checkpoint.origin != key.name:
        raise RemoteVerificationError(
            f"{what}: origin {checkpoint.origin!r} is not the log's name {key.name!r}", "signature"
        )
    return checkpoint


def _json(fetch: Fetch, url: str) -> dict[str, object]:
    try:
        parsed = json.loads(fetch(url))
    except ValueError:
        raise RemoteVerificationError(f"{url}: the answer is not JSON", "fetch") from None
    if not isinstance(parsed, dict):
        raise RemoteVerificationError(f"{url}: the answer is not a JSON object", "fetch")
    return parsed


def _hashes(answer: dict[str, object], url: str) -> list[bytes]:
    hashes = answer.get("hashes")
    if not isinstance(hashes, list):
        raise RemoteVerificationError(f"{url}: no 'hashes' list", "fetch")
    try:
        decoded = [base64.b64decode(value, validate=True) for value in hashes]
    except (TypeError, ValueError):
        raise RemoteVerificationError(f"{url}: a hash is not base64", "fetch") from None
    if any(len(value) != 32 for value in decoded):
        raise RemoteVerificationError(f"{url}: a hash is not 32 bytes", "fetch")
    return decoded


def verify_remote(
    base_url: str,
    *,
    since_text: str | None = None,
    key_text: str | None = None,
    rehash: bool = False,
    receipt_text: str | None = None,
    fetch: Fetch | None = None,
) -> RemoteReport:
    """Check the log published at `base_url`; raise RemoteVerificationError on the first failure."""
    base = base_url.rstrip("/")
    fetch = fetch or fetch_url
    try:
        key = parse_verifier_key(key_text if key_text is not None else fetch(f"{base}/ledger/key").decode())
    except (NoteError, UnicodeDecodeError) as error:
        raise RemoteVerificationError(f"the log's key: {error}", "key") from None
    if key.kind != ED25519:
        raise RemoteVerificationError("the log's key: an Ed25519 signed-note key (type 0x01)", "key")
    receipt = None
    if receipt_text is not None:
        try:
            receipt = receipt_parse(receipt_text)
        except ReceiptError as error:
            raise RemoteVerificationError(str(error), error.code) from None
    try:
        checkpoint_text = fetch(f"{base}/ledger/checkpoint").decode()
    except UnicodeDecodeError:
        raise RemoteVerificationError("latest checkpoint: not UTF-8 text", "checkpoint") from None
    latest = _checked_checkpoint(checkpoint_text, key, "latest checkpoint")
    report = RemoteReport(checkpoint=latest)
    report.lines.append(f"latest checkpoint: size {latest.size}, signature by {key.name} verified")

    since: Checkpoint | None = None
    if since_text is not None:
        since = _checked_checkpoint(since_text, key, "saved checkpoint")
        if since.size > latest.size:
            raise RemoteVerificationError(
                f"the log shrank: saved size {since.size}, latest size {latest.size}"
            )
        if since.size == latest.size or since.size == 0:
            consistent = since.root == latest.root if since.size == latest.size else since.root == EMPTY_ROOT
        else:
            url = f"{base}/api/v1/ledger/proof/consistency?first={since.size}&second={latest.size}"
            proof = _hashes(_json(fetch, url), url)
            consistent = verify_consistency(since.size, latest.size, since.root, latest.root, proof)
        if not consistent:
            raise RemoteVerificationError(
                f"the latest checkpoint (size {latest.size}) is not consistent with the saved one "
                f"(size {since.size}): entries were rewritten or erased"
            )
        report.lines.append(f"consistent with the saved checkpoint of size {since.size}")

    if receipt is not None:
        report.lines.append(_check_receipt(base, receipt, latest, fetch))
    if rehash:
        _rehash(base, latest, since, fetch)
        report.lines.append(f"all {latest.size} entries re-hashed to the signed root")
    return report


def _check_receipt(base: str, receipt: Receipt, latest: Checkpoint, fetch: Fetch) -> str:
    try:
        receipt_covered(receipt, checkpoint_size=latest.size)
    except ReceiptError as error:
        raise RemoteVerificationError(str(error), error.code) from None
    url = f"{base}/api/v1/ledger/proof/inclusion?index={receipt.index}&size={latest.size}"
    proof = _hashes(_json(fetch, url), url)
    url = f"{base}/api/v1/ledger/entries?start={receipt.index}&end={receipt.index}"
    entries = _json(fetch, url).get("entries")
    if not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], dict):
        raise RemoteVerificationError(f"{url}: no entry {receipt.index}", "fetch")
    try:
        data = base64.b64decode(str(entries[0].get("data")), validate=True)
    except ValueError:
        raise RemoteVerificationError(f"entry {receipt.index}: data is not base64", "fetch") from None
    try:
        receipt_check(
            receipt, checkpoint_size=latest.size, checkpoint_root=latest.root, proof=proof, data=data
        )
    except ReceiptError as error:
        raise RemoteVerificationError(str(error), error.code) from None
    return f"receipt: entry {receipt.index} is in the signed tree of size {latest.size}"


def _rehash(base: str, latest: Checkpoint, since: Checkpoint | None, fetch: Fetch) -> None:
    frontier: list[bytes] = []
    position = 0
    if since is not None and since.size == 0 and since.root != EMPTY_ROOT:
        raise RemoteVerificationError("the saved checkpoint of size 0 does not have the empty tree's root")
    while position < latest.size:
        end = min(position + PAGE, latest.size) - 1
        url = f"{base}/api/v1/ledger/entries?start={position}&end={end}"
        entries = _json(fetch, url).get("entries")
        if not isinstance(entries, list) or not entries:
            raise RemoteVerificationError(f"{url}: no entries")
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("index") != position:
                raise RemoteVerificationError(f"{url}: entry {position} missing or out of order")
            try:
                data = base64.b64decode(str(entry.get("data")), validate=True)
            except ValueError:
                raise RemoteVerificationError(f"entry {position}: data is not base64") from None
            found = CANONICAL_LEAF.fullmatch(data)
            if found is None or int(found["index"]) != position:
                raise RemoteVerificationError(
                    f"entry {position}: its data is not a canonical leaf for index {position}"
                )
            frontier_append(frontier, position, leaf_hash(data))
            position += 1
            if since is not None and position == since.size and root_from_frontier(frontier) != since.root:
                raise RemoteVerificationError(
                    f"the entries do not hash to the saved checkpoint's root at size {since.size}"
                )
            if position == latest.size:
                break
    if root_from_frontier(frontier) != latest.root:
        raise RemoteVerificationError(
            f"the entries do not hash to the latest checkpoint's root at size {latest.size}"
        )
