"""Schemas every router shares: the error body of brightline.errors and of validation failures."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """`{"detail": [{"loc": ["body", "field", ...], "msg": "..."}]}`: every problem with its field path."""

    detail: list[dict[str, Any]] | str


ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
