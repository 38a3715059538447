"""A principal's dashboard names the school the district assigned them to (the school of their incidents and
emergencies), whatever school the words of their position name, and whichever school was created first."""

from __future__ import annotations

import pytest
from django.test import Client

from brightline.accounts.models import Role
from brightline.accounts.tests.helpers import sign_in
from brightline.incidents.services import staff_school_assign
from brightline.roster.models import School
from brightline.testing import World, make_user

pytestmark = pytest.mark.django_db


def test_the_principal_of_the_second_school_reads_their_own_school(world: World) -> None:
    first = world.school
    second = School.objects.create(sourced_id="org-2", name="Atlantic Avenue High School", address="2 Bay Rd")
    principal = make_user(
        "principal2", Role.PRINCIPAL, first="Thomas", last="Nguyen", position=f"Principal, {first.name}"
    )
    staff_school_assign(user=principal, school=second)
    client = Client()
    sign_in(client, principal)
    page = client.get("/").content.decode()
    assert "Your school: Atlantic Avenue High School." in page
    assert first.name not in page


def test_a_principal_without_a_school_is_told_so(world: World) -> None:
    principal = make_user("principal3", Role.PRINCIPAL, first="Uma", last="Obi", position="Principal")
    client = Client()
    sign_in(client, principal)
    page = client.get("/").content.decode()
    assert "The district has not assigned you to a school yet" in page
    assert "Your school:" not in page
