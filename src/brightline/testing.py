"""Named personas and a small roster for tests, built through the real models and services.

The people tests talk about: a detective of the city police, a transit officer, a DCF investigator,
an immigration officer, the records clerk, the superintendent, the legal advisor, a principal, an
auditor, a parent and the parent of another child.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency, Requester
from brightline.agencies.services import api_token_issue
from brightline.roster.models import Guardian, GuardianRelationship, School, Student
from brightline.training.services import training_seed_completed

PASSWORD = "correct horse battery staple"  # noqa: S105 (test personas only)


def make_user(
    username: str, role: str, *, first: str = "", last: str = "", position: str = "", email: str = ""
) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        first_name=first,
        last_name=last,
        position=position,
        email=email or f"{username}@example.org",
    )
    return user


def make_requester(username: str, agency: Agency, *, first: str, last: str, position: str) -> User:
    user = make_user(username, Role.REQUESTER, first=first, last=last, position=position)
    Requester.objects.create(user=user, agency=agency, position=position)
    return user


@dataclass
class World:
    school: School
    alice: Student  # grade 7, two guardians with notice rights
    ben: Student  # grade 10: an eligible student
    carla: Student  # opted out of directory information
    dana: Student  # in foster care, flagged missing
    parent: User
    other_parent: User
    police: Agency
    transit: Agency
    dcf: Agency
    ice: Agency
    court: Agency
    detective: User
    transit_officer: User
    dcf_investigator: User
    immigration_officer: User
    clerk: User
    superintendent: User
    legal_advisor: User
    principal: User
    auditor: User
    police_token: str
    transit_token: str
    ice_token: str

    def student_ref(self, student: Student) -> dict[str, Any]:
        return {"student_id": student.sis_id}


def _student(
    school: School, sis_id: str, first: str, last: str, birth: dt.date, grade: str, **flags: Any
) -> Student:
    return Student.objects.create(
        sourced_id=f"src-{sis_id}",
        sis_id=sis_id,
        first_name=first,
        last_name=last,
        birth_date=birth,
        grade=grade,
        school=school,
        enrolled_on=dt.date(2023, 9, 5),
        **flags,
    )


def _guardian(
    sourced: str, first: str, last: str, *, email: str, language: str = "en", user: User | None = None
) -> Guardian:
    return Guardian.objects.create(
        sourced_id=sourced,
        first_name=first,
        last_name=last,
        email=email,
        preferred_language=language,
        phone="617-555-0100",
        address_line1="12 Elm Street",
        city="Boston",
        state="MA",
        postal_code="02119",
        user=user,
    )


def build_world() -> World:
    school = School.objects.create(
        sourced_id="org-1", name="Frederick Douglass Middle School", address="1 School St"
    )
    alice = _student(school, "S-1001", "Alice", "Rivera", dt.date(2013, 5, 1), "07")
    ben = _student(school, "S-1002", "Ben", "Okafor", dt.date(2009, 9, 12), "10")
    carla = _student(school, "S-1003", "Carla", "Nguyen", dt.date(2012, 1, 20), "08", directory_opt_out=True)
    dana = _student(
        school,
        "S-1004",
        "Dana",
        "Silva",
        dt.date(2014, 3, 3),
        "06",
        foster_care=True,
        missing_child_flag=True,
    )

    parent = make_user("parent", Role.PARENT, first="Maria", last="Rivera")
    other_parent = make_user("otherparent", Role.PARENT, first="Paul", last="Okafor")
    maria = _guardian("g-1", "Maria", "Rivera", email="maria@example.org", language="es", user=parent)
    jose = _guardian("g-2", "José", "Rivera", email="", language="es")
    paul = _guardian("g-3", "Paul", "Okafor", email="paul@example.org", user=other_parent)
    GuardianRelationship.objects.create(student=alice, guardian=maria)
    GuardianRelationship.objects.create(student=alice, guardian=jose)
    GuardianRelationship.objects.create(student=ben, guardian=paul)
    GuardianRelationship.objects.create(
        student=carla, guardian=_guardian("g-4", "Lan", "Nguyen", email="lan@example.org", language="vi")
    )
    GuardianRelationship.objects.create(
        student=dana, guardian=_guardian("g-5", "Rosa", "Silva", email="rosa@example.org", language="pt")
    )

    police = Agency.objects.create(name="City Police Department", kind="municipal_police", verified=True)
    transit = Agency.objects.create(name="Transit Police", kind="transit_police", verified=True)
    dcf = Agency.objects.create(
        name="Department of Children and Families", kind="child_protective_services", verified=True
    )
    ice = Agency.objects.create(
        name="Immigration and Customs Enforcement", kind="immigration_enforcement", verified=True
    )
    court = Agency.objects.create(name="Juvenile Court", kind="court", verified=True)
    detective = make_requester("detective", police, first="Dana", last="Keane", position="Detective")
    transit_officer = make_requester("transit", transit, first="R.", last="Alves", position="Sergeant")
    dcf_investigator = make_requester("dcf", dcf, first="Ines", last="Costa", position="Investigator")
    immigration_officer = make_requester("ice", ice, first="John", last="Doe", position="Deportation Officer")
    world = World(
        school=school,
        alice=alice,
        ben=ben,
        carla=carla,
        dana=dana,
        parent=parent,
        other_parent=other_parent,
        police=police,
        transit=transit,
        dcf=dcf,
        ice=ice,
        court=court,
        detective=detective,
        transit_officer=transit_officer,
        dcf_investigator=dcf_investigator,
        immigration_officer=immigration_officer,
        clerk=make_user("clerk", Role.RECORDS_CLERK, first="Rita", last="Clerk", position="Records Manager"),
        superintendent=make_user(
            "super", Role.SUPERINTENDENT, first="Sam", last="Super", position="Superintendent"
        ),
        legal_advisor=make_user(
            "counsel", Role.LEGAL_ADVISOR, first="Lee", last="Counsel", position="General Counsel"
        ),
        principal=make_user("principal", Role.PRINCIPAL, first="Pat", last="Principal", position="Principal"),
        auditor=make_user("auditor", Role.AUDITOR, first="Ada", last="Auditor", position="Auditor"),
        police_token=api_token_issue(agency=police, name="records system")[1],
        transit_token=api_token_issue(agency=transit, name="records system")[1],
        ice_token=api_token_issue(agency=ice, name="case system")[1],
    )
    training_seed_completed(users=[world.clerk, world.superintendent, world.legal_advisor, world.principal])
    return world


def request_body(*students: Student, by_name: bool = False, **overrides: Any) -> dict[str, Any]:
    """DOMAIN.md's request object naming these students by their district ids, or with `by_name` by
    name and birth date. `identified_by` is not sent: the server sets it from how the students are
    named (an `identified_by="name_and_birth_date"` override asks for students named that way)."""
    if overrides.pop("identified_by", None) == "name_and_birth_date":
        by_name = True
    body: dict[str, Any] = {
        "purpose": "criminal_investigation",
        "description": "Investigation of a theft at a station",
        "categories": ["directory", "attendance"],
        "students": [
            {
                "first_name": s.first_name,
                "last_name": s.last_name,
                "birth_date": s.birth_date.isoformat() if s.birth_date else "",
            }
            if by_name
            else {"student_id": s.sis_id}
            for s in students
        ],
        "legal_process": {"kind": "none", "nondisclosure_order": False},
        "emergency": None,
        "consent": None,
        "certification_no_redisclosure": False,
        "onward_recipients": [],
    }
    body.update(overrides)
    return body


def emergencies_found(request: Any, official: User) -> None:
    """The district finds the emergency of every student of this request whose items wait for it, as a
    records clerk does after calling the requester back (rule R1's determine_emergency)."""
    from brightline.casework.models import ItemState
    from brightline.casework.services import emergency_determine

    waiting = request.items.filter(state=ItemState.AWAITING_DETERMINATION).values_list(
        "request_student_id", flat=True
    )
    for request_student_id in sorted(set(waiting)):
        emergency_determine(
            request_student_id=request_student_id,
            official=official,
            found=True,
            threat=request.emergency_threat,
            rationale="Called the officer back on the agency's published number; the threat is real.",
        )
