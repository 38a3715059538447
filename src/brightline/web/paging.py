"""Lists a page at a time whatever their length (ten years of requests).

A list is counted exactly up to `COUNT_CAP` rows and no further (`SELECT COUNT(*)` over at most that
many rows: never 200,000 rows counted per view); beyond, the page says "more than" and offers the next
page while rows remain (each page reads one row more than it shows to know). Two statements a page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25
COUNT_CAP = 1000


@dataclass(frozen=True)
class ListPage:
    """One page of a list: its rows, its number, and the list's length when it is known (`total`,
    None past `COUNT_CAP`)."""

    object_list: list[Any]
    number: int
    per_page: int
    total: int | None
    cap: int
    has_next: bool
    param: str
    query: str

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        """The number of pages, or None when the list is longer than it is counted."""
        if self.total is None:
            return None
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def pages_counted(self) -> int:
        """The pages the count reached (shown as "more than" this many when the list is longer)."""
        return self.cap // self.per_page

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _number(value: str | None) -> int:
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return 1
    return max(1, int(text))


def query_without(request: HttpRequest, param: str) -> str:
    """The page's other parameters (its filters, other lists' pages), for the links to other pages."""
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()


def bounded_page(
    request: HttpRequest,
    rows: QuerySet[Any] | list[Any],
    *,
    param: str = "page",
    size: int = PAGE_SIZE,
    cap: int = COUNT_CAP,
) -> ListPage:
    """The page of `rows` the request asks for (`?page=`, or `param`); a number past the end reads the
    last page when the list's length is known."""
    number = _number(request.GET.get(param))
    if isinstance(rows, list):
        counted = min(len(rows), cap + 1)
    else:
        # At most cap + 1 rows counted, in no order (the count needs none).
        counted = rows.order_by()[: cap + 1].count()
    total = counted if counted <= cap else None
    if total is not None:
        number = min(number, max(1, math.ceil(total / size)))
    start = (number - 1) * size
    found = list(rows[start : start + size + 1])
    return ListPage(
        object_list=found[:size],
        number=number,
        per_page=size,
        total=total,
        cap=cap,
        has_next=len(found) > size,
        param=param,
        query=query_without(request, param),
    )
