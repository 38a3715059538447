"""Model instances to and from one plain SQL statement, for the few reads and writes on every submission.

Every agency call looks up its token with the agency, and every submission looks for the students it
names with their schools. Through the ORM, compiling those two SELECTs cost more than the database
took to answer them. `with_related` builds the statement once per process and turns its rows into
instances as `select_related` does: the database's values through the same converters the ORM applies,
`Model.from_db`, and the related instance cached on its foreign key.

`where` and `order_by` are SQL over the aliases `m` (the model) and `r` (the related row), with
`%s` parameters; they come from code, never from input. `insert_new` writes new rows of one model in one
INSERT, as `bulk_create` would.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.db.models import ForeignKey, Model
from django.db.models.sql import Query


@dataclass(frozen=True)
class _Plan:
    select: str
    converters: dict[int, tuple[list[Callable[..., Any]], Any]]
    field: ForeignKey[Any, Any]
    related: type[Model]
    names: list[str]
    related_names: list[str]


@functools.cache
def _plan(using: str, model: type[Model], relation: str) -> _Plan:
    connection = connections[using]
    quote = connection.ops.quote_name
    field = model._meta.get_field(relation)
    if not isinstance(field, ForeignKey):
        raise TypeError(f"{model.__name__}.{relation}: a foreign key")
    related: type[Model] = field.related_model
    mine, theirs = list(model._meta.concrete_fields), list(related._meta.concrete_fields)
    columns = [field_.get_col("m") for field_ in mine] + [field_.get_col("r") for field_ in theirs]
    converters = Query(model).get_compiler(using).get_converters(columns)
    # Only quoted names from the models' own metadata go into the statement.
    names = ", ".join(
        [f"m.{quote(str(f.column))}" for f in mine] + [f"r.{quote(str(f.column))}" for f in theirs]
    )
    select = (
        f"SELECT {names}"  # noqa: S608
        + f" FROM {quote(model._meta.db_table)} m LEFT JOIN {quote(related._meta.db_table)} r"
        + f" ON r.{quote(str(field.target_field.column))} = m.{quote(str(field.column))}"
    )
    return _Plan(select, converters, field, related, [f.attname for f in mine], [f.attname for f in theirs])


def with_related(
    model: type[Model],
    relation: str,
    where: str,
    params: Sequence[Any],
    *,
    order_by: str = "",
    using: str = "default",
) -> list[Any]:
    """Instances of `model` matching `where`, each with its `relation` loaded, in `order_by` order."""
    plan = _plan(using, model, relation)
    connection = connections[using]
    sql = f"{plan.select} WHERE {where}" + (f" ORDER BY {order_by}" if order_by else "")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    split = len(plan.names)
    for fetched in rows:
        row = list(fetched)
        for position, (converters, expression) in plan.converters.items():
            value = row[position]
            for convert in converters:
                value = convert(value, expression, connection)
            row[position] = value
        instance = model.from_db(using, plan.names, row[:split])
        theirs = row[split:]
        related = None if theirs[0] is None else plan.related.from_db(using, plan.related_names, theirs)
        plan.field.set_cached_value(instance, related)
        found.append(instance)
    return found


def insert_new(rows: Sequence[Model]) -> None:
    """INSERT these new rows of one model in one statement, as `bulk_create` would (auto_now fields set,
    each row given its new primary key), in plain SQL: on the submission path the ORM spent more
    compiling its INSERTs than the database spent running them."""
    model = type(rows[0])
    meta = model._meta
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    pk = meta.pk
    assert pk is not None
    generated = pk.db_returning  # an auto-incremented id: the database picks it and gives it back
    if generated and not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover
        for row in rows:
            row.save(force_insert=True)
        return
    fields = [field for field in meta.local_concrete_fields if not (generated and field is pk)]
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "  # noqa: S608
        f"VALUES {', '.join([marks] * len(rows))}"
    )
    params = [
        field.get_db_prep_save(field.pre_save(row, True), connection) for row in rows for field in fields
    ]
    with connection.cursor() as cursor:
        if generated:
            # Rows come back in the order given, as bulk_create relies on too.
            cursor.execute(f"{sql} RETURNING {quote(pk.column)}", params)
            for row, (new_id,) in zip(rows, cursor.fetchall(), strict=True):
                row.pk = new_id
        else:
            cursor.execute(sql, params)
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias
