"""The staff access log: every look by staff at a student's records, readable by auditors."""

from __future__ import annotations

import pytest
from django.test import Client

from brightline.accounts.models import StaffAccess
from brightline.accounts.services import staff_access_record
from brightline.accounts.tests.helpers import sign_in
from brightline.testing import World

pytestmark = pytest.mark.django_db


def test_reading_a_record_of_disclosures_is_logged_and_auditors_see_it(world: World) -> None:
    clerk = Client()
    sign_in(clerk, world.clerk)
    assert clerk.get("/api/v1/students/S-1001/disclosures").status_code == 200
    entry = StaffAccess.objects.get()
    assert (entry.user, entry.role, entry.student_sis_id) == (world.clerk, "records_clerk", "S-1001")
    assert entry.what == "record of disclosures" and entry.path == "/api/v1/students/S-1001/disclosures"
    auditor = Client()
    sign_in(auditor, world.auditor)
    rows = auditor.get("/api/v1/access-log?student_id=S-1001").json()
    assert [(row["user"], row["student_id"]) for row in rows] == [("Rita Clerk", "S-1001")]
    assert auditor.get("/api/v1/access-log?student_id=S-1002").json() == []


def test_only_auditors_read_the_access_log(world: World) -> None:
    for user in [world.clerk, world.superintendent, world.principal]:
        client = Client()
        sign_in(client, user)
        assert client.get("/api/v1/access-log").status_code == 403
    assert Client().get("/api/v1/access-log").status_code == 401
    token = Client().get("/api/v1/access-log", HTTP_AUTHORIZATION=f"Bearer {world.police_token}")
    assert token.status_code == 401


def test_the_log_outlives_the_account_and_names_the_person(world: World) -> None:
    staff_access_record(user=world.principal, student=world.alice, what="attendance")
    world.principal.delete()
    entry = StaffAccess.objects.get()
    assert entry.user is None and entry.user_name == "Pat Principal" and entry.student_sis_id == "S-1001"


def test_families_are_not_written_to_the_staff_log(world: World) -> None:
    assert staff_access_record(user=world.parent, student=world.alice, what="record") is None
    assert not StaffAccess.objects.exists()
