"""Each persona's main page reads a bounded number of SQL statements, whatever the number of requests:
the counts with 3 and with 30 requests are the same, and below the pinned ceilings (bench/bench_pages.py
measures the same pages at ten years' scale)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from brightline.accounts.tests.helpers import sign_in
from brightline.casework import services
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

# The pinned ceilings (measured: 14, 19, 9, 15, 13 statements, with two to spare for the menus): a page
# that needs more has grown an N+1 or an unbounded list.
CEILINGS = {
    "/portal/": 16,
    "/office/": 21,
    "/review/": 11,
    "/family/": 17,
    "/office/search/?student=Rivera": 15,
}


def _statements(client: Client, path: str) -> int:
    count = 0

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        response = client.get(path)
    assert response.status_code == 200, path
    return count


def _submit(world: World, count: int) -> None:
    for number in range(count):
        student = world.alice if number % 2 else world.ben
        services.request_submit(
            agency=world.police,
            document=request_body(student, categories=["academic", "attendance"]),
            channel="portal",
            submitted_by=world.detective,
        )


def test_each_main_page_reads_the_same_number_of_statements_for_3_or_30_requests(
    world: World, settings: Any
) -> None:
    settings.REQUIRE_MFA = False
    people = {
        "/portal/": world.detective,
        "/office/": world.clerk,
        "/review/": world.superintendent,
        "/family/": world.parent,
        "/office/search/?student=Rivera": world.clerk,
    }
    clients = {}
    for path, person in people.items():
        clients[path] = Client()
        sign_in(clients[path], person)
    _submit(world, 3)
    few = {path: _statements(clients[path], path) for path in people}
    _submit(world, 27)
    many = {path: _statements(clients[path], path) for path in people}
    assert few == many
    for path, count in many.items():
        assert count <= CEILINGS[path], (path, count)
