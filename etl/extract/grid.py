"""Reading a sheet like a person: header bands, title lines, section, subtotal and signature rows."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

from etl.extract.ledger import IGNORED, LABEL, NUMBER, TEXT, Ledger
from etl.legacy_fonts import sheet_font
from etl.textnorm import clean_text, column_letter, norm_label
from etl.workbook import Sheet

HEADER_SCAN_ROWS = 40
MAX_HEADER_BAND = 3


def cell_text(value, font: str | None = None) -> str:
    """Cleaned text of a cell; whole floats lose their '.0'; 1.1 stays '1.1'."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return clean_text(value, font, catalogue_words() if font else frozenset())


@lru_cache(maxsize=1)
def catalogue_words() -> frozenset[str]:
    """The Vietnamese words of the catalogue's labels: what a header cell of a legacy-font sheet most likely says."""
    from etl.reference import load_catalogue

    catalogue = load_catalogue()
    texts = [*catalogue.label_index, *(label for labels in catalogue.layout_labels.values() for label in labels),
             *(c["name_vi"] for c in catalogue.criteria), *(f.label_vi for f in catalogue.fields.values())]
    return frozenset(w for text in texts for w in re.findall(r"\w+", text.casefold()) if not w.isascii())


class Grid:
    """A sheet with cleaned text per cell and horizontally merged cells spread for header context."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.height = sheet.height
        self.width = sheet.width
        self._text: dict[tuple[int, int], str] = {}
        self._rows: dict[int, list[str]] = {}
        self.font = sheet_font(v for row in sheet.rows for v in row)  # a sheet typed in TCVN3 or VNI
        self.ledger = Ledger(sheet)  # what became of each cell (issue 20)
        # merged ranges by row, clipped to the cells there are (A2:XFD1048576 is not 17e9 cells): a sheet's merges
        # cost their clipped height, never their area, so five merges of 400 × 20,000 cells are 100,000 entries
        self._merges: dict[int, list[tuple[int, int, tuple[int, int]]]] = {}
        for (r0, c0), (r1, c1) in sheet.merged:
            if r0 >= self.height or c0 >= self.width or (r0, c0) == (r1, c1):
                continue
            span = (c0, min(c1, self.width - 1), (r0, c0))
            for r in range(r0, min(r1, self.height - 1) + 1):
                self._merges.setdefault(r, []).append(span)

    def _anchor(self, row: int, col: int) -> tuple[int, int]:
        """The top-left cell of the merged range covering (row, col), or the cell itself."""
        for c0, c1, anchor in self._merges.get(row, ()):
            if c0 <= col <= c1:
                return anchor
        return row, col

    def text(self, row: int, col: int) -> str:
        key = (row, col)
        if key not in self._text:
            self._text[key] = cell_text(self.sheet.value(row, col), self.font)
        return self._text[key]

    def spread_text(self, row: int, col: int) -> str:
        """Text of the cell, or of the merged range covering it."""
        return self.text(*self._anchor(row, col))

    def cells_in_row(self, row: int) -> set[tuple[int, int]]:
        """The distinct non-empty cells a row shows, counting merged ranges from above once: a group cell
        ("Quy mô") beside labels merged down from the row above is a header row, a title line is one cell."""
        return {anchor for c in range(self.width) if self.text(*(anchor := self._anchor(row, c)))}

    def group_text(self, row: int, col: int, bottom: int) -> str:
        """Text of a group cell over (row, col) in a header band ending at `bottom`: the merged range covering it,
        or in a sheet without merges (CSV, HTML without spans) the nearest group cell to its left, since a text
        export loses the merge. There a cell is a group cell only if the band has labels under it, and the
        search stops at a column with nothing under `row`."""
        text = self.spread_text(row, col)
        if text or self.sheet.merged:
            return text

        def labelled_below(c: int) -> bool:
            return any(self.text(r, c) for r in range(row + 1, bottom + 1))

        for c in range(col - 1, -1, -1):
            if not labelled_below(c):
                return ""
            if self.text(row, c):
                return self.text(row, c)
        return ""

    def row_texts(self, row: int) -> list[str]:
        texts = self._rows.get(row)
        if texts is None:
            texts = self._rows[row] = [self.text(row, c) for c in range(self.width)]
        return list(texts)

    def line(self, row: int) -> str:
        return " ".join(t for t in self.row_texts(row) if t)


@dataclass
class Column:
    index: int
    key: str
    label: str
    group: str  # the header cells above the label, joined


@dataclass
class Header:
    top: int
    bottom: int
    columns: dict[int, Column]
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[Column, Column]] = field(default_factory=list)
    data_start: int = 0
    ignored: list[tuple[int, str]] = field(default_factory=list)  # set aside by a correction: not read, not reported
    recognised: dict[int, str | None] | None = None  # before a correction: what the loader alone read each column as

    def by_key(self) -> dict[str, Column]:
        return {col.key: col for col in self.columns.values()}

    def span(self, width: int) -> str:
        from etl.textnorm import cell_ref
        return f"{cell_ref(self.top, 0)}:{cell_ref(self.bottom, max(width - 1, 0))}"


Classifier = Callable[[str, str], "str | None"]  # (label, group context) -> key


def _name_columns(grid: Grid, top: int, bottom: int, classify: Classifier) -> Header:
    header = Header(top, bottom, {})
    seen: dict[str, Column] = {}
    one_row = grid.row_texts(bottom) if top == bottom else None  # the usual case while scanning for the header
    for c in range(grid.width):
        if one_row is not None:
            if not (label := one_row[c]):
                continue
            group = ""
        else:
            label_row = next((r for r in range(bottom, top - 1, -1) if grid.text(r, c)), None)
            if label_row is None:
                continue
            label = grid.text(label_row, c)
            group = " ".join(t for r in range(top, label_row) if (t := grid.group_text(r, c, bottom)))
        key = classify(label, group)
        if key is None:
            header.unknown.append((c, label))
        elif key in seen:
            header.duplicates.append((seen[key], Column(c, key, label, group)))
        else:
            seen[key] = header.columns[c] = Column(c, key, label, group)
    return header


def find_header(grid: Grid, classify: Classifier, min_keys: int) -> Header | None:
    """The row whose cells name the most distinct columns (the earliest on a tie), extended down over
    rows of labels under sub-group cells and up over header-like rows (group cells, vertically merged
    labels), as long as the band names no fewer columns; three rows at most."""
    best: Header | None = None
    for bottom in range(min(HEADER_SCAN_ROWS, grid.height)):
        if not any(grid.row_texts(bottom)):
            continue
        header = _name_columns(grid, bottom, bottom, classify)
        if best is None or len(header.columns) > len(best.columns):
            best = header
    if best is None or len(best.columns) < min(min_keys, 2):
        return None
    return _band(grid, best, classify, min_keys)


def _band(grid: Grid, best: Header, classify: Classifier, min_keys: int, floor: int = 0) -> Header | None:
    """A header row extended into its band (down over labels under group cells, up over group cells and labels
    merged down; not above `floor`), with the row where its data starts."""
    for bottom in range(best.bottom + 1, min(best.bottom + MAX_HEADER_BAND, grid.height)):
        texts = grid.row_texts(bottom)
        if is_column_number_row(texts) or is_section_row([t for t in texts if t]):
            break
        if _has_numbers(grid, bottom) and len(_name_columns(grid, bottom, bottom, classify).columns) < 2:
            break  # a row of data; numbers that name columns on their own are labels (criterion codes as numbers)
        deeper = _name_columns(grid, best.top, bottom, classify)  # labels under sub-group cells
        if len(deeper.columns) < len(best.columns):
            break
        best = deeper
    for top in range(best.top - 1, max(best.bottom - MAX_HEADER_BAND, floor - 1), -1):
        cells = grid.cells_in_row(top)
        if len(cells) < 2 and not _lone_group_cell(grid, top, cells):
            break  # a title line, not a header row
        wider = _name_columns(grid, top, best.bottom, classify)
        if len(wider.columns) < len(best.columns):
            break
        best = wider
    if len(best.columns) < min_keys:  # counted over the band: "Điểm" over "Thẩm định" names a column
        return None
    best.data_start = best.bottom + 1
    if best.data_start < grid.height and is_column_number_row(grid.row_texts(best.data_start)):
        best.data_start += 1
    return best


def find_headers(grid: Grid, classify: Classifier, min_keys: int, accept: Callable[[Header], bool],
                 known: Header | None = None) -> list[Header]:
    """Every header band of a sheet, top to bottom: a sheet may hold several tables (preschools, then primary and
    lower secondary schools under a header of their own). Only rows without numbers are tried, so the rows of a
    long table cost nothing; `known` is a band found already."""
    kind = grid.ledger.kind
    texts, numbers = (kind == TEXT).sum(axis=1), (kind == NUMBER).sum(axis=1)
    bands = [known] if known is not None else []
    for r in np.flatnonzero((texts >= max(min_keys - 1, 2)) & (numbers <= texts // 5)):
        r = int(r)
        if any(band.top <= r < band.data_start for band in bands):
            continue
        row = _name_columns(grid, r, r, classify)
        if len(row.columns) < max(min_keys - 1, 2):
            continue
        floor = max((band.data_start for band in bands if band.data_start <= r), default=0)
        band = _band(grid, row, classify, min_keys, floor)
        if band is None or not accept(band) or any(b.top <= band.bottom and band.top < b.data_start for b in bands):
            continue
        bands.append(band)
    return sorted(bands, key=lambda band: band.top)


def title_start(grid: Grid, top: int, floor: int) -> int:
    """The first of the title lines right above a header band at `top` (not above `floor`): lines of one or two
    cells without numbers ("II. TIỂU HỌC VÀ THCS", "Biểu 2: ..."), and blank lines."""
    kind = grid.ledger.kind
    r = top - 1
    while r >= floor and not (kind[r] == NUMBER).any() and len(grid.cells_in_row(r)) <= 2:
        r -= 1
    return r + 1


# a count or amount typed as text: "30", "1.200", "3,5", "85%" - not "1.1" or "1.3.1", which head 4725 columns
_NUMBER_TEXT = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?\s*%?$")


def _lone_group_cell(grid: Grid, row: int, cells: set[tuple[int, int]]) -> bool:
    """In a text export (no merges), one group cell over some columns ("Quy mô" in column E) is a header row; a
    title line starts in column A, and a place-and-date line is never a header."""
    if grid.sheet.merged or len(cells) != 1:
        return False
    (r, c), = cells
    return c > 0 and not is_place_date(grid.text(r, c))


def _has_numbers(grid: Grid, row: int) -> bool:
    """A row holding numbers is data, not a header row; numbers typed as text (CSV, HTML exports) count too."""
    return any((isinstance(v, (int, float)) and not isinstance(v, bool)) or
               (isinstance(v, str) and _NUMBER_TEXT.match(v.strip())) for v in grid.sheet.rows[row])


_COLUMN_NUMBER = re.compile(r"^\(?([0-9]{1,3}|[a-z]|[A-Z])\)?$|^\([0-9]+\)\s*=.*$")


def is_column_number_row(texts: list[str]) -> bool:
    """A row '(1) (2) (3) ...' or '1 2 3 ...' under a header."""
    filled = [t for t in texts if t]
    if len(filled) < 3:
        return False
    numbered = [t for t in filled if _COLUMN_NUMBER.match(t)]
    if len(numbered) < 0.7 * len(filled):
        return False
    numbers = [int(re.sub(r"\D", "", t)) for t in numbered if re.sub(r"\D", "", t)]
    return len(numbers) >= 3 and all(a < b for a, b in zip(numbers, numbers[1:]))  # (1) (2) (3): rising


def starts_with_any(text: str, words: tuple[str, ...]) -> bool:
    key = norm_label(text[:160])  # only the start matters, and a cell may hold 32,767 characters
    return any(key == w or key.startswith(w + " ") or key.startswith(w + ":") for w in words)


_PLACE_DATE = re.compile(r"^(?:[^,\d]{1,40},\s*)?ngày\b[\s\d…./_-]*tháng\b", re.I)  # "Vinh, ngày … tháng … năm …"
_SIGNATURE_PREFIX = re.compile(r"^(?:kt|tm|tl|q|pt|thay mặt|ký thay)\.?\s+", re.I)  # "KT. HIỆU TRƯỞNG"
_SIGNATURE_HINT = re.compile(r"^\(?\s*(?:ký|kí|đã ký)\b", re.I)  # "(Ký, ghi rõ họ tên)"
_CODE_LIKE = re.compile(r"[A-Za-z0-9._-]{2,20}")


def looks_like_code(text: str) -> bool:
    """A school code as written in a cell: one short token with a digit (not "Tổng số: 24 cơ sở")."""
    return bool(_CODE_LIKE.fullmatch(text)) and any(ch.isdigit() for ch in text)


def names_a_school(texts: list[str], code_col, name_col, not_schools: tuple[str, ...]) -> bool:
    """A row with a school code, or with a name that is no total, note or signature (`not_schools`), is a
    school's row whatever its first cell says (a period column may read "Tổng kết")."""
    if code_col is not None and looks_like_code(texts[code_col.index]):
        return True
    name = texts[name_col.index] if name_col is not None else ""
    return bool(name) and not starts_with_any(name, not_schools) and not is_end_line([name], not_schools)


