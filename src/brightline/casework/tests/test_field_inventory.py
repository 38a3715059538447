"""The district's data inventory is read as it stands in the database: a field another process removed
is never approved, and the inventory of a request is read once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brightline.casework import services
from brightline.casework.models import ItemState
from brightline.roster.models import DataField
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def _approved(world: World, *categories: str) -> dict[str, list[str]]:
    request = services.request_submit(
        agency=world.police,
        # Named by name and birth date, a student's directory information is released (rule R5).
        document=request_body(world.ben, by_name=True, categories=list(categories)),
        channel="portal",
        submitted_by=world.detective,
    ).request
    items = request.items.filter(state=ItemState.CLEARED)
    return {item.category: item.approved_fields for item in items}


def test_a_field_removed_by_another_process_is_no_longer_approved(world: World) -> None:
    before = _approved(world, "directory")
    assert "grade" in before["directory"]
    # As another worker would: no signal reaches this process.
    DataField.objects.filter(category="directory", field_name="grade").update(category="retired")
    after = _approved(world, "directory")
    assert after["directory"] == [name for name in before["directory"] if name != "grade"]


def test_the_inventory_is_read_once_per_request(world: World) -> None:
    _approved(world, "directory")  # the policy is parsed once per process
    with CaptureQueriesContext(connection) as queries:
        _approved(world, "directory", "attendance")
    reads = [q["sql"] for q in queries.captured_queries if "roster_datafield" in q["sql"]]
    assert len(reads) == 1, reads
