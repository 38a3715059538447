"""Schemas every router shares: the error body of brightline.errors and of validation failures, and the
types of values more than one app's API reads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


class ErrorOut(Schema):
    """`{"detail": [{"loc": ["body", "field", ...], "msg": "..."}]}`: every problem with its field path."""

    detail: list[dict[str, Any]] | str


ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _iso_date(value: object) -> object:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("iso_date", "This must be a date written year-month-day (2026-03-01).")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A calendar date sent as text, `YYYY-MM-DD`: never a number or a date and time."""
