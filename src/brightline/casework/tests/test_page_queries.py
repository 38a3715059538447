"""Each persona's main page reads a bounded number of SQL statements, whatever the number of requests:
the counts with 3 and with 30 requests are the same, and below the pinned ceilings (bench/bench_pages.py
measures the same pages at ten years' scale)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone

from brightline.accounts.tests.helpers import sign_in
from brightline.casework import services
from brightline.notices.models import CounselNotice
from brightline.notices.services import record_copy_request
from brightline.testing import World, request_body
from brightline.web import queries
from brightline.web.paging import bounded_page
from brightline.web.views.family import FAMILY_PAGE

pytestmark = pytest.mark.django_db

# The pinned ceilings (measured: portal 11, office 15, review 9, counsel 10, family 15, search 10, with
# two to spare for the menus): a page that needs more has grown an N+1 or an unbounded list.
CEILINGS = {
    "portal": 13,
    "office": 17,
    "review": 11,
    "counsel": 12,
    "family": 17,
    "search": 12,
}
PATHS = {
    "portal": "/portal/",
    "office": "/office/",
    "review": "/review/",
    "counsel": "/review/",
    "family": "/family/",
    "search": "/office/search/?student=Rivera",
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


def _counsel_notices(count: int) -> None:
    now = timezone.now()
    CounselNotice.objects.bulk_create(
        CounselNotice(reference=f"BL-T-{number:04d}", reason="A copy.", created_at=now)
        for number in range(count)
    )


def test_each_main_page_reads_the_same_number_of_statements_for_3_or_30_requests(
    world: World, settings: Any
) -> None:
    settings.REQUIRE_MFA = False
    people = {
        "portal": world.detective,
        "office": world.clerk,
        "review": world.superintendent,
        "counsel": world.legal_advisor,
        "family": world.parent,
        "search": world.clerk,
    }
    clients = {}
    for name, person in people.items():
        clients[name] = Client()
        sign_in(clients[name], person)
    _submit(world, 3)
    _counsel_notices(2)
    few = {name: _statements(clients[name], PATHS[name]) for name in people}
    _submit(world, 27)
    _counsel_notices(40)
    many = {name: _statements(clients[name], PATHS[name]) for name in people}
    assert few == many
    for name, count in many.items():
        assert count <= CEILINGS[name], (name, count)


def test_counsel_reads_the_notices_a_page_at_a_time_beside_the_queue(world: World, settings: Any) -> None:
    settings.REQUIRE_MFA = False
    _counsel_notices(30)
    counsel = Client()
    sign_in(counsel, world.legal_advisor)
    first = counsel.get("/review/").content.decode()
    assert first.count('id="counsel-notice-') == 25
    assert "Page 1 of 2" in first and "notices=2" in first
    second = counsel.get("/review/?notices=2").content.decode()
    assert second.count('id="counsel-notice-') == 5
    assert "Page 2 of 2" in second and "notices=1" in second
    # The oldest first: the first page's notices are not the second's.
    ids = {int(part.split('"', 1)[0]) for part in first.split('id="counsel-notice-')[1:]}
    later = {int(part.split('"', 1)[0]) for part in second.split('id="counsel-notice-')[1:]}
    assert ids.isdisjoint(later) and max(ids) < min(later)


def test_a_list_longer_than_it_is_counted_says_so_and_pages_on(world: World, settings: Any) -> None:
    settings.REQUIRE_MFA = False
    _counsel_notices(60)
    factory = RequestFactory()
    rows = queries.counsel_notices_unread(user=world.legal_advisor)
    page = bounded_page(factory.get("/review/"), rows, param="notices", size=10, cap=30)
    assert page.total is None and page.num_pages is None and page.pages_counted == 3
    assert page.has_next and len(page.object_list) == 10
    last = bounded_page(factory.get("/review/?notices=6"), rows, param="notices", size=10, cap=30)
    assert len(last.object_list) == 10 and not last.has_next and last.has_previous
    exact = bounded_page(factory.get("/review/?notices=99"), rows, param="notices", size=10, cap=100)
    assert exact.total == 60 and exact.number == 6 and not exact.has_next


def test_the_family_reads_each_childs_notices_a_page_at_a_time(world: World, settings: Any) -> None:
    settings.REQUIRE_MFA = False
    for _ in range(FAMILY_PAGE + 3):
        record_copy_request(student=world.alice, requested_by=world.parent)
    family = Client()
    sign_in(family, world.parent)
    first = family.get("/family/").content.decode()
    assert len(re.findall(r'id="notice-\d', first)) == FAMILY_PAGE
    assert f"notices-{world.alice.pk}=2" in first
    second = family.get(f"/family/?notices-{world.alice.pk}=2").content.decode()
    assert len(re.findall(r'id="notice-\d', second)) == 3
