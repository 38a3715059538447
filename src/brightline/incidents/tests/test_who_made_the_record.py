"""Incident reports on the right side of FERPA 99.8: who made a report, and what for, decide whether it is
an education record (`discipline`) or a record of the school police unit (`law_enforcement_unit`); where
a copy went and the words in it do not."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from brightline.casework import services as casework
from brightline.disclosures.models import DisclosureEntry, EntryKind
from brightline.disclosures.services import packet_release
from brightline.errors import InvalidInput
from brightline.incidents.classification import (
    POLICY_FILE,
    PURPOSES,
    UNITS,
    IncidentFacts,
    classification_policy,
    validate_classification_policy,
)
from brightline.incidents.models import (
    Incident,
    IncidentClassification,
    RecordPurpose,
    ReportingUnit,
    StaffSchool,
)
from brightline.incidents.selectors import unit_at
from brightline.incidents.services import InvolvedStudent, incident_reclassify, staff_school_assign
from brightline.incidents.tests.helpers import admin, assign, record, school_police_officer, school_staff
from brightline.ledger.models import LedgerEntry
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db


def knife_assault(world: World, **overrides: Any) -> Incident:
    arguments: dict[str, Any] = {
        "summary": "Assault with a knife near the gym",
        "description": "A student cut another's arm with a folding knife.",
        "conduct": ["assault", "weapon"],
        "students": [
            InvolvedStudent(world.ben.sis_id, "responsible", possessed_weapon=True),
            InvolvedStudent(world.alice.sis_id, "affected"),
        ],
    }
    arguments.update(overrides)
    return record(world, **arguments)


def ledger_record(incident: Incident, event_type: str) -> dict[str, Any]:
    entry = LedgerEntry.objects.get(subject__incident=incident.pk, event_type=event_type)
    record: dict[str, Any] = entry.record.envelope["record"]
    return record


def police_ask(world: World, category: str) -> Any:
    body = request_body(world.ben, categories=[category], description="The knife assault near the gym")
    return casework.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request


def test_a_principals_report_sent_to_the_police_stays_an_education_record(world: World) -> None:
    # The principal writes the report for the police, and the weapon report goes to the chief of police.
    incident = knife_assault(world, purpose="law_enforcement")
    assert (incident.reporting_unit, incident.recorded_by_role) == ("school_staff", "principal")
    assert incident.record_category == "discipline"
    classification = incident.classifications.get()
    assert classification.criteria == ["EDU-staff"]
    assert classification.explanation == (
        "A school discipline matter, kept only in the students' discipline record: school staff made this "
        "report (a principal, a teacher or another member of staff), not the school police unit, so it is "
        "an education record, even when it is made for the police or a copy is sent to them (criterion "
        "EDU-staff; source: FERPA 99.3, 99.8(b)(1))."
    )
    assert ledger_record(incident, "incident.classified")["explanation"] == classification.explanation
    recorded = ledger_record(incident, "incident.recorded")
    assert (recorded["reporting_unit"], recorded["purpose"]) == ("school_staff", "law_enforcement")
    assert recorded["recorded_by_role"] == "principal"

    # Sent to the police under M.G.L. c.71 s.37L, as the discipline record it is.
    chief = DisclosureEntry.objects.get(kind=EntryKind.WEAPON_ROUTING, party_kind="municipal_police")
    assert chief.categories == ["discipline"]

    # Rule F4 keeps it from the police without process, an emergency or consent ...
    asked = police_ask(world, "discipline").items.get()
    assert asked.outcome == "refuse" and asked.rules == ["F4"]
    # ... and it is not among the school police unit's records that R4 releases.
    unit_records = police_ask(world, "law_enforcement_unit")
    assert unit_records.items.get().rules == ["R4"]
    packet = packet_release(request_id=unit_records.pk, released_by=world.clerk)
    assert incident.summary not in json.dumps(packet.content)


def test_a_teachers_report_is_an_education_record(world: World) -> None:
    teacher = school_staff(world)
    incident = record(
        world,
        by=teacher,
        summary="Threat in class",
        description="A student said he would hurt a classmate after school.",
        conduct=["threat"],
        felony=True,
        purpose="law_enforcement",
    )
    assert (incident.reporting_unit, incident.recorded_by_role) == ("school_staff", "school_staff")
    assert incident.record_category == "discipline"
    assert incident.classifications.get().criteria == ["EDU-staff"]


def test_a_school_police_officers_report_of_a_crime_is_a_law_enforcement_record(world: World) -> None:
    officer = school_police_officer(world)
    incident = record(
        world,
        by=officer,
        summary="Sale of pills behind the gym",
        description="The officer saw a student sell pills to another and seized them.",
        conduct=["drugs"],
        purpose="law_enforcement",
    )
    assert (incident.reporting_unit, incident.purpose) == ("school_police", "law_enforcement")
    assert incident.record_category == "law_enforcement_unit"
    classification = incident.classifications.get()
    assert classification.criteria == ["LE-drugs"]
    assert classification.explanation == (
        "A law-enforcement record, kept by the school police unit: the school police unit made it for a "
        "law-enforcement purpose, and the conduct involved illegal drugs (criterion LE-drugs; source: the "
        "draft)."
    )
    assert ledger_record(incident, "incident.recorded")["reporting_unit"] == "school_police"
    unit_records = police_ask(world, "law_enforcement_unit")
    packet = packet_release(request_id=unit_records.pk, released_by=world.clerk)
    # The record is released (its date); its account, which involves a second student, is withheld.
    assert incident.occurred_on.isoformat() in json.dumps(packet.content)
    assert incident.summary not in json.dumps(packet.content)


def test_an_officers_write_up_for_school_discipline_is_an_education_record(world: World) -> None:
    officer = school_police_officer(world)
    dress_code = record(
        world,
        by=officer,
        summary="Dress code",
        description="The officer wrote up a student who refused to remove a hat, for the principal.",
        conduct=["defiance"],
        purpose="school_discipline",
    )
    assert dress_code.reporting_unit == "school_police"
    assert dress_code.record_category == "discipline"
    classification = dress_code.classifications.get()
    assert classification.criteria == ["EDU-purpose"]
    assert (
        "for the school's discipline process, not for a law-enforcement purpose" in classification.explanation
    )

    # The words of the conduct do not make it a police record either.
    vape_pen = record(
        world,
        by=officer,
        summary="Vape pen with THC",
        description="Found in a locker; handed to the assistant principal for a suspension hearing.",
        conduct=["drugs"],
        purpose="school_discipline",
    )
    assert vape_pen.record_category == "discipline"
    assert vape_pen.classifications.get().criteria == ["EDU-purpose"]


def test_an_officers_report_of_a_minor_matter_stays_school_discipline(world: World) -> None:
    incident = record(world, by=school_police_officer(world), conduct=["fight"], purpose="law_enforcement")
    assert incident.record_category == "discipline"
    assert incident.classifications.get().criteria == ["SD"]


def test_bad_input_is_refused_naming_the_field(world: World) -> None:
    with pytest.raises(InvalidInput) as error:
        record(world, purpose="investigation")
    assert error.value.errors == [("purpose", "one of school_discipline, law_enforcement")]

    # Who made a report is the recorder's assignment, not what the report says.
    with pytest.raises(InvalidInput) as error:
        record(world, by=assign(world.principal, world), reporting_unit="school_police")
    ((field, message),) = error.value.errors
    assert field == "reporting_unit" and "you report for the school staff at this school" in message
    with pytest.raises(InvalidInput) as error:
        record(world, reporting_unit="sheriff")
    assert error.value.errors == [("reporting_unit", "one of school_staff, school_police")]
    assert not Incident.objects.exists()

    with pytest.raises(ValueError, match="made_by: unknown unit 'sheriff'"):
        classification_policy().classify(
            IncidentFacts(made_by="sheriff", purpose="law_enforcement", conduct=frozenset(), felony=False)
        )
    with pytest.raises(ValueError, match="purpose: unknown purpose"):
        classification_policy().classify(
            IncidentFacts(made_by="school_police", purpose="arrest", conduct=frozenset(), felony=False)
        )


def test_only_an_officers_account_works_for_the_school_police_unit(world: World) -> None:
    with pytest.raises(InvalidInput) as error:
        staff_school_assign(user=world.principal, school=world.school, unit="school_police")
    assert error.value.errors[0][0] == "unit"
    with pytest.raises(ValidationError) as invalid:
        StaffSchool(user=world.principal, school=world.school, unit="school_police").full_clean()
    assert "unit" in invalid.value.message_dict

    # A row written around the check still does not make a principal the unit.
    StaffSchool.objects.create(user=world.principal, school=world.school, unit="school_police")
    assert unit_at(world.principal, world.school) == "school_staff"
    assert (
        record(
            world,
            conduct=["weapon"],
            purpose="law_enforcement",
            students=[InvolvedStudent(world.ben.sis_id, "responsible", possessed_weapon=True)],
        ).record_category
        == "discipline"
    )

    # An officer moved back to school staff makes school staff's reports from then on.
    officer = school_police_officer(world)
    staff_school_assign(user=officer, school=world.school, unit="school_staff")
    assert unit_at(officer, world.school) == "school_staff"


def test_a_staff_report_cannot_be_reclassified_into_the_police_units_records(world: World) -> None:
    incident = knife_assault(world, purpose="law_enforcement")
    with pytest.raises(InvalidInput) as error:
        incident_reclassify(
            incident_id=incident.pk,
            decided_by=admin(world),
            record_category="law_enforcement_unit",
            reason="The police department asked to keep it as a police record.",
        )
    ((field, message),) = error.value.errors
    assert field == "record_category" and "school staff made this report" in message
    incident.refresh_from_db()
    assert incident.record_category == "discipline"
    assert incident.classifications.count() == 1


def test_the_criteria_refuse_a_unit_or_purpose_they_do_not_know() -> None:
    # The policy's identifiers are the ones the incidents store.
    assert (list(UNITS), list(PURPOSES)) == (ReportingUnit.values, RecordPurpose.values)
    text = POLICY_FILE.read_text(encoding="utf-8")
    assert validate_classification_policy(text) == []
    problems = validate_classification_policy(
        text.replace('Unit::"school_police" };', 'Unit::"sheriff" };').replace(
            'Purpose::"law_enforcement" };', 'Purpose::"arrest" };'
        )
    )
    assert "criterion 'EDU-staff': unknown unit 'sheriff'" in problems
    assert "criterion 'EDU-purpose': unknown purpose 'arrest'" in problems


def test_earlier_reports_are_read_by_who_made_them(world: World) -> None:
    """The migration's reading of reports recorded when anyone could tick "school police unit"."""
    officer = school_police_officer(world)
    teacher = school_staff(world)
    principals = knife_assault(world, purpose="law_enforcement")
    officers = record(world, by=officer, conduct=["drugs"], purpose="law_enforcement")
    teachers = record(world, by=teacher, summary="Pushing in line")
    # As the earlier code left them: every report said to be the unit's, the knife report kept by the
    # unit, no purpose and no role recorded.
    Incident.objects.update(reporting_unit="school_police", purpose="school_discipline", recorded_by_role="")
    Incident.objects.filter(pk=principals.pk).update(record_category="law_enforcement_unit")
    IncidentClassification.objects.filter(incident=principals).update(
        record_category="law_enforcement_unit", criteria=["LE-weapon", "LE-assault"]
    )
    Incident.objects.filter(pk=teachers.pk).update(recorded_by=None)

    migration = importlib.import_module("brightline.incidents.migrations.0002_incident_made_by_and_purpose")
    migration.read_who_made_each_report(apps, None)

    rows = {row.pk: row for row in Incident.objects.all()}
    assert (rows[principals.pk].reporting_unit, rows[principals.pk].record_category) == (
        "school_staff",
        "discipline",
    )
    assert rows[principals.pk].recorded_by_role == "principal"
    assert (rows[officers.pk].reporting_unit, rows[officers.pk].purpose) == (
        "school_police",
        "law_enforcement",
    )
    assert rows[officers.pk].record_category == "law_enforcement_unit"
    # An author no longer on file is taken for school staff.
    assert (rows[teachers.pk].reporting_unit, rows[teachers.pk].recorded_by_role) == ("school_staff", "")

    history = list(IncidentClassification.objects.filter(incident=principals).order_by("decided_at", "pk"))
    assert [(h.record_category, h.criteria) for h in history] == [
        ("law_enforcement_unit", ["LE-weapon", "LE-assault"]),
        ("discipline", ["EDU-staff"]),
    ]
    assert "Reclassified when the district began to classify incident reports by who made them" in (
        history[-1].explanation
    )
    assert history[-1].decided_at <= timezone.now()
    assert IncidentClassification.objects.filter(incident__in=[officers, teachers]).count() == 2
