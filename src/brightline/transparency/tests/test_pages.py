"""The public pages and downloads: no sign-in, accessible markup, and the same figures everywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brightline.casework import services
from brightline.casework.calendar import district_zone
from brightline.ledger.models import Checkpoint, LedgerEntry
from brightline.testing import World, request_body
from brightline.transparency.models import PublishedReport
from brightline.transparency.periods import Period

pytestmark = pytest.mark.django_db


def _current_quarter() -> str:
    today = timezone.localdate(timezone.now(), district_zone())
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _requests(world: World) -> None:
    for _ in range(11):
        body = request_body(world.alice, purpose="civil_immigration_enforcement", categories=["contact"])
        services.request_submit(
            agency=world.ice, document=body, channel="portal", submitted_by=world.immigration_officer
        )
    for _ in range(10):
        body = request_body(world.carla, purpose="child_abuse_investigation", categories=["attendance"])
        services.request_submit(
            agency=world.dcf, document=body, channel="portal", submitted_by=world.dcf_investigator
        )
    services.request_submit(
        agency=world.police,
        document=request_body(world.ben, categories=["academic"]),
        channel="portal",
        submitted_by=world.detective,
    )


@pytest.fixture
def period_key(world: World) -> str:
    """This quarter's requests, published by the daily `brightline transparency publish` after it ended."""
    _requests(world)
    key = _current_quarter()
    with time_machine.travel(Period.parse(key).end + dt.timedelta(hours=3), tick=False):
        call_command("transparency", "publish")
    return key


def test_anyone_can_list_the_periods_without_signing_in(client: Client, period_key: str) -> None:
    response = client.get("/transparency/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/transparency/{period_key}/"' in body
    assert f'href="/transparency/{period_key[:5]}H' in body
    assert "<h1>Transparency reports</h1>" in body


def test_the_report_page_shows_accessible_charts_tables_and_the_checkpoint(
    client: Client, period_key: str
) -> None:
    response = client.get(f"/transparency/{period_key}/")
    assert response.status_code == 200
    body = response.content.decode()
    report = PublishedReport.objects.get(period=period_key)
    assert str(report.checkpoint_size) in body and report.checkpoint_root_hash in body
    svgs = re.findall(r"<svg [^>]*>", body)
    # Three charts of requests; per flow table a bar chart of its lines (when any is not zero) and a trend.
    assert len(svgs) > 3 + 11
    assert 'id="trend-flow_refusals-title"' in body
    for svg in svgs:
        assert 'role="img"' in svg
        labelled = re.search(r'aria-labelledby="([^"]+)"', svg)
        assert labelled is not None
        for ident in labelled.group(1).split():
            assert f'id="{ident}"' in body
    assert '<title id="chart-outcomes-title">Requests by outcome</title>' in body
    assert "Refused by the policy: 11" in body  # the chart's description carries its figures
    assert '<th scope="col">Refused by the policy</th>' in body
    assert '<th scope="row">Immigration enforcement</th>' in body
    assert "fewer than 10" in body  # the one police request
    assert "How these figures are computed" in body
    assert re.search(r"<h1>Transparency report: Quarter \d of \d{4}", body)


def test_a_period_in_progress_has_no_public_report_and_no_visit_computes_one(
    client: Client, world: World
) -> None:
    _requests(world)
    key = _current_quarter()
    for path in (f"/transparency/{key}/", f"/transparency/{key}.csv", f"/api/v1/transparency/{key}"):
        assert client.get(path).status_code == 404, path
    assert f"/transparency/{key}/" not in client.get("/transparency/").content.decode()
    assert client.get("/api/v1/transparency/periods").json() == []
    assert not PublishedReport.objects.exists() and not Checkpoint.objects.exists()


def test_an_anonymous_visit_writes_no_row_and_signs_no_checkpoint(
    client: Client, world: World, period_key: str
) -> None:
    # The ledger grows after publication: a visit must not sign a new checkpoint nor compute again.
    _requests(world)
    counts = (PublishedReport.objects.count(), Checkpoint.objects.count(), LedgerEntry.objects.count())
    paths = [
        "/transparency/",
        f"/transparency/{period_key}/",
        f"/transparency/{period_key}.csv",
        f"/transparency/{period_key}.json",
        f"/transparency/{period_key}.rows.json",
        f"/transparency/{period_key}.pdf",
        "/api/v1/transparency/periods",
        f"/api/v1/transparency/{period_key}",
        f"/transparency/{_current_quarter()}/",
    ]
    with CaptureQueriesContext(connection) as queries:
        for path in paths:
            assert client.get(path).status_code in (200, 404), path
    # Counting visits against abuse (a cache table) is not a row of the application's.
    caches = {str(cache.get("LOCATION", "")) for cache in settings.CACHES.values()} - {""}
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0].upper() in WRITES and not any(table in q["sql"] for table in caches)
    ]
    assert writes == []
    assert (
        PublishedReport.objects.count(),
        Checkpoint.objects.count(),
        LedgerEntry.objects.count(),
    ) == counts


WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE"}


def test_publishing_twice_publishes_once(
    world: World, period_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = PublishedReport.objects.get(period=period_key)
    _requests(world)
    with time_machine.travel(Period.parse(period_key).end + dt.timedelta(days=40), tick=False):
        call_command("transparency", "publish", "--dry-run")
        assert period_key not in capsys.readouterr().out
        call_command("transparency", "publish")
    assert PublishedReport.objects.get(period=period_key, published=True).pk == report.pk


def test_a_malformed_or_future_period_is_not_found(client: Client, world: World) -> None:
    assert client.get("/transparency/2026-Q5/").status_code == 404
    assert client.get("/transparency/2999-Q1/").status_code == 404
    assert client.get("/transparency/2999-H1.json").status_code == 404


def test_the_csv_has_every_published_cell_and_no_small_count(client: Client, period_key: str) -> None:
    response = client.get(f"/transparency/{period_key}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    ice = next(
        r
        for r in rows
        if r["table"] == "requests_by_requester_kind"
        and r["row"] == "immigration_enforcement"
        and r["column"] == "refused"
    )
    assert ice["count"] == "11"
    police = next(
        r
        for r in rows
        if r["table"] == "requests_by_requester_kind"
        and r["row"] == "municipal_police"
        and r["column"] == "total"
    )
    # The one police request is counted only among the withheld, with the fewest others that make 10.
    # Its line says it is withheld, with no count: a true zero reads 0.
    assert (police["count"], police["shown_as"]) == ("", "withheld")
    withheld = next(
        r
        for r in rows
        if r["table"] == "requests_by_requester_kind" and r["row"] == "withheld" and r["column"] == "total"
    )
    assert withheld["count"] == "11"
    assert all(r["count"] == "" or int(r["count"]) == 0 or int(r["count"]) >= 10 for r in rows)


def test_the_json_download_and_the_api_give_the_same_figures(client: Client, period_key: str) -> None:
    download = client.get(f"/transparency/{period_key}.json")
    assert download.status_code == 200
    figures = json.loads(download.content)
    api = client.get(f"/api/v1/transparency/{period_key}")
    assert api.status_code == 200
    assert api.json() == figures
    assert figures["period"]["key"] == period_key
    assert figures["checkpoint"]["size"] == PublishedReport.objects.get(period=period_key).checkpoint_size
    periods = client.get("/api/v1/transparency/periods").json()
    assert period_key in [p["key"] for p in periods]
    assert client.get("/api/v1/transparency/2026-Q9").status_code == 404


def test_the_pdf_is_a_printable_document(client: Client, period_key: str) -> None:
    response = client.get(f"/transparency/{period_key}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_time_a_report_was_computed_ends_its_sentence_with_one_full_stop(
    client: Client, period_key: str
) -> None:
    from brightline.transparency.templatetags.transparency import before_full_stop

    assert before_full_stop("Dec. 3, 2026, 2:58 p.m.") == "Dec. 3, 2026, 2:58 p.m"
    assert before_full_stop("3 de diciembre de 2026 a las 14:58") == "3 de diciembre de 2026 a las 14:58"
    page = client.get(f"/transparency/{period_key}/").content.decode()
    assert ".m.." not in page
