"""Small-cell suppression: primary (<5) and complementary, so nothing is recomputable."""

from __future__ import annotations

import random

from feedback_api.dashboard.schemas import Table
from feedback_api.dashboard.suppression import share, suppress_list, suppress_table
from tests.feedback_api.dashboard.reference import check_protected


def as_table(cells: list[list[int]]) -> Table:
    s = suppress_table(cells)
    n, m = len(cells), len(cells[0])
    return Table(
        name="t",
        rows=[str(i) for i in range(n)],
        row_labels=[""] * n,
        columns=[str(j) for j in range(m)],
        column_labels=[""] * m,
        cells=s.cells,
        row_totals=s.row_totals,
        column_totals=s.column_totals,
        total=s.total,
    )


def test_a_small_cell_is_withheld_and_its_row_and_column_get_a_complement() -> None:
    # Without complements, 3 = 25 - 10 - 12 (row) and 3 = 11 - 8 (column).
    table = suppress_table([[3, 10, 12], [8, 9, 20]])
    assert table.cells == [["<5", "x", 12], ["x", "x", 20]]
    assert table.row_totals == [25, 37]
    assert table.column_totals == [11, 19, 32]
    assert table.total == 62


def test_the_complement_is_the_smallest_published_inner_cell() -> None:
    table = suppress_table([[2, 50, 7, 30], [40, 41, 42, 43], [44, 45, 46, 47]])
    assert table.cells[0] == ["<5", 50, "x", 30]
    # Column 0 and column 2 each had one withheld cell: their smallest is withheld too.
    assert table.cells[1] == ["x", 41, "x", 43]
    assert table.row_totals == [89, 166, 182]


def test_zero_is_below_five_too() -> None:
    # In a 2 x 2 table with published totals, one small cell hides all four.
    assert suppress_table([[0, 9], [9, 9]]).cells == [["<5", "x"], ["x", "x"]]


def test_a_small_total_is_withheld_with_its_cells() -> None:
    table = suppress_table([[1, 2], [30, 40]])
    assert table.cells[0] == ["<5", "<5"]
    assert table.row_totals == ["<5", "x"]  # else 3 = 73 - 70
    # The column of row totals has one withheld member: a complement keeps 3 unknown.
    check_protected(
        Table(
            name="t",
            rows=["a", "b"],
            row_labels=["", ""],
            columns=["x", "y"],
            column_labels=["", ""],
            cells=table.cells,
            row_totals=table.row_totals,
            column_totals=table.column_totals,
            total=table.total,
        )
    )


def test_the_iteration_reaches_a_table_where_no_line_has_a_single_withheld_cell() -> None:
    rng = random.Random(7)
    for _ in range(300):
        n, m = rng.randint(1, 6), rng.randint(1, 8)
        cells = [[rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for _ in range(m)] for _ in range(n)]
        table = as_table(cells)
        check_protected(table)
        for i in range(n):
            for j in range(m):
                shown = table.cells[i][j]
                if cells[i][j] < 5:
                    assert shown == "<5"
                elif shown != "x":
                    assert shown == cells[i][j]


def test_a_list_with_its_total() -> None:
    counts, total = suppress_list([3, 7, 20])
    assert counts == ["<5", "x", 20] and total == 30
    assert suppress_list([10, 20]) == ([10, 20], 30)


def test_shares_only_of_published_counts() -> None:
    assert share(5, 20) == 25.0
    assert share("<5", 20) is None
    assert share(5, "x") is None
