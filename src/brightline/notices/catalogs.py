"""The gettext catalogs of `brightline/locale`: where they are, how complete they are, compiling them.

Compiling uses Babel (pure Python), so a fresh machine needs no GNU gettext: `brightline
compile_catalogs` writes every `django.mo` next to its `django.po`, and `--check` fails when a committed
`.mo` does not say what its `.po` says.
"""

from __future__ import annotations

import gettext
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

from brightline.notices.texts import SOURCE_LANGUAGE, notice_msgids


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def translated_languages() -> list[str]:
    """Every language of settings.LANGUAGES except the source language."""
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def po_path(language: str) -> Path:
    return locale_dir() / to_locale(language) / "LC_MESSAGES" / "django.po"


def catalog_sha256(language: str) -> str:
    """The SHA-256 of the catalog's source text; a review is bound to it. Empty when there is none."""
    path = po_path(language)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=to_locale(language), abort_invalid=True)


@dataclass(frozen=True)
class CatalogCompleteness:
    language: str
    exists: bool
    total: int
    translated: int
    fuzzy: list[str]
    untranslated: list[str]
    missing: list[str]  # msgids the notices use that the catalog does not have

    @property
    def complete(self) -> bool:
        return self.exists and not self.fuzzy and not self.untranslated and not self.missing


def template_msgids() -> list[str]:
    """Every msgid of the package's templates that load `i18n` (the pages families and the public read:
    the family pages, home, sign-in and password reset, and each page translated since), read with
    Django's own `templatize` and Babel's Python extractor: no GNU gettext needed."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_python
    from django.utils.translation.template import templatize

    found: set[str] = set()
    for path in sorted(Path(settings.PACKAGE_DIR).glob("*/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        if "i18n" not in text or "{% load" not in text:
            continue
        source = io.BytesIO(templatize(text, origin=str(path)).encode("utf-8"))
        for _line, _function, messages, _comments in extract_python(source, DEFAULT_KEYWORDS, [], {}):
            message = messages if isinstance(messages, str) else messages[0] if messages else None
            if message:
                found.add(message)
    return sorted(found)


def module_msgids(*modules: str) -> list[str]:
    """The msgids of `_()`, `gettext_lazy()` and `gettext_noop()` calls in these modules' source."""
    import ast
    import importlib.util

    found: set[str] = set()
    for module in modules:
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "gettext", "gettext_lazy", "gettext_noop"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return sorted(found)


# Python modules whose words families and the public read on their pages (beside the notices' own
# `texts.py`).
PAGE_MODULES = (
    "brightline.disclosures.words",
    "brightline.disclosures.selectors",
    "brightline.web.views.family",
    # The policy page: the rules in words, and the labels of rules, obligations and lawful bases it shows.
    "brightline.web.views.public",
    "brightline.web.labels",
    # Every identifier's label (one place for all apps).
    "brightline.vocabulary",
    # The dashboards' destinations, and the transparency reports' published labels, charts and periods.
    "brightline.web.navigation",
    "brightline.transparency.words",
    "brightline.transparency.charts",
    "brightline.transparency.templatetags.transparency",
)


def needed_msgids() -> list[str]:
    """What every catalog must translate: the notices, the translated templates, the family's words."""
    return sorted(set(notice_msgids()) | set(template_msgids()) | set(module_msgids(*PAGE_MODULES)))


def catalog_completeness(language: str) -> CatalogCompleteness:
    """Every msgid translated and none fuzzy, and every msgid the notices and the translated pages use
    present."""
    path = po_path(language)
    needed = needed_msgids()
    if not path.exists():
        return CatalogCompleteness(language, False, 0, 0, [], [], needed)
    catalog = _read(path, language)
    fuzzy: list[str] = []
    untranslated: list[str] = []
    translated = 0
    present: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        present.add(msgid)
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy:
            fuzzy.append(msgid)
        elif not all(strings):
            untranslated.append(msgid)
        else:
            translated += 1
    return CatalogCompleteness(
        language=language,
        exists=True,
        total=len(present),
        translated=translated,
        fuzzy=fuzzy,
        untranslated=untranslated,
        missing=[msgid for msgid in needed if msgid not in present],
    )


def compiled_bytes(language: str) -> bytes:
    """The `.mo` for a catalog. Fuzzy entries are left out, as GNU msgfmt does."""
    buffer = io.BytesIO()
    write_mo(buffer, _read(po_path(language), language), use_fuzzy=False)
    return buffer.getvalue()


def _messages_of(data: bytes) -> dict[object, object]:
    return dict(gettext.GNUTranslations(io.BytesIO(data))._catalog)  # type: ignore[attr-defined]


def catalogs_compile(*, check: bool = False) -> list[tuple[str, str]]:
    """Compile every catalog; returns (language, "written" | "current" | "stale" | "missing")."""
    results: list[tuple[str, str]] = []
    for language in translated_languages():
        if not po_path(language).exists():
            results.append((language, "missing"))
            continue
        mo = po_path(language).with_suffix(".mo")
        data = compiled_bytes(language)
        current = mo.exists() and _messages_of(mo.read_bytes()) == _messages_of(data)
        if current:
            results.append((language, "current"))
        elif check:
            results.append((language, "stale"))
        else:
            mo.write_bytes(data)
            results.append((language, "written"))
    return results
