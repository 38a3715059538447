"""Small-cell suppression: generated tables, and an attacker who solves every line with one unknown."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brightline.transparency.suppression import Mark, extend, published, suppress, suppress_group

counts = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 60), st.integers(0, 500))


def tables(min_rows: int = 1, max_rows: int = 7, columns: int | None = None):
    width = st.just(columns) if columns is not None else st.integers(1, 6)
    return width.flatmap(
        lambda c: st.lists(st.lists(counts, min_size=c, max_size=c), min_size=min_rows, max_size=max_rows)
    )


def attack(views: list[list[list[int | None]]]) -> list[dict[tuple[int, int], int]]:
    """Recover what the linear attack can: in any line of any extended grid with exactly one unknown,
    the unknown is its margin minus the rest (or the sum of the rest, for the margin). Tables of a group
    share their totals row, so a total learnt in one is known in all. Repeats until nothing new."""
    grids = [[list(row) for row in view] for view in views]
    original = [[list(row) for row in view] for view in views]
    changed = True
    while changed:
        changed = False
        for grid in grids:
            rows, columns = len(grid), len(grid[0])
            lines = [[(r, c) for c in range(columns)] for r in range(rows)]
            lines += [[(r, c) for r in range(rows)] for c in range(columns)]
            for line in lines:
                unknown = [cell for cell in line if grid[cell[0]][cell[1]] is None]
                if len(unknown) != 1:
                    continue
                r, c = unknown[0]
                inner, margin = line[:-1], line[-1]
                if (r, c) == margin:
                    grid[r][c] = sum(grid[x][y] for x, y in inner)  # type: ignore[misc]
                else:
                    grid[r][c] = grid[margin[0]][margin[1]] - sum(  # type: ignore[operator]
                        grid[x][y] for x, y in inner if (x, y) != (r, c)
                    )
                changed = True
        for column in range(len(grids[0][-1])):
            known = [g[-1][column] for g in grids if g[-1][column] is not None]
            if known:
                for g in grids:
                    if g[-1][column] is None:
                        g[-1][column] = known[0]
                        changed = True
    return [
        {
            (r, c): value
            for r, row in enumerate(grid)
            for c, value in enumerate(row)
            if original[i][r][c] is None and value is not None
        }
        for i, grid in enumerate(grids)
    ]


def check_nothing_recoverable(grids: list[list[list[int]]], marks) -> None:
    views = [published(grid, grid_marks) for grid, grid_marks in zip(grids, marks, strict=True)]
    for grid, grid_marks in zip(grids, marks, strict=True):
        for row, mark_row in zip(grid, grid_marks, strict=True):
            for value, mark in zip(row, mark_row, strict=True):
                if 1 <= value <= 9:
                    assert mark is Mark.FEWER_THAN_10
                if value == 0:
                    assert mark is Mark.SHOWN
    recovered = attack(views)
    assert recovered == [{} for _ in grids], f"recovered hidden cells: {recovered}"


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_suppressed_cell_can_be_recovered_from_the_published_cells_and_margins(cells) -> None:
    grid = extend(cells)
    check_nothing_recoverable([grid], [suppress(grid)])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5).flatmap(lambda c: st.tuples(tables(columns=c), tables(columns=c), st.randoms())))
def test_tables_sharing_their_totals_leak_nothing_through_one_another(drawn) -> None:
    first, second_shape, random = drawn
    # A second breakdown of the same requests: same column totals, split over other rows at random.
    totals = extend(first)[-1][:-1]
    rows = len(second_shape)
    second = [[0] * len(totals) for _ in range(rows)]
    for column, total in enumerate(totals):
        for _ in range(total):
            second[random.randrange(rows)][column] += 1
    grids = [extend(first), extend(second)]
    check_nothing_recoverable(grids, suppress_group(grids))


def test_a_lone_small_cell_takes_its_smallest_neighbours_with_it() -> None:
    grid = extend([[5, 40, 12], [30, 31, 50]])
    marks = suppress(grid)
    assert marks[0][0] is Mark.FEWER_THAN_10
    # Row 0 has one hidden cell: the 12 is withheld; column 0 has one: the 30 is withheld; and so on.
    assert marks[0][2] is Mark.WITHHELD and marks[1][0] is Mark.WITHHELD
    assert published(grid, marks)[0] == [None, 40, None, 57]


def test_a_total_of_fewer_than_10_is_hidden_and_zeros_are_shown() -> None:
    grid = extend([[0, 3], [0, 0]])
    marks = suppress(grid)
    view = published(grid, marks)
    assert view == [[0, None, None], [0, 0, 0], [0, None, None]]


def test_tables_must_share_the_same_totals_to_be_suppressed_together() -> None:
    with pytest.raises(ValueError):
        suppress_group([extend([[1, 2]]), extend([[2, 2]])])


def test_the_attacker_recovers_a_lone_small_cell_when_only_small_cells_are_hidden() -> None:
    grid = extend([[5, 40], [30, 31]])
    primary_only = [[Mark.FEWER_THAN_10 if 1 <= v <= 9 else Mark.SHOWN for v in row] for row in grid]
    assert attack([published(grid, primary_only)]) == [{(0, 0): 5}]


def test_a_margin_that_closes_another_line_is_withheld_rather_than_starting_a_cascade() -> None:
    # 10 abuse reports to child protection, 1 emergency disclosure to the police. Withholding the
    # column total 10 would take the 10 and its row total with it; the grand total costs nothing more.
    grid = extend([[0, 10], [1, 0]])
    view = published(grid, suppress(grid))
    assert view == [[0, 10, 10], [None, 0, None], [None, 10, None]]
    assert attack([view]) == [{}]
