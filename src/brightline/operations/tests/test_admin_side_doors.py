"""The Django admin is no side door (security round 2, item 2): every change that matters goes through a
service that appends to the ledger, or is refused. Each test plays the attack as a signed-in superuser
would, through the admin's own forms, and checks what a user of the system would notice."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client, RequestFactory

from brightline.accounts.models import Role, User
from brightline.accounts.tests.helpers import sign_in
from brightline.admin_changes import ServiceAdmin
from brightline.agencies.models import Agency, ApiToken, Requester
from brightline.agencies.services import api_token_authenticate
from brightline.casework.models import Item
from brightline.disclosures.selectors import students_of_family
from brightline.incidents.models import StaffSchool
from brightline.ledger.models import LedgerEntry
from brightline.roster.models import DataField, Guardian, GuardianRelationship, Student
from brightline.testing import World, make_user, request_body

pytestmark = pytest.mark.django_db

REASON = "The family came to the records office with identification on 3 March."


@pytest.fixture
def root(world: World) -> User:
    """The district's administrator: admin staff with every right in the Django admin."""
    user = make_user("root", Role.ADMIN, first="Ari", last="Admin")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def admin_client(root: User) -> Client:
    client = Client()
    sign_in(client, root)
    return client


def entries(event_type: str) -> list[dict[str, Any]]:
    return [
        entry.record.record
        for entry in LedgerEntry.objects.filter(event_type=event_type).select_related("record")
    ]


