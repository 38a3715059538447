"""Password reset by email through Django's views and our templates."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from brightline.testing import World

pytestmark = pytest.mark.django_db


def test_a_person_resets_their_password_through_the_emailed_link(world: World, client: Client) -> None:
    response = client.post("/accounts/password-reset/", {"email": "parent@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert form.context["validlink"]
    new = "a much longer new passphrase"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert Client().login(username="parent", password=new)
    # The link works once.
    assert not client.get(link.group(1), follow=True).context["validlink"]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(world: World, client: Client) -> None:
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []
