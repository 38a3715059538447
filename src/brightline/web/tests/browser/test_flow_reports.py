"""What crossed the line, read in Chromium with axe-core on every page: a published report whose flow
tables the browser counts again from the published rows, the district's response to public comments with
the committee's vote, and the training roster school by school."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from brightline.accounts.models import Role
from brightline.incidents.models import ReportingUnit
from brightline.incidents.services import staff_school_assign
from brightline.testing import World, make_user
from brightline.training.services import training_seed_completed
from brightline.web.tests.browser.conftest import expect
from brightline.web.tests.browser.test_every_page import _check_page
from brightline.web.tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reports_removable(visit: Any) -> Iterator[None]:
    """A publication protects its checkpoint: remove the publications before the ledger's rows go."""
    yield
    from brightline.transparency.models import PublishedReport

    PublishedReport.objects.all().delete()


def test_a_reader_checks_a_published_report_and_reads_the_answers_to_comments(
    world: World, visit: Any, reports_removable: None
) -> None:
    from brightline.transparency.tests.test_flows import publish, quarter_one

    officer = make_user("officer", Role.SCHOOL_STAFF, first="Olu", last="Officer", position="School officer")
    staff_school_assign(user=world.principal, school=world.school)
    staff_school_assign(user=officer, school=world.school, unit=ReportingUnit.SCHOOL_POLICE)
    training_seed_completed(users=[officer])
    quarter_one(world, officer)
    publish("2025-Q1")

    reader = visit("reader")
    reader.goto("/transparency/2025-Q1/")
    main = reader.page.locator("main")
    expect(main).to_contain_text("What crossed the line")
    expect(main).to_contain_text("Requests refused because of onward sharing or immigration")
    expect(main).to_contain_text("It cannot show requests the district never received.")
    refusals = reader.page.locator("table#flow_refusals")
    expect(refusals.locator("tbody tr").first).to_contain_text("Refused: onward sharing")
    # Numbers sit at the right of their bordered cells.
    cell = refusals.locator("tbody td").first
    assert cell.evaluate("(td) => getComputedStyle(td).textAlign") in ("right", "end")
    assert cell.evaluate("(td) => getComputedStyle(td).borderTopStyle") == "solid"
    reader.page.click("button.transparency-verify-button")
    expect(reader.page.locator(".transparency-verify-result")).to_contain_text(
        "Every table, label, cell, suppressed cell, total and figure of this report was counted again"
    )
    reader.audit("report-checked")
    _tampered_reports_are_named(world, reader)

    version = _answered_and_adopted(world)
    reader.goto(f"/policy/versions/{version.number}/")
    main = reader.page.locator("main")
    expect(main).to_contain_text("The district's response to the comments")
    expect(main).to_contain_text("School discipline and the police")
    expect(main).to_contain_text("Why the draft did not change:")
    expect(main).to_contain_text("The school committee's vote")
    expect(main).to_contain_text("Regular meeting of the school committee")
    expect(main).to_contain_text("Adopted, 6 to 1")

    teacher = make_user("teacher", Role.SCHOOL_STAFF, first="Tia", last="Teacher", position="Teacher")
    staff_school_assign(user=teacher, school=world.school)
    clerk = visit("clerk")
    sign_in(clerk, "clerk")
    clerk.goto("/training/staff/")
    section = clerk.page.locator("section", has_text="Frederick Douglass Middle School")
    expect(section).to_contain_text("Tia Teacher")
    expect(section.locator("tr", has_text="Tia Teacher")).to_contain_text("Not trained")
    expect(section.locator("tr", has_text="Pat Principal")).to_contain_text("Yes")
    expect(clerk.page.locator("main")).to_contain_text("District office")
    # On a phone and a laptop: nothing wider than the window, no code, raw time or list in the words read.
    problems: list[str] = []
    for person, path in (
        (reader, "/transparency/2025-Q1/"),
        (reader, f"/policy/versions/{version.number}/"),
        (clerk, "/training/staff/"),
    ):
        for width in (375, 1280):
            _check_page(person, path, width, problems)
    assert not problems, "\n".join(problems)
    for person in (reader, clerk):
        person.check_every_page_audited()


