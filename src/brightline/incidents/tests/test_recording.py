"""Recording incidents: the district's criteria sort them, the screening keeps out what a report may
never hold, weapon reports are routed, and an administrator's reclassification is kept with its reason.
Who made a report, and what for, has its own tests in test_who_made_the_record.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from brightline.casework import services as casework
from brightline.casework.models import ItemState
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.errors import InvalidInput, NotAllowed, NotFound
from brightline.incidents.models import (
    ClassificationSource,
    Incident,
    IncidentClassification,
    WeaponRouting,
)
from brightline.incidents.selectors import incident_get, incidents_visible_to
from brightline.incidents.services import InvolvedStudent, incident_attach, incident_reclassify
from brightline.incidents.tests.helpers import (
    PDF,
    admin,
    assault_with_weapon,
    assign,
    record,
    school_police_officer,
    school_staff,
    trained,
)
from brightline.ledger.models import LedgerEntry
from brightline.testing import World, make_user, request_body

pytestmark = pytest.mark.django_db


def events(incident: Incident) -> list[str]:
    return list(
        LedgerEntry.objects.filter(subject__incident=incident.pk)
        .order_by("index")
        .values_list("event_type", flat=True)
    )


def test_a_fight_without_injury_is_discipline_and_police_are_refused_it_without_process(world: World) -> None:
    incident = record(world)
    assert incident.record_category == "discipline"
    first = incident.classifications.get()
    assert first.source == ClassificationSource.POLICY
    assert first.criteria == ["EDU-staff"]
    assert "school discipline matter" in first.explanation and "criterion EDU-staff" in first.explanation
    assert events(incident) == ["incident.recorded", "incident.classified"]
    assert not DisclosureEntry.objects.filter(kind=EntryKind.WEAPON_ROUTING).exists()

    # The city police ask for the student's discipline record: rule F4 refuses it, nobody can approve it.
    body = request_body(world.alice, categories=["discipline"], description="The cafeteria fight")
    request = casework.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    item = request.items.get()
    assert item.outcome == "refuse" and item.rules == ["F4"]
    assert item.state == ItemState.REFUSED


def test_an_assault_with_a_weapon_is_a_law_enforcement_matter_and_its_report_is_routed(world: World) -> None:
    incident = assault_with_weapon(world)
    assert incident.record_category == "law_enforcement_unit"
    classification = incident.classifications.get()
    assert classification.criteria == ["LE-weapon", "LE-assault"]
    assert "criterion LE-weapon" in classification.explanation
    assert "M.G.L. c.71 s.37L" in classification.explanation

    routed = DisclosureEntry.objects.filter(kind=EntryKind.WEAPON_ROUTING).order_by("pk")
    assert routed.count() == 4
    assert {entry.student_id for entry in routed} == {world.ben.pk}  # only the student with the weapon
    assert [entry.party_kind for entry in routed] == [
        "municipal_police",
        "child_protective_services",
        "school_official",
        "school_official",
    ]
    assert [entry.party_name for entry in routed] == [
        "Chief of Police",
        "Department of Children and Families",
        "Office of Student Services",
        "School Committee",
    ]
    for entry in routed:
        assert "M.G.L. c.71 s.37L" in entry.lawful_basis
        assert entry.categories == ["law_enforcement_unit"]
        assert entry.ledger_index is not None
    assert set(WeaponRouting.objects.filter(incident=incident).values_list("recipient", flat=True)) == {
        "police_chief",
        "child_protective_services",
        "student_services",
        "school_committee",
    }
    assert events(incident).count("incident.weapon_report_routed") == 4


def test_a_weapon_must_be_tied_to_the_student_who_had_it(world: World) -> None:
    with pytest.raises(InvalidInput) as error:
        record(world, conduct=["weapon"])
    assert error.value.errors[0][0] == "students"
    with pytest.raises(InvalidInput) as error:
        record(world, students=[InvolvedStudent(world.alice.sis_id, "responsible", possessed_weapon=True)])
    assert error.value.errors[0][0] == "students.0.possessed_weapon"


@pytest.mark.parametrize(
    ("conduct", "felony", "criteria"),
    [
        (["drugs"], False, ["LE-drugs"]),
        (["threat"], False, ["LE-threat"]),
        (["sexual_conduct"], False, ["LE-sexual"]),
        (["theft"], True, ["LE-felony"]),
        (["vandalism", "disruption"], False, ["SD"]),
        (["alcohol"], False, ["SD"]),
    ],
)
def test_each_criterion_of_the_policy_names_itself(
    world: World, conduct: list[str], felony: bool, criteria: list[str]
) -> None:
    # The school police unit's report, made for a law-enforcement purpose: the conduct criteria decide.
    incident = record(world, conduct=conduct, felony=felony, reporting_unit="school_police")
    assert incident.classifications.get().criteria == criteria
    assert incident.record_category == ("discipline" if criteria == ["SD"] else "law_enforcement_unit")


def test_a_report_with_a_gang_phrase_is_refused_until_the_recorder_confirms(world: World) -> None:
    text = "Fight between two students. Staff said one is a gang member and undocumented."
    with pytest.raises(InvalidInput) as error:
        record(world, description=text)
    messages = dict(error.value.errors)
    assert [field for field, _ in error.value.errors] == ["description", "description"]
    assert "'gang member'" in error.value.errors[0][1] and "Plyler" in error.value.errors[0][1]
    assert "'undocumented'" in error.value.errors[1][1]
    assert messages
    assert not Incident.objects.exists()

    incident = record(world, description=text, confirmed_screening=True)
    assert incident.screening_confirmed
    assert [m["phrase"] for m in incident.screening_matches] == ["gang member", "undocumented"]


@pytest.mark.parametrize(
    "text",
    [
        "He said he would call ICE on her family.",
        "The student was born in another country.",
        "Es miembro de una pandilla, MS-13.",
        "Ella está indocumentada.",
        "Questions about his immigration status and ethnicity.",
    ],
)
def test_screening_catches_the_obvious_phrases_in_several_languages(world: World, text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        record(world, summary="Argument", description=text)
    assert {field for field, _ in error.value.errors} == {"description"}


def test_screening_leaves_ordinary_words_alone(world: World) -> None:
    incident = record(world, description="He slipped on ice on the steps and pushed a nice classmate.")
    assert incident.screening_matches == []


def test_attachments_are_pdfs_only_and_their_text_is_screened(world: World) -> None:
    with pytest.raises(InvalidInput) as error:
        record(world, attachments=[SimpleUploadedFile("photo.pdf", b"\x89PNG\r\n")])
    assert error.value.errors == [("attachments.0", "attachments are PDF documents only")]

    incident = record(world, attachments=[SimpleUploadedFile("statement.pdf", PDF)])
    attachment = incident.attachments.get()
    assert attachment.original_name == "statement.pdf"
    assert "text" in attachment.screening_note
    assert "incident.attachment_added" in events(incident)


def test_an_attached_pdf_naming_a_gang_is_refused_until_confirmed(world: World) -> None:
    pypdf = pytest.importorskip("pypdf")
    from io import BytesIO

    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(width=300, height=100)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 10 50 Td (Known gang member of MS-13) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = BytesIO()
    writer.write(out)
    data = out.getvalue()

    with pytest.raises(InvalidInput) as error:
        record(world, attachments=[SimpleUploadedFile("report.pdf", data)])
    assert {field for field, _ in error.value.errors} == {"attachments.0"}
    assert "'gang member'" in error.value.errors[0][1]

    incident = record(world, attachments=[SimpleUploadedFile("report.pdf", data)], confirmed_screening=True)
    assert incident.attachments.count() == 1
    with pytest.raises(InvalidInput):
        incident_attach(
            incident_id=incident.pk, upload=SimpleUploadedFile("again.pdf", data), uploaded_by=world.principal
        )


def test_an_administrator_reclassifies_with_a_reason_that_is_kept(world: World) -> None:
    # The resource officer wrote the fight up for the principal's discipline process.
    incident = record(world, reporting_unit="school_police", purpose="school_discipline")
    assert incident.classifications.get().criteria == ["EDU-purpose"]
    boss = admin(world)
    with pytest.raises(InvalidInput) as error:
        incident_reclassify(
            incident_id=incident.pk, decided_by=boss, record_category="law_enforcement_unit", reason=""
        )
    assert error.value.errors[0][0] == "reason"
    reason = "The video shows one student struck the other repeatedly after he fell: an assault."
    row = incident_reclassify(
        incident_id=incident.pk, decided_by=boss, record_category="law_enforcement_unit", reason=reason
    )
    incident.refresh_from_db()
    assert incident.record_category == "law_enforcement_unit"
    history = list(IncidentClassification.objects.filter(incident=incident).order_by("decided_at", "pk"))
    assert [(h.record_category, h.source) for h in history] == [
        ("discipline", "policy"),
        ("law_enforcement_unit", "administrator"),
    ]
    assert history[1].reason == reason and history[1].decided_by_name == "Ari Admin"
    assert events(incident)[-1] == "incident.reclassified"
    ledger = LedgerEntry.objects.get(index=row.ledger_index)
    assert ledger.record.envelope["record"]["reason"] == reason

    with pytest.raises(InvalidInput):
        incident_reclassify(
            incident_id=incident.pk, decided_by=boss, record_category="law_enforcement_unit", reason=reason
        )


def test_only_an_administrator_or_the_schools_principal_reclassifies(world: World) -> None:
    officer = school_police_officer(world)
    incident = record(world, by=officer, reporting_unit="school_police", purpose="school_discipline")
    with pytest.raises(NotAllowed):
        incident_reclassify(
            incident_id=incident.pk,
            decided_by=officer,
            record_category="law_enforcement_unit",
            reason="x" * 20,
        )
    other_principal = trained(make_user("principal2", "principal", first="Olu", last="Other"))
    with pytest.raises(NotFound):
        incident_reclassify(
            incident_id=incident.pk,
            decided_by=other_principal,
            record_category="law_enforcement_unit",
            reason="x" * 20,
        )
    incident_reclassify(
        incident_id=incident.pk,
        decided_by=assign(world.principal, world),
        record_category="law_enforcement_unit",
        reason="x" * 20,
    )


def test_who_sees_which_incidents(world: World) -> None:
    teacher = school_staff(world)
    other_teacher = school_staff(world, "teacher2")
    mine = record(world, by=teacher)
    theirs = record(world, by=other_teacher, summary="Another")
    assert list(incidents_visible_to(teacher)) == [mine]
    assert set(incidents_visible_to(assign(world.principal, world))) == {mine, theirs}
    assert set(incidents_visible_to(admin(world))) == {mine, theirs}
    outsider = make_user("principal2", "principal", first="Olu", last="Other")
    assert list(incidents_visible_to(outsider)) == []
    with pytest.raises(NotFound):
        incident_get(user=teacher, incident_id=theirs.pk)
    for user in (world.clerk, world.superintendent, world.auditor, world.detective, world.parent):
        with pytest.raises(NotAllowed):
            incidents_visible_to(user)


def test_recording_checks_each_field(world: World) -> None:
    with pytest.raises(InvalidInput) as error:
        record(
            world,
            occurred_on=timezone.localdate() + dt.timedelta(days=2),
            summary="",
            conduct=["jaywalking"],
            students=[InvolvedStudent("S-9999", "bystander"), InvolvedStudent("", "witness")],
        )
    fields = [field for field, _ in error.value.errors]
    assert fields == [
        "occurred_on",
        "summary",
        "conduct",
        "students.0.student_id",
        "students.0.role",
        "students.1.student_id",
    ]
    with pytest.raises(NotAllowed):
        record(world, by=world.clerk)
    unassigned = trained(make_user("teacher3", "school_staff"))
    with pytest.raises(InvalidInput) as error:
        record(world, by=unassigned)
    assert error.value.errors[0][0] == "school"


def test_attaching_and_reclassifying_need_the_training_like_recording(world: World) -> None:
    from brightline.training.selectors import NotTrained

    incident = record(world, reporting_unit="school_police", purpose="school_discipline")
    untrained_admin = make_user("admin2", "admin", first="Uma", last="Untrained", position="Deputy")
    reason = "The video shows one student struck the other repeatedly after he fell: an assault."
    with pytest.raises(NotTrained) as refused:
        incident_reclassify(
            incident_id=incident.pk,
            decided_by=untrained_admin,
            record_category="law_enforcement_unit",
            reason=reason,
        )
    assert "training" in str(refused.value) and "reclassifying an incident" in str(refused.value)
    incident.refresh_from_db()
    assert incident.record_category == "discipline" and incident.classifications.count() == 1

    with pytest.raises(NotTrained) as refused:
        incident_attach(
            incident_id=incident.pk, upload=SimpleUploadedFile("late.pdf", PDF), uploaded_by=untrained_admin
        )
    assert "attaching a file to an incident" in str(refused.value)
    # Before anything about the incident: an untrained account learns nothing of which ids exist.
    with pytest.raises(NotTrained):
        incident_attach(
            incident_id=999999, upload=SimpleUploadedFile("late.pdf", PDF), uploaded_by=untrained_admin
        )
    assert incident.attachments.count() == 0

    trained(untrained_admin)
    incident_attach(
        incident_id=incident.pk, upload=SimpleUploadedFile("late.pdf", PDF), uploaded_by=untrained_admin
    )
    incident_reclassify(
        incident_id=incident.pk,
        decided_by=untrained_admin,
        record_category="law_enforcement_unit",
        reason=reason,
    )
    assert incident.attachments.count() == 1
