"""Incidents as the tests record them: the world's principal assigned to the world's school, or, for a
report of the school police unit, the school's police officer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.incidents.models import Incident, ReportingUnit, StaffSchool
from brightline.incidents.services import InvolvedStudent, incident_record, staff_school_assign
from brightline.testing import World, make_user
from brightline.training.services import training_seed_completed

PDF = b"%PDF-1.4\n%%EOF\n"


def assign(user: User, world: World) -> User:
    StaffSchool.objects.get_or_create(user=user, school=world.school)
    return trained(user)


def trained(user: User) -> User:
    """Trained on the policy in effect, as everyone who records incidents must be."""
    training_seed_completed(users=[user])
    return user


def school_staff(world: World, username: str = "teacher") -> User:
    return assign(
        make_user(username, Role.SCHOOL_STAFF, first="Tia", last="Teacher", position="Teacher"), world
    )


def school_police_officer(world: World, username: str = "officer") -> User:
    """The school's resource officer: a school staff account an administrator placed in the school police
    unit at the world's school."""
    officer = User.objects.filter(username=username).first() or make_user(
        username, Role.SCHOOL_STAFF, first="Sol", last="Officer", position="School resource officer"
    )
    staff_school_assign(user=officer, school=world.school, unit=ReportingUnit.SCHOOL_POLICE)
    return trained(officer)


def admin(world: World) -> User:
    return trained(
        make_user("admin", Role.ADMIN, first="Ari", last="Admin", position="Deputy Superintendent")
    )


def record(world: World, by: User | None = None, **overrides: Any) -> Incident:
    """Record a fight by the principal, or what the overrides say. `reporting_unit="school_police"`
    without `by` is the school police unit's report: its officer makes it, for a law-enforcement purpose
    unless `purpose` says otherwise."""
    if by is None and overrides.get("reporting_unit") == ReportingUnit.SCHOOL_POLICE:
        by = school_police_officer(world)
        overrides.setdefault("purpose", "law_enforcement")
    arguments: dict[str, Any] = {
        "recorded_by": by or assign(world.principal, world),
        "school": world.school,
        "occurred_on": timezone.localdate() - dt.timedelta(days=1),
        "summary": "Fight in the cafeteria",
        "description": "Two students pushed each other at lunch. Nobody was hurt; both were separated.",
        "conduct": ["fight"],
        "felony": False,
        "students": [
            InvolvedStudent(world.alice.sis_id, "responsible"),
            InvolvedStudent(world.ben.sis_id, "responsible"),
        ],
    }
    arguments.update(overrides)
    return incident_record(**arguments)


def assault_with_weapon(world: World, by: User | None = None) -> Incident:
    return record(
        world,
        by,
        summary="Assault with a knife near the gym",
        description="A student threatened another with a folding knife and cut his arm.",
        conduct=["assault", "weapon"],
        students=[
            InvolvedStudent(world.ben.sis_id, "responsible", possessed_weapon=True),
            InvolvedStudent(world.alice.sis_id, "affected"),
        ],
        reporting_unit="school_police",
    )