def is_place_date(text: str) -> bool:
    return len(text) <= 80 and bool(_PLACE_DATE.match(text))


_TOTAL_WORDS = ("tổng số", "tổng cộng", "cộng", "tổng")


def is_total_line(text: str) -> bool:
    """A total line where a row's first cell may also be free text (a task): "Tổng cộng", "Cộng: 5", "Tổng số: 1
    nhiệm vụ", "Tổng số 12 nhiệm vụ" — not "Tổng kết công tác năm học"."""
    key = norm_label(text) if text else ""
    for word in _TOTAL_WORDS:
        if key == word or key.startswith(word + ":"):
            return True
        if word != "tổng" and key.startswith(word + " ") and any(ch.isdigit() for ch in key) and len(key) < 60:
            return True
    return False


_SECTION = re.compile(r"^(?:[IVX]+[.)]?\s+|[A-Z][.)]\s+|cấp\s+)", re.I)


def is_section_row(texts: list[str]) -> str | None:
    """The level a section row names ("I. MẦM NON", "III. TRUNG HỌC CƠ SỞ"), or None for any other row."""
    from etl.values import find_level

    if not texts or len(texts) > 2 or sum(len(t) for t in texts) > 120:
        return None
    line = " ".join(texts)
    if "trường" in line.casefold() or not (_SECTION.match(line) or line == line.upper()):
        return None
    return find_level(line)


