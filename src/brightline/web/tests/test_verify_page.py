"""/verify/ without a browser: what the ledger proves and does not, the checkpoint and the key without
script, and a requester's receipts, which tell nothing of the students a request named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from brightline.casework import services
from brightline.ledger.receipts import receipt_parse
from brightline.ledger.selectors import entry_indexes_of, ledger_size
from brightline.ledger.services import checkpoint_sign
from brightline.testing import PASSWORD, World, request_body

pytestmark = pytest.mark.django_db

MADE_UP = {"first_name": "Nobody", "last_name": "Atall", "birth_date": "2012-02-02"}


@pytest.fixture(autouse=True)
def _fresh_keys(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DATA_DIR = tmp_path
    monkeypatch.delenv("BRIGHTLINE_LEDGER_SIGNING_KEY_FILE", raising=False)


def _submit(world: World, students: list[dict[str, Any]]) -> Any:
    body = request_body(world.alice)
    body["students"] = students
    return services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request


def test_the_page_explains_and_shows_the_checkpoint_without_script(world: World, client: Client) -> None:
    _submit(world, [world.student_ref(world.alice)])
    checkpoint_sign()
    page = client.get("/verify/")
    assert page.status_code == 200
    text = page.content.decode()
    for words in (
        "What the ledger proves",
        "What it does not prove",
        "it names no kind of event, agency, student or request",
        client.get("/ledger/checkpoint").content.decode().splitlines()[2],  # the signed root
        "This check needs JavaScript",
        "--receipt",
    ):
        assert words in text
    # The script is a module from the site itself (the CSP allows nothing else) and fetches only the site.
    assert '<script type="module" src="/static/web/verify.js">' in text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "Receipts for your agency" not in text  # nobody signed in has none


def test_a_requesters_receipt_is_the_first_entry_of_its_submission_whoever_the_students_are(
    world: World,
) -> None:
    """The receipt points at `request.submitted`. Were its place among the submission's padded entries to
    depend on what the district knows of a student, the receipt would tell the requester that fact."""
    cases = {
        "enrolled": [world.student_ref(world.alice)],
        "flagged missing, in foster care": [world.student_ref(world.dana)],
        "nobody the district knows": [MADE_UP],
        "by name, enrolled": [
            {
                "first_name": "Alice",
                "last_name": world.alice.last_name,
                "birth_date": str(world.alice.birth_date),
            }
        ],
    }
    offsets = {}
    sizes = {}
    for label, students in cases.items():
        before = ledger_size()
        request = _submit(world, students)
        index = entry_indexes_of(event_type="request.submitted", key="request", values=[str(request.pk)])
        offsets[label] = index[str(request.pk)] - before
        sizes[label] = ledger_size() - before
    assert set(offsets.values()) == {0}, offsets
    assert len(set(sizes.values())) == 1, sizes


def test_a_requester_sees_the_receipts_of_its_own_agencys_requests_only(world: World, client: Client) -> None:
    first = _submit(world, [world.student_ref(world.alice)])
    checkpoint_sign()
    second = _submit(world, [MADE_UP])
    client.login(username="detective", password=PASSWORD)
    text = client.get("/verify/").content.decode()
    assert "Receipts for your agency" in text
    assert first.reference in text and second.reference in text
    assert "Its receipt appears here once a signed checkpoint covers it" in text  # the second, not yet
    index = entry_indexes_of(event_type="request.submitted", key="request", values=[str(first.pk)])[
        str(first.pk)
    ]
    receipt = client.get(f"/api/v1/ledger/receipt?index={index}").json()
    shown = json.dumps(receipt, separators=(",", ":"), sort_keys=True)
    assert f'data-receipt="{shown.replace(chr(34), "&quot;")}"' in text
    assert receipt_parse(shown).index == index
    # Only the three public numbers: nothing of the event, the agency, the student or the request.
    assert sorted(receipt) == ["index", "leaf", "size"]

    client.logout()
    client.login(username="transit", password=PASSWORD)
    other = client.get("/verify/").content.decode()
    assert first.reference not in other and second.reference not in other
