"""/verify/ in Chromium: the browser checks the latest checkpoint's Ed25519 signature and a receipt's
inclusion proof itself (noble-ed25519 and WebCrypto), a byte changed in the signature, the receipt's leaf
or a proof node makes it say so in plain words, and on every input its verdict is the one
`brightline ledger verify-remote` gives (the same function, over HTTP, against the same live server)."""

from __future__ import annotations

import base64
import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from brightline.casework import services
from brightline.ledger.remote import RemoteVerificationError, verify_remote
from brightline.ledger.selectors import entry_indexes_of, receipt_for
from brightline.ledger.services import checkpoint_sign
from brightline.testing import World, request_body
from brightline.web.tests.browser.conftest import expect
from brightline.web.tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULT = "#brightline-verify-form [data-verify-result]"


@pytest.fixture(autouse=True)
def _fresh_keys(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DATA_DIR = tmp_path
    monkeypatch.delenv("BRIGHTLINE_LEDGER_SIGNING_KEY_FILE", raising=False)


def flip(encoded: str, at: int) -> str:
    raw = bytearray(base64.b64decode(encoded))
    raw[at] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def get(base: str, path: str) -> bytes:
    with urllib.request.urlopen(base + path, timeout=60) as response:  # noqa: S310 (the live server)
        body: bytes = response.read()
        return body


def submitted(world: World, students: list[dict[str, Any]]) -> Any:
    body = request_body(world.alice)
    body["students"] = students
    return services.request_submit(
        agency=world.police, document=body, channel="portal", submitted_by=world.detective
    ).request


def answering(body: bytes) -> Any:
    """A route handler answering `body` in place of the site: what a tampering server would send."""
    return lambda route, _request: route.fulfill(
        body=body, status=200, content_type="text/plain; charset=utf-8"
    )


def browser_check(
    visitor: Any, key: str, receipt: str, replace: dict[str, bytes], label: str
) -> tuple[str, str, str]:
    """Paste `key` and `receipt`, press Check with the site's answers at the paths of `replace` changed;
    the verdict (pass/fail), the step it names and the words the visitor reads."""
    page = visitor.page
    for path, body in replace.items():
        page.route(visitor.url(path), answering(body))
    try:
        page.fill("#verify-key", key)
        page.fill("#verify-receipt", receipt)
        page.click("#brightline-verify-form button[type=submit]")
        result = page.locator(RESULT)
        expect(result).to_have_attribute("data-verify-result", re.compile("^(pass|fail)$"))
        expect(result).to_be_focused()
        visitor.audit(label)
        return (
            str(result.get_attribute("data-verify-result")),
            str(result.get_attribute("data-code")),
            result.inner_text(),
        )
    finally:
        for path in replace:
            page.unroute(visitor.url(path))


def remote_check(base: str, key: str, receipt: str, replace: dict[str, bytes]) -> tuple[str, str]:
    def fetch(url: str) -> bytes:
        path = url.removeprefix(base)
        return replace[path] if path in replace else get(base, path)

    try:
        verify_remote(base, key_text=key, receipt_text=receipt or None, fetch=fetch)
    except RemoteVerificationError as error:
        return "fail", error.code
    return "pass", "receipt" if receipt else "checkpoint"


def test_the_browser_verifies_a_receipt_and_fails_on_one_changed_byte_as_verify_remote_does(
    world: World, visit: Any, live_server: Any
) -> None:
    base = str(live_server.url)
    request = submitted(world, [world.student_ref(world.alice)])
    submitted(world, [{"first_name": "Nobody", "last_name": "Atall", "birth_date": "2012-02-02"}])
    checkpoint_sign()
    index = entry_indexes_of(event_type="request.submitted", key="request", values=[str(request.pk)])[
        str(request.pk)
    ]
    receipt = receipt_for(index) or ""
    size = json.loads(receipt)["size"]
    assert index >= 1 and size > index + 1  # a proof with nodes on both sides

    note = get(base, "/ledger/checkpoint").decode()
    body, _, line = note.partition("\n\n")
    signer, signature = line.rstrip("\n").rsplit(" ", 1)
    proof_path = f"/api/v1/ledger/proof/inclusion?index={index}&size={size}"
    proof = json.loads(get(base, proof_path))
    proof["hashes"][0] = flip(proof["hashes"][0], 17)
    changed_leaf = json.loads(receipt)
    changed_leaf["leaf"] = flip(changed_leaf["leaf"], 31)

    key = get(base, "/ledger/key").decode().strip()
    name, key_hash, public = key.split("+", 2)
    entry_path = f"/api/v1/ledger/entries?start={index}&end={index}"
    entries = json.loads(get(base, entry_path))
    data = bytearray(base64.b64decode(entries["entries"][0]["data"]))
    data[-4] = ord("9") if data[-4] != ord("9") else ord("8")  # a digit of the entry's time
    entries["entries"][0]["data"] = base64.b64encode(bytes(data)).decode()
    grown = json.loads(receipt)
    grown["size"] = size + 5

    cases: list[tuple[str, str, str, dict[str, bytes], str, str]] = [
        # (label, key, receipt, the site's answers changed, verdict, step)
        ("checkpoint-only", key, "", {}, "pass", "checkpoint"),
        ("receipt", key, receipt, {}, "pass", "receipt"),
        (
            "signature-changed",
            key,
            receipt,
            {"/ledger/checkpoint": f"{body}\n\n{signer} {flip(signature, 40)}\n".encode()},
            "fail",
            "signature",
        ),
        ("leaf-changed", key, json.dumps(changed_leaf), {}, "fail", "inclusion"),
        ("proof-node-changed", key, receipt, {proof_path: json.dumps(proof).encode()}, "fail", "inclusion"),
        ("entry-changed", key, receipt, {entry_path: json.dumps(entries).encode()}, "fail", "entry"),
        ("log-shrank", key, json.dumps(grown), {}, "fail", "shrank"),
        ("key-changed", f"{name}+{key_hash}+{flip(public, 9)}", receipt, {}, "fail", "key"),
        ("not-a-receipt", key, '{"index": 1}', {}, "fail", "receipt"),
    ]

    visitor = visit("public")
    visitor.goto("/verify/")
    expect(visitor.page.locator("#brightline-verify-form")).to_be_visible()  # the module ran
    assert visitor.page.input_value("#verify-key") == key
    words = {}
    for label, typed_key, pasted, replace, verdict, step in cases:
        seen, code, text = browser_check(visitor, typed_key, pasted, replace, label)
        assert (seen, code) == (verdict, step), (label, text)
        assert remote_check(base, typed_key, pasted, replace) == (verdict, step), label
        words[label] = text
    assert f"number {index}" in words["receipt"] and f"one of the {size} entries" in words["receipt"]
    assert "It checks out" in words["receipt"]
    assert "does not match the district's key" in words["signature-changed"]
    for label in ("leaf-changed", "proof-node-changed"):
        assert "It does not check out" in words[label]
        assert "not in the ledger the district signed" in words[label]
    assert "This is not a receipt" in words["not-a-receipt"]


def test_a_requester_checks_its_own_receipt_on_a_phone(world: World, visit: Any) -> None:
    request = submitted(world, [world.student_ref(world.dana)])
    checkpoint_sign()
    detective = visit("detective")
    detective.page.set_viewport_size({"width": 375, "height": 800})
    sign_in(detective, "detective")
    detective.goto("/verify/")
    button = detective.page.locator(f"button:has-text('Check the receipt for {request.reference}')")
    expect(button).to_be_visible()
    button.click()
    result = detective.page.locator(RESULT)
    expect(result).to_have_attribute("data-verify-result", "pass")
    expect(result).to_have_attribute("data-code", "receipt")
    detective.audit("receipt-checked")
    width = detective.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px screen"