def is_end_line(texts: list[str], end_words: tuple[str, ...]) -> bool:
    """Where the rows of a table end: notes ("Ghi chú:", "Lưu ý"), a place-and-date line ("Vinh, ngày 15 tháng 12
    năm 2024"), signature titles ("NGƯỜI LẬP BIỂU", "KT. HIỆU TRƯỞNG", "(Ký, ghi rõ họ tên)")."""
    return _ends(texts[0], end_words) or any(is_place_date(t) for t in texts)


@lru_cache(maxsize=1 << 14)
def _ends(first: str, end_words: tuple[str, ...]) -> bool:
    """The first cell of a line opens the notes or the signatures (the same criterion names and labels come back in
    every file: each is looked at once)."""
    if starts_with_any(first, end_words) or starts_with_any(_SIGNATURE_PREFIX.sub("", first), end_words):
        return True
    return bool(_SIGNATURE_HINT.match(first))


@dataclass
class Trailer:
    """Lines under (or between) the rows of schools that are not schools, for one note per sheet."""
    totals: list[tuple[int, str]] = field(default_factory=list)  # (row, text)
    end: tuple[int, str] | None = None

    def note(self, log, sheet: str | None) -> None:
        from etl.textnorm import cell_ref

        parts = []
        if self.totals:
            listed = ", ".join(f"dòng {r + 1} (\"{text[:40]}\")" for r, text in self.totals[:3])
            more = f" và {len(self.totals) - 3} dòng khác" if len(self.totals) > 3 else ""
            parts.append(f"bỏ qua dòng tổng cộng không phải trường: {listed}{more}")
        if self.end:
            parts.append(f"dừng đọc từ dòng {self.end[0] + 1} (\"{self.end[1][:40]}\"): phần ghi chú, ngày tháng và "
                         "chữ ký dưới bảng không phải số liệu")
        if parts:
            first = self.totals[0][0] if self.totals else self.end[0]
            log.info("trailer_rows", "; ".join(parts), sheet, cell_ref(first, 0))


