"""The printed transparency report: a tagged PDF (PDF/UA-1) a screen reader can read, in words, without
codes, raw timestamps or pages left nearly empty. A page is kept as a PNG under
`test-artifacts/transparency/` for a person to look at."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from brightline.accounts.models import Role
from brightline.incidents.models import ReportingUnit
from brightline.incidents.services import staff_school_assign
from brightline.testing import World, make_user
from brightline.training.services import training_seed_completed
from brightline.transparency.exports import report_print_html
from brightline.transparency.selectors import report_public
from brightline.transparency.tests.test_flows import publish, quarter_one

pytestmark = pytest.mark.django_db

pypdf = pytest.importorskip("pypdf")

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "transparency"
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# The shortest text a page may hold: less is a stray page (a heading or a line cut off from its section).
SHORTEST_PAGE = 300


@pytest.fixture
def printed(world: World) -> tuple[bytes, Any]:
    officer = make_user("officer", Role.SCHOOL_STAFF, first="Olu", last="Officer", position="School officer")
    staff_school_assign(user=world.principal, school=world.school)
    staff_school_assign(user=officer, school=world.school, unit=ReportingUnit.SCHOOL_POLICE)
    training_seed_completed(users=[officer])
    quarter_one(world, officer)
    report = publish("2025-Q1")
    response = Client().get("/transparency/2025-Q1.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content, report


def test_the_printed_report_is_a_tagged_pdf_in_words_without_stray_pages(printed: tuple[bytes, Any]) -> None:
    pdf, report = printed
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title.startswith("Transparency report: Quarter 1 of 2025")

    pages = [page.extract_text() or "" for page in reader.pages]
    flat = " ".join(" ".join(pages).split())
    for words in (
        "What crossed the line",
        "Requests refused because of onward sharing or immigration",
        "It cannot show requests the district never received.",
        "Weapon reports routed under c.71 s.37L",
        "brightline report verify",
        "page 1 of",
    ):
        assert words in flat, words
    assert not IDENTIFIER.findall(flat), sorted(set(IDENTIFIER.findall(flat)))
    assert not ISO_TIME.search(flat), ISO_TIME.search(flat)
    assert "README" not in flat and "src/brightline" not in flat
    short = [(number, len(text)) for number, text in enumerate(pages, start=1) if len(text) < SHORTEST_PAGE]
    assert not short, f"pages with almost nothing on them: {short}"


def test_a_page_of_the_printed_report_is_kept_as_an_image(printed: tuple[bytes, Any]) -> None:
    """With pdftoppm the PDF's first page itself; without it (this machine), the HTML WeasyPrint prints,
    photographed in Chromium at a letter page's width."""
    pdf, report = printed
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "transparency-report.pdf").write_bytes(pdf)
    image = ARTIFACTS / "transparency-report-page-1.png"
    if shutil.which("pdftoppm"):
        subprocess.run(  # noqa: S603 - a fixed program on a file this test wrote
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(ARTIFACTS / "transparency-report.pdf"),
                str(image.with_suffix("")),
            ],  # noqa: E501
            check=True,
        )
    else:
        chromium = os.environ.get("BRIGHTLINE_CHROMIUM", "/usr/bin/chromium")
        playwright = pytest.importorskip("playwright.sync_api")
        if not Path(chromium).is_file():
            pytest.skip("no Chromium to photograph the report")
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        found = report_public("2025-Q1")
        assert found is not None
        period, published = found
        html = report_print_html(
            published.figures,
            context={"period": period, "report": published, "district_name": settings.DISTRICT_NAME},
        )
        with playwright.sync_playwright() as session:
            browser = session.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
            page = browser.new_page(viewport={"width": 816, "height": 1056})
            page.set_content(html)
            page.emulate_media(media="print")
            page.screenshot(path=str(image), full_page=False)
            browser.close()
    assert image.stat().st_size > 1000
