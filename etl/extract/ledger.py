"""The accounting of every cell (issue 20): each non-empty cell of a visible sheet ends in exactly one bucket —
a value loaded, a label (title, header, section, note, total line) recognised as such, ignored with a stated
reason, or an error — and what is left is *unaccounted*. A number left unaccounted means the loader did not read
something the file says: the file never reads as a clean load.

Marking is done on whole ranges (numpy slices), never cell by cell in Python: the extractors mark the structure
they recognised (titles, header bands, unknown columns, total lines...), and `account` marks the cells of the
records by their outcome (loaded, refused, repeated) once the load has decided it, then the errors at their cells.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from etl.textnorm import cell_ref

LOADED, LABEL, IGNORED, ERROR = 1, 2, 3, 4
BUCKETS = {LOADED: "loaded", LABEL: "label", IGNORED: "ignored", ERROR: "error"}
BUCKET_VI = {"loaded": "giá trị đã nạp", "label": "là tiêu đề, nhãn hay ghi chú", "ignored": "bỏ qua có lý do",
             "error": "lỗi", "unaccounted": "chưa được đọc"}
TEXT, NUMBER = 1, 2
MAX_RANGES = 40  # listed per sheet; the counts cover every cell

# a number as people type it, alone or with a unit or percent sign: "25", "1.234", "3,5", "85 %", "25 máy", "-3"
_NUMBER_TEXT = re.compile(r"^[+-]?[0-9][0-9.,\s\u00a0]*(?:%|\s*[^\W\d_][\w ./]{0,14})?$")
_DATE_LIKE = re.compile(r"^[0-9]{1,4}[/-][0-9]{1,2}([/-][0-9]{1,4})?$")  # 12/2024, 2024-2025: not a count
_CODE_LIKE = re.compile(r"^[0-9]+(?:\.[0-9]+){2,}\.?$")  # 1.3.1: a criterion code, not a number
_HEADING = re.compile(r"^[0-9]+(?:\.[0-9]+)*[.)]\s+[^\W\d_]")  # "1. Quy mô", "2) Hạ tầng": a numbered heading


def number_like(value) -> bool:
    """A cell that holds a number: a numeric cell, or text that is a number (with its unit or %)."""
    kind = type(value)
    if kind is float or kind is int:
        return True
    if kind is not str:
        return False
    text = value.strip()
    if not text or not text[0].isdigit() and text[0] not in "+-":
        return False
    return bool(_NUMBER_TEXT.match(text)) and not _DATE_LIKE.match(text) and not _CODE_LIKE.match(text) \
        and not _HEADING.match(text)


def _kind(value) -> int:
    if value is None or value == "":
        return 0
    kind = type(value)
    if kind is float or kind is int:
        return NUMBER
    if kind is str:
        found = _TEXT_KINDS.get(value)
        if found is None:
            found = NUMBER if number_like(value) else TEXT if value.strip() else 0
            if len(_TEXT_KINDS) < 1 << 16 and len(value) <= 64:
                _TEXT_KINDS[value] = found
        return found
    return TEXT  # a date, a time, a boolean


_TEXT_KINDS: dict[str, int] = {}  # the same labels, names and figures come back cell after cell


@lru_cache(maxsize=65536)
def parse_ref(ref: str) -> tuple[int, int] | None:
    """'D5' -> (4, 3); anything else (a range, None) -> None."""
    match = re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7})", ref or "")
    if not match:
        return None
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)) - 1, col - 1


class Ledger:
    """One sheet's accounting. `kind` says which cells are non-empty (text or number); `bucket` and `reason` what
    became of each."""

    def __init__(self, sheet):
        self.sheet = sheet.name or None
        height, width = sheet.height, sheet.width
        self.kind = np.zeros((height, width), np.int8)
        for r, row in enumerate(sheet.rows):  # a row at a time: one list, one assignment
            if any(value is not None and value != "" for value in row):
                self.kind[r, :len(row)] = [_kind(value) for value in row]
        self.errors = {}  # cells the reader could not take: an Excel error value (#REF!), text past a cell's size
        for (r, c), why in sheet.errors.items():
            if r < height and c < width:
                self.kind[r, c] = NUMBER if why.startswith("#") else TEXT
                self.errors[(r, c)] = why
        self.bucket = np.zeros((height, width), np.int8)
        self.reason = np.zeros((height, width), np.int16)
        self.reasons: list[str] = [""]
        self.hidden = not sheet.visible

    def __getstate__(self) -> dict:
        """Only the non-empty cells cross a process boundary: a 20,000 × 400 sheet is mostly blank."""
        rows, cols = np.nonzero(self.kind)
        return {"sheet": self.sheet, "hidden": self.hidden, "shape": self.kind.shape, "errors": self.errors,
                "rows": rows.astype(np.int32), "cols": cols.astype(np.int32), "kind": self.kind[rows, cols],
                "bucket": self.bucket[rows, cols], "reason": self.reason[rows, cols], "reasons": self.reasons}

    def __setstate__(self, state: dict) -> None:
        self.sheet, self.hidden = state["sheet"], state["hidden"]
        self.errors = state["errors"]
        self.reasons = state["reasons"]
        self.kind = np.zeros(state["shape"], np.int8)
        self.bucket = np.zeros(state["shape"], np.int8)
        self.reason = np.zeros(state["shape"], np.int16)
        rows, cols = state["rows"], state["cols"]
        self.kind[rows, cols], self.bucket[rows, cols], self.reason[rows, cols] = \
            state["kind"], state["bucket"], state["reason"]

    def take_transposed(self, other: "Ledger") -> None:
        """The marks of the same sheet read with rows and columns swapped."""
        self.bucket, self.reason, self.reasons = other.bucket.T.copy(), other.reason.T.copy(), other.reasons

    # ---- marking ---------------------------------------------------------------------------------------------

    def _reason(self, text: str) -> int:
        try:
            return self.reasons.index(text)
        except ValueError:
            self.reasons.append(text)
            return len(self.reasons) - 1

    def mark(self, rows: slice | int, cols: slice | int, bucket: int, reason: str = "", force: bool = False,
             only: int | None = None) -> None:
        """Put the cells of a range not yet accounted for (all of them with `force`) in `bucket`; `only` limits it to
        text or number cells."""
        if isinstance(rows, int) and isinstance(cols, int):  # one cell: no array machinery
            if self.kind[rows, cols] and (only is None or self.kind[rows, cols] == only) and \
                    (force or not self.bucket[rows, cols]):
                self.bucket[rows, cols] = bucket
                self.reason[rows, cols] = self._reason(reason)
            return
        if isinstance(rows, int):
            rows = slice(rows, rows + 1)
        if isinstance(cols, int):
            cols = slice(cols, cols + 1)
        kind = self.kind[rows, cols]
        chosen = kind > 0 if only is None else kind == only
        if not force:
            chosen &= self.bucket[rows, cols] == 0
        if not chosen.any():
            return
        self.bucket[rows, cols][chosen] = bucket
        self.reason[rows, cols][chosen] = self._reason(reason)

    def mark_row(self, row: int, bucket: int, reason: str = "", only: int | None = None) -> None:
        self.mark(row, slice(None), bucket, reason, only=only)

    def mark_rows(self, first: int, last: int, bucket: int, reason: str = "", only: int | None = None) -> None:
        """Rows first..last (0-based, inclusive)."""
        if last >= first:
            self.mark(slice(first, last + 1), slice(None), bucket, reason, only=only)

    def mark_cell(self, row: int, col: int, bucket: int, reason: str = "", force: bool = True) -> None:
        if 0 <= row < self.kind.shape[0] and 0 <= col < self.kind.shape[1]:
            self.mark(int(row), int(col), bucket, reason, force=force)

    def mark_ref(self, ref: str | None, bucket: int, reason: str = "", force: bool = True) -> None:
        if (pos := parse_ref(ref)) is not None:
            self.mark_cell(*pos, bucket, reason, force)

    def mark_refs(self, refs: list[str], bucket: int, reason: str = "", force: bool = True) -> None:
        """Many cells at once, by their A1 references."""
        positions = [pos for ref in refs if (pos := parse_ref(ref)) is not None]
        if not positions:
            return
        rows, cols = np.array(positions, dtype=np.int64).T
        height, width = self.kind.shape
        inside = (rows < height) & (cols < width)
        rows, cols = rows[inside], cols[inside]
        chosen = self.kind[rows, cols] > 0
        if not force:
            chosen &= self.bucket[rows, cols] == 0
        rows, cols = rows[chosen], cols[chosen]
        if rows.size:
            self.bucket[rows, cols] = bucket
            self.reason[rows, cols] = self._reason(reason)

    def mark_total_row(self, row: int, label: str = "dòng tổng cộng",
                       reason: str = "số trên dòng tổng cộng (không phải của một trường)") -> None:
        """A total line ("Cộng", "Tổng cộng"): its words a label, its numbers set aside (they add up schools)."""
        self.mark_row(row, LABEL, label, only=TEXT)
        self.mark_row(row, IGNORED, reason, only=NUMBER)

    def digest(self) -> str:
        """Which number cells are left unread, as a short fingerprint: a reviewer's "I saw them" holds for exactly
        these cells, not for others a later reading leaves unread."""
        import hashlib

        rows, cols = np.nonzero(self.unclaimed(NUMBER))
        return hashlib.blake2b(rows.astype(np.int32).tobytes() + b"|" + cols.astype(np.int32).tobytes(),
                               digest_size=8).hexdigest() if rows.size else ""

    def unclaimed(self, only: int | None = None) -> np.ndarray:
        kind = self.kind
        return (self.bucket == 0) & ((kind > 0) if only is None else (kind == only))

    # ---- the summary ---------------------------------------------------------------------------------------

    def summary(self) -> dict:
        counts = {name: int((self.bucket == b).sum()) for b, name in BUCKETS.items()}
        left = self.unclaimed()
        counts["unaccounted"] = int(left.sum())
        numbers = self.unclaimed(NUMBER)
        counts["unaccounted_numbers"] = int(numbers.sum())
        counts["cells"] = int((self.kind > 0).sum())
        reasons = []
        for b in (IGNORED, LABEL):
            in_bucket = self.bucket == b
            found, sizes = np.unique(self.reason[in_bucket], return_counts=True)
            for index, count in zip(found, sizes):
                # where the set-aside cells stand; for titles and labels the count says enough
                where = ranges(in_bucket & (self.reason == index), 6) if b == IGNORED else []
                reasons.append({"bucket": BUCKETS[b], "reason": self.reasons[index], "count": int(count),
                                "ranges": where})
        boxes = rectangles(left)[:MAX_RANGES]
        counts["unaccounted_digest"] = self.digest()
        return {"sheet": self.sheet, "hidden": self.hidden, **counts,
                "unaccounted_ranges": [{"range": _span(*box), "count": _count(left, box),
                                        "numbers": _count(numbers, box)} for box in boxes],
                "reasons": reasons}


def _count(mask: np.ndarray, box: tuple[int, int, int, int]) -> int:
    return int(mask[box[0]:box[1] + 1, box[2]:box[3] + 1].sum())


def ranges(mask: np.ndarray, limit: int | None = None) -> list[str]:
    return [_span(*box) for box in rectangles(mask, limit)]


def _span(first: int, last: int, start: int, end: int) -> str:
    if (first, start) == (last, end):
        return cell_ref(first, start)
    return f"{cell_ref(first, start)}:{cell_ref(last, end)}"


def rectangles(mask: np.ndarray, limit: int | None = None) -> list[tuple[int, int, int, int]]:
    """The cells of `mask` as rectangles (first row, last row, first column, last column), top to bottom: runs of
    rows in each column, then runs of neighbouring columns with the same rows joined ("D5:F24"). With `limit`, the
    first few rectangles of the leftmost columns (a list shown to a person, not every range)."""
    if not mask.any():
        return []
    runs: dict[tuple[int, int], list[int]] = {}  # (first row, last row) -> columns
    for c in np.flatnonzero(mask.any(axis=0)):
        if limit is not None and len(runs) > limit:
            break
        rows = np.flatnonzero(mask[:, c])
        breaks = np.flatnonzero(np.diff(rows) > 1)
        starts = np.concatenate(([rows[0]], rows[breaks + 1]))
        ends = np.concatenate((rows[breaks], [rows[-1]]))
        for first, last in zip(starts, ends):
            runs.setdefault((int(first), int(last)), []).append(int(c))
    found = []
    for (first, last), columns in runs.items():
        start = prev = columns[0]
        for c in columns[1:] + [None]:
            if c is not None and c == prev + 1:
                prev = c
                continue
            found.append((first, last, start, prev))
            if c is not None:
                start = prev = c
    found = sorted(found, key=lambda box: (box[0], box[2]))
    return found if limit is None else found[:limit]


def describe(summary: dict, numbers_only: bool = False, limit: int = 8) -> str:
    """'D5:F24: 60 ô số chưa được đọc; H3: 1 ô chữ chưa được đọc'."""
    parts = []
    items = [i for i in summary["unaccounted_ranges"] if i["numbers"] or not numbers_only]
    for item in items[:limit]:
        numbers, texts = item["numbers"], item["count"] - item["numbers"]
        what = " và ".join(p for p in (f"{numbers} ô số" if numbers else "", f"{texts} ô chữ" if texts else "") if p)
        parts.append(f"{item['range']}: {what} chưa được đọc")
    if len(items) > limit:
        parts.append(f"và {len(items) - limit} vùng khác")
    return "; ".join(parts)


def account(ledgers: list[Ledger], rows: list, issues: list) -> None:
    """Mark the cells of every record by what the load decided for it, then the errors at their cells.
    `rows`: survey and task rows (their `cells`) and 4725 rows (their `refs` and `skipped`), each with `sheet`, `ok`,
    `errors` and `duplicate_of`. A cell two records share (the school's name, read by its self-assessment and its
    verification) is loaded if either of them is. The cells are gathered by what becomes of them and marked a group
    at a time, never one by one."""
    by_sheet = {ledger.sheet: ledger for ledger in ledgers}
    ignored: dict[tuple, list] = {}  # (sheet, reason) -> cells
    loaded: dict[str | None, list] = {}
    skipped: dict[tuple, list] = {}
    for row in rows:
        sheet = row.sheet or None
        if sheet not in by_sheet:
            continue
        if not row.ok:
            first = row.errors[0].message if row.errors else "không xác định được trường"
            target = ignored.setdefault((sheet, f"dòng/phiếu không được nạp: {first[:100]}"), [])
        elif row.duplicate_of is not None:
            target = ignored.setdefault((sheet, "lặp lại số liệu đã có trong lần nạp này (chỉ nạp một lần)"), [])
        else:
            target = loaded.setdefault(sheet, [])
        target += row_refs(row)
        for ref, why in getattr(row, "skipped", ()):
            skipped.setdefault((sheet, why), []).append(ref)
    for (sheet, reason), refs in ignored.items():
        by_sheet[sheet].mark_refs(refs, IGNORED, reason)
    for sheet, refs in loaded.items():  # after the refused: a cell a loaded record shares is loaded
        by_sheet[sheet].mark_refs(refs, LOADED, "")
    for (sheet, why), refs in skipped.items():
        by_sheet[sheet].mark_refs(refs, IGNORED, why, force=False)
    for issue in issues:
        if issue.severity == "error" and (ledger := by_sheet.get(issue.sheet)) is not None:
            ledger.mark_ref(issue.cell, ERROR, issue.message[:100])


def unread_errors(ledgers: list[Ledger]) -> list[tuple[str | None, str, str]]:
    """(sheet, cell, why) of the cells the reader refused (#REF!, text past a cell's size) that no row read and no
    step set aside: each must still be said, at its cell."""
    return [(ledger.sheet, cell_ref(r, c), why) for ledger in ledgers if not ledger.hidden
            for (r, c), why in sorted(ledger.errors.items()) if ledger.bucket[r, c] == 0]


def row_refs(row) -> list[str]:
    """The cells a row's values were read from (not the title or file name a year came from)."""
    refs = getattr(row, "refs", None)
    if refs is not None:
        return refs
    return [cell.ref for cell in row.cells.values() if cell.ref and cell.source in ("cell", "correction")]