def body_rows(grid: Grid, start: int, end_words: tuple[str, ...], started: Callable[[], bool],
              trailer: Trailer | None = None):
    """(row, non-empty texts) below a header, up to the notes/signature block: a row that `is_end_line` once
    `started()` says data has been read."""
    for r in range(start, grid.height):
        texts = [t for t in grid.row_texts(r) if t]
        if not texts:
            continue
        if started() and is_end_line(texts, end_words):
            if trailer is not None:
                trailer.end = (r, " ".join(texts))
            return
        yield r, texts


ROUTINE_HEADERS = {"stt", "tt", "số tt", "số thứ tự", "ghi chú"}  # sequence and note columns: never data


def account_table(grid: Grid, header: Header, first: int, end: int | None, limit: int | None = None) -> None:
    """The structure of a table in the ledger: its title lines (rows `first`..above the header band), the band and
    its column-number row, the columns it does not read over its body (rows up to `end`, exclusive), and the notes
    and signatures from `end` on (up to `limit`, where another table starts). Numbers in title lines and under the
    table stay to be accounted for."""
    ledger = grid.ledger
    end = grid.height if end is None else end
    ledger.mark_rows(first, header.top - 1, LABEL, "tiêu đề", only=TEXT)
    ledger.mark_rows(header.top, header.data_start - 1, LABEL, "dòng tiêu đề của bảng")
    body = slice(header.data_start, end)
    if (seq := header.by_key().get("seq")) is not None:
        ledger.mark(body, seq.index, LABEL, "số thứ tự")
    for c, label in header.unknown:
        if norm_label(label) in ROUTINE_HEADERS:
            ledger.mark(body, c, LABEL, f"cột \"{label[:40]}\" (số thứ tự, ghi chú)")
        else:
            ledger.mark(body, c, IGNORED, f"cột \"{label[:40]}\" không có trong danh mục nên không đọc")
    for first_column, second in header.duplicates:
        ledger.mark(body, second.index, IGNORED, f"cột \"{second.label[:40]}\" trùng ý nghĩa với cột "
                    f"{column_letter(first_column.index)}")
    for c, label in header.ignored:
        ledger.mark(body, c, IGNORED, f"cột {column_letter(c)} \"{label[:40] or '(không có tiêu đề)'}\" được bỏ qua "
                    "khi xem trước")
    ledger.mark_rows(end, (grid.height if limit is None else limit) - 1, LABEL, "ghi chú, ngày tháng, chữ ký dưới bảng",
                     only=TEXT)


