"""Small-cell suppression (docs/domain.md §2.7) for every table the dashboard publishes.

Rules, applied to a table together with its margins (row totals, column totals
and the grand total, all computed from *all* the data):

1. Primary: every count below K (0 to 4) is withheld and shown as "<5".
2. Complementary: a line (a row with its row total, a column with its column
   total, the row of column totals with the grand total, the column of row
   totals with the grand total) that has exactly one withheld member would let
   anyone recompute that member by subtraction. So the smallest published
   member of that line is withheld too ("x"), preferring inner cells over
   margins and the grand total last. This is repeated until no line changes.

A published margin is therefore the true total, and no withheld cell can be
recovered from its own line. Margins are only withheld when they are small
themselves or when the margin line leaves no inner cell to choose, so the same
totals appear identically in every table that shares them (linked tables stay
consistent). This is the standard row/column heuristic, not a full linear
programming audit of all tables together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

K = 5
SMALL = "<5"
COMPLEMENTARY = "x"

Count = int | str  # a published count, "<5" (primary) or "x" (complementary)
_Mark = Literal[0, 1, 2]  # 0 published, 1 primary, 2 complementary


@dataclass(frozen=True)
class Suppressed:
    cells: list[list[Count]]
    row_totals: list[Count] | None
    column_totals: list[Count] | None
    total: Count | None


def _show(value: int, mark: int) -> Count:
    if mark == 1:
        return SMALL
    if mark == 2:
        return COMPLEMENTARY
    return value


def suppress_table(
    cells: list[list[int]],
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    k: int = K,
) -> Suppressed:
    """Suppress a table of counts, with the margins that will be published beside it."""
    n_rows = len(cells)
    n_cols = len(cells[0]) if cells else 0
    if any(len(row) != n_cols for row in cells):
        raise ValueError("ragged table")
    # The extended matrix: inner cells, a column of row totals, a row of column totals.
    rows_ext = n_rows + (1 if column_totals else 0)
    cols_ext = n_cols + (1 if row_totals else 0)
    value = [[0] * cols_ext for _ in range(rows_ext)]
    for i in range(n_rows):
        for j in range(n_cols):
            value[i][j] = cells[i][j]
    if row_totals:
        for i in range(n_rows):
            value[i][n_cols] = sum(cells[i])
    if column_totals:
        for j in range(n_cols):
            value[n_rows][j] = sum(cells[i][j] for i in range(n_rows))
    if row_totals and column_totals:
        value[n_rows][n_cols] = sum(sum(row) for row in cells)

    mark: list[list[int]] = [[1 if v < k else 0 for v in row] for row in value]

    def rank(i: int, j: int) -> tuple[int, int, int, int]:
        inner = i < n_rows and j < n_cols
        grand = i >= n_rows and j >= n_cols
        return (0 if inner else 2 if grand else 1, value[i][j], i, j)

    lines: list[list[tuple[int, int]]] = []
    if row_totals:  # each row with its total
        lines += [[(i, j) for j in range(cols_ext)] for i in range(rows_ext)]
    if column_totals:  # each column with its total
        lines += [[(i, j) for i in range(rows_ext)] for j in range(cols_ext)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            withheld = [pos for pos in line if mark[pos[0]][pos[1]]]
            if len(withheld) != 1:
                continue
            candidates = [pos for pos in line if not mark[pos[0]][pos[1]]]
            if not candidates:
                continue
            i, j = min(candidates, key=lambda pos: rank(*pos))
            mark[i][j] = 2
            changed = True

    out_cells = [[_show(value[i][j], mark[i][j]) for j in range(n_cols)] for i in range(n_rows)]
    out_rows = (
        [_show(value[i][n_cols], mark[i][n_cols]) for i in range(n_rows)] if row_totals else None
    )
    out_cols = (
        [_show(value[n_rows][j], mark[n_rows][j]) for j in range(n_cols)] if column_totals else None
    )
    grand: Count | None = None
    if row_totals and column_totals:
        grand = _show(value[n_rows][n_cols], mark[n_rows][n_cols])
    return Suppressed(out_cells, out_rows, out_cols, grand)


def suppress_list(counts: list[int], *, k: int = K) -> tuple[list[Count], Count]:
    """A single column of counts with its total."""
    table = suppress_table([[c] for c in counts], row_totals=False, column_totals=True, k=k)
    assert table.column_totals is not None
    total = table.column_totals[0]
    return [row[0] for row in table.cells], total


def share(part: Count | None, whole: Count | None) -> float | None:
    """A percentage, published only when both counts are published."""
    if isinstance(part, int) and isinstance(whole, int) and whole > 0:
        return round(100.0 * part / whole, 1)
    return None
