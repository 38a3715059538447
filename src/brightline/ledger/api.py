"""The public ledger API, mounted at /api/v1/ledger/. No sign-in: anyone may check the log."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from brightline.ledger import selectors
from brightline.ledger.errors import LedgerError
from brightline.ledger.services import cosignature_accept

# Indexes and sizes beyond what a database integer holds are field errors, not server errors.
MAX_INDEX = 2**62

router = Router(tags=["ledger"])


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


class EntriesQuery(Schema):
    start: int = Field(ge=0, le=MAX_INDEX, description="index of the first entry")
    end: int = Field(
        ge=0,
        le=MAX_INDEX,
        description=f"index of the last entry, inclusive; at most {selectors.ENTRIES_PAGE_MAX} a page",
    )


class EntryOut(Schema):
    index: int
    data: str = Field(description="base64 of the exact leaf bytes; the leaf hash is SHA-256(0x00 ‖ data)")


class EntriesOut(Schema):
    entries: list[EntryOut]


class ProofOut(Schema):
    hashes: list[str] = Field(description="base64 SHA-256 hashes in RFC 6962 / RFC 9162 order")


class CheckpointOut(Schema):
    size: int
    root_hash: str
    signed_at: datetime
    checkpoint: str = Field(description="the signed note with its witness cosignatures")


class CheckpointsOut(Schema):
    checkpoints: list[CheckpointOut]


class CosignatureIn(Schema):
    size: int = Field(description="tree size of the cosigned checkpoint")
    cosignature: str = Field(description="the witness's signature line: '— <witness name> <base64>'")


class CosignatureOut(Schema):
    size: int
    witness: str
    timestamp: int


class ProblemOut(Schema):
    detail: str


class ReceiptOut(Schema):
    index: int = Field(description="the entry's 0-based position in the log")
    leaf: str = Field(description="base64 of its leaf hash, SHA-256(0x00 ‖ data)")
    size: int = Field(description="the size of the latest signed checkpoint, which covers the entry")


@router.get("/entries", response={200: EntriesOut, 422: ProblemOut}, auth=None)
def entries(request: HttpRequest, query: Query[EntriesQuery]) -> EntriesOut:
    """Entries start..end (inclusive), as RFC 6962 get-entries; fewer when the page cap or the log ends."""
    try:
        page = selectors.entries_page(start=query.start, end=query.end)
    except LedgerError as error:
        raise HttpError(422, str(error)) from None
    return EntriesOut(entries=[EntryOut(index=index, data=_b64(data)) for index, data in page])


@router.get("/proof/inclusion", response={200: ProofOut, 422: ProblemOut}, auth=None)
def proof_inclusion(
    request: HttpRequest,
    index: int = Query(..., ge=0, le=MAX_INDEX),  # type: ignore[type-arg]
    size: int = Query(..., ge=1, le=MAX_INDEX),  # type: ignore[type-arg]
) -> ProofOut:
    """The inclusion proof of entry `index` in the tree of `size` entries (RFC 9162 2.1.3)."""
    try:
        hashes = selectors.inclusion_proof(index=index, size=size)
    except LedgerError as error:
        raise HttpError(422, str(error)) from None
    return ProofOut(hashes=[_b64(value) for value in hashes])


@router.get("/proof/consistency", response={200: ProofOut, 422: ProblemOut}, auth=None)
def proof_consistency(
    request: HttpRequest,
    first: int = Query(..., ge=1, le=MAX_INDEX),  # type: ignore[type-arg]
    second: int = Query(..., ge=1, le=MAX_INDEX),  # type: ignore[type-arg]
) -> ProofOut:
    """The consistency proof from the tree of `first` entries to the tree of `second` (RFC 9162 2.1.4)."""
    try:
        hashes = selectors.consistency_proof(first=first, second=second)
    except LedgerError as error:
        raise HttpError(422, str(error)) from None
    return ProofOut(hashes=[_b64(value) for value in hashes])


@router.get("/receipt", response={200: ReceiptOut, 409: ProblemOut, 422: ProblemOut}, auth=None)
def receipt(request: HttpRequest, index: int = Query(..., ge=0, le=MAX_INDEX)) -> Any:  # type: ignore[type-arg]
    """The receipt of entry `index` against the latest signed checkpoint: what `/verify/` checks in the
    browser and `brightline ledger verify-remote --receipt` from outside. 409 until a checkpoint covers it."""
    try:
        text = selectors.receipt_for(index)
    except LedgerError as error:
        raise HttpError(422, f"index: {error}") from None
    if text is None:
        raise HttpError(409, f"index: entry {index} is not yet covered by a signed checkpoint")
    return json.loads(text)


@router.get("/checkpoints", response=CheckpointsOut, auth=None)
def checkpoints(
    request: HttpRequest,
    limit: int = Query(100, ge=1, le=1000),  # type: ignore[type-arg]
    offset: int = Query(0, ge=0, le=MAX_INDEX),  # type: ignore[type-arg]
) -> CheckpointsOut:
    """Every signed checkpoint, newest first."""
    rows = selectors.checkpoints_list(limit=limit, offset=offset)
    return CheckpointsOut(
        checkpoints=[
            CheckpointOut(
                size=row.size,
                root_hash=_b64(bytes(row.root_hash)),
                signed_at=row.signed_at,
                checkpoint=row.note + "".join(cosignature.line for cosignature in row.cosignatures.all()),
            )
            for row in rows
        ]
    )


@router.post("/cosignatures", response={201: CosignatureOut, 422: ProblemOut}, auth=None)
def cosignatures(request: HttpRequest, body: CosignatureIn) -> Status[Any]:
    """A registered witness's cosignature (C2SP tlog-cosignature v1) of one of our checkpoints."""
    try:
        cosignature = cosignature_accept(size=body.size, cosignature=body.cosignature)
    except LedgerError as error:
        raise HttpError(422, str(error)) from None
    out = CosignatureOut(size=body.size, witness=cosignature.witness.name, timestamp=cosignature.timestamp)
    return Status(201, out)
