from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency, ApiToken, Requester
from brightline.agencies.services import api_token_authenticate
from brightline.casework.models import Request
from brightline.demo.district import seed_demo, simulate_demo_year
from brightline.disclosures.models import DisclosureEntry
from brightline.roster.models import Guardian, GuardianRelationship, School, Student
from brightline.roster.selectors import students_for_family_user
from brightline.vocabulary import REQUESTER_KINDS

pytestmark = pytest.mark.django_db

PERSONA_ROLES = {
    "clerk": Role.RECORDS_CLERK,
    "superintendent": Role.SUPERINTENDENT,
    "counsel": Role.LEGAL_ADVISOR,
    "principal": Role.PRINCIPAL,
    "auditor": Role.AUDITOR,
    "admin": Role.ADMIN,
    "detective": Role.REQUESTER,
    "transit": Role.REQUESTER,
    "dcf": Role.REQUESTER,
    "parent": Role.PARENT,
    "student": Role.ELIGIBLE_STUDENT,
}


def credentials(data_dir: Path) -> dict[str, list[dict[str, str]]]:
    return json.loads((data_dir / "demo-credentials.json").read_text())


def test_demo_seeds_a_district_with_every_persona_and_writes_the_credentials_contract(tmp_path: Path) -> None:
    seed_demo(data_dir=tmp_path)

    written = credentials(tmp_path)
    assert set(written) == {"users", "api_tokens"}
    # The contract's three keys, plus the second-factor secret of those who sign in with one.
    assert all(
        {"username", "password", "role"} <= set(user) <= {"username", "password", "role", "totp_secret"}
        for user in written["users"]
    )
    assert all(
        ("totp_secret" in user) == (user["role"] not in ("parent", "eligible_student"))
        for user in written["users"]
    )
    assert {user["username"]: user["role"] for user in written["users"]} == {
        k: str(v) for k, v in PERSONA_ROLES.items()
    }
    assert all(len(user["password"]) >= 16 for user in written["users"])
    for user in written["users"]:
        assert authenticate(username=user["username"], password=user["password"]) is not None
    (token,) = written["api_tokens"]
    assert set(token) == {"agency", "token"}
    live = api_token_authenticate(token["token"])
    assert live is not None and live.agency.name == token["agency"] and live.agency.kind == "municipal_police"

    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()
    assert Requester.objects.get(user__username="detective").agency.kind == "municipal_police"
    assert Requester.objects.get(user__username="transit").agency.kind == "transit_police"
    assert Requester.objects.get(user__username="dcf").agency.kind == "child_protective_services"


def test_demo_roster_has_the_schools_students_languages_and_flags_the_walkthroughs_need(
    tmp_path: Path,
) -> None:
    seed_demo(data_dir=tmp_path)

    assert School.objects.count() >= 5
    assert Student.objects.count() >= 2000
    languages = set(Guardian.objects.values_list("preferred_language", flat=True))
    assert languages >= {"en", "es", "ht", "kea", "pt", "vi", "zh-hans", "ar", "so", "ru"}
    assert Student.objects.filter(directory_opt_out=True).count() >= 10
    assert Student.objects.filter(foster_care=True).count() >= 2
    assert Student.objects.filter(missing_child_flag=True).count() == 1
    assert Student.objects.filter(adjudicated=True).count() >= 1
    assert GuardianRelationship.objects.filter(has_notice_rights=False).exists()
    assert set(Agency.objects.values_list("kind", flat=True)) == set(REQUESTER_KINDS)

    parent = User.objects.get(username="parent")
    assert Guardian.objects.get(user=parent).relationships.filter(has_notice_rights=True).exists()
    assert students_for_family_user(parent).exists()
    eligible = Student.objects.get(user__username="student")
    assert int(eligible.grade) >= 9 and eligible.is_eligible


def test_running_demo_again_keeps_users_resets_passwords_and_replaces_the_token(tmp_path: Path) -> None:
    first = seed_demo(data_dir=tmp_path)
    first_written = credentials(tmp_path)
    counts = (User.objects.count(), Agency.objects.count(), Student.objects.count(), Guardian.objects.count())
    user_pks = dict(User.objects.values_list("username", "pk"))

    second = seed_demo(data_dir=tmp_path)

    second_written = credentials(tmp_path)
    assert (
        User.objects.count(),
        Agency.objects.count(),
        Student.objects.count(),
        Guardian.objects.count(),
    ) == counts
    assert dict(User.objects.values_list("username", "pk")) == user_pks
    assert Requester.objects.count() == 3
    old_passwords = {u["username"]: u["password"] for u in first_written["users"]}
    for user in second_written["users"]:
        assert user["password"] != old_passwords[user["username"]]
        assert authenticate(username=user["username"], password=user["password"]) is not None
        assert authenticate(username=user["username"], password=old_passwords[user["username"]]) is None
    assert api_token_authenticate(first["api_tokens"][0]["token"]) is None
    assert api_token_authenticate(second["api_tokens"][0]["token"]) is not None
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
    assert Guardian.objects.filter(user__username="parent").count() == 1
    assert second["roster"].students.unchanged == Student.objects.count()


def test_demo_command_prints_the_sign_ins(
    tmp_path: Path, settings: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]

    call_command("demo", "--requests", "60")

    out = capsys.readouterr().out
    for user in credentials(tmp_path)["users"]:
        assert user["username"] in out and user["password"] in out
    assert "API token for Bright Line Police Department: bl_" in out
    assert "Simulating a year of requests (60)" in out and " releases, " in out


def test_the_simulated_year_walks_every_path_through_the_real_services(
    tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    seed_demo(data_dir=tmp_path)
    tally = simulate_demo_year(requests=80, progress=lambda message: None)
    assert tally is not None and tally["released"] > 0
    dispositions = set(Request.objects.values_list("disposition", flat=True))
    assert {"released_in_full", "refused"} <= dispositions
    assert (
        Request.objects.filter(requester_kind="immigration_enforcement")
        .exclude(disposition="refused")
        .count()
        == 0
    )
    assert DisclosureEntry.objects.filter(kind="disclosure").exists()
    # Played once: a second call keeps the year it has.
    assert simulate_demo_year(requests=80, progress=lambda message: None) is None
    call_command("ledger", "verify")