def triaged_as(client: Client, token: str, world: World) -> list[str]:
    """Submit a request for Alice's directory information with the agency's token; the stored triage
    of each item (what the agency itself is told says less)."""
    body = request_body(world.alice, by_name=True, categories=["directory"])
    response = client.post(
        "/api/v1/requests",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    return list(
        Item.objects.filter(request_id=response.json()["id"])
        .order_by("position")
        .values_list("outcome", flat=True)
    )


def run_action(client: Client, url: str, action: str, rows: list[int], **fields: str) -> Any:
    return client.post(url, {"action": action, "_selected_action": rows, "apply": "1", **fields}, follow=True)


# -- Agencies: the kind decides triage -------------------------------------------------------------


def test_changing_an_agencys_kind_in_the_admin_is_refused_and_its_requests_are_still_refused(
    world: World, admin_client: Client
) -> None:
    url = f"/admin/agencies/agency/{world.ice.pk}/change/"
    assert 'name="kind"' not in admin_client.get(url).content.decode()

    response = admin_client.post(
        url,
        {
            "name": world.ice.name,
            "kind": "municipal_police",
            "jurisdiction": "",
            "address": "",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert Agency.objects.get(pk=world.ice.pk).kind == "immigration_enforcement"
    assert entries("agency.updated") == []
    assert triaged_as(Client(), world.ice_token, world) == ["refuse"]
    assert triaged_as(Client(), world.police_token, world) == ["release"]


def test_moving_a_requester_to_another_agency_in_the_admin_is_refused(
    world: World, admin_client: Client
) -> None:
    requester = Requester.objects.get(user=world.immigration_officer)

    response = admin_client.post(
        f"/admin/agencies/requester/{requester.pk}/change/",
        {
            "user": world.immigration_officer.pk,
            "agency": world.police.pk,
            "position": "Officer",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    requester.refresh_from_db()
    assert requester.agency == world.ice
    [record] = entries("agency.requester_updated")
    assert record["fields"] == ["position"] and record["agency"] == world.ice.pk


def test_an_agencys_name_changes_through_the_service_with_the_changed_fields_in_the_ledger(
    world: World, admin_client: Client, root: User
) -> None:
    response = admin_client.post(
        f"/admin/agencies/agency/{world.police.pk}/change/",
        {"name": "Boston Police Department", "jurisdiction": "Boston", "address": "", "_save": "Save"},
    )

    assert response.status_code == 302
    [record] = entries("agency.updated")
    assert record["agency"] == world.police.pk and record["fields"] == ["jurisdiction", "name"]
    assert record["kind"] == "municipal_police" and record["updated_by"] == root.pk


def test_an_agency_added_in_the_admin_is_in_the_ledger_unverified_until_the_verify_action(
    world: World, admin_client: Client, root: User
) -> None:
    response = admin_client.post(
        "/admin/agencies/agency/add/",
        {
            "name": "State Police",
            "kind": "state_police",
            "jurisdiction": "MA",
            "address": "",
            "verified": "on",
        },
    )

    assert response.status_code == 302
    agency = Agency.objects.get(name="State Police")
    assert agency.kind == "state_police" and not agency.verified
    [created] = entries("agency.created")
    assert (
        created["agency"] == agency.pk
        and created["kind"] == "state_police"
        and created["created_by"] == root.pk
    )

    admin_client.post("/admin/agencies/agency/", {"action": "verify", "_selected_action": [agency.pk]})

    agency.refresh_from_db()
    assert agency.verified and agency.verified_by == root
    assert [record["agency"] for record in entries("agency.verified")] == [agency.pk]


def test_an_agency_is_never_deleted_in_the_admin(world: World, admin_client: Client) -> None:
    response = admin_client.post(f"/admin/agencies/agency/{world.ice.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Agency.objects.filter(pk=world.ice.pk).exists()


# -- API tokens ------------------------------------------------------------------------------------


def test_a_token_issued_in_the_admin_is_shown_once_and_in_the_ledger(
    world: World, admin_client: Client, root: User
) -> None:
    response = admin_client.post(
        "/admin/agencies/apitoken/add/",
        {"agency": world.court.pk, "name": "docket system", "scopes": ["submit", "read_own"]},
        follow=True,
    )

    token = ApiToken.objects.get(agency=world.court, name="docket system")
    shown = next(str(message) for message in response.context["messages"] if "bl_" in str(message))
    plain = shown.split(" is ", 1)[1].split(" ", 1)[0]
    assert api_token_authenticate(plain) == token
    [record] = [record for record in entries("agency.token_issued") if record["api_token"] == token.pk]
    assert record["agency"] == world.court.pk and record["created_by"] == root.pk
    assert plain not in json.dumps(record)


def test_a_revoked_token_cannot_be_brought_back_in_the_admin_and_its_revocation_is_in_the_ledger(
    world: World, admin_client: Client, root: User
) -> None:
    token = ApiToken.objects.get(agency=world.police)
    admin_client.post("/admin/agencies/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    assert (
        Client().get("/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {world.police_token}").status_code == 401
    )
    [record] = entries("agency.token_revoked")
    assert record["api_token"] == token.pk and record["revoked_by"] == root.pk

    reopened = admin_client.post(
        f"/admin/agencies/apitoken/{token.pk}/change/",
        {"agency": world.police.pk, "name": token.name, "revoked_at": ""},
    )

    assert reopened.status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


# -- Guardianship: who reads a child's record ------------------------------------------------------


def test_adding_a_guardian_link_in_the_admin_is_refused_and_the_other_parent_still_cannot_read_the_record(
    world: World, admin_client: Client
) -> None:
    paul = Guardian.objects.get(user=world.other_parent)

    added = admin_client.post(
        "/admin/roster/guardianrelationship/add/",
        {"student": world.alice.pk, "guardian": paul.pk, "relationship": "parent", "has_notice_rights": "on"},
    )
    maria = Guardian.objects.get(user=world.parent)
    relinked = admin_client.post(
        f"/admin/roster/guardian/{maria.pk}/change/",
        {
            "sourced_id": maria.sourced_id,
            "first_name": "Maria",
            "last_name": "Rivera",
            "user": world.other_parent.pk,
        },
    )

    assert added.status_code == 403 and relinked.status_code == 403
    assert not GuardianRelationship.objects.filter(student=world.alice, guardian=paul).exists()
    assert Guardian.objects.get(pk=maria.pk).user == world.parent
    assert not students_of_family(world.other_parent).filter(pk=world.alice.pk).exists()
    family = Client()
    sign_in(family, world.other_parent)
    assert "Alice" not in family.get("/family/").content.decode()


def test_a_guardian_link_added_through_a_student_inline_is_refused(
    world: World, admin_client: Client
) -> None:
    paul = Guardian.objects.get(user=world.other_parent)

    response = admin_client.post(
        f"/admin/roster/student/{world.alice.pk}/change/",
        {
            "sourced_id": world.alice.sourced_id,
            "sis_id": world.alice.sis_id,
            "first_name": "Alice",
            "last_name": "Rivera",
            "guardian_relationships-TOTAL_FORMS": "1",
            "guardian_relationships-INITIAL_FORMS": "0",
            "guardian_relationships-0-guardian": paul.pk,
            "guardian_relationships-0-relationship": "parent",
            "guardian_relationships-0-has_notice_rights": "on",
        },
    )

    assert response.status_code == 403
    assert not students_of_family(world.other_parent).filter(pk=world.alice.pk).exists()


def test_linking_a_parents_sign_in_goes_through_the_service_with_a_reason_and_a_ledger_entry(
    world: World, admin_client: Client, root: User
) -> None:
    jose = Guardian.objects.get(sourced_id="g-2")
    jose_sign_in = make_user("jose", Role.PARENT, first="José", last="Rivera")
    url = "/admin/roster/guardian/"

    without_reason = run_action(admin_client, url, "link_family_sign_in", [jose.pk], username="jose")
    assert without_reason.status_code == 200 and Guardian.objects.get(pk=jose.pk).user is None
    run_action(admin_client, url, "link_family_sign_in", [jose.pk], username="jose", reason=REASON)

    assert Guardian.objects.get(pk=jose.pk).user == jose_sign_in
    assert students_of_family(jose_sign_in).filter(pk=world.alice.pk).exists()
    [record] = entries("guardian.account_linked")
    assert record["guardian"] == jose.pk and record["user"] == jose_sign_in.pk
    assert (
        record["students"] == [world.alice.pk]
        and record["linked_by"] == root.pk
        and record["reason"] == REASON
    )


def test_a_guardian_already_linked_is_not_taken_over_by_another_sign_in(
    world: World, admin_client: Client
) -> None:
    maria = Guardian.objects.get(user=world.parent)

    response = run_action(
        admin_client,
        "/admin/roster/guardian/",
        "link_family_sign_in",
        [maria.pk],
        username="otherparent",
        reason=REASON,
    )

    assert "nothing was changed" in response.content.decode()
    assert Guardian.objects.get(pk=maria.pk).user == world.parent
    assert entries("guardian.account_linked") == []


def test_a_students_flags_are_not_changed_in_the_admin(world: World, admin_client: Client) -> None:
    response = admin_client.post(
        f"/admin/roster/student/{world.dana.pk}/change/",
        {
            "sourced_id": world.dana.sourced_id,
            "sis_id": world.dana.sis_id,
            "first_name": "Dana",
            "last_name": "Silva",
        },
    )

    assert response.status_code == 403
    dana = Student.objects.get(pk=world.dana.pk)
    assert dana.missing_child_flag and dana.foster_care


# -- Accounts: roles and rights --------------------------------------------------------------------


def user_form(user: User, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "position": user.position,
        "preferred_language": user.preferred_language,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "_save": "Save",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


def test_a_role_change_in_the_admin_needs_a_reason_and_is_in_the_ledger(
    world: World, admin_client: Client, root: User
) -> None:
    url = f"/admin/accounts/user/{world.parent.pk}/change/"

    refused = admin_client.post(url, user_form(world.parent, role=Role.RECORDS_CLERK))
    assert refused.status_code == 200 and User.objects.get(pk=world.parent.pk).role == Role.PARENT

    saved = admin_client.post(url, user_form(world.parent, role=Role.RECORDS_CLERK, reason=REASON))

    assert saved.status_code == 302
    assert User.objects.get(pk=world.parent.pk).role == Role.RECORDS_CLERK
    [record] = entries("account.role_changed")
    assert record["user"] == world.parent.pk and record["by"] == root.pk and record["reason"] == REASON
    assert record["changes"] == {"role": {"from": "parent", "to": "records_clerk"}}


def test_admin_rights_and_permissions_granted_in_the_admin_are_in_the_ledger(
    world: World, admin_client: Client
) -> None:
    translate = Permission.objects.get(codename="add_catalogreview")

    admin_client.post(
        f"/admin/accounts/user/{world.clerk.pk}/change/",
        user_form(
            world.clerk, is_staff="on", is_superuser="on", user_permissions=[translate.pk], reason=REASON
        ),
    )

    clerk = User.objects.get(pk=world.clerk.pk)
    assert clerk.is_superuser and clerk.has_perm("notices.add_catalogreview")
    [record] = entries("account.role_changed")
    assert record["fields"] == ["is_staff", "is_superuser", "user_permissions"]
    assert record["changes"]["user_permissions"]["to"] == ["notices.add_catalogreview"]


def test_an_admin_staff_member_without_full_rights_cannot_make_themself_a_superuser(world: World) -> None:
    clerk = world.clerk
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client = Client()
    sign_in(client, clerk)

    response = client.post(
        f"/admin/accounts/user/{clerk.pk}/change/", user_form(clerk, is_superuser="on", reason="I need it")
    )

    assert response.status_code == 403
    assert not User.objects.get(pk=clerk.pk).is_superuser
    assert entries("account.role_changed") == []


def test_an_email_change_is_in_the_ledger_without_the_address(world: World, admin_client: Client) -> None:
    admin_client.post(
        f"/admin/accounts/user/{world.parent.pk}/change/",
        user_form(world.parent, email="someone.else@example.net", reason=REASON),
    )

    [record] = entries("account.updated")
    assert record["fields"] == ["email"]
    assert "someone.else" not in json.dumps(record) and record["values"]["email"].startswith("sha256:")


def test_a_staff_account_created_in_the_admin_is_in_the_ledger_and_its_password_is_no_ones(
    world: World, admin_client: Client, root: User
) -> None:
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newclerk",
            "email": "newclerk@example.org",
            "role": Role.RECORDS_CLERK,
            "preferred_language": "en",
            "password1": "a-password-the-admin-knows",
            "password2": "a-password-the-admin-knows",
            "reason": REASON,
        },
    )

    assert response.status_code == 302
    created = User.objects.get(username="newclerk")
    assert created.role == Role.RECORDS_CLERK and not created.is_staff
    assert not created.check_password("a-password-the-admin-knows")
    [record] = entries("account.created")
    assert record["user"] == created.pk and record["role"] == "records_clerk" and record["by"] == root.pk


def test_the_admin_neither_sets_passwords_nor_deletes_people(world: World, admin_client: Client) -> None:
    password = admin_client.post(
        f"/admin/accounts/user/{world.parent.pk}/password/",
        {
            "password1": "taken-over-password",
            "password2": "taken-over-password",
            "set_usable_password": "true",
        },
    )
    deleted = admin_client.post(f"/admin/accounts/user/{world.parent.pk}/delete/", {"post": "yes"})

    assert password.status_code == 403 and deleted.status_code == 403
    assert not User.objects.get(pk=world.parent.pk).check_password("taken-over-password")


def test_a_groups_permissions_change_in_the_ledger(world: World, admin_client: Client) -> None:
    translate = Permission.objects.get(codename="add_catalogreview")

    admin_client.post(
        "/admin/auth/group/add/", {"name": "Translators", "permissions": [translate.pk], "reason": REASON}
    )

    group = Group.objects.get(name="Translators")
    [record] = entries("account.group_changed")
    assert record["group"] == group.pk and record["to"]["permissions"] == ["notices.add_catalogreview"]


# -- The field inventory ---------------------------------------------------------------------------


def test_an_inventory_field_changed_in_the_admin_is_in_the_ledger(world: World, admin_client: Client) -> None:
    data_field = DataField.objects.filter(category="directory").first()
    assert data_field is not None

    response = admin_client.post(
        f"/admin/roster/datafield/{data_field.pk}/change/",
        {
            "category": "health",
            "field_name": "home_address",
            "label": "Name (as enrolled)",
            "description": data_field.description,
            "reason": REASON,
        },
    )

    assert response.status_code == 302
    data_field.refresh_from_db()
    assert (data_field.category, data_field.label) == ("directory", "Name (as enrolled)")
    assert data_field.field_name != "home_address"
    [record] = entries("inventory.field_changed")
    assert (
        record["data_field"] == data_field.pk and record["fields"] == ["label"] and record["reason"] == REASON
    )


def test_an_inventory_field_is_added_and_removed_with_a_reason_and_never_in_immigration(
    world: World, admin_client: Client
) -> None:
    add = "/admin/roster/datafield/add/"

    immigration = admin_client.post(
        add,
        {"category": "immigration", "field_name": "country_of_birth", "label": "Country", "reason": REASON},
    )
    without_reason = admin_client.post(
        add, {"category": "directory", "field_name": "photo", "label": "Photograph"}
    )
    assert immigration.status_code == without_reason.status_code == 200
    assert not DataField.objects.filter(field_name__in=["country_of_birth", "photo"]).exists()

    admin_client.post(
        add, {"category": "directory", "field_name": "photo", "label": "Photograph", "reason": REASON}
    )
    photo = DataField.objects.get(category="directory", field_name="photo")
    deleted = admin_client.post(f"/admin/roster/datafield/{photo.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403 and DataField.objects.filter(pk=photo.pk).exists()
    run_action(admin_client, "/admin/roster/datafield/", "remove_from_inventory", [photo.pk], reason=REASON)

    assert not DataField.objects.filter(pk=photo.pk).exists()
    assert [r["field_name"] for r in entries("inventory.field_added")] == ["photo"]
    assert [r["field_name"] for r in entries("inventory.field_removed")] == ["photo"]


# -- Staff at schools ------------------------------------------------------------------------------


def test_placing_staff_at_a_school_and_removing_them_are_in_the_ledger(
    world: World, admin_client: Client, root: User
) -> None:
    admin_client.post(
        "/admin/incidents/staffschool/add/",
        {"user": world.principal.pk, "school": world.school.pk, "unit": "school_staff", "reason": REASON},
    )
    assignment = StaffSchool.objects.get(user=world.principal, school=world.school)
    run_action(
        admin_client, "/admin/incidents/staffschool/", "remove_from_school", [assignment.pk], reason=REASON
    )

    assert not StaffSchool.objects.filter(pk=assignment.pk).exists()
    [assigned] = entries("staff_school.assigned")
    [removed] = entries("staff_school.removed")
    assert assigned["values"] == {
        "user": world.principal.pk,
        "school": world.school.pk,
        "unit": "school_staff",
    }
    assert assigned["changed_by"] == root.pk and removed["object"] == assignment.pk


# -- Every admin -----------------------------------------------------------------------------------


def test_every_model_in_the_admin_is_read_only_or_written_through_services(world: World, root: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = root
    side_doors = []
    for model, model_admin in admin.site._registry.items():
        writes = model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        if model_admin.has_delete_permission(request) or (
            writes and not isinstance(model_admin, ServiceAdmin)
        ):
            side_doors.append(model._meta.label)
        for inline in model_admin.get_inline_instances(request):
            if inline.has_add_permission(request, None) or inline.has_change_permission(request):
                side_doors.append(f"{model._meta.label} inline {inline.model._meta.label}")

    assert side_doors == []


def test_every_admin_page_opens_for_the_administrator(world: World, admin_client: Client, root: User) -> None:
    StaffSchool.objects.create(user=world.principal, school=world.school)
    request = RequestFactory().get("/admin/")
    request.user = root
    broken = []
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages = [base]
        if model_admin.has_add_permission(request):
            pages.append(base + "add/")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(f"{base}{first.pk}/change/")
        broken += [
            f"{page} {status}" for page in pages if (status := admin_client.get(page).status_code) != 200
        ]

    assert broken == []
