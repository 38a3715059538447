"""Small-cell suppression with complementary suppression, for tables published with their margins.

A table is an R × C matrix of counts. It is published *extended*: a total for every row (last column),
a total for every column (last row) and the grand total (bottom-right). Each row and each column of the
extended grid is a line whose inner cells add up to its margin cell, so a reader who sees all but one
cell of a line can work out the missing one by subtraction. The rule guarantees that never happens:

1. Primary suppression: every cell (margins included) holding 1 to 9 is shown as "fewer than 10".
2. Complementary suppression: while some line has exactly one suppressed cell (the first such line in
   reading order: rows, then columns), withhold one more of its non-zero shown cells, chosen to lose the
   least: the cell whose crossing lines end up with the fewest lines holding a single suppressed cell (a
   cell that closes another such line costs nothing more, one that opens a new line starts a cascade),
   then the smallest, then the first in reading order (inner cells before the margin).
3. Tables that publish the same column totals (a *group*: the same requests broken down by requester
   kind, by purpose, by legal process …) share their totals row: a total is one cell that lies in the
   totals row and in a column of every table of the group, so suppressing it counts in all of them.

Zero is published as zero. Every suppressed cell is non-zero, so a line with one suppressed cell always
has another non-zero cell to suppress (at worst its margin), and the loop ends because cells are only
ever added.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from enum import StrEnum

SMALL_MAX = 9


class Mark(StrEnum):
    SHOWN = "shown"
    FEWER_THAN_10 = "fewer_than_10"  # 1 to 9: primary suppression
    WITHHELD = "withheld"  # shown nowhere so that a small cell cannot be worked out


Grid = list[list[int]]
Marks = list[list[Mark]]


def extend(cells: Sequence[Sequence[int]], columns: int | None = None) -> Grid:
    """The table with its margins: a total column on the right, a total row at the bottom."""
    width = columns if columns is not None else (len(cells[0]) if cells else 0)
    grid = [[*row, sum(row)] for row in (list(r) for r in cells)]
    totals = [sum(row[c] for row in grid) for c in range(width)]
    grid.append([*totals, sum(totals)])
    return grid


# A cell of a group: (table, row, column). The totals row is shared, so its cells are named in table 0.
Cell = tuple[int, int, int]


class _Group:
    """The cells and lines of a group of extended grids that share their totals row."""

    def __init__(self, grids: Sequence[Grid]) -> None:
        self.grids = grids
        self.last = {index: len(grid) - 1 for index, grid in enumerate(grids)}
        self.lines: list[tuple[Cell, ...]] = []
        for index, grid in enumerate(grids):
            rows, columns = len(grid), len(grid[0])
            for r in range(rows):
                if index and r == rows - 1:
                    continue  # the shared totals row is one line, kept with table 0
                self.lines.append(tuple(self.cell(index, r, c) for c in range(columns)))
            for c in range(columns):
                self.lines.append(tuple(self.cell(index, r, c) for r in range(rows)))
        self.lines_of: dict[Cell, list[int]] = {}
        for number, line in enumerate(self.lines):
            for cell in line:
                self.lines_of.setdefault(cell, []).append(number)

    def cell(self, index: int, row: int, column: int) -> Cell:
        return (0, len(self.grids[0]) - 1, column) if row == self.last[index] else (index, row, column)

    def value(self, cell: Cell) -> int:
        return self.grids[cell[0]][cell[1]][cell[2]]


def _complete(group: _Group, hidden: dict[Cell, Mark]) -> None:
    """Step 2: withhold cells until no line has exactly one suppressed cell (see the module doc)."""
    counts = [sum(cell in hidden for cell in line) for line in group.lines]
    single = [number for number, count in enumerate(counts) if count == 1]
    heapq.heapify(single)

    def cost(line: int, position: int, cell: Cell) -> tuple[int, int, int]:
        """Lines left with a single suppressed cell if `cell` is withheld, its value, its place."""
        crossing = [counts[other] for other in group.lines_of[cell] if other != line]
        opened = sum(1 for count in crossing if count == 0)
        closed = sum(1 for count in crossing if count == 1)
        return (opened - closed, group.value(cell), position)

    while single:
        number = heapq.heappop(single)
        if counts[number] != 1:
            continue  # counts only grow: this line has been closed since it was queued
        candidates = [
            (position, cell)
            for position, cell in enumerate(group.lines[number])
            if cell not in hidden and group.value(cell)
        ]
        # Every suppressed cell is non-zero, so the line's other cells cannot all be zero.
        assert candidates, "a line with one non-zero suppressed cell has another non-zero cell"
        _, chosen = min(candidates, key=lambda candidate: cost(number, *candidate))
        hidden[chosen] = Mark.WITHHELD
        for other in group.lines_of[chosen]:
            counts[other] += 1
            if counts[other] == 1:
                heapq.heappush(single, other)


def suppress_group(grids: Sequence[Grid]) -> list[Marks]:
    """Marks for extended grids that share their last row (the column totals and grand total).

    Each grid must already include its margins (see `extend`); shared rows must be equal.
    """
    if not grids:
        return []
    shared = grids[0][-1]
    for grid in grids[1:]:
        if grid[-1] != shared:
            raise ValueError("tables of one group must publish the same column totals")
    group = _Group(grids)
    hidden = {cell: Mark.FEWER_THAN_10 for cell in group.lines_of if 1 <= group.value(cell) <= SMALL_MAX}
    _complete(group, hidden)
    return [
        [
            [hidden.get(group.cell(index, r, c), Mark.SHOWN) for c in range(len(row))]
            for r, row in enumerate(grid)
        ]
        for index, grid in enumerate(grids)
    ]


def suppress(grid: Grid) -> Marks:
    """Marks for one extended grid."""
    return suppress_group([grid])[0]


def published(grid: Grid, marks: Marks) -> list[list[int | None]]:
    """What a reader sees: the count, or None where it was suppressed."""
    return [
        [value if mark is Mark.SHOWN else None for value, mark in zip(row, mark_row, strict=True)]
        for row, mark_row in zip(grid, marks, strict=True)
    ]
