"""Only staff trained on the policy in effect decide or release; the records office sees who is trained."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from brightline.accounts.models import Role
from brightline.accounts.tests.helpers import sign_in
from brightline.casework import services as casework
from brightline.disclosures.services import packet_release
from brightline.errors import InvalidInput, NotAllowed
from brightline.policy.models import Version, VersionStatus
from brightline.policy.services import policy_draft_create, policy_version_make_effective
from brightline.policy.tests.lifecycle_helpers import add_training, reworded_draft
from brightline.testing import World, make_user, request_body
from brightline.training.models import TrainingCompletion, TrainingModule
from brightline.training.selectors import is_trained, require_trained, staff_training
from brightline.training.services import training_complete, training_record_completed

pytestmark = pytest.mark.django_db


def grades_request(world: World):
    body = request_body(world.alice, categories=["academic"])
    return casework.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request


def default_module() -> TrainingModule:
    return TrainingModule.objects.get(version__number=1)


def right_answers(module: TrainingModule) -> list[int | None]:
    return [question["answer"] for question in module.questions]


def test_an_untrained_reviewer_is_stopped_with_a_link_to_the_training(world: World) -> None:
    acting = make_user("acting", Role.SUPERINTENDENT, first="Acting", last="Superintendent")
    item = grades_request(world).items.get()
    with pytest.raises(NotAllowed, match=r"Complete the training on policy version 2026\.2 .*/training/"):
        casework.item_decide(item_id=item.pk, reviewer=acting, action="deny", rationale="No basis.")
    item.refresh_from_db()
    assert item.state == "pending_review" and item.decision is None

    training_complete(
        user=acting, module_id=default_module().pk, answers=right_answers(default_module()), attested=True
    )
    decision = casework.item_decide(item_id=item.pk, reviewer=acting, action="deny", rationale="No basis.")
    assert decision.decided_by == acting


def test_an_untrained_clerk_cannot_release(world: World) -> None:
    body = request_body(world.alice, categories=["law_enforcement_unit"])
    request = casework.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request
    new_clerk = make_user("newclerk", Role.RECORDS_CLERK, first="New", last="Clerk")
    with pytest.raises(NotAllowed, match="/training/"):
        packet_release(request_id=request.pk, released_by=new_clerk)
    assert packet_release(request_id=request.pk, released_by=world.clerk).pk


def test_the_quiz_needs_every_right_answer_and_the_attestation(world: World) -> None:
    person = make_user("counsel2", Role.LEGAL_ADVISOR)
    module = default_module()
    wrong = [
        (answer + 1) % len(q["choices"])
        for answer, q in zip(right_answers(module), module.questions, strict=True)
    ]
    with pytest.raises(InvalidInput) as error:
        training_complete(user=person, module_id=module.pk, answers=wrong, attested=True)
    assert {field for field, _ in error.value.errors} == {
        f"answers.{i}" for i in range(len(module.questions))
    }
    with pytest.raises(InvalidInput, match="attested"):
        training_complete(user=person, module_id=module.pk, answers=right_answers(module), attested=False)
    assert not is_trained(person)
    training_complete(user=person, module_id=module.pk, answers=right_answers(module), attested=True)
    require_trained(person)
    with pytest.raises(NotAllowed):
        training_complete(
            user=world.parent, module_id=module.pk, answers=right_answers(module), attested=True
        )


def test_a_new_version_in_effect_needs_its_own_training(world: World) -> None:
    version = policy_draft_create(
        author=world.legal_advisor, label="2026.3", text=reworded_draft(), summary="x"
    )
    Version.objects.filter(pk=version.pk).update(status=VersionStatus.ADOPTED)
    module = add_training(version, world.legal_advisor)
    policy_version_make_effective(version_id=version.pk, made_by=world.superintendent)
    item = grades_request(world).items.get()
    with pytest.raises(NotAllowed, match=r"policy version 2026\.3"):
        casework.item_decide(item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="No.")
    training_complete(user=world.superintendent, module_id=module.pk, answers=[1], attested=True)
    assert casework.item_decide(
        item_id=item.pk, reviewer=world.superintendent, action="deny", rationale="No."
    ).pk
    # An administrator records training given in person; it is in the ledger like any completion.
    assert training_record_completed(users=[world.clerk], recorded_by=world.legal_advisor) == 1
    assert is_trained(world.clerk) and not is_trained(world.legal_advisor)


def test_the_records_office_sees_who_is_trained(world: World) -> None:
    make_user("acting", Role.SUPERINTENDENT, first="Acting", last="Superintendent")
    version, rows = staff_training(world.clerk)
    assert version is not None and version.number == 1
    trained = {row.user.username: row.trained for row in rows}
    assert trained == {"clerk": True, "super": True, "counsel": True, "principal": True, "acting": False}
    with pytest.raises(NotAllowed):
        staff_training(world.detective)

    client = Client()
    sign_in(client, world.clerk)
    page = client.get("/training/staff/").content.decode()
    assert "Acting Superintendent" in page and "not trained: 1." in page
    sign_in(client, world.parent)
    assert client.get("/training/staff/").status_code == 403


def test_staff_complete_a_module_in_the_browser(world: World) -> None:
    person = make_user("acting", Role.SUPERINTENDENT, first="Acting", last="Superintendent")
    client = Client()
    sign_in(client, person)
    index = client.get("/training/").content.decode()
    assert "cannot decide or release" in index
    module = default_module()
    page = client.get(f"/training/modules/{module.pk}/").content.decode()
    assert escape(module.questions[0]["question"]) in page
    answers = {f"answer_{i}": str(answer) for i, answer in enumerate(right_answers(module))}
    wrong = dict(answers, answer_0=str((right_answers(module)[0] or 0) + 1))
    assert (
        "read that part of the module again"
        in client.post(f"/training/modules/{module.pk}/", {**wrong, "attested": "on"}).content.decode()
    )
    response = client.post(f"/training/modules/{module.pk}/", {**answers, "attested": "on"})
    assert response.status_code == 302
    assert TrainingCompletion.objects.filter(user=person, module=module).exists()
    assert "You are trained on the version in effect" in client.get("/training/").content.decode()


@pytest.mark.urls("brightline.policy.tests.urls")
def test_policy_staff_write_a_module_for_an_adopted_version(world: World) -> None:
    version = policy_draft_create(
        author=world.legal_advisor, label="2026.3", text=reworded_draft(), summary="x"
    )
    client = Client()
    sign_in(client, world.legal_advisor)
    quiz = (
        "? Who may have school police reports?\n- Nobody\n* Law enforcement, for a criminal investigation\n"
    )
    response = client.post(
        f"/training/versions/{version.number}/modules/new",
        {
            "title": "R4 in plain words",
            "content": "R4 is worded more plainly.",
            "quiz": quiz,
            "attestation": "I will follow it.",
        },
    )
    assert response.status_code == 302
    module = TrainingModule.objects.get(version=version)
    assert module.questions == [
        {
            "question": "Who may have school police reports?",
            "choices": ["Nobody", "Law enforcement, for a criminal investigation"],
            "answer": 1,
        }
    ]
    sign_in(client, world.clerk)
    assert client.get(f"/training/versions/{version.number}/modules/new").status_code == 403


def test_an_untrained_principal_cannot_record_an_incident_or_a_disclosure_and_is_told_why(
    world: World,
) -> None:
    import datetime as dt

    from django.utils import timezone

    from brightline.disclosures.models import DisclosureEntry
    from brightline.disclosures.services import after_the_fact_record
    from brightline.incidents.models import Incident
    from brightline.incidents.services import InvolvedStudent, incident_record, staff_school_assign

    new = make_user("newprincipal", Role.PRINCIPAL, first="Nia", last="New", position="Principal")
    staff_school_assign(user=new, school=world.school)
    with pytest.raises(NotAllowed, match=r"training on policy version 2026\.2 before recording an incident"):
        incident_record(
            recorded_by=new,
            school=world.school,
            occurred_on=timezone.localdate(),
            summary="Fight in the cafeteria",
            description="Two students pushed each other at lunch.",
            conduct=["fight"],
            felony=False,
            students=[InvolvedStudent(world.alice.sis_id, "responsible")],
        )
    with pytest.raises(NotAllowed, match=r"before recording a disclosure made after the fact"):
        after_the_fact_record(
            student=world.alice,
            kind="emergency",
            disclosed_at=timezone.now() - dt.timedelta(hours=1),
            recipient_name="Officer",
            recipient_position="Patrol",
            recipient_affiliation="City Police Department",
            recipient_kind="municipal_police",
            categories=["contact"],
            details="Student missing during a lockdown.",
            recorded_by=new,
        )
    assert not Incident.objects.exists() and not DisclosureEntry.objects.exists()

    # In the browser: the page says why, above the form, and nothing is recorded.
    client = Client()
    sign_in(client, new)
    page = client.post(
        "/incidents/new/",
        {
            "school": world.school.pk,
            "occurred_on": timezone.localdate().isoformat(),
            "summary": "Fight in the cafeteria",
            "description": "Two students pushed each other at lunch.",
            "conduct": ["fight"],
            "purpose": "school_discipline",
            "student1_id": world.alice.sis_id,
            "student1_role": "responsible",
        },
    ).content.decode()
    assert "Complete the training on policy version 2026.2 before recording an incident" in page
    page = client.post(
        "/school/record/",
        {
            "student_id": world.alice.sis_id,
            "kind": "emergency",
            "disclosed_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "recipient_name": "Officer",
            "recipient_affiliation": "City Police Department",
            "recipient_kind": "municipal_police",
            "categories": ["contact"],
            "details": "Student missing during a lockdown.",
        },
    ).content.decode()
    assert "before recording a disclosure made after the fact" in page
    assert not Incident.objects.exists() and not DisclosureEntry.objects.exists()

    # Trained, the same principal records.
    training_complete(
        user=new, module_id=default_module().pk, answers=right_answers(default_module()), attested=True
    )
    assert is_trained(new)


def test_training_on_a_draft_does_not_count_once_its_rules_changed(world: World) -> None:
    from brightline.policy.services import policy_draft_update
    from brightline.policy.tests.lifecycle_helpers import counsel_reviews_by_default
    from brightline.training.selectors import valid_completions

    policy_staff = make_user("admin", Role.ADMIN, first="Ari", last="Admin")
    draft = policy_draft_create(
        author=policy_staff, label="2027.1", text=reworded_draft(), summary="Plainer R4."
    )
    module = add_training(draft, policy_staff)
    completion = training_complete(user=world.clerk, module_id=module.pk, answers=[1], attested=True)
    assert list(valid_completions(draft)) == [completion]
    # The draft's rules change after the clerk trained: the training taught other rules.
    draft = policy_draft_update(
        version_id=draft.pk,
        author=policy_staff,
        label="2027.1",
        text=counsel_reviews_by_default(),
        summary="Counsel reviews by default.",
    )
    assert list(valid_completions(draft)) == []
    assert [status.completion for status in _statuses(world.clerk, draft)] in ([], [None])
    # Trained again on the rules as they are now, it counts.
    again = training_complete(user=world.clerk, module_id=module.pk, answers=[1], attested=True)
    assert again.pk == completion.pk and again.policy_sha256 == draft.sha256
    assert list(valid_completions(draft)) == [again]


def _statuses(user, version):
    from brightline.training.selectors import training_for

    return [status for status in training_for(user) if status.module.version_id == version.pk]


def test_the_roster_shows_who_has_and_has_not_trained_school_by_school(world: World) -> None:
    from brightline.incidents.services import staff_school_assign
    from brightline.roster.models import School
    from brightline.training.selectors import staff_training_by_school

    other = School.objects.create(sourced_id="org-2", name="Quincy Upper School", address="2 School St")
    teacher = make_user("teacher", Role.SCHOOL_STAFF, first="Tia", last="Teacher", position="Teacher")
    staff_school_assign(user=world.principal, school=world.school)
    staff_school_assign(user=teacher, school=other)
    version, rosters = staff_training_by_school(world.clerk)
    by_school = {roster.school: {row.user.username: row.trained for row in roster.rows} for roster in rosters}
    assert by_school == {
        "Frederick Douglass Middle School": {"principal": True},
        "Quincy Upper School": {"teacher": False},
        "District office": {"clerk": True, "super": True, "counsel": True},
    }
    assert [roster.school for roster in rosters][-1] == "District office"

    client = Client()
    sign_in(client, world.clerk)
    page = client.get("/training/staff/").content.decode()
    assert page.index("Frederick Douglass Middle School") < page.index("Quincy Upper School")
    assert "Tia Teacher" in page and "Not trained" in page


def test_a_principal_sees_the_roster_of_their_own_school_only(world: World) -> None:
    from brightline.incidents.services import staff_school_assign
    from brightline.roster.models import School

    other = School.objects.create(sourced_id="org-3", name="Quincy Upper School", address="2 School St")
    staff_school_assign(user=world.principal, school=world.school)
    colleague = make_user("colleague", Role.SCHOOL_STAFF, first="Cole", last="Colleague", position="Teacher")
    stranger = make_user("stranger", Role.SCHOOL_STAFF, first="Stan", last="Stranger", position="Teacher")
    staff_school_assign(user=colleague, school=world.school)
    staff_school_assign(user=stranger, school=other)
    client = Client()
    sign_in(client, world.principal)
    page = client.get("/training/staff/").content.decode()
    assert "Cole Colleague" in page and "Frederick Douglass Middle School" in page
    assert "Stan Stranger" not in page and "Quincy Upper School" not in page
    assert "Clerk" not in page  # the district office is not the principal's roster


def test_untrained_school_staff_are_told_before_they_fill_a_form(world: World) -> None:
    from brightline.incidents.services import staff_school_assign

    teacher = make_user("teacher", Role.SCHOOL_STAFF, first="Tia", last="Teacher", position="Teacher")
    staff_school_assign(user=teacher, school=world.school)
    client = Client()
    sign_in(client, teacher)
    for url in ("/school/record/", "/incidents/new/", "/training/"):
        page = client.get(url).content.decode()
        assert 'href="/training/"' in page, url
        assert "cannot" in page, url
    assert (
        "record an incident report or a disclosure made after the fact"
        in client.get("/training/").content.decode()
    )
    sign_in(client, world.principal)  # trained
    for url in ("/school/record/", "/incidents/new/"):
        assert "Complete the training first" not in client.get(url).content.decode(), url
