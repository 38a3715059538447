from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from brightline.accounts.models import Role, User
from brightline.roster.services import roster_import
from brightline.roster.tests.bundles import write_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings: pytest.FixtureRequest) -> None:
    # These tests are about the roster's admin pages, not the sign-in (accounts tests cover MFA).
    settings.REQUIRE_MFA = False  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", ["school", "student", "guardian", "guardianrelationship", "datafield"])
def test_admin_lists_filters_and_searches_every_roster_model(
    tmp_path: Path, client: Client, model: str
) -> None:
    roster_import(directory=write_bundle(tmp_path))
    admin = User.objects.create_superuser(
        "admin", "admin@example.org", "a-long-test-password", role=Role.ADMIN
    )
    client.force_login(admin)

    listed = client.get(f"/admin/roster/{model}/")
    searched = client.get(f"/admin/roster/{model}/", {"q": "nunez"})

    assert listed.status_code == 200 and searched.status_code == 200
    assert 'id="changelist-filter"' in listed.content.decode()


def test_student_admin_search_finds_a_student_by_sis_id(tmp_path: Path, client: Client) -> None:
    roster_import(directory=write_bundle(tmp_path))
    client.force_login(
        User.objects.create_superuser("admin", "admin@example.org", "pw-long-enough", role=Role.ADMIN)
    )

    page = client.get("/admin/roster/student/", {"q": "S-1002"}).content.decode()

    assert "O&#x27;Brien" in page and "Núñez-García" not in page
