"""Errors that services raise and every interface (API, pages, commands) turns into a clear answer.

Each carries the field path of every problem, so a person can fix the input in one go.
"""

from __future__ import annotations

import re

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_loc(path: str) -> list[str | int]:
    """`students.0.birth_date` or `categories[0]` as a location list: ["students", 0, "birth_date"]."""
    loc: list[str | int] = []
    for name, index in _PART.findall(path):
        if index:
            loc.append(int(index))
        elif name.isascii() and name.isdigit():  # "³" is a digit to str.isdigit, not to int()
            loc.append(int(name))
        else:
            loc.append(name)
    return loc


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_detail(self) -> list[dict[str, object]]:
        loc: list[str | int] = ["body", *field_loc(self.field)] if self.field else []
        return [{"loc": loc, "msg": self.message}]


class InvalidInput(ServiceError):
    """The input is wrong; nothing was stored."""

    status = 422

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        first_field, first_message = errors[0]
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors), field=first_field)

    def as_detail(self) -> list[dict[str, object]]:
        return [
            {"loc": ["body", *field_loc(field)] if field else ["body"], "msg": msg}
            for field, msg in self.errors
        ]


class NotAllowed(ServiceError):
    """The person may not do this (wrong role, their own entry, untrained, another agency's data)."""

    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """Someone else changed the thing first: reload and look again."""

    status = 409
