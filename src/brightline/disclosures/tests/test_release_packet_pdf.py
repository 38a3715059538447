"""The release packet a detective can file: the district's letterhead, the request, each student with each
released category as labelled fields (the data inventory's labels), the basis and the redisclosure terms
in words, local times and page numbers, in a tagged PDF (PDF/UA-1) a screen reader can read; the JSON
stays the source and its SHA-256 is stamped on it. No identifier, Python list or raw timestamp is printed.

A page of the packet is kept as a PNG under `test-artifacts/packets/` for a person to look at."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from brightline.disclosures.models import ReleasePacket
from brightline.disclosures.packets import packet_html
from brightline.disclosures.tests.test_what_a_packet_carries import dcf_token, delivered, submit
from brightline.formats.local import zone_words
from brightline.roster.models import DataField
from brightline.testing import World, request_body

pytestmark = pytest.mark.django_db

pypdf = pytest.importorskip("pypdf")

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "packets"
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def released_abuse_investigation(world: World) -> tuple[ReleasePacket, dict, str, bytes]:  # type: ignore[type-arg]
    body = request_body(
        world.alice,
        purpose="child_abuse_investigation",
        description="51A report received about the household",
        categories=["directory", "contact", "attendance"],
    )
    request = submit(world, world.dcf, world.dcf_investigator, body)
    content, text = delivered(world, request, dcf_token(world), "Ines Costa")
    packet = ReleasePacket.objects.get(request=request)
    return packet, content, text, packet.pdf.open("rb").read()


def test_the_packet_is_a_tagged_pdf_in_words(world: World) -> None:
    packet, content, text, pdf = released_abuse_investigation(world)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    # Tagged: a structure tree, marked content, a language and a title shown as the window's title.
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title == f"Release of student records, request {packet.request.reference}"

    # The letterhead, the request, the basis and the redisclosure terms, in words.
    flat = " ".join(text.split())
    for words in (
        "Records office",
        "Release of student records",
        f"Request {packet.request.reference}",
        "Child-protective services",
        "Basis of this release",
        "Notice to the recipient: limits on redisclosure",
        "34 CFR 99.33",
        "Contact information",
        "Directory information",
        "Page 1 of",
    ):
        assert words in flat, words
    # Each released field under the data inventory's label, never its key.
    for category in content["students"][0]["categories"]:
        for name in category["fields"]:
            inventory_label = DataField.objects.get(category=category["category"], field_name=name).label
            assert inventory_label in flat, (name, inventory_label)
    # Local times, formatted; no identifier, list syntax, raw timestamp or database id.
    released = timezone.localtime(packet.released_at)
    # Paper has no footer to say the time zone: each time carries it, in words.
    assert released.strftime("%B") in flat and f"({zone_words()})" in flat
    assert not IDENTIFIER.findall(flat), IDENTIFIER.findall(flat)
    assert "['" not in flat and "{'" not in flat
    assert not ISO_TIME.search(flat) and not ISO_DATE.search(flat), flat
    assert str(packet.request.pk) not in flat
    # The JSON is the source: its hash is stamped.
    assert packet.content_sha256 in "".join(text.split())
    assert content["released_at"] == packet.released_at.isoformat()


def test_a_page_of_the_packet_is_kept_as_an_image_for_a_person(world: World) -> None:
    """pdftoppm is not on this machine: the packet's HTML (the very document WeasyPrint prints) is
    photographed in Chromium at a letter page's width when Chromium and Playwright are there."""
    packet, _content, _text, _pdf = released_abuse_investigation(world)
    chromium = os.environ.get("BRIGHTLINE_CHROMIUM", "/usr/bin/chromium")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "release-packet.pdf").write_bytes(_pdf)
    if shutil.which("pdftoppm"):
        import subprocess

        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                str(ARTIFACTS / "release-packet.pdf"),
                str(ARTIFACTS / "release-packet-page"),
            ],
            check=True,
        )
        return
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(chromium).is_file():
        pytest.skip("no Chromium to photograph the packet")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    html = packet_html(packet)
    with playwright.sync_playwright() as session:
        browser = session.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 816, "height": 1056})
        page.set_content(html)
        page.emulate_media(media="print")
        page.screenshot(path=str(ARTIFACTS / "release-packet-page-1.png"), full_page=False)
        browser.close()
    assert (ARTIFACTS / "release-packet-page-1.png").stat().st_size > 1000
