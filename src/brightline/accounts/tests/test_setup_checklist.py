"""The administrator's setup checklist on a fresh demo district: what is done, what is not, and a link
on each item that opens the page that fixes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from brightline.accounts.models import Role, User
from brightline.accounts.setup import setup_checklist
from brightline.accounts.tests.helpers import sign_in
from brightline.ledger.keys import signing_key
from brightline.ledger.models import LedgerEntry

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
