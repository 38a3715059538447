"""The family's letters and the day's batch of them are tagged PDFs (PDF/UA-1), as the release packet is:
a structure tree, marked content, the letter's language and its title, so a screen reader can read them."""

from __future__ import annotations

import io

import pypdf
import pytest

from brightline.notices.letters import letter_pdf, letters_pdf
from brightline.notices.tests.test_letters import _notices
from brightline.testing import World

pytestmark = pytest.mark.django_db


def _root(pdf: bytes) -> tuple[pypdf.PdfReader, dict]:  # type: ignore[type-arg]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return reader, reader.trailer["/Root"]


def _tags(reader: pypdf.PdfReader) -> set[str]:
    """The structure types of the document's tags (P, H1, Table…)."""
    found: set[str] = set()
    stack = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if isinstance(node, pypdf.generic.DictionaryObject):
            if "/S" in node:
                found.add(str(node["/S"]))
            kids = node.get("/K")
            if kids is not None:
                kids = kids.get_object()
                stack.extend(kid.get_object() for kid in (kids if isinstance(kids, list) else [kids]))
        elif isinstance(node, list):
            stack.extend(kid.get_object() for kid in node)
    return found


@pytest.mark.parametrize(("language", "lang"), [("es", "es"), ("ar", "ar"), ("zh-hans", "zh-Hans")])
def test_a_family_letter_is_a_tagged_pdf_in_the_family_language(
    world: World, language: str, lang: str
) -> None:
    reader, root = _root(letter_pdf(_notices(world, language)[0]))
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == lang
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title
    assert "/P" in _tags(reader)


def test_the_day_batch_of_letters_is_a_tagged_pdf_with_every_letter(world: World) -> None:
    notices = _notices(world, "es")[:2] + _notices(world, "en")[:1]
    reader, root = _root(letters_pdf(notices))
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root.get("/Lang")
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert len(reader.pages) >= len(notices)
    assert "/P" in _tags(reader)


def test_an_empty_batch_is_tagged_too(world: World) -> None:
    _reader, root = _root(letters_pdf([]))
    assert "/StructTreeRoot" in root and root["/Lang"] == "en"
