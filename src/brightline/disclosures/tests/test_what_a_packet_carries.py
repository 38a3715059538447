"""What a packet tells its recipient: what was released, nothing more (CONTRACTS.md).

Each test reads both surfaces a requester gets, the JSON and the PDF (its text through pypdf), as they
come out of a real delivery link. A packet names each student as the requester named them, so the
district's student id is there only where the requester sent it; no match state, roster flag or rule
that betrays one (missing, adjudicated, opted out, in foster care) reaches the recipient; a student the
district could not identify is not in it; and an incident is listed only for the student who took part
in it, with the other students' names and words taken out.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from brightline.casework import services as casework
from brightline.casework.models import ItemState, Request
from brightline.disclosures.models import ReleasePacket
from brightline.disclosures.packets import TEXT_WITHHELD
from brightline.disclosures.services import packet_release
from brightline.incidents.models import Incident, IncidentStudent
from brightline.roster.models import Student
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

pypdf = pytest.importorskip("pypdf")

# Words that would tell the recipient what the roster or the matching knows about a student.
FLAG_WORDS = re.compile(
    r"missing|foster|adjudicat|opt(ed)?[ _-]?out|directory_opt|match|candidate|alert_police|"
    r"no_match|ambiguous|(?-i:\b[RFV][1-8]\b)",
    re.IGNORECASE,
)


def by_name(student: Student, **changes: str) -> dict[str, str]:
    named = {
        "first_name": student.first_name,
        "last_name": student.last_name,
        "birth_date": student.birth_date.isoformat() if student.birth_date else "",
    }
    return named | changes


def submit(world: World, agency: Any, user: Any, body: dict[str, Any]) -> Request:
    return casework.request_submit(agency=agency, document=body, channel="portal", submitted_by=user).request


def delivered(world: World, request: Request, token: str, acknowledged_by: str) -> tuple[dict[str, Any], str]:
    """Release the request, then download it as the agency does: the JSON and the PDF text."""
    packet = packet_release(request_id=request.pk, released_by=world.clerk)
    agency = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    base = f"/api/v1/requests/{request.pk}/packets/{packet.pk}"
    if packet.redisclosure_notice:
        answer = agency.post(
            f"{base}/acknowledge",
            data=json.dumps({"acknowledged_by": acknowledged_by}),
            content_type="application/json",
            **auth,
        )
        assert answer.status_code == 200, answer.content
    urls = [agency.post(f"{base}/link", **auth).json() for _ in range(2)]
    as_json = agency.get(urls[0]["json_url"])
    as_pdf = agency.get(urls[1]["pdf_url"])
    assert as_json.status_code == 200 and as_pdf.status_code == 200
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(as_pdf.content)).pages)
    assert ReleasePacket.objects.get(pk=packet.pk).content == json.loads(as_json.content)
    return json.loads(as_json.content), text


def dcf_token(world: World) -> str:
    from brightline.agencies.services import api_token_issue

    return api_token_issue(agency=world.dcf, name="case system")[1]


REFERENCE = re.compile(r"\bBL-\d{2}-[A-Z0-9]+\b")


def assert_nothing_beyond_the_release(surface: str, *, absent: list[str]) -> None:
    found = FLAG_WORDS.search(surface)
    assert found is None, f"the packet says {found.group(0)!r}: {surface[max(0, found.start() - 80) :][:200]}"
    # A request's reference (BL-26-R3GM5J) is random letters and digits: it can spell a rule id by chance.
    words = REFERENCE.sub("", surface)
    for value in absent:
        assert re.search(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", words) is None, (
            f"the packet carries {value!r}"
        )


def test_an_abuse_investigation_packet_names_students_as_sent_and_carries_no_flag(world: World) -> None:
    ben = world.ben
    ben.adjudicated = True
    ben.save()
    unknown = {"first_name": "Zebulon", "last_name": "Quayle", "birth_date": "2012-02-02"}
    body = request_body(
        purpose="child_abuse_investigation",
        description="51A report received about the household",
        categories=["directory", "contact", "attendance"],
        students=[
            {"student_id": world.alice.sis_id},
            by_name(world.carla, first_name="CARLA"),  # opted out; named in capitals
            {"student_id": world.dana.sis_id},  # in foster care and flagged missing
            by_name(ben),  # adjudicated
            unknown,  # not on the roster
        ],
    )
    request = submit(world, world.dcf, world.dcf_investigator, body)
    released_students = {
        item.request_student.position for item in request.items.all() if item.state == ItemState.CLEARED
    }
    assert released_students == {0, 1, 2, 3}

    content, text = delivered(world, request, dcf_token(world), "Ines Costa")

    # Named as the requester named them: the district's id only for the students sent by id.
    assert [student["named"] for student in content["students"]] == [
        {"student_id": "S-1001"},
        {"first_name": "CARLA", "last_name": "Nguyen", "birth_date": "2012-01-20"},
        {"student_id": "S-1004"},
        {"first_name": "Ben", "last_name": "Okafor", "birth_date": "2009-09-12"},
    ]
    for student in content["students"]:
        assert set(student) == {"named", "position", "categories"}
        for category in student["categories"]:
            assert set(category) == {"category", "fields"}
    # Only released fields: the directory's names come from the roster as released.
    carla_directory = content["students"][1]["categories"][0]
    assert carla_directory["category"] == "directory"
    assert carla_directory["fields"]["first_name"] == "Carla"
    assert "S-1001" in text and "S-1004" in text
    assert "CARLA Nguyen, born January 20, 2012" in text and "Ben Okafor, born September 12, 2009" in text

    for surface in (json.dumps(content), text):
        assert_nothing_beyond_the_release(
            surface,
            absent=[
                world.carla.sis_id,  # named by name: their ids stay in the district
                world.ben.sis_id,
                world.alice.birth_date.isoformat(),  # named by id: the birth date is not released
                world.dana.birth_date.isoformat(),
                "Zebulon",  # the student the district could not identify is not in the packet
                "Quayle",
                "2012-02-02",
            ],
        )


def test_a_foster_care_packet_does_not_say_why_it_was_released(world: World) -> None:
    """Rule R3 applies only to a student in foster care: the packet names no rule."""
    body = request_body(
        world.dana,
        purpose="foster_care_case_plan",
        description="Education plan for the placement",
        categories=["directory", "enrollment", "attendance"],
        by_name=True,
    )
    request = submit(world, world.dcf, world.dcf_investigator, body)
    assert {item.state for item in request.items.all()} == {ItemState.CLEARED}
    assert all("R3" in item.rules for item in request.items.all())

    content, text = delivered(world, request, dcf_token(world), "Ines Costa")

    assert content["students"][0]["named"] == by_name(world.dana)
    for surface in (json.dumps(content), text):
        assert_nothing_beyond_the_release(surface, absent=[world.dana.sis_id, "R3"])


def incident(
    world: World, category: str, summary: str, description: str, students: list[tuple[Student, str]]
) -> Incident:
    """An incident as stored once recorded and classified: the packet reads only these rows (how the
    incidents app records and classifies a report is its own business and tested there)."""
    stored = Incident.objects.create(
        school=world.school,
        occurred_on=timezone.localdate() - dt.timedelta(days=1),
        summary=summary,
        description=description,
        conduct=["assault"],
        reporting_unit="school_police" if category == "law_enforcement_unit" else "school_staff",
        record_category=category,
        recorded_by=world.principal,
        recorded_by_name="Pat Principal",
        recorded_at=timezone.now(),
    )
    for student, role in students:
        IncidentStudent.objects.create(
            incident=stored, student=student, student_sis_id=student.sis_id, role=role
        )
    return stored


def police_unit_records(world: World, student: Student) -> Request:
    body = request_body(
        student,
        categories=["law_enforcement_unit"],
        description="Investigation of the assault near the gym",
        by_name=True,
    )
    return submit(world, world.police, world.detective, body)


def test_an_incident_is_released_only_for_the_student_who_took_part_in_it(world: World) -> None:
    unit = "law_enforcement_unit"
    incident(
        world,
        unit,
        "Alice Rivera was punched near the gym",
        'Ben Okafor punched Alice Rivera. Ben said "she had it coming".',
        [(world.ben, "responsible"), (world.alice, "affected")],
    )
    incident(
        world,
        unit,
        "Threat in the hallway",
        "Carla Nguyen threatened a classmate; Alice saw it.",
        [(world.carla, "responsible"), (world.alice, "witness")],
    )
    own = incident(
        world,
        unit,
        "Alice and Ben Okafor fought near the gym",
        "Alice Rivera hit BEN with a bottle. Okafor told staff \u201cI never touched her\u201d; "
        "Dana Silva (S-1004) saw it. Alice admitted it.",
        [(world.alice, "responsible"), (world.ben, "responsible"), (world.dana, "witness")],
    )
    # A discipline matter of Alice's stays out of the school police unit's records.
    incident(world, "discipline", "Late to class", "Alice was late.", [(world.alice, "responsible")])
    request = police_unit_records(world, world.alice)
    assert request.items.get().state == ItemState.CLEARED

    content, text = delivered(world, request, world.police_token, "Det. Dana Keane")

    (reports,) = [c["fields"]["incident_reports"] for c in content["students"][0]["categories"]]
    # An account is free text that may name or quote any child (no list of names catches a nickname or a
    # paraphrase): it is withheld, and the date, the kind of conduct and Alice's own part are released.
    assert reports == [
        {
            "date": own.occurred_on.isoformat(),
            "conduct": list(own.conduct),
            "summary": TEXT_WITHHELD,
            "what_happened": TEXT_WITHHELD,
            "involvement": "Took part in the conduct",
        }
    ]
    for surface in (json.dumps(content, ensure_ascii=False), text):
        for other in ("Ben", "Okafor", "Carla", "Nguyen", "Dana Silva", "S-1004", "never touched", "coming"):
            assert other not in surface, f"the packet carries another student: {other!r}"
        assert "punched" not in surface and "threatened" not in surface
        assert "Late to class" not in surface  # nothing across the bright line
    assert "reviewed by a person" in " ".join(text.split())


def test_a_discipline_incident_of_a_student_no_longer_on_the_roster_withholds_its_text(world: World) -> None:
    """A name the district no longer holds cannot be taken out of the text: the text is withheld."""
    pushing = incident(
        world,
        "discipline",
        "Pushing in line",
        "Dana pushed Xavier Stone, who pushed back.",
        [(world.dana, "responsible"), (world.ben, "responsible")],
    )
    pushing.students.filter(student=world.ben).update(student=None)
    body = request_body(
        world.dana,
        purpose="foster_care_case_plan",
        description="Education plan for the placement",
        categories=["discipline"],
    )
    request = submit(world, world.dcf, world.dcf_investigator, body)
    content, text = delivered(world, request, dcf_token(world), "Ines Costa")

    (report,) = content["students"][0]["categories"][0]["fields"]["incidents"]
    assert report["date"] == pushing.occurred_on.isoformat()
    assert "Xavier" not in json.dumps(content) and "Xavier" not in text
    assert report["what_happened"].startswith("[withheld")


def test_an_incident_account_naming_a_child_nobody_linked_is_not_released(world: World) -> None:
    """Free text can name any child, linked to the incident or not: the account never leaves on its own."""
    incident(
        world,
        "law_enforcement_unit",
        "Alice threw a book at Chloe Brown",
        "Alice threw a book at Chloe Brown; Chloe told the teacher 'she scares me'.",
        [(world.alice, "responsible")],
    )
    request = police_unit_records(world, world.alice)
    content, text = delivered(world, request, world.police_token, "Det. Dana Keane")
    for surface in (json.dumps(content, ensure_ascii=False), text):
        assert "Chloe" not in surface and "scares" not in surface
