"""Errors that services raise and every interface (API, pages, commands) turns into a clear answer.

Each carries the field path of every problem, so a person can fix the input in one go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from brightline import vocabulary

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
        return [{"loc": loc, "msg": sentence(self.message)}]


class InvalidInput(ServiceError):
    """The input is wrong; nothing was stored."""

    status = 422

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        first_field, first_message = errors[0]
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors), field=first_field)

    def as_detail(self) -> list[dict[str, object]]:
        return [
            {"loc": ["body", *field_loc(field)] if field else ["body"], "msg": sentence(msg)}
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


# -- messages people read ------------------------------------------------------------------------------------
# Every error's `msg` is a sentence: a capital, a full stop, words and labels (never an identifier with
# underscores, a Python repr or pydantic's own wording). `loc` and pydantic's `type` and `ctx` stay as they
# are, for programs.


def sentence(text: str) -> str:
    """The message as a sentence: its first letter a capital, a full stop at its end."""
    text = " ".join(str(text).split())
    if not text:
        return "This value is not valid."
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else f"{text}."


# Labels of the enumerations an API reads beyond the vocabulary's (an incident's conduct, a decision's
# action), registered by the schema that reads them.
_LABEL_TABLES: list[Mapping[str, str]] = []


def labelled(labels: Mapping[str, str]) -> Mapping[str, str]:
    """Register the labels of an enumeration a schema reads, so its errors name the values in words."""
    _LABEL_TABLES.append(labels)
    return labels


def value_words(value: str) -> str:
    """An identifier in words: its vocabulary label, else the identifier with spaces for underscores."""
    for table, identifiers in vocabulary.LABELLED.items():
        if value in identifiers:
            return vocabulary.label_en(table, value)
    for labels in _LABEL_TABLES:
        if value in labels:
            return str(labels[value])
    words = value.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else '""'


def allowed_words(values: list[str]) -> str:
    """The allowed identifiers named by their labels: "A, B or C"; a whole vocabulary by its own table."""
    for table, identifiers in vocabulary.LABELLED.items():
        if set(values) == set(identifiers):
            words = [vocabulary.label_en(table, value) for value in values]
            break
    else:
        same = [labels for labels in _LABEL_TABLES if set(values) == set(labels)]
        words = [str(same[0][value]) if same else value_words(value) for value in values]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_DATE = "a date written year-month-day (2026-03-01)"
_MOMENT = "a date and time with its offset from UTC (2026-03-01T14:05:00-05:00)"


def _count(number: object, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def readable(error: Mapping[str, Any]) -> str:
    """A pydantic error (`type`, `msg`, `ctx`) as a sentence a person reads. Errors of our own types
    (`PydanticCustomError`) are already written as sentences; pydantic's own are put in words here."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    message = str(error.get("msg", ""))
    if kind in ("value_error", "assertion_error"):
        return sentence(message.removeprefix("Value error, ").removeprefix("Assertion failed, "))
    if kind not in PYDANTIC_TYPES:
        return sentence(message)  # one of our own types, written as a sentence where it is raised
    if kind == "missing":
        return "This field is required."
    if kind == "extra_forbidden":
        return "This field is not one this operation reads: leave it out."
    if kind in ("string_type", "string_sub_type", "string_unicode"):
        return "This must be text."
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        return "This must not be empty." if minimum == 1 else f"This needs at least {minimum} characters."
    if kind == "string_too_long":
        return f"This is too long: at most {_count(ctx.get('max_length'), 'character', 'characters')}."
    if kind == "string_pattern_mismatch":
        return "This is not written in the form expected."
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return "This must be a whole number."
    if kind in ("float_type", "float_parsing", "decimal_type", "decimal_parsing", "finite_number"):
        return "This must be a number."
    if kind in ("bool_type", "bool_parsing"):
        return "This must be true or false."
    if kind in ("list_type", "tuple_type", "set_type", "iterable_type"):
        return "This must be a list."
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type", "mapping_type"):
        return "This must be an object (in JSON, between braces)."
    if kind == "too_short":
        return f"This list needs at least {_count(ctx.get('min_length'), 'entry', 'entries')}."
    if kind == "too_long":
        return f"This list holds at most {_count(ctx.get('max_length'), 'entry', 'entries')}."
    if kind in ("literal_error", "enum"):
        values = _QUOTED.findall(str(ctx.get("expected", "")))
        return (
            f"Choose one of: {allowed_words(values)}." if values else "This is not one of the values allowed."
        )
    if kind.endswith("_past"):
        return "This must be in the past."
    if kind.endswith("_future"):
        return "This must be in the future."
    if kind.startswith("date_") and not kind.startswith("datetime"):
        return f"This must be {_DATE}."
    if kind.startswith("datetime_") or kind in ("timezone_naive",):
        return f"This must be {_MOMENT}."
    if kind == "timezone_aware":
        return "This time needs its offset from UTC (2026-03-01T14:05:00-05:00)."
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        return {
            "greater_than_equal": f"This must be {bound} or more.",
            "greater_than": f"This must be more than {bound}.",
            "less_than_equal": f"This must be {bound} or less.",
            "less_than": f"This must be less than {bound}.",
        }[kind]
    if kind in ("uuid_type", "uuid_parsing", "uuid_version"):
        return "This must be an id as the district gave it (a UUID)."
    if kind in ("json_invalid", "json_type"):
        return "This is not valid JSON."
    if kind in ("bytes_type", "bytes_too_long", "bytes_too_short"):
        return "This must be a file or text of the right size."
    # pydantic's own texts quote values and types ("Input should be …"): never shown.
    return "This value is not valid here."


def _pydantic_types() -> frozenset[str]:
    from typing import get_args

    from pydantic_core.core_schema import ErrorType

    return frozenset(get_args(ErrorType)) - {"value_error", "assertion_error"}


PYDANTIC_TYPES = _pydantic_types()