def mark_sequences(grid: Grid) -> None:
    """Item numbers left of labels ("1 | Tổng số lớp", "2 | Tổng số học sinh"): whole numbers that count up from 1
    down a column, each with words on its right, restarting at 1 under a new heading. They number the lines; they
    are not data."""
    ledger = grid.ledger
    left = ledger.unclaimed(NUMBER)
    if not left.any():
        return
    for c in np.flatnonzero(left.any(axis=0)):
        if c + 1 >= grid.width:
            continue
        rows = [int(r) for r in np.flatnonzero(left[:, c])]
        numbers = []
        for r in rows:
            value = grid.sheet.value(r, int(c))
            number = value if isinstance(value, (int, float)) else _whole(grid.text(r, int(c)))
            if number is None or float(number) != int(number) or ledger.kind[r, c + 1] != TEXT:
                numbers = []
                break
            numbers.append(int(number))
        if len(numbers) >= 2 and all(b == a + 1 or b == 1 for a, b in zip(numbers, numbers[1:])) \
                and numbers[0] == 1:
            for r in rows:
                ledger.mark_cell(r, int(c), LABEL, "số thứ tự", force=False)


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def mark_prose(grid: Grid, rows: slice, cols: slice, reason: str) -> None:
    """Words left in a range (titles, headings, instructions, signatures) as the sheet's text. A yes/no answer
    ("Có", "x", "Đạt") is a value, not prose: it stays to be accounted for."""
    from etl.values import CHECK_MARKS, FALSE_WORDS, TRUE_WORDS

    ledger = grid.ledger
    left = ledger.unclaimed(TEXT)
    window = np.zeros_like(left)
    window[rows, cols] = True
    answers = TRUE_WORDS | FALSE_WORDS | CHECK_MARKS
    for r, c in zip(*np.nonzero(left & window)):
        if norm_label(grid.text(int(r), int(c))).rstrip(".") not in answers:
            ledger.mark_cell(int(r), int(c), LABEL, reason, force=False)


def title_lines(grid: Grid, last_row: int) -> list[tuple[int, str]]:
    """(row, text) of the non-empty lines above a header."""
    return [(r, grid.line(r)) for r in range(min(last_row, grid.height)) if grid.line(r)]
