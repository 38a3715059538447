"""What a person reads on a page: its text without markup, scripts, styles or preformatted code."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _VisibleText(HTMLParser):
    """The words a person reads: text outside tags, without scripts, styles or the Cedar text."""

    hidden = {"script", "style", "pre", "head"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.hidden:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.hidden and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")
