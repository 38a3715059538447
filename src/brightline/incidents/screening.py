"""What an incident report may never hold: immigration or citizenship status, place of birth, ethnicity,
suspected gang affiliation.

A school police report that records these feeds exactly the pipeline the district's policy closes
(M.G.L. c.71 s.37L; the Boston Trust Act; Plyler v. Doe). The forms and the API have no such fields;
an unknown key that names one is refused with the reason, and free text and attached PDFs are screened
for the obvious phrases, in the district's main languages. Screening catches the obvious cases only: a
match is shown to the person recording, who must confirm that the text records none of these things
before it is kept.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

WHY = (
    "an incident report never records a student's immigration or citizenship status, place of birth, "
    "ethnicity or suspected gang affiliation (M.G.L. c.71 s.37L; the Boston Trust Act; Plyler v. Doe)"
)

# Words in a field name that show it is meant to hold something forbidden (compared after folding
# case, accents and separators: "Gang_Affiliation", "gang-affiliation" and "gangAffiliation" alike).
_FORBIDDEN_KEY_PARTS = (
    "immigration",
    "citizenship",
    "nationality",
    "alienstatus",
    "undocumented",
    "placeofbirth",
    "birthplace",
    "countryofbirth",
    "birthcountry",
    "countryoforigin",
    "ethnic",
    "gang",
)
# Short words that are only refused as the whole name ("visa", not "improvisation").
_FORBIDDEN_KEYS = frozenset({"visa", "visastatus", "race", "alien", "citizen", "bornin", "origin", "pob"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def forbidden_key(key: str) -> bool:
    """Whether a field name asks for something an incident report never records."""
    folded = _fold(key)
    return folded in _FORBIDDEN_KEYS or any(part in folded for part in _FORBIDDEN_KEY_PARTS)


def unknown_key_errors(
    data: Mapping[str, Any], allowed: Iterable[str], prefix: str = ""
) -> list[tuple[str, str]]:
    """An error for each key that is not a field of the form, with the reason when it names a
    forbidden subject."""
    allowed = set(allowed)
    errors: list[tuple[str, str]] = []
    for key in data:
        if key in allowed:
            continue
        path = f"{prefix}{key}"
        if forbidden_key(str(key)):
            errors.append((path, f"refused: {WHY}"))
        else:
            errors.append((path, "unknown field"))
    return errors


# Phrases screened in free text. Each pattern is matched case-insensitively on word boundaries, except
# where a capitalised acronym must not match an ordinary word ("ICE" is not "ice on the steps").
_PHRASES: list[tuple[str, str]] = [
    # English
    (r"undocumented", "immigration status"),
    (r"illegal(?:ly)?\s+(?:alien|immigrant)s?", "immigration status"),
    (r"illegals", "immigration status"),
    (r"(?:un)?lawful\s+(?:permanent\s+)?(?:resident|status)", "immigration status"),
    (r"immigration\s+status", "immigration status"),
    (r"immigration", "immigration status"),
    (r"deport(?:ed|ation|able)?", "immigration status"),
    (r"green\s+card", "immigration status"),
    (r"visa\s+(?:status|overstay)", "immigration status"),
    (r"citizenship", "citizenship"),
    (r"not\s+a\s+(?:U\.?S\.?\s+)?citizen", "citizenship"),
    (r"born\s+in", "place of birth"),
    (r"place\s+of\s+birth|birthplace|country\s+of\s+(?:birth|origin)", "place of birth"),
    (r"ethnicity|ethnic\s+(?:origin|background|group)", "ethnicity"),
    (
        r"gang\s+(?:member|members|membership|affiliat\w*|associate\w*|involve\w*|colors|sign)",
        "gang affiliation",
    ),
    (r"gang[- ]?(?:banger|banging|related)", "gang affiliation"),
    (r"MS[- ]?13|mara\s+salvatrucha|18(?:th)?\s+street\s+gang|barrio\s+18", "gang affiliation"),
    # Spanish
    (r"indocumentad[oa]s?|sin\s+papeles|inmigrantes?\s+ilegal(?:es)?", "immigration status"),
    (r"estatus\s+migratorio|situaci[oó]n\s+migratoria|inmigraci[oó]n", "immigration status"),
    (r"ciudadan[ií]a|nacid[oa]\s+en|lugar\s+de\s+nacimiento|pa[ií]s\s+de\s+origen", "place of birth"),
    (r"etnia|etnicidad", "ethnicity"),
    (r"pandiller[oa]s?|miembro\s+de\s+(?:una\s+)?pandilla|pandilla", "gang affiliation"),
    # Portuguese
    (
        r"sem\s+documentos|indocumentad[oa]|situa[cç][aã]o\s+migrat[oó]ria|imigra[cç][aã]o",
        "immigration status",
    ),
    (r"cidadania|nascid[oa]\s+(?:em|no|na)|local\s+de\s+nascimento", "place of birth"),
    (r"etnia", "ethnicity"),
    (r"membro\s+de\s+gangue|gangue", "gang affiliation"),
    # French and Haitian Creole
    (r"sans[- ]papiers|statut\s+d'immigration|immigration\s+ill[eé]gale|imigrasyon", "immigration status"),
    (r"citoyennet[eé]|n[eé]e?\s+(?:en|au|à)|lieu\s+de\s+naissance|sitwayènte|fèt\s+nan", "place of birth"),
    (r"ethnie|origine\s+ethnique", "ethnicity"),
    (r"membre\s+d'un\s+gang|manm\s+gang", "gang affiliation"),
    # Vietnamese
    (r"không\s+có\s+giấy\s+tờ|nhập\s+cư", "immigration status"),
    (r"quốc\s+tịch", "citizenship"),
    (r"sinh\s+ra\s+ở", "place of birth"),
    (r"dân\s+tộc", "ethnicity"),
    (r"băng\s+đảng", "gang affiliation"),
]
_CASE_SENSITIVE: list[tuple[str, str]] = [
    (r"ICE|I\.C\.E\.|CBP|DHS|HSI", "immigration enforcement"),
]
_COMPILED = [
    (re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE), subject) for pattern, subject in _PHRASES
] + [(re.compile(rf"(?<!\w)(?:{pattern})(?!\w)"), subject) for pattern, subject in _CASE_SENSITIVE]


@dataclass(frozen=True, slots=True)
class ScreeningMatch:
    field: str
    phrase: str
    subject: str

    def message(self) -> str:
        return (
            f"the text contains {self.phrase!r}, which suggests a student's {self.subject}: {WHY}. Remove "
            "it, or confirm that the text records nothing of the kind (for example, words a student said "
            "that are themselves the threat)"
        )

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "phrase": self.phrase, "subject": self.subject}


def screen_text(field: str, text: str) -> list[ScreeningMatch]:
    """Every obvious mention of a forbidden subject in `text`, once per phrase, in order of appearance."""
    found: dict[str, ScreeningMatch] = {}
    hits: list[tuple[int, ScreeningMatch]] = []
    for pattern, subject in _COMPILED:
        for match in pattern.finditer(text or ""):
            phrase = match.group(0).strip()
            key = phrase.casefold()
            if key not in found:
                found[key] = ScreeningMatch(field=field, phrase=phrase, subject=subject)
                hits.append((match.start(), found[key]))
    return [match for _, match in sorted(hits, key=lambda pair: pair[0])]


def pdf_text(data: bytes) -> tuple[str | None, str]:
    """The text of a PDF and a note for the person recording: (None, why) when it cannot be screened."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None, "pypdf is not installed on this server, so the attachment's text was not screened"
    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # noqa: BLE001 - any unreadable PDF is kept; only its text goes unscreened
        return None, "the attachment's text could not be read, so it was not screened"
    if not text.strip():
        return "", "the attachment holds no text (a scan?), so there was nothing to screen"
    return text, "the attachment's text was screened"


def text_screening_available() -> bool:
    try:
        import pypdf  # noqa: F401
    except ImportError:
        return False
    return True
