"""What extraction produces: raw values with the cell each came from, before any typing."""
from __future__ import annotations

from dataclasses import dataclass, field

from etl.textnorm import cell_ref
from etl.values import parse_number


@dataclass
class Cell:
    raw: object
    ref: str | None  # A1 reference in the sheet; None when the value came from the file name
    error: str | None = None  # an Excel error value such as #REF!
    source: str = "cell"  # cell | title | file | folder | section
    fraction: bool = False  # a number shown as a percentage (0,85 means 85%)

    @classmethod
    def at(cls, sheet, row: int, col: int) -> "Cell":
        """The cell of a sheet, with its reference, any Excel error and whether it is formatted as %."""
        rows = sheet.rows
        raw = rows[row][col] if 0 <= row < len(rows) and 0 <= col < len(rows[row]) else None
        return cls(raw, cell_ref(row, col), sheet.errors.get((row, col)) if sheet.errors else None, "cell",
                   (row, col) in sheet.percent_cells if sheet.percent_cells else False)


def _plain_number(raw) -> float | None:
    """A number cell, or a number typed as text without a % sign ("0,85" in a CSV)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, str) and "%" not in raw:
        try:
            return parse_number(raw)
        except ValueError:
            return None
    return None


def mark_fraction_columns(cells: list[Cell]) -> None:
    """A percent column whose numbers all lie between 0 and 1 holds fractions: there 1 means 100%. Numbers typed as
    text count the same way (a CSV or HTML export keeps no cell format)."""
    numbers = [n for c in cells if (n := _plain_number(c.raw)) is not None]
    if numbers and all(0 <= n <= 1 for n in numbers) and any(0 < n < 1 for n in numbers):
        for cell in cells:
            cell.fraction = True


def _anchor(cells: dict[str, Cell]) -> str | None:
    """The code cell if it holds a value, else the name cell: where a reader looks for the school."""
    located = [cells[k] for k in ("school_code", "school_name") if k in cells and cells[k].ref]
    filled = [c for c in located if c.raw not in (None, "")]
    return (filled or located or [None])[0] and (filled or located)[0].ref


@dataclass
class SurveyRecord:
    sheet: str
    row: int | None  # 1-based row of a table; None for a per-school form
    cells: dict[str, Cell]
    context: dict[str, Cell] = field(default_factory=dict)  # school_year/period/level written once
    marked_bools: set[str] = field(default_factory=set)  # bool fields ticked with "x": blank = no

    def anchor(self) -> str | None:
        """The cell naming the school, for messages about the whole row."""
        return _anchor(self.cells)


@dataclass
class AssessmentRecord:
    sheet: str
    row: int | None
    kind: str  # self | verified
    identity: dict[str, Cell]  # school_code, school_name, level, school_year
    scores: dict[str, Cell]  # criterion code -> cell
    evidence: dict[str, Cell] = field(default_factory=dict)
    max_points: dict[str, Cell] = field(default_factory=dict)  # as printed on the form
    totals: dict[str, Cell] = field(default_factory=dict)  # group -> printed total, checked not loaded

    def anchor(self) -> str | None:
        return _anchor(self.identity)


@dataclass
class TaskRecord:
    sheet: str
    row: int
    cells: dict[str, Cell]