def _check_after(reader: Any, key: str, change: Any) -> str:
    """Change the stored figures of `key` as a district could, then run the page's check again."""
    import copy

    from brightline.transparency.models import PublishedReport

    report = PublishedReport.objects.get(period=key, published=True)
    original = copy.deepcopy(report.figures)
    figures = copy.deepcopy(report.figures)
    change(figures)
    PublishedReport.objects.filter(pk=report.pk).update(figures=figures)
    try:
        reader.goto(f"/transparency/{key}/")
        reader.page.click("button.transparency-verify-button")
        result = reader.page.locator(".transparency-verify-result")
        expect(result).to_contain_text("These figures do not match the published rows or the ledger:")
        text: str = result.inner_text()
    finally:
        PublishedReport.objects.filter(pk=report.pk).update(figures=original)
    assert "the figures are not the ones ledger entry" in text
    return text


def _tampered_reports_are_named(world: World, reader: Any) -> None:
    import copy

    from brightline.testing import request_body
    from brightline.transparency.models import PublishedReport
    from brightline.transparency.tests.test_flows import at, cell, publish, submit

    def by_id(figures: dict[str, Any], table_id: str) -> dict[str, Any]:
        return next(t for t in [*figures["tables"], *figures["flows"]["tables"]] if t["id"] == table_id)

    # A figure of one of the request tables.
    text = _check_after(
        reader,
        "2025-Q1",
        lambda f: cell(by_id(f, "requests_by_requester_kind"), "immigration_enforcement", "refused").update(
            value=13, display="13"
        ),
    )
    assert "requests_by_requester_kind › rows › immigration_enforcement › cells › 3 › display" in text
    # A label.
    text = _check_after(
        reader, "2025-Q1", lambda f: by_id(f, "flow_refusals")["rows"][0].update(label="Routine refusals")
    )
    assert '"Routine refusals" published' in text
    # A suppressed cell shown, in a quarter of three requests.
    with time_machine.travel(at(5, 5), tick=False):
        for _ in range(3):
            submit(world.ice, world.immigration_officer, request_body(world.alice, categories=["contact"]))
    publish("2025-Q2")
    text = _check_after(
        reader,
        "2025-Q2",
        lambda f: by_id(f, "requests_by_requester_kind")["totals"]["total"].update(
            value=3, display="3", suppressed=None
        ),
    )
    assert "shows 3, under 10" in text
    # A count of the published rows (method 5: each combination once, with its count) changed.
    report = PublishedReport.objects.get(period="2025-Q1", published=True)
    rows = copy.deepcopy(report.rows)
    rows["requests"]["rows"][0][-1] += 10
    PublishedReport.objects.filter(pk=report.pk).update(rows=rows)
    try:
        reader.goto("/transparency/2025-Q1/")
        reader.page.click("button.transparency-verify-button")
        result = reader.page.locator(".transparency-verify-result")
        expect(result).to_contain_text("These figures do not match the published rows or the ledger:")
        text = result.inner_text()
    finally:
        PublishedReport.objects.filter(pk=report.pk).update(rows=report.rows)
    assert "the rows are not the ones ledger entry" in text
    assert "the rows are not the ones the report names" in text
    assert "flows › flow_refusals" in text or "flows › flow_time_to_decision" in text


def _answered_and_adopted(world: World) -> Any:
    from brightline.policy.services import (
        policy_comment_theme_write,
        policy_draft_create,
        policy_version_adopt,
        policy_version_open_comment,
    )
    from brightline.policy.tests.lifecycle_helpers import reworded_draft
    from brightline.policy.tests.test_comment_responses import published_comment

    draft = policy_draft_create(
        author=world.legal_advisor, label="2026.3", text=reworded_draft(), summary="R4 in plain words."
    )
    today = timezone.localdate()
    version = policy_version_open_comment(
        version_id=draft.pk, opened_by=world.legal_advisor, opens_on=today, closes_on=today
    )
    comment = published_comment(
        lambda execute: contextlib.nullcontext(),
        version,
        "Ana Lopes",
        "Rule F4 must stay: discipline is not police work.",
        "198.51.100.1",
    )
    policy_comment_theme_write(
        version_id=version.pk,
        author=world.legal_advisor,
        title="School discipline and the police",
        changed=False,
        response="Rule F4 is unchanged: discipline records never go to the police without legal process.",
        comment_ids=[comment.pk],
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=True):
        return policy_version_adopt(
            version_id=version.pk,
            recorded_by=world.superintendent,
            voted_on=timezone.localdate() - dt.timedelta(days=1),
            minutes_url="https://school-committee.example/minutes/2026-12-04",
            meeting="Regular meeting of the school committee",
            result="Adopted, 6 to 1",
        )
