"""Staff sign-in through the district's OpenID Connect provider, against a real provider on loopback.

The provider is the certified `oidc-provider` package run with node (`oidc_provider/provider.mjs`): the
test plays the browser (requests on the provider's side, Django's test client on Bright Line's), and
Bright Line's callback talks to the provider's token and key endpoints for real. Skipped with a message
when node or the package is missing, unless BRIGHTLINE_REQUIRE_BROWSER or CI is set (then it fails).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from brightline.accounts.mfa import SESSION_KEY
from brightline.accounts.models import OidcGroupRole, OidcIdentity, Role, User
from brightline.accounts.oidc import oidc_group_role_remove, oidc_group_role_save
from brightline.accounts.tests.helpers import sign_in
from brightline.errors import InvalidInput, NotAllowed
from brightline.ledger.models import LedgerEntry
from brightline.testing import PASSWORD, make_user

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
SCRIPT = HERE / "oidc_provider" / "provider.mjs"
CALLBACK = "http://testserver/accounts/sign-in/provider/callback/"
SECRET = "bright-line-test-secret-0123456789abcdef"  # noqa: S105 (the test provider's client only)


def _required() -> bool:
    flags = (os.environ.get("BRIGHTLINE_REQUIRE_BROWSER", ""), os.environ.get("CI", ""))
    return any(flag.strip().lower() in {"1", "true", "yes", "on"} for flag in flags)


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen[str]

    def change(self, **state: Any) -> None:
        requests.post(f"{self.issuer}/__test/state", json=state, timeout=10).raise_for_status()


@contextmanager
def running_provider(redirect_uri: str) -> Iterator[Provider]:
    """The real provider (node, oidc-provider) on a free loopback port, sending browsers back to
    `redirect_uri`; skipped (or failed, in CI) when node or the package is missing."""
    node = shutil.which("node")
    missing = (
        "node is not installed (apt-get install nodejs)"
        if node is None
        else "the oidc-provider package is missing (make install runs npm ci)"
        if not (REPO / "node_modules" / "oidc-provider").is_dir()
        else None
    )
    if missing is not None or node is None:
        if _required():
            pytest.fail(f"BRIGHTLINE_REQUIRE_BROWSER/CI is set but {missing}", pytrace=False)
        pytest.skip(f"OpenID Connect sign-in tests need a real provider: {missing}")
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(  # noqa: S603 (our own script, with node)
            [node, str(SCRIPT)],
            cwd=REPO,
            env={**os.environ, "PORT": "0", "REDIRECT_URI": redirect_uri, "CLIENT_SECRET": SECRET},
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening "):
            process.kill()
            errors.seek(0)
            pytest.fail(f"the OpenID provider did not start: {line}{errors.read()}", pytrace=False)
        try:
            yield Provider(issuer=line.split()[1], process=process)
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider(CALLBACK) as running:
        yield running


def configure(settings: Any, provider: Provider) -> None:
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = "bright-line"
    settings.OIDC_CLIENT_SECRET = SECRET
    settings.OIDC_SCOPE = "openid profile email groups"
    settings.OIDC_PROVIDER_NAME = "Demo District Sign-In"
    settings.OIDC_MFA_AMR = ["mfa"]
    settings.OIDC_MFA_ACR = []


@pytest.fixture
def oidc(provider: Provider, settings: Any, db: None) -> Iterator[Provider]:
    configure(settings, provider)
    OidcGroupRole.objects.create(group="bl-admins", role=Role.ADMIN)
    OidcGroupRole.objects.create(group="records-office", role=Role.RECORDS_CLERK)
    yield provider
    provider.change(
        clockOffsetSeconds=0,
        audience=None,
        nonce=None,
        groups={"ada.admin": ["bl-admins", "all-staff"], "rita.records": ["records-office", "all-staff"]},
    )


def to_callback(client: Client, login: str) -> str:
    """Start at Bright Line, sign in at the provider as `login`; the callback address the provider sends
    the browser back to (not yet followed)."""
    start = client.get("/accounts/sign-in/provider/")
    assert start.status_code == 302, start
    browser = requests.Session()
    location = start["Location"]
    for _ in range(10):
        if location.startswith(CALLBACK):
            return location
        if "/interaction/" in urlsplit(location).path:
            answer = browser.post(location, data={"login": login}, allow_redirects=False, timeout=10)
        else:
            answer = browser.get(location, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), (answer.status_code, answer.text[:500])
        location = requests.compat.urljoin(location, answer.headers["Location"])
    raise AssertionError(f"the provider never sent the browser back: {location}")


def back(client: Client, callback: str) -> Any:
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def entries(event_type: str) -> list[dict[str, Any]]:
    return [
        entry.record.record
        for entry in LedgerEntry.objects.filter(event_type=event_type).select_related("record")
    ]


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_sign_in_page_offers_the_provider_only_when_configured(
    oidc: Provider, client: Client, settings: Any
) -> None:
    page = client.get("/accounts/sign-in/")
    assert "Sign in with Demo District Sign-In" in page.content.decode()
    settings.OIDC_ISSUER = ""
    assert "Sign in with" not in client.get("/accounts/sign-in/").content.decode()
    assert client.get("/accounts/sign-in/provider/").status_code == 404


def test_staff_sign_in_creates_the_account_with_the_groups_role_and_the_providers_second_factor(
    oidc: Provider, client: Client
) -> None:
    start = client.get("/accounts/sign-in/provider/")
    asked = parse_qs(urlsplit(start["Location"]).query)
    # State, nonce and PKCE are Authlib's; the request carries them.
    assert asked["state"][0] and asked["nonce"][0] and asked["code_challenge_method"] == ["S256"]

    answer = back(client, to_callback(client, "ada.admin"))
    assert answer.status_code == 302 and answer["Location"] == "/"
    user = signed_in_user(client)
    assert user is not None and user.role == Role.ADMIN and user.is_active
    assert not user.has_usable_password()
    identity = OidcIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (oidc.issuer, "ada.admin")
    # amr holds "mfa": the provider's second factor counts; no code is asked.
    assert client.session.get(SESSION_KEY) is True
    assert client.get("/administration/settings/").status_code == 200
    created = entries("account.created")
    assert created[-1]["through"] == "identity provider" and created[-1]["role"] == Role.ADMIN

    # The next sign-in finds the same account by issuer and subject.
    client.logout()
    back(client, to_callback(client, "ada.admin"))
    assert signed_in_user(client) == user
    assert User.objects.filter(oidc_identity__isnull=False).count() == 1


def test_without_the_providers_second_factor_bright_lines_code_is_asked(
    oidc: Provider, client: Client
) -> None:
    answer = back(client, to_callback(client, "rita.records"))
    assert answer.status_code == 302
    user = signed_in_user(client)
    assert user is not None and user.role == Role.RECORDS_CLERK
    assert not client.session.get(SESSION_KEY)
    assert client.get("/office/")["Location"].startswith("/accounts/mfa/")


def test_a_changed_or_removed_group_changes_the_role_at_the_next_sign_in(
    oidc: Provider, client: Client
) -> None:
    back(client, to_callback(client, "rita.records"))
    user = signed_in_user(client)
    assert user is not None and user.role == Role.RECORDS_CLERK
    client.logout()

    oidc.change(groups={"rita.records": ["bl-admins"]})
    back(client, to_callback(client, "rita.records"))
    user.refresh_from_db()
    assert user.role == Role.ADMIN
    assert entries("account.role_changed")[-1]["changes"] == {
        "role": {"from": Role.RECORDS_CLERK, "to": Role.ADMIN}
    }
    client.logout()

    oidc.change(groups={"rita.records": ["all-staff"]})  # removed from every group that gives a role
    refused = back(client, to_callback(client, "rita.records"))
    assert refused.status_code == 403
    assert signed_in_user(client) is None
    user.refresh_from_db()
    assert not user.is_active
    assert entries("account.role_changed")[-1]["changes"] == {"is_active": {"from": True, "to": False}}

    oidc.change(groups={"rita.records": ["records-office"]})  # back in the group
    assert back(client, to_callback(client, "rita.records")).status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.role == Role.RECORDS_CLERK


def test_an_account_an_administrator_stopped_stays_stopped(oidc: Provider, client: Client) -> None:
    back(client, to_callback(client, "rita.records"))
    user = signed_in_user(client)
    assert user is not None
    client.logout()
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert back(client, to_callback(client, "rita.records")).status_code == 403
    user.refresh_from_db()
    assert not user.is_active


def test_an_id_token_for_another_application_is_refused(
    oidc: Provider, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    oidc.change(audience="another-application")
    answer = back(client, to_callback(client, "ada.admin"))
    assert answer.status_code == 403
    assert "InvalidClaimError" in caplog.text and "aud" in caplog.text
    assert signed_in_user(client) is None
    assert not OidcIdentity.objects.exists()


def test_an_id_token_with_another_sign_ins_nonce_is_refused(
    oidc: Provider, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    oidc.change(nonce="a-nonce-from-another-sign-in")
    answer = back(client, to_callback(client, "ada.admin"))
    assert answer.status_code == 403
    assert "InvalidClaimError" in caplog.text and "nonce" in caplog.text
    assert signed_in_user(client) is None
    assert not OidcIdentity.objects.exists()


def test_an_expired_id_token_is_refused(
    oidc: Provider, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    callback = to_callback(client, "ada.admin")
    # When Bright Line exchanges the code, the provider's clock is 20 minutes behind: the ID token it
    # signs (good for five minutes) has expired long before it arrives.
    oidc.change(clockOffsetSeconds=-1200)
    answer = back(client, callback)
    assert answer.status_code == 403
    assert "ExpiredTokenError" in caplog.text
    assert signed_in_user(client) is None
    assert not OidcIdentity.objects.exists()


def test_a_replayed_or_foreign_state_is_refused(
    oidc: Provider, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    callback = to_callback(client, "ada.admin")
    assert back(client, callback).status_code == 302
    client.logout()
    # The same answer again, in the same browser: its state was spent.
    assert back(client, callback).status_code == 403
    assert "MismatchingStateError" in caplog.text
    assert signed_in_user(client) is None
    # An answer started in someone else's browser (a forced sign-in): this session never asked for it.
    victim = Client()
    foreign = to_callback(Client(), "ada.admin")
    assert back(victim, foreign).status_code == 403
    assert signed_in_user(victim) is None
    # A callback with no state at all.
    code = parse_qs(urlsplit(foreign).query)["code"][0]
    assert victim.get(f"/accounts/sign-in/provider/callback/?code={code}").status_code == 403


def test_a_requester_or_family_account_is_never_taken_over(oidc: Provider, client: Client) -> None:
    # Same username and e-mail address as the provider's account: nothing matches on them.
    requester = make_user("rita", Role.REQUESTER, email="rita@district.example")
    parent = make_user("ada", Role.PARENT, email="ada@district.example")
    back(client, to_callback(client, "rita.records"))
    staff = signed_in_user(client)
    assert staff is not None and staff.pk not in (requester.pk, parent.pk)
    assert staff.username != "rita" and staff.role == Role.RECORDS_CLERK
    requester.refresh_from_db()
    parent.refresh_from_db()
    assert requester.role == Role.REQUESTER and requester.check_password(PASSWORD)
    assert not OidcIdentity.objects.filter(user__in=[requester, parent]).exists()
    # An identity somehow linked to a family account still does not sign in.
    OidcIdentity.objects.all().delete()
    OidcIdentity.objects.create(user=parent, issuer=oidc.issuer, subject="ada.admin")
    other = Client()
    assert back(other, to_callback(other, "ada.admin")).status_code == 403
    assert signed_in_user(other) is None


def test_two_groups_giving_two_roles_are_refused_until_the_table_decides(
    oidc: Provider, client: Client
) -> None:
    oidc.change(groups={"rita.records": ["records-office", "bl-admins"]})
    assert back(client, to_callback(client, "rita.records")).status_code == 403
    assert not OidcIdentity.objects.exists()


def test_the_group_table_changes_only_through_its_service_each_a_ledger_entry(db: None) -> None:
    admin = make_user("root", Role.ADMIN)
    admin.is_superuser = admin.is_staff = True
    admin.save()
    clerk = make_user("clerk", Role.RECORDS_CLERK)
    administrator_without_full_rights = make_user("office-admin", Role.ADMIN)
    row = oidc_group_role_save(
        mapping=None, group="counsel", role=Role.LEGAL_ADVISOR, changed_by=admin, reason="x"
    )
    oidc_group_role_save(mapping=row, group="counsel", role=Role.SUPERINTENDENT, changed_by=admin, reason="y")
    oidc_group_role_remove(mapping=row, changed_by=admin, reason="z")
    changes = entries("account.sso_group_role_changed")
    assert [(c["from"], c["to"]) for c in changes] == [
        (None, {"group": "counsel", "role": Role.LEGAL_ADVISOR}),
        ({"group": "counsel", "role": Role.LEGAL_ADVISOR}, {"group": "counsel", "role": Role.SUPERINTENDENT}),
        ({"group": "counsel", "role": Role.SUPERINTENDENT}, None),
    ]
    with pytest.raises(NotAllowed):
        oidc_group_role_save(mapping=None, group="x", role=Role.ADMIN, changed_by=clerk, reason="x")
    # The administrator role edits the table without superuser rights: an administrator made by sign-in
    # through the provider has none (accounts/README.md, "Who edits the groups → roles table").
    oidc_group_role_save(
        mapping=None, group="x", role=Role.AUDITOR, changed_by=administrator_without_full_rights, reason="x"
    )
    with pytest.raises(InvalidInput):
        oidc_group_role_save(mapping=None, group="families", role=Role.PARENT, changed_by=admin, reason="x")
    with pytest.raises(InvalidInput):
        oidc_group_role_save(mapping=None, group="x", role=Role.ADMIN, changed_by=admin, reason=" ")


def test_the_group_table_in_the_admin_asks_why_and_writes_the_ledger(db: None, client: Client) -> None:
    root = make_user("root", Role.ADMIN)
    root.is_superuser = root.is_staff = True
    root.save()
    sign_in(client, root)
    added = client.post(
        "/admin/accounts/oidcgrouprole/add/", {"group": "counsel", "role": Role.LEGAL_ADVISOR, "reason": ""}
    )
    assert added.status_code == 200 and not OidcGroupRole.objects.exists()  # no reason, nothing saved
    client.post(
        "/admin/accounts/oidcgrouprole/add/",
        {"group": "counsel", "role": Role.LEGAL_ADVISOR, "reason": "counsel's group at the provider"},
    )
    row = OidcGroupRole.objects.get(group="counsel")
    client.post(
        "/admin/accounts/oidcgrouprole/",
        {"action": "remove_rows", "_selected_action": [row.pk], "apply": "1", "reason": "counsel left"},
    )
    assert not OidcGroupRole.objects.exists()
    assert [(c["to"], c["reason"]) for c in entries("account.sso_group_role_changed")] == [
        ({"group": "counsel", "role": Role.LEGAL_ADVISOR}, "counsel's group at the provider"),
        (None, "counsel left"),
    ]
    assert client.post(f"/admin/accounts/oidcgrouprole/{row.pk}/delete/").status_code in (403, 404, 302)
