"""The public policy page (/policy/): every rule of the version in effect in plain words, the bulk
threshold read from that version's text, what version 2 changed, and no identifier shown to people."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone

from brightline.casework.triage import policy_in_effect
from brightline.policy.models import Version, VersionStatus
from brightline.vocabulary import RULE_IDS
from brightline.web.tests.visible import IDENTIFIER, visible_text
from brightline.web.views.public import bulk_threshold

pytestmark = pytest.mark.django_db

THRESHOLD_IN_TEXT = re.compile(r"principal\.students_named\s*>\s*(\d+)")


def policy_page(client: Client) -> str:
    response = client.get("/policy/")
    assert response.status_code == 200
    return response.content.decode()


def test_every_rule_of_version_2_is_explained(client: Client) -> None:
    page = policy_page(client)
    text = visible_text(page)
    for rule_id in RULE_IDS:
        assert f'id="rule-{rule_id}"' in page, rule_id
        assert f"{rule_id} · " in text, rule_id
    assert "F1 · no disclosure for civil immigration enforcement" in text
    assert "An emergency counts only when it comes from an emergency responder" in text
    assert "records that the threat is articulable and significant" in text
    assert "a consent with any of them missing is treated as no consent" in text
    # The always rule, which a public page may state.
    assert "when a student is flagged as missing the district tells the police" in text


def test_the_bulk_threshold_is_the_number_in_the_text_in_effect(client: Client) -> None:
    text_in_effect = policy_in_effect(timezone.now()).text
    number = int(THRESHOLD_IN_TEXT.search(text_in_effect).group(1))  # type: ignore[union-attr]
    assert bulk_threshold(text_in_effect) == number
    text = visible_text(policy_page(client))
    assert f"B · no bulk release: more than {number} students are reviewed" in text
    assert f"A request naming more than {number} students, from anyone other than a school official" in text


def test_a_version_with_another_threshold_shows_its_own_number_and_links_to_the_diff(client: Client) -> None:
    first = Version.objects.get(number=1)
    moment = timezone.now() - dt.timedelta(hours=1)
    # The district changes the number in rule B's condition and in its explanation.
    text = THRESHOLD_IN_TEXT.sub("principal.students_named > 25", first.text).replace(
        "more than 10 students", "more than 25 students"
    )
    Version.objects.filter(pk=first.pk).update(status=VersionStatus.SUPERSEDED, superseded_at=moment)
    Version.objects.create(
        number=2,
        label="2027.1",
        policy_id="district",
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        summary="Bulk requests from 26 students",
        status=VersionStatus.EFFECTIVE,
        created_at=moment,
        effective_from=moment,
    )
    page = policy_page(client)
    shown = visible_text(page)
    assert "B · no bulk release: more than 25 students are reviewed" in shown
    assert "more than 25 students is a bulk request" in shown  # the text's own words
    assert "more than 10" not in shown
    assert 'href="/policy/diff/?from=1&amp;to=2"' in page
    assert 'href="/policy/versions/2/"' in page


def test_the_threshold_is_read_whichever_way_the_condition_is_written() -> None:
    base = policy_in_effect(timezone.now()).text
    assert bulk_threshold(THRESHOLD_IN_TEXT.sub("principal.students_named >= 31", base)) == 30
    assert bulk_threshold(THRESHOLD_IN_TEXT.sub("7 < principal.students_named", base)) == 7
    assert bulk_threshold(base.replace('@id("B")', '@id("D")', 1)) is None


def test_the_page_links_the_versions_the_diff_and_the_cedar_text(client: Client) -> None:
    page = policy_page(client)
    assert 'href="/policy/versions/"' in page
    assert 'href="/policy/diff/' in page
    assert 'href="#cedar-text"' in page
    assert 'href="/policy/versions/1/"' in page
    assert "@id(&quot;F1&quot;)" in page  # the Cedar text itself, folded away


def test_obligations_and_the_changes_of_version_2_are_said_in_words(client: Client) -> None:
    text = visible_text(policy_page(client))
    for words in (
        "The family is told before anything is released",
        "The family is told after the release",
        "The threat and every recipient are recorded",
        "A district official must find the threat real before anything is released",
        "The recipient must accept the redisclosure notice",
        "Sealed: kept for auditors, hidden from the family",
        "A building administrator decides when the family is told",
    ):
        assert words in text, words
    assert "What changed in version 2" in text
    for change in ("(new rule V4)", "(new rule B)", "(rule F1)", "(rule L)", "(rules F4 and R6)"):
        assert change in text, change


def test_no_identifier_is_shown_to_people_and_the_hash_wraps(client: Client) -> None:
    page = policy_page(client)
    assert IDENTIFIER.findall(visible_text(page)) == []
    sha256 = policy_in_effect(timezone.now()).sha256
    assert f'<p class="brightline-note"><code>{sha256}</code></p>' in page
