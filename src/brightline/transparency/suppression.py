"""Small-cell suppression with complementary suppression, for tables published with their margins.

A table is an R × C matrix of counts. It is published *extended*: a total for every row (last column),
a total for every column (last row) and the grand total (bottom-right). Each row and each column of the
extended grid is a line whose inner cells add up to its margin cell, so a reader who sees all but one
cell of a line can work out the missing one by subtraction. The rule guarantees that never happens:

1. Primary suppression: every cell (margins included) holding 1 to 9 is shown as "fewer than 10".
2. Complementary suppression: while some line has exactly one suppressed cell, suppress the smallest
   non-zero cell of that line that is still shown (ties: the first in reading order, inner cells before
   the margin) and look again, until every line has none or at least two suppressed cells.
3. Tables that publish the same column totals (a *group*: the same requests broken down by requester
   kind, by purpose, by legal process …) share their totals row: a total suppressed in one table is
   suppressed in all of them, and step 2 runs again until nothing changes.

Zero is published as zero. Every suppressed cell is non-zero, so a line with one suppressed cell always
has another non-zero cell to suppress (at worst its margin), and the loop ends because cells are only
ever added.
"""

from __future__ import annotations

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


def _lines(rows: int, columns: int) -> list[list[tuple[int, int]]]:
    """Each row and each column of an extended grid, inner cells first and its margin last."""
    by_row = [[(r, c) for c in range(columns)] for r in range(rows)]
    by_column = [[(r, c) for r in range(rows)] for c in range(columns)]
    return by_row + by_column


def _complete(grid: Grid, marks: Marks) -> bool:
    """One pass of step 2 over every line; True when something was suppressed."""
    rows, columns = len(grid), len(grid[0])
    changed = False
    for line in _lines(rows, columns):
        hidden = [cell for cell in line if marks[cell[0]][cell[1]] is not Mark.SHOWN]
        if len(hidden) != 1:
            continue
        candidates = [
            cell for cell in line if marks[cell[0]][cell[1]] is Mark.SHOWN and grid[cell[0]][cell[1]]
        ]
        # Every suppressed cell is non-zero, so the line's other cells cannot all be zero.
        assert candidates, "a line with one non-zero suppressed cell has another non-zero cell"
        r, c = min(candidates, key=lambda cell: grid[cell[0]][cell[1]])
        marks[r][c] = Mark.WITHHELD
        changed = True
    return changed


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
    marks = [
        [[Mark.FEWER_THAN_10 if 1 <= value <= SMALL_MAX else Mark.SHOWN for value in row] for row in grid]
        for grid in grids
    ]
    changed = True
    while changed:
        changed = False
        for grid, grid_marks in zip(grids, marks, strict=True):
            while _complete(grid, grid_marks):
                changed = True
        for column in range(len(shared)):
            hidden = [m[-1][column] for m in marks if m[-1][column] is not Mark.SHOWN]
            if hidden:
                mark = Mark.FEWER_THAN_10 if Mark.FEWER_THAN_10 in hidden else Mark.WITHHELD
                for grid_marks in marks:
                    if grid_marks[-1][column] is Mark.SHOWN:
                        grid_marks[-1][column] = mark
                        changed = True
    return marks


def suppress(grid: Grid) -> Marks:
    """Marks for one extended grid."""
    return suppress_group([grid])[0]


def published(grid: Grid, marks: Marks) -> list[list[int | None]]:
    """What a reader sees: the count, or None where it was suppressed."""
    return [
        [value if mark is Mark.SHOWN else None for value, mark in zip(row, mark_row, strict=True)]
        for row, mark_row in zip(grid, marks, strict=True)
    ]
