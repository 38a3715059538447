"""The administrator's setup checklist on a fresh demo district: what is done, what is not, and a link
on each item that opens the page that fixes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from brightline.accounts.models import Role, User
from brightline.accounts.tests.helpers import sign_in
from brightline.ledger.keys import signing_key
from brightline.ledger.models import LedgerEntry
from brightline.operations.setup import setup_checklist

pytestmark = pytest.mark.django_db

demo = pytest.importorskip("brightline.demo.district")


@pytest.fixture
def district(tmp_path: Path, settings: Any) -> User:
    settings.DATA_DIR = tmp_path
    settings.OIDC_ISSUER = ""
    demo.seed_demo(data_dir=tmp_path / "demo")
    return User.objects.get(username="admin")


def states(admin: User) -> dict[str, bool]:
    return {item.key: item.done for item in setup_checklist(user=admin)}


def test_a_fresh_demo_district_shows_what_is_done_and_what_is_not(district: User) -> None:
    assert states(district) == {
        "policy": True,  # the demo adopts the default policy
        "roster": True,  # and imports its roster
        "training": True,  # and trains the records office and the reviewers
        "agencies": True,  # and verifies its agencies
        "ledger_key_backed_up": False,
        "ledger_key_published": False,
        "mail": False,  # the demo writes e-mails to files
        "witness": False,
        "sign_in": False,
    }


def test_each_items_link_opens_its_page_for_the_administrator(district: User, client: Client) -> None:
    sign_in(client, district)
    page = client.get("/administration/settings/")
    assert page.status_code == 200
    text = page.content.decode()
    for item in setup_checklist(user=district):
        assert f'href="{item.link.replace("&", "&amp;")}"' in text
        answer = client.get(item.link)
        assert answer.status_code == 200, (item.key, item.link, answer.status_code)


def test_the_key_items_are_confirmed_on_the_checklist_each_a_ledger_entry(
    district: User, client: Client, settings: Any
) -> None:
    signing_key()  # the first checkpoint makes the key
    sign_in(client, district)
    before = LedgerEntry.objects.filter(event_type="setup.confirmed").count()
    client.post("/accounts/setup/ledger_key_backed_up/confirm")
    refused = client.post(
        "/accounts/setup/ledger_key_published/confirm", {"where": "http://insecure.example"}
    )
    assert refused.status_code == 302
    assert not states(district)["ledger_key_published"]
    client.post(
        "/accounts/setup/ledger_key_published/confirm", {"where": "https://district.example/ledger-key"}
    )
    done = states(district)
    assert done["ledger_key_backed_up"] and done["ledger_key_published"]
    assert LedgerEntry.objects.filter(event_type="setup.confirmed").count() == before + 2
    # A new key (rotation) needs a new backup and a new publication.
    (Path(settings.DATA_DIR) / "keys" / "ledger-ed25519.pem").unlink()
    signing_key()
    done = states(district)
    assert not done["ledger_key_backed_up"] and not done["ledger_key_published"]


def test_mail_is_done_once_a_test_email_left_over_smtp(district: User, client: Client, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert not states(district)["mail"]
    # pytest-django's locmem backend stands in for the SMTP server at send time only.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sign_in(client, district)
    client.post("/accounts/setup/mail-test")
    assert [message.to for message in mail.outbox] == [[district.email]]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert states(district)["mail"]


def test_only_an_administrator_sees_the_checklist(district: User, client: Client) -> None:
    clerk = User.objects.get(role=Role.RECORDS_CLERK, username="clerk")
    sign_in(client, clerk)
    assert client.post("/accounts/setup/ledger_key_backed_up/confirm").status_code == 403
    assert client.post("/accounts/setup/mail-test").status_code == 403


# --- An administrator made by sign-in through the provider (role admin, no password, no Django admin) ---

ISSUER = "https://login.district.example"


@pytest.fixture
def sso_admin(district: User, settings: Any) -> User:
    from brightline.accounts.models import OidcGroupRole
    from brightline.accounts.oidc import oidc_sign_in

    settings.OIDC_ISSUER = ISSUER
    OidcGroupRole.objects.create(group="records-admins", role=Role.ADMIN)
    result = oidc_sign_in(
        claims={
            "iss": ISSUER,
            "sub": "sso-admin-1",
            "preferred_username": "pat",
            "groups": ["records-admins"],
        }
    )
    user = result.user
    assert result.created and user.role == Role.ADMIN
    assert not user.is_staff and not user.is_superuser and not user.has_usable_password()
    return user


def test_every_link_opens_for_an_administrator_made_by_sign_in(sso_admin: User, client: Client) -> None:
    sign_in(client, sso_admin)
    page = client.get("/administration/settings/")
    assert page.status_code == 200
    for item in setup_checklist(user=sso_admin):
        assert not item.link.startswith("/admin/"), (item.key, item.link)
        answer = client.get(item.link)
        assert answer.status_code == 200, (item.key, item.link, answer.status_code, answer.get("Location"))


def test_an_administrator_made_by_sign_in_edits_the_groups_table_with_a_reason_and_a_ledger_entry(
    sso_admin: User, client: Client
) -> None:
    from brightline.accounts.models import OidcGroupRole

    sign_in(client, sso_admin)
    entries = LedgerEntry.objects.filter(event_type="account.sso_group_role_changed")
    before = entries.count()
    # No reason: refused, naming the field; nothing saved.
    page = client.post(
        "/administration/sign-in-groups/", {"action": "add", "group": "clerks", "role": Role.RECORDS_CLERK}
    )
    assert page.status_code == 200 and "reason" in page.content.decode().lower()
    assert not OidcGroupRole.objects.filter(group="clerks").exists()
    answer = client.post(
        "/administration/sign-in-groups/",
        {"action": "add", "group": "clerks", "role": Role.RECORDS_CLERK, "reason": "the records office"},
    )
    assert answer.status_code == 302
    row = OidcGroupRole.objects.get(group="clerks")
    assert entries.count() == before + 1
    assert entries.order_by("-index").first().record.record["reason"] == "the records office"  # type: ignore[union-attr]
    # A role the table must not give (not staff): refused.
    page = client.post(
        "/administration/sign-in-groups/",
        {"action": "add", "group": "parents", "role": Role.PARENT, "reason": "x"},
    )
    assert page.status_code == 200 and not OidcGroupRole.objects.filter(group="parents").exists()
    # Change, then remove, each with its reason.
    client.post(
        "/administration/sign-in-groups/",
        {
            "action": "change",
            "row": row.pk,
            "group": "clerks",
            "role": Role.AUDITOR,
            "reason": "auditors now",
        },
    )
    assert OidcGroupRole.objects.get(pk=row.pk).role == Role.AUDITOR
    client.post("/administration/sign-in-groups/", {"action": "remove", "row": row.pk, "reason": "gone"})
    assert not OidcGroupRole.objects.filter(pk=row.pk).exists()
    assert entries.count() == before + 3


def test_the_last_group_giving_the_administrator_role_cannot_be_removed_when_no_one_could_sign_in(
    sso_admin: User, client: Client
) -> None:
    from brightline.accounts.models import OidcGroupRole

    # The demo's administrators have passwords: take them away, as in a district that moved to the provider.
    for user in User.objects.filter(is_active=True).filter(role=Role.ADMIN) | User.objects.filter(
        is_superuser=True
    ):
        user.set_unusable_password()
        user.save(update_fields=["password"])
    admins = OidcGroupRole.objects.get(group="records-admins")
    sso_admin.refresh_from_db()
    sign_in(client, sso_admin)
    entries = LedgerEntry.objects.filter(event_type="account.sso_group_role_changed").count()
    refused = client.post(
        "/administration/sign-in-groups/", {"action": "remove", "row": admins.pk, "reason": "oops"}
    )
    assert refused.status_code == 200 and "nobody could manage" in refused.content.decode()
    refused = client.post(
        "/administration/sign-in-groups/",
        {
            "action": "change",
            "row": admins.pk,
            "group": "records-admins",
            "role": Role.AUDITOR,
            "reason": "x",
        },
    )
    assert refused.status_code == 200 and "nobody could manage" in refused.content.decode()
    assert OidcGroupRole.objects.get(pk=admins.pk).role == Role.ADMIN  # neither was taken
    assert LedgerEntry.objects.filter(event_type="account.sso_group_role_changed").count() == entries
    # With a second group giving the administrator role, the first may go.
    added = client.post(
        "/administration/sign-in-groups/",
        {"action": "add", "group": "it-admins", "role": Role.ADMIN, "reason": "IT runs it now"},
    )
    assert added.status_code == 302, added.content.decode()[-3000:]
    removed = client.post(
        "/administration/sign-in-groups/", {"action": "remove", "row": admins.pk, "reason": "moved"}
    )
    assert removed.status_code == 302
    assert not OidcGroupRole.objects.filter(pk=admins.pk).exists()


def test_the_administrator_pages_are_for_administrators_only(district: User, client: Client) -> None:
    clerk = User.objects.get(role=Role.RECORDS_CLERK, username="clerk")
    sign_in(client, clerk)
    for page in (
        "/administration/sign-in-groups/",
        "/administration/roster-imports/",
        "/administration/witnesses/",
    ):
        assert client.get(page).status_code == 403


def test_the_checklists_messages_are_translated_and_say_where_the_key_file_is(
    district: User, client: Client, settings: Any
) -> None:
    from django.utils import translation

    signing_key()
    key_file = str(Path(settings.DATA_DIR) / "keys" / "ledger-ed25519.pem")
    backed_up = {item.key: item for item in setup_checklist(user=district)}["ledger_key_backed_up"]
    assert key_file in backed_up.state
    with translation.override("es"):
        backed_up = {item.key: item for item in setup_checklist(user=district)}["ledger_key_backed_up"]
        assert key_file in backed_up.state and backed_up.state.startswith("Copie el archivo")
    district.preferred_language = "es"
    district.save(update_fields=["preferred_language"])
    sign_in(client, district)
    answer = client.post(
        "/accounts/setup/ledger_key_published/confirm",
        {"where": "http://insecure.example"},
        HTTP_ACCEPT_LANGUAGE="es",
        follow=True,
    )
    text = answer.content.decode()
    assert "Indique la dirección https" in text or "Give the https address" in text
    with translation.override("es"):
        from brightline.errors import InvalidInput
        from brightline.operations.setup import setup_confirm

        with pytest.raises(InvalidInput) as refused:
            setup_confirm(item=KEY_ITEM, confirmed_by=district, where="http://insecure.example")
        assert refused.value.errors[0] == (
            "where",
            "Indique la dirección https donde está publicada la clave pública.",
        )


KEY_ITEM = "ledger_key_published"
