"""The largest request the API accepts is stored whatever the database's limit on parameters."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from brightline.casework import services
from brightline.casework.models import Item, RequestStudent
from brightline.casework.schemas import MAX_STUDENTS_PER_REQUEST
from brightline.testing import World, request_body
from brightline.vocabulary import CATEGORIES

pytestmark = pytest.mark.django_db


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's limit is set per connection")
def test_the_largest_request_is_stored_in_statements_within_the_limit(world: World) -> None:
    students = [
        {"first_name": "Nobody", "last_name": f"Known{number}", "birth_date": "2012-04-01"}
        for number in range(MAX_STUDENTS_PER_REQUEST)
    ]
    body = request_body(categories=list(CATEGORIES), identified_by="name_and_birth_date") | {
        "students": students
    }
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    # Its items alone take 28,800 parameters, close to SQLite's default limit of 32,766. Under a lower
    # limit each statement must still be split as the database requires, not fit by luck of the numbers.
    connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 8192)
    try:
        request = services.request_submit(
            agency=world.police, document=body, channel="portal", submitted_by=world.detective
        ).request
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert RequestStudent.objects.filter(request=request).count() == MAX_STUDENTS_PER_REQUEST
    assert Item.objects.filter(request=request).count() == MAX_STUDENTS_PER_REQUEST * len(CATEGORIES)
