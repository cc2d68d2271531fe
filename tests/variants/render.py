"""Layouts -> cell grids, the way offices lay them out. A Book records where the loader must point."""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field

from etl.legacy_fonts import encode_tcvn3, encode_vni
from etl.reference import read_csv
from etl.settings import REFERENCE_DIR
from tests.variants.model import BY_CODE, CRITERIA, FIELDS, PARENTS, UNKNOWN_CODE, Spec, Task

WARDS = {r["former_unit"]: r for r in read_csv(REFERENCE_DIR / "units.csv")}


@dataclass(frozen=True)
class Err:
    code: str  # an Excel error value such as #DIV/0!


@dataclass(frozen=True)
class Fmt:
    value: object
    fmt: str  # pct | date


@dataclass
class Sheet:
    name: str
    cells: dict = field(default_factory=dict)  # (row, col) -> value (str, int, float, date, Err, Fmt)
    merges: list = field(default_factory=list)  # (r1, c1, r2, c2)
    hidden_rows: set = field(default_factory=set)
    hidden: bool = False
    data_rows: set = field(default_factory=set)
    values: dict = field(default_factory=dict)  # (row, col) -> row key: the cells written as values to be loaded

    def put(self, r: int, c: int, value) -> None:
        if value is not None and value != "":
            self.cells[(r, c)] = value

    def put_value(self, r: int, c: int, value, key) -> None:
        """A cell the loader must load (its accounting counts it among the values loaded)."""
        self.put(r, c, value)
        if value is not None and value != "":
            self.values[(r, c)] = key

    def merge(self, r1: int, c1: int, r2: int, c2: int, value) -> None:
        self.put(r1, c1, value)
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    @property
    def width(self) -> int:
        return 1 + max((c for _, c in self.cells), default=0)


@dataclass
class Book:
    stem: str
    sheets: list
    anchors: dict = field(default_factory=dict)  # row key (school code / task index) -> A1 of its anchor cell
    cells: dict = field(default_factory=dict)  # (row key, what) -> A1 of a value cell


def a1(r: int, c: int) -> str:
    letters, c = "", c + 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"


# ---- wording ---------------------------------------------------------------------------------------

YEAR_TEXTS = ["{a}-{b}", "{a} - {b}", "Năm học: {a} - {b}", "{a}–{b}", "{a}-{b2}", "{a}/{b}", "NH {a}-{b}",
              "năm học {a} – {b}"]
FILE_YEARS = ["{a}-{b}", "NH{a}-{b}", "{a}-{b2}"]
PERIOD_TEXTS = {"HK1": ["HK I", "Học kỳ 1", "Sơ kết", "HK1", "Học kỳ I", "Sơ kết học kỳ I", "Giữa năm"],
                "CN": ["Cả năm", "Tổng kết", "CN", "Cuối năm", "Học kỳ II", "Tổng kết năm học"]}
FILE_PERIODS = {"HK1": ["HK1", "HKI", "So_ket"], "CN": ["CN", "HK2", "Tong_ket"]}
TOTALS = ["Tổng số: {n} cơ sở giáo dục", "Tổng cộng", "Cộng: {n} trường"]
NOTES = ["Ghi chú: Số liệu tính đến ngày 30/9.", "Lưu ý: Các đơn vị gửi bản mềm về phòng trước ngày 20."]
PLACES = ["Vinh, ngày 15 tháng 12 năm 2024", "Nghệ An, ngày … tháng … năm …"]
PEOPLE = ["Nguyễn Văn An", "Trần Thị Bình"]
PILLAR_VI = {"scale": "Quy mô", "infrastructure": "Hạ tầng", "platforms": "Nền tảng số", "data": "Dữ liệu số",
             "people": "Đội ngũ", "government": "Quản trị", "security": "An toàn thông tin", "institutions": "Thể chế",
             "awareness": "Nhận thức"}
GROUPED = {"it_rooms": ("Tin học", "Số phòng máy"), "it_computers": ("Tin học", "Số máy tính"),
           "it_students": ("Tin học", "Số HS"), "it_classes": ("Tin học", "Số lớp"),
           "students_with_id": ("Định danh", "Số học sinh"), "teachers_with_id": ("Định danh", "Số GV"),
           "managers_with_esign": ("Chữ ký số", "Số CBQL"), "teachers_trained": ("Bồi dưỡng", "Số GV"),
           "digital_materials": ("Học liệu số", "Số học liệu")}
SECTIONS = {"MN": "I. MẦM NON", "TH": "II. TIỂU HỌC", "THCS": "III. TRUNG HỌC CƠ SỞ", "TH_THCS": "IV. LIÊN CẤP TH&THCS"}
LEVEL_ORDER = list(SECTIONS)
BOOLS = {"co_khong": ("Có", "Không"), "c_k": ("C", "K"), "x_blank": ("x", None), "dat": ("Đạt", "Chưa đạt"),
         "one_zero": (1, 0), "yes_no": ("Yes", "No")}
EXTRAS = {"Địa chỉ": "Khối 5, {ward}", "Số điện thoại": "0238.3844.123", "Người báo cáo": "Lê Thị Hoa",
          "Email": "c2.truong@nghean.edu.vn", "Ghi chú": "Đã rà soát"}
LEVEL_TEXTS = {"MN": ["Mầm non", "MN", "Mẫu giáo"], "TH": ["Tiểu học", "TH"], "THCS": ["THCS", "Trung học cơ sở"],
               "TH_THCS": ["TH&THCS", "Liên cấp TH-THCS", "TH và THCS"]}
OWNERSHIP_TEXTS = {"cong_lap": ["Công lập", "CL", None], "tu_thuc": ["Tư thục", "NCL", "Tư thục"]}
ROMAN = dict(enumerate(("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"), 1))


def years(year: str) -> dict:
    a, b = year.split("-")
    return {"a": a, "b": b, "b2": b[2:]}


def year_text(spec: Spec, year: str) -> str:
    return YEAR_TEXTS[spec.style.year_text % len(YEAR_TEXTS)].format(**years(year))


def period_text(spec: Spec, period: str) -> str:
    texts = PERIOD_TEXTS[period]
    return texts[spec.style.period_text % len(texts)]


def context_lines(spec: Spec, year: str | None, period: str | None) -> list[str]:
    """The title line(s) naming the school year and period, when the style puts them in the title."""
    st = spec.style
    y = year_text(spec, year) if year and "title" in st.year_at and spec.broken != "no_year" else None
    if y and "năm học" not in y.casefold() and not y.startswith("NH"):
        y = "Năm học " + y
    p = period_text(spec, period) if period and "title" in st.period_at else None
    if y and p:
        return [f"{p} - {y}" if st.year_text % 2 else f"{p} {y}"]
    return [t for t in (y, p) if t]


def file_stem(spec: Spec, base: str, year: str | None, period: str | None) -> str:
    st = spec.style
    parts = [base]
    if period and "file" in st.period_at:
        parts.append(FILE_PERIODS[period][st.period_text % 3])
    if year and "file" in st.year_at and spec.broken != "no_year":
        parts.append(FILE_YEARS[st.year_text % 3].format(**years(year)))
    return "_".join(parts)


def tx(spec: Spec, text):
    """Free text (names, tasks, yes/no words) as the file types it: NFC, NFD or a legacy font."""
    if not isinstance(text, str):
        return text
    return {"nfc": lambda t: t, "nfd": lambda t: unicodedata.normalize("NFD", t), "tcvn3": encode_tcvn3,
            "vni": encode_vni}[spec.style.text](text)


def name_variant(spec: Spec, code: str) -> str:
    school = BY_CODE[code] if code in BY_CODE else BY_CODE["40300001"]
    kind, name = spec.style.name, school.name
    if kind == "no_truong":
        name = name.removeprefix("Trường ")
    elif kind == "abbrev":
        name = {"MN": "MN ", "TH": "TH ", "THCS": "THCS ", "TH_THCS": "TH&THCS "}[school.level] + school.core
    elif kind == "short":
        name = school.core
    elif kind == "upper":
        name = name.upper()
    elif kind == "double_space":
        name = name.replace(" ", "  ", 2)
    elif kind == "tone":
        name = tone_variant(spec, name)
    return tx(spec, name)


def comma(x: float) -> str:
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def dots(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# ---- values ----------------------------------------------------------------------------------------

def render_value(spec: Spec, code: str, value, column_ok: bool = False):
    st, f = spec.style, FIELDS[code]
    if f.type == "bool":
        if value is None:
            return None
        yes, no = BOOLS[st.bools]
        return tx(spec, yes if value else no)
    if value is None:
        return "-" if st.none == "dash" and f.type in ("int", "number", "percent") else None
    if f.type == "int":
        return {"number": value, "float": float(value), "text": str(value), "dot": dots(value),
                "unit": f"{value} {f.unit}" if f.unit else str(value)}[st.ints]
    if f.type == "number":
        return {"number": value, "comma_text": comma(value), "unit": f"{comma(value)} {f.unit}"}[st.numbers]
    if f.type == "percent":
        return render_percent(st.percent, value, cell_fraction_ok(st.percent, value, column_ok))
    return tx(spec, value)


def render_percent(style: str, value: float, fraction_ok: bool):
    if style in ("frac_text", "frac_number") and not fraction_ok:
        style = "number"
    shown = int(value) if float(value).is_integer() else value
    return {"number": shown, "pct_text": f"{comma(value)}%", "pct_space": f"{comma(value)} %",
            "frac_text": comma(value / 100), "frac_number": round(value / 100, 6),
            "excel_pct": Fmt(round(value / 100, 6), "pct")}[style]


def fractions_ok(style: str, values: list) -> bool:
    """Fractions are readable in a column when some value lies strictly between 0 and 100 percent."""
    if style == "frac_text":
        return True  # decided per cell
    return any(v is not None and 0 < v < 100 for v in values)


def cell_fraction_ok(style: str, value, column_ok: bool) -> bool:
    if style == "frac_text":
        return value is not None and 0 < value < 100
    return column_ok


# ---- tables ----------------------------------------------------------------------------------------

@dataclass
class Col:
    key: str
    label: object
    values: list  # one per data row
    groups: tuple = ()
    fixed: bool = False  # keeps its place when columns are shuffled


def arrange(cols: list[Col], seed: int) -> list[Col]:
    """Shuffle blocks of columns sharing their outermost group, and columns inside a block; fixed ones stay first."""
    if not seed:
        return cols
    rng = random.Random(seed)
    fixed = [c for c in cols if c.fixed]
    blocks: list[list[Col]] = []
    for col in (c for c in cols if not c.fixed):
        if blocks and col.groups and blocks[-1][0].groups[:1] == col.groups[:1]:
            blocks[-1].append(col)
        else:
            blocks.append([col])
    for block in blocks:
        if block[0].groups:  # inner groups stay contiguous: shuffle sub-blocks
            subs: dict = {}
            for col in block:
                subs.setdefault(col.groups, []).append(col)
            parts = list(subs.values())
            rng.shuffle(parts)
            for part in parts:
                rng.shuffle(part)
            block[:] = [c for part in parts for c in part]
    rng.shuffle(blocks)
    return fixed + [c for block in blocks for c in block]


def title_rows(spec: Spec, main: str | None, lines: list[str], right: int) -> list[list[tuple[int, str]]]:
    st = spec.style
    rows: list[list[tuple[int, str]]] = []
    if st.titles in ("ubnd", "conghoa", "conghoa_date"):
        rows = [[(0, "UBND THÀNH PHỐ VINH")], [(0, "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO")]]
        if st.titles != "ubnd":
            rows[0].append((right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
            rows[1].append((right, "Độc lập - Tự do - Hạnh phúc"))
        if st.titles == "conghoa_date":
            rows.append([(right, PLACES[0])])
    if main and st.titles != "none":
        rows.append([(0, main)])
    rows += [[(0, line)] for line in lines]
    return rows


def put_titles(sheet: Sheet, rows: list[list[tuple[int, str]]], blank_after: bool) -> int:
    for r, row in enumerate(rows):
        for c, text in row:
            sheet.put(r, c, text)
    return len(rows) + (1 if rows and blank_after else 0)


def put_table(sheet: Sheet, top: int, cols: list[Col], spec: Spec, sections: list | None = None,
              subtotal: str | None = None, row_keys: list | None = None) -> tuple[dict, int]:
    """Header band, column numbers, data rows (with section rows), hidden rows; ({data index: row}, next row)."""
    st = spec.style
    depth = 1 + max(len(c.groups) for c in cols)
    for c, col in enumerate(cols):
        for level, group in enumerate(col.groups):
            if c == 0 or cols[c - 1].groups[:level + 1] != col.groups[:level + 1]:
                end = c
                while end + 1 < len(cols) and cols[end + 1].groups[:level + 1] == col.groups[:level + 1]:
                    end += 1
                sheet.merge(top + level, c, top + level, end, group)
        sheet.merge(top + len(col.groups), c, top + depth - 1, c, col.label)
    r = top + depth
    if st.colnums:
        for c in range(len(cols)):
            sheet.put(r, c, f"({c + 1})")
        r += 1
    rows, previous = {}, None
    n = len(cols[0].values)
    for i in range(n):
        if sections and sections[i] != previous:
            if previous is not None and subtotal:
                sheet.put(r, min(1, len(cols) - 1), subtotal)
                r += 1
            sheet.put(r, 0, SECTIONS[sections[i]])
            previous = sections[i]
            r += 1
        for c, col in enumerate(cols):
            if row_keys is not None and col.key not in ("seq", "extra") and not col.key.startswith("total:"):
                sheet.put_value(r, c, col.values[i], (row_keys[i], col.key.split(":")[0]))
            else:
                sheet.put(r, c, col.values[i])
        rows[i] = r
        sheet.data_rows.add(r)
        if i in st.hidden_rows:
            sheet.hidden_rows.add(r)
        r += 1
    if sections and subtotal:
        sheet.put(r, min(1, len(cols) - 1), subtotal)
        r += 1
    return rows, r


def put_footer(sheet: Sheet, r: int, spec: Spec, text_col: int, n: int, total_word: str = "trường",
               signatures: tuple = ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ")) -> None:
    st = spec.style
    right = max(sheet.width - 2, 1)
    for part in st.footer:
        if part == "total":
            total = TOTALS[st.total_text % 3].format(n=n)
            sheet.put(r, text_col, total.replace("trường", total_word).replace("cơ sở giáo dục", total_word))
        elif part == "note":
            sheet.put(r, 0, NOTES[st.total_text % 2])
        elif part == "place_date":
            sheet.put(r, right, PLACES[st.year_text % 2])
        elif part == "signature":
            sheet.put(r, min(1, right - 1), signatures[0])
            sheet.put(r, right, signatures[1])
            sheet.put(r + 4, min(1, right - 1), PEOPLE[0])
            sheet.put(r + 4, right, PEOPLE[1])
            r += 4
        r += 1


def seq_col(spec: Spec, n: int) -> list[Col]:
    return [Col("seq", spec.style.seq, list(range(1, n + 1)), fixed=True)] if spec.style.seq else []


def extra_cols(spec: Spec, codes: list[str]) -> list[Col]:
    cols = []
    for label in spec.style.extras:
        values = [EXTRAS[label].format(ward=f"phường {BY_CODE[c].ward_old}" if c in BY_CODE else "") for c in codes]
        cols.append(Col("extra", label, values))
    return cols


def code_value(spec: Spec, code: str):
    if spec.style.code_number:
        return int(code)
    return f"'{code}" if spec.style.code_quote and code else code  # a web export keeps the code text this way


REGISTRY_LABELS = (("Mã trường", "Phường/xã", "Phường mới"),
                   ("Mã định danh", "Phường/xã cũ", "Đơn vị hành chính cấp xã"),
                   ("Mã đơn vị", "Đơn vị cũ", "Xã/phường"), ("Mã CSGD", "Phường/xã", "Phường/xã mới"))
_TONE_FIRST = {"òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "ùy": "uỳ", "úy": "uý", "ủy": "uỷ",
               "ũy": "uỹ", "ụy": "uỵ", "òe": "oè", "óe": "oé"}


def tone_variant(spec: Spec, text: str) -> str:
    """The other spelling of a word ending in oa, oe or uy (Thủy → Thuỷ, Hòa → Hoà), as many offices type it."""
    if spec.style.name != "tone" or not isinstance(text, str):
        return text
    return re.sub("|".join(_TONE_FIRST), lambda m: _TONE_FIRST[m.group(0)], text)


def hidden_copy(sheet: Sheet) -> Sheet:
    """A hidden sheet: an older draft of the same table, every number changed. It must not load."""
    copy = Sheet("Bản cũ (ẩn)", dict(sheet.cells), list(sheet.merges), hidden=True)
    for (r, c), value in sheet.cells.items():
        if r in sheet.data_rows and isinstance(value, (int, float)) and not isinstance(value, bool) and c > 0:
            copy.cells[(r, c)] = value + 1
    return copy


def finish(book: Book, spec: Spec) -> Book:
    if spec.style.hidden_sheet:
        book.sheets.insert(0, hidden_copy(book.sheets[0]))
    return book


# ---- layout 1: consolidated survey -----------------------------------------------------------------

def field_label(spec: Spec, code: str, index: int) -> tuple[tuple, str]:
    """(groups, label) of a survey field column."""
    st, f = spec.style, FIELDS[code]
    outer = ("NỘI DUNG KHẢO SÁT",) if st.band >= 3 else ()
    if st.short_labels and st.band >= 2 and code in GROUPED:
        group, label = GROUPED[code]
        return (outer + (group,)), label
    labels = [f.label_vi, *f.aliases] if st.short_labels else [f.label_vi]
    label = labels[index % len(labels)]
    return (outer + (PILLAR_VI[f.pillar],) if st.band >= 2 else ()), label


def survey_table(spec: Spec) -> Book:
    t, st = spec.truth, spec.style
    codes = list(t.rows)
    if st.sections:
        codes.sort(key=lambda c: LEVEL_ORDER.index(BY_CODE[c].level))
    fields = [k for k in FIELDS if k in t.rows[codes[0]]]
    cols = seq_col(spec, len(codes))
    written = {c: (UNKNOWN_CODE if spec.broken == "unknown_code" and i == spec.broken_at % len(codes) else c)
               for i, c in enumerate(codes)}
    if st.code_col:
        cols.append(Col("school_code", "Mã trường", [code_value(spec, written[c]) for c in codes], fixed=True))
    if st.name_col:
        cols.append(Col("school_name", "Tên trường" if not st.short_labels else "Tên đơn vị",
                        [name_variant(spec, c) for c in codes], fixed=not st.order % 2))
    if "column" in st.year_at and spec.broken != "no_year":
        cols.append(Col("school_year", "Năm học", [year_text(spec, t.year) for _ in codes]))
    if "column" in st.period_at:
        cols.append(Col("period", "Kỳ báo cáo", [period_text(spec, t.period) for _ in codes]))
    ticks = st.bools == "x_blank" and not any(v is True for row in t.rows.values() for k, v in row.items()
                                               if FIELDS[k].type == "bool")
    for i, code in enumerate(fields):
        groups, label = field_label(spec, code, i + st.order)
        column = [t.rows[c][code] for c in codes]
        ok = FIELDS[code].type == "percent" and fractions_ok(st.percent, column)
        values = [render_value(spec if not ticks else _plain_bools(spec), code, v, ok) for v in column]
        cols.append(Col(code, label, values, groups))
    cols += extra_cols(spec, codes)
    cols = arrange(cols, st.order)
    broken_row = spec.broken_at % len(codes)
    broken_col = _broken_field(spec, cols, fields)
    sheet = Sheet("Tổng hợp")
    main = "BIỂU TỔNG HỢP SỐ LIỆU KHẢO SÁT CHUYỂN ĐỔI SỐ"
    top = put_titles(sheet, title_rows(spec, main, context_lines(spec, t.year, t.period), 4), st.blank_after_title)
    if broken_col is not None:
        cols[broken_col].values[broken_row] = "mười hai" if spec.broken == "bad_number" else Err("#DIV/0!")
    book = Book(file_stem(spec, "Bieu_tong_hop_KS", t.year, t.period), [sheet])
    anchor = "school_code" if any(c.key == "school_code" for c in cols) else "school_name"
    broken_key = cols[broken_col].key if broken_col is not None else None
    if st.turned:  # a school per column, the labels down column A
        where = _turned(sheet, top, cols, codes)
    else:
        where = _tables(sheet, top, cols, codes, spec)
    for i, c in enumerate(codes):
        book.anchors[c] = where(i, anchor)
        if broken_key is not None and i == broken_row:
            book.cells[(c, "broken")] = where(i, broken_key)
    if spec.broken == "unknown_code":
        book.cells[(codes[broken_row], "broken")] = book.anchors[codes[broken_row]]
    return finish(book, spec)


def _tables(sheet: Sheet, top: int, cols: list[Col], codes: list[str], spec: Spec):
    """The schools in one table, or (style split) in two tables under their own header bands, the second with its
    columns in another order and a title line of its own; returns where (school index, column key) stands."""
    st = spec.style
    sections = [BY_CODE[c].level for c in codes] if st.sections else None
    subtotal = "Cộng" if st.subtotals else None
    k = len(codes) // 2 if st.split and len(codes) >= 2 else len(codes)
    parts = [(0, cols)]
    if k < len(codes):
        second = arrange([Col(c.key, c.label, c.values[k:], c.groups, c.fixed) for c in cols], st.order + 1)
        parts = [(0, [Col(c.key, c.label, c.values[:k], c.groups, c.fixed) for c in cols]), (k, second)]
    found: dict[int, tuple[int, list[str]]] = {}
    r = top
    for first, part in parts:
        if first:
            r += 1
            sheet.put(r, 0, "Biểu 2: các trường còn lại")
            r += 1
        end = first + len(part[0].values)
        rows, r = put_table(sheet, r, part, spec, sections[first:end] if sections else None, subtotal,
                            codes[first:end])
        keys = [c.key for c in part]
        found.update({first + i: (row, keys) for i, row in rows.items()})
    keys = [c.key for c in cols]
    text_col = keys.index("school_name") if "school_name" in keys else keys.index("school_code")
    put_footer(sheet, r, spec, text_col, len(codes))
    return lambda i, key: a1(found[i][0], found[i][1].index(key))


def _turned(sheet: Sheet, top: int, cols: list[Col], codes: list[str]):
    """A comparison sheet: each column's label in column A of its own row, a school in each column from B."""
    shown = [c for c in cols if c.key != "seq"]
    for j, col in enumerate(shown):
        label = FIELDS[col.key].label_vi if col.groups and col.key in FIELDS else col.label  # no group above it
        sheet.put(top + j, 0, label)
        for i, value in enumerate(col.values):
            if col.key == "extra":
                sheet.put(top + j, 1 + i, value)
            else:
                sheet.put_value(top + j, 1 + i, value, (codes[i], col.key))
    keys = [c.key for c in shown]
    return lambda i, key: a1(top + keys.index(key), 1 + i)


def _plain_bools(spec: Spec) -> Spec:
    """No school ticks any box: an 'x' sheet then reads like any Có/Không sheet (a blank column says nothing)."""
    from dataclasses import replace
    return replace(spec, style=replace(spec.style, bools="co_khong"))


def _broken_field(spec: Spec, cols: list[Col], fields: list[str]) -> int | None:
    """The column that gets the deliberate mistake: a required int column (bad number, #DIV/0!)."""
    if spec.broken not in ("bad_number", "div0"):
        return None
    keys = [c.key for c in cols]
    return keys.index(["classes", "students", "teachers", "managers", "classrooms"][spec.broken_at % 5])


# ---- layout 2: per-school survey form ----------------------------------------------------------------

def survey_form(spec: Spec) -> Book:
    t, st = spec.truth, spec.style
    [code] = list(t.rows)
    values = t.rows[code]
    sheet = Sheet("Phiếu")
    lines = context_lines(spec, t.year, t.period)
    top = put_titles(sheet, title_rows(spec, "PHIẾU KHẢO SÁT THỰC TRẠNG CHUYỂN ĐỔI SỐ", lines, 3), st.blank_after_title)
    seq = 1 if st.seq else 0
    label_c = seq
    value_c = label_c + 1 + (1 if st.unit_col else 0)
    book = Book(file_stem(spec, f"PKS_{code}" if not st.order % 2 else "Phieu_khao_sat", t.year, t.period), [sheet])
    r = top
    if st.seq or st.unit_col or st.note_col:
        heads = ([st.seq] if st.seq else []) + ["Nội dung"] + (["Đơn vị tính"] if st.unit_col else []) + ["Số liệu"]
        heads += ["Ghi chú"] if st.note_col else []
        for c, text in enumerate(heads):
            sheet.put(r, c, text)
        r += 1
    written_code = UNKNOWN_CODE if spec.broken == "unknown_code" else code
    ident = []
    if st.code_col or not st.name_col:
        ident.append(("school_code", "Mã trường", code_value(spec, written_code)))
    if st.name_col:
        ident.append(("school_name", "Tên trường", name_variant(spec, code)))
    if "column" in st.year_at and spec.broken != "no_year":
        ident.append(("school_year", "Năm học", year_text(spec, t.year)))
    if "column" in st.period_at:
        ident.append(("period", "Kỳ báo cáo", period_text(spec, t.period)))
    number = 0
    if st.across:  # rows of labels, each followed by the row of their values
        return _form_across(spec, sheet, book, r, code, ident, values)
    for key, label, value in ident:
        if st.inline:
            sheet.put_value(r, label_c, f"{label}: {value}", (code, key))
            ref = a1(r, label_c)
        else:
            sheet.put(r, label_c, label)
            sheet.put_value(r, value_c, value, (code, key))
            ref = a1(r, value_c)
        book.cells[(code, key)] = ref
        r += 1
    book.anchors[code] = book.cells.get((code, "school_code")) or book.cells[(code, "school_name")]
    broken_field = ["classes", "students", "teachers", "managers", "classrooms"][spec.broken_at % 5]
    pillar, section = None, 0
    for i, key in enumerate(k for k in FIELDS if k in values):
        f = FIELDS[key]
        if st.sections and f.pillar != pillar:
            pillar, section = f.pillar, section + 1
            sheet.put(r, 0, f"{ROMAN.get(section, 'V')}. {PILLAR_VI[pillar].upper()}")
            r += 1
        number += 1
        if st.seq:
            sheet.put(r, 0, number)
        labels = [f.label_vi, *f.aliases] if st.short_labels else [f.label_vi]
        sheet.put(r, label_c, labels[(i + st.order) % len(labels)])
        if st.unit_col:
            sheet.put(r, label_c + 1, f.unit)
        value = render_value(spec, key, values[key])
        if spec.broken in ("bad_number", "div0") and key == broken_field:
            value = "mười hai" if spec.broken == "bad_number" else Err("#DIV/0!")
            book.cells[(code, "broken")] = a1(r, value_c)
        sheet.put_value(r, value_c, value, (code, key))
        sheet.data_rows.add(r)
        if st.note_col and i % 3 == 1:
            sheet.put(r, value_c + 1, "Số liệu đến 30/9")
        if i in st.hidden_rows:
            sheet.hidden_rows.add(r)
        r += 1
    if spec.broken == "unknown_code":
        book.cells[(code, "broken")] = book.anchors[code]
    put_footer(sheet, r + 1, spec, label_c, 1, signatures=("NGƯỜI LẬP PHIẾU", "HIỆU TRƯỞNG"))
    return finish(book, spec)


def _form_across(spec: Spec, sheet: Sheet, book: Book, r: int, code: str, ident: list, values: dict) -> Book:
    """One school's form laid out across: the identity labels on a row and their values under them, then the fields
    four to a row, each row of labels followed by the row of its values, a numbered heading above each block."""
    broken_field = ["classes", "students", "teachers", "managers", "classrooms"][spec.broken_at % 5]
    fields = [(key, FIELDS[key].label_vi, render_value(spec, key, values[key])) for key in FIELDS if key in values]
    blocks = [ident] + [fields[i:i + 4] for i in range(0, len(fields), 4)]
    for number, block in enumerate(blocks):
        if number:
            sheet.put(r, 0, f"{number}. Nhóm chỉ tiêu {number}")
            r += 1
        for c, (key, label, value) in enumerate(block):
            sheet.put(r, c, label)
            if spec.broken in ("bad_number", "div0") and key == broken_field:
                value = "mười hai" if spec.broken == "bad_number" else Err("#DIV/0!")
                book.cells[(code, "broken")] = a1(r + 1, c)
            sheet.put_value(r + 1, c, value, (code, key))
            book.cells[(code, key)] = a1(r + 1, c)
        sheet.data_rows.add(r + 1)
        r += 3
    book.anchors[code] = book.cells.get((code, "school_code")) or book.cells[(code, "school_name")]
    if spec.broken == "unknown_code":
        book.cells[(code, "broken")] = book.anchors[code]
    put_footer(sheet, r, spec, 0, 1, signatures=("NGƯỜI LẬP PHIẾU", "HIỆU TRƯỞNG"))
    return finish(book, spec)


# ---- layout 3: per-school 4725 form ----------------------------------------------------------------

KIND_WORDS = {"Điểm tự đánh giá": ("Điểm tự đánh giá", "Điểm thẩm định"), "Tự đánh giá": ("Tự đánh giá", "Thẩm định")}


def criterion_value(spec: Spec, crit: dict, value):
    st = spec.style
    if value is None:
        return None
    if crit["mandatory"]:
        yes, no = BOOLS[st.bools]
        return tx(spec, yes if value else no)
    shown = int(value) if float(value).is_integer() else value
    return comma(value) if st.score_text else shown


def criterion_code_cell(spec: Spec, code: str):
    return float(code) if spec.style.code_number and code.count(".") == 1 else code


def assessment_form(spec: Spec) -> Book:
    t, st = spec.truth, spec.style
    [code] = list(t.scores)
    scores = t.scores[code]
    sheet = Sheet("Phiếu TĐG")
    main = "PHIẾU TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ" if "self" in t.kinds else "KẾT QUẢ THẨM ĐỊNH MỨC ĐỘ CHUYỂN ĐỔI SỐ"
    top = put_titles(sheet, title_rows(spec, main, context_lines(spec, t.year, None), 4), False)
    book = Book(file_stem(spec, f"TDG_4725_{code}", t.year, None), [sheet])
    written = UNKNOWN_CODE if spec.broken == "unknown_code" else code
    ident = []
    if st.name_col or not st.code_col:
        ident.append(("school_name", "Trường", name_variant(spec, code)))
    if st.code_col:
        ident.append(("school_code", "Mã trường", code_value(spec, written)))
    if "column" in st.year_at and spec.broken != "no_year":
        ident.append(("school_year", "Năm học", year_text(spec, t.year)))
    r = top
    at = 1 if st.ident_b else 0  # "Mã trường:" in column B, the code in C
    for key, label, value in ident:
        if st.inline:
            sheet.put_value(r, at, f"{label}: {value}", (code, key))
            book.cells[(code, key)] = a1(r, at)
        else:
            sheet.put(r, at, f"{label}:" if st.ident_b else label)
            sheet.put_value(r, at + 1, value, (code, key))
            book.cells[(code, key)] = a1(r, at + 1)
        r += 1
    book.anchors[code] = book.cells.get((code, "school_code")) or book.cells[(code, "school_name")]
    r += 1
    heads = [("seq", st.seq)] if st.seq else []
    heads += [("code", "Mã tiêu chí")] if st.code_col else []
    heads += [("name", "Nội dung tiêu chí"), ("max", "Điểm tối đa")]
    words = KIND_WORDS[st.score_words]
    heads += [(kind, words[kind == "verified"]) for kind in ("self", "verified") if kind in t.kinds]
    heads += [("evidence", "Minh chứng")] if t.evidence else []
    keys = [k for k, _ in heads]
    band = 2 if st.band >= 2 and st.score_words == "Tự đánh giá" else 1
    for c, (key, label) in enumerate(heads):
        if band == 2 and key in ("self", "verified"):
            sheet.put(r + 1, c, label)
        else:
            sheet.merge(r, c, r + band - 1, c, label)
    if band == 2:
        first = keys.index(next(k for k in keys if k in ("self", "verified")))
        sheet.merge(r, first, r, first + sum(k in ("self", "verified") for k in keys) - 1, "Điểm")
    r += band
    if st.colnums:
        for c in range(len(heads)):
            sheet.put(r, c, f"({c + 1})")
        r += 1
    broken = _broken_criterion(spec)
    number = 0
    for group in ("1", "2"):
        sheet.put(r, keys.index("name"), f"NHÓM {group}: " + ("HOẠT ĐỘNG DẠY HỌC" if group == "1" else "QUẢN TRỊ"))
        r += 1
        shown_parents = set()
        for crit in (c for c in CRITERIA if c["group"] == group):
            parent = crit["parent"]
            if parent in PARENTS and parent not in shown_parents:
                shown_parents.add(parent)
                if "code" in keys:
                    sheet.put(r, keys.index("code"), criterion_code_cell(spec, parent))
                    sheet.put(r, keys.index("name"), "Nhóm tiêu chí " + parent)
                else:
                    sheet.put(r, keys.index("name"), f"{parent}. Nhóm tiêu chí {parent}")
                r += 1
            number += 1
            if st.seq:
                sheet.put(r, 0, number)
            if "code" in keys:
                sheet.put(r, keys.index("code"), criterion_code_cell(spec, crit["code"]))
                sheet.put(r, keys.index("name"), crit["name_vi"])
            else:
                sheet.put(r, keys.index("name"), f"{crit['code']}. {crit['name_vi']}")
            sheet.put(r, keys.index("max"), st.max_text if crit["mandatory"] else int(crit["max_points"]))
            for kind in t.kinds:
                value = criterion_value(spec, crit, scores.get(kind, {}).get(crit["code"]))
                if broken and broken == (kind, crit["code"]):
                    value = "sáu" if spec.broken == "bad_number" else Err("#DIV/0!")
                    book.cells[(code, "broken")] = a1(r, keys.index(kind))
                    book.cells[(code, "broken_kind")] = kind
                sheet.put_value(r, keys.index(kind), value, (code, kind))
            if t.evidence:
                scored = any(scores.get(kind, {}).get(crit["code"]) is not None for kind in t.kinds)
                evidence = tx(spec, t.evidence.get(code, {}).get(crit["code"]))
                (sheet.put_value if scored else sheet.put)(r, keys.index("evidence"), evidence,
                                                           *([(code, "evidence")] if scored else []))
            sheet.data_rows.add(r)
            if number - 1 in st.hidden_rows:
                sheet.hidden_rows.add(r)
            r += 1
        if st.subtotals:
            sheet.put(r, keys.index("name"), f"Tổng điểm nhóm {group}")
            for kind in t.kinds:
                group_scores = [v for k, v in scores.get(kind, {}).items() if v is not None and
                                not isinstance(v, bool) and k.startswith(group + ".")]
                if group_scores:
                    sheet.put(r, keys.index(kind), sum(group_scores))
            r += 1
    if spec.broken == "unknown_code":
        book.cells[(code, "broken")] = book.anchors[code]
    put_footer(sheet, r + 1, spec, keys.index("name"), 1, signatures=("NGƯỜI LẬP PHIẾU", "HIỆU TRƯỞNG"))
    return finish(book, spec)


def _broken_criterion(spec: Spec) -> tuple[str, str] | None:
    """(kind, criterion) whose cell gets the mistake: a scored (not mandatory) criterion that has a value."""
    if spec.broken not in ("bad_number", "div0"):
        return None
    t = spec.truth
    options = [(kind, crit) for school in t.scores.values() for kind in t.kinds
               for crit, v in school.get(kind, {}).items() if v is not None and not isinstance(v, bool)
               and (not getattr(t, "criteria", ()) or crit in t.criteria)]
    options = sorted(set(options))
    return options[spec.broken_at % len(options)] if options else None


# ---- layout 4: consolidated 4725 -------------------------------------------------------------------

def assessment_table(spec: Spec) -> Book:
    t, st = spec.truth, spec.style
    codes = list(t.scores)
    criteria = [c for c in CRITERIA if not t.criteria or c["code"] in t.criteria]
    kind_at = "group" if len(t.kinds) > 1 or (st.kind_at == "none" and t.kinds != ("self",)) else \
        "title" if st.kind_at == "sub" else st.kind_at
    words = KIND_WORDS[st.score_words]
    cols = seq_col(spec, len(codes))
    written = {c: (UNKNOWN_CODE if spec.broken == "unknown_code" and i == spec.broken_at % len(codes) else c)
               for i, c in enumerate(codes)}
    if st.code_col or not st.name_col:
        cols.append(Col("school_code", "Mã trường", [code_value(spec, written[c]) for c in codes], fixed=True))
    if st.name_col:
        cols.append(Col("school_name", "Tên trường", [name_variant(spec, c) for c in codes], fixed=True))
    if "column" in st.year_at and spec.broken != "no_year":
        cols.append(Col("school_year", "Năm học", [year_text(spec, t.year) for _ in codes], fixed=True))
    if st.kind_at == "sub" and len(t.kinds) > 1:  # "1.3.1" merged over "Tự đánh giá | Thẩm định"
        kind_at = "sub"
        for crit in criteria:
            code = crit["code"]
            for kind in t.kinds:
                values = [criterion_value(spec, crit, t.scores[c].get(kind, {}).get(code)) for c in codes]
                cols.append(Col(f"{kind}:{code}", words[kind == "verified"], values, (criterion_code_cell(spec, code),),
                                fixed=True))
    for kind in t.kinds if kind_at != "sub" else ():
        for crit in criteria:
            groups = (words[kind == "verified"],) if kind_at == "group" else ()
            if st.band - 1 > len(groups):
                groups += (f"Nhóm {crit['group']}",)
            code = crit["code"]
            label = criterion_code_cell(spec, code) if not st.short_labels else f"TC {code}"
            values = [criterion_value(spec, crit, t.scores[c].get(kind, {}).get(code)) for c in codes]
            cols.append(Col(f"{kind}:{code}", label, values, groups, fixed=True))
        if st.subtotals:
            for group in ("1", "2"):
                sums = [sum(v for k, v in t.scores[c].get(kind, {}).items() if v is not None and
                            not isinstance(v, bool) and k.startswith(group + ".") and
                            any(k == cr["code"] for cr in criteria)) for c in codes]
                groups = (words[kind == "verified"],) if kind_at == "group" else ()
                cols.append(Col(f"total:{kind}", f"Tổng điểm nhóm {group}", sums, groups, fixed=True))
    cols += extra_cols(spec, codes)
    keys = [c.key for c in cols]
    broken = _broken_criterion(spec)
    broken_school = None
    if broken:
        kind, crit = broken
        broken_school = next(c for c in codes if t.scores[c].get(kind, {}).get(crit) is not None
                             and not isinstance(t.scores[c][kind][crit], bool))
        cols[keys.index(f"{kind}:{crit}")].values[codes.index(broken_school)] = \
            "sáu" if spec.broken == "bad_number" else Err("#DIV/0!")
    sheet = Sheet("4725")
    kind_title = {"title": {"self": "TỰ ĐÁNH GIÁ", "verified": "THẨM ĐỊNH"}.get(t.kinds[0]), "group": "ĐÁNH GIÁ",
                  "none": "ĐÁNH GIÁ", "sub": "TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH"}[kind_at]
    main = f"TỔNG HỢP KẾT QUẢ {kind_title} MỨC ĐỘ CHUYỂN ĐỔI SỐ THEO QĐ 4725"
    lines = context_lines(spec, t.year, None)
    if kind_at == "title" and st.titles == "none":
        lines = [main] + lines
    top = put_titles(sheet, title_rows(spec, main, lines, 4), st.blank_after_title)
    rows, r = put_table(sheet, top, cols, spec, row_keys=codes)
    if st.max_row:
        first = min(rows.values())
        _insert_row(sheet, first, {keys.index("school_name" if "school_name" in keys else "school_code"): "Điểm tối đa",
                                   **{c: (int(cr["max_points"]) if not cr["mandatory"] else None)
                                      for c, k in enumerate(keys) for cr in criteria if k.endswith(":" + cr["code"])}})
        rows = {i: row + 1 for i, row in rows.items()}
        r += 1
    book = Book(file_stem(spec, "KQ_4725", t.year, None), [sheet])
    anchor = keys.index("school_code" if "school_code" in keys else "school_name")
    for i, c in enumerate(codes):
        book.anchors[c] = a1(rows[i], anchor)
    if broken:
        book.cells[(broken_school, "broken")] = a1(rows[codes.index(broken_school)], keys.index(f"{kind}:{crit}"))
        book.cells[(broken_school, "broken_kind")] = kind
    if spec.broken == "unknown_code":
        c = codes[spec.broken_at % len(codes)]
        book.cells[(c, "broken")] = book.anchors[c]
    put_footer(sheet, r, spec, keys.index("school_name" if "school_name" in keys else "school_code"), len(codes))
    return finish(book, spec)


def _insert_row(sheet: Sheet, at: int, values: dict) -> None:
    """Shift everything from row `at` down by one and write `values` there."""
    def move(r: int) -> int:
        return r + 1 if r >= at else r
    sheet.cells = {(move(r), c): v for (r, c), v in sheet.cells.items()}
    sheet.merges = [(move(r1), c1, move(r2), c2) for r1, c1, r2, c2 in sheet.merges]
    sheet.hidden_rows = {move(r) for r in sheet.hidden_rows}
    sheet.data_rows = {move(r) for r in sheet.data_rows}
    sheet.values = {(move(r), c): key for (r, c), key in sheet.values.items()}
    for c, v in values.items():
        sheet.put(at, c, v)


# ---- layout 5: the registry ------------------------------------------------------------------------

def broken_index(spec: Spec, n: int) -> int | None:
    """The registry row that gets the mistake; a repeated code repeats the row above."""
    if not spec.broken:
        return None
    return 1 + spec.broken_at % (n - 1) if spec.broken == "dup_code" else spec.broken_at % n


def registry(spec: Spec) -> Book:
    t, st = spec.truth, spec.style
    schools = list(t.schools)
    if st.sections:
        schools.sort(key=lambda s: LEVEL_ORDER.index(s.level))
    n = len(schools)
    bad = broken_index(spec, n)
    codes = [s.code for s in schools]
    if spec.broken == "no_code":
        codes[bad] = None
    if spec.broken == "dup_code" and n > 1:
        codes[bad] = codes[bad - 1]
    levels = [LEVEL_TEXTS[s.level][st.level_text % len(LEVEL_TEXTS[s.level])] for s in schools]
    if spec.broken == "bad_level":
        levels[bad] = "Giáo dục thường xuyên"
    code_label, old_label, new_label = REGISTRY_LABELS[st.labels_set % len(REGISTRY_LABELS)]
    cols = seq_col(spec, n) + [
        Col("school_code", code_label, [code_value(spec, c) if c else None for c in codes], fixed=True),
        Col("school_name", "Tên trường", [tx(spec, tone_variant(spec, s.name)) for s in schools]),
        *([] if st.level_by_section and st.sections else [Col("level", "Cấp học", levels)]),
        Col("ownership", "Loại hình", [OWNERSHIP_TEXTS[s.ownership][st.level_text % 3] for s in schools]),
        Col("ward_old", old_label, [tone_variant(spec, s.ward_old) for s in schools]),
    ]
    if t.wards_new:
        cols.append(Col("ward_new", new_label, [WARDS[s.ward_old]["new_ward"] for s in schools]))
        cols.append(Col("ward_new_code", "Mã phường mới", [int(WARDS[s.ward_old]["new_ward_code"]) for s in schools]))
    cols += extra_cols(spec, [s.code for s in schools])
    cols = arrange(cols, st.order)
    sheet = Sheet("Danh mục")
    top = put_titles(sheet, title_rows(spec, "DANH MỤC CƠ SỞ GIÁO DỤC TRÊN ĐỊA BÀN", [], 4), st.blank_after_title)
    rows, r = put_table(sheet, top, cols, spec, [s.level for s in schools] if st.sections else None)
    keys = [c.key for c in cols]
    book = Book("danh_muc_truong", [sheet])
    for i, s in enumerate(schools):
        book.anchors[(i, s.code)] = a1(rows[i], keys.index("school_code"))
    if spec.broken:
        column = "level" if spec.broken == "bad_level" and "level" in keys else "school_code"
        book.cells[("broken", bad)] = a1(rows[bad], keys.index(column))
    put_footer(sheet, r, spec, keys.index("school_name"), n)
    return finish(book, spec)


# ---- layout 6: the office task sheet ---------------------------------------------------------------

TASK_LABELS = {"task": ["Nhiệm vụ", "Nội dung nhiệm vụ", "Nội dung công việc"],
               "owner": ["Đơn vị/người phụ trách", "Người phụ trách", "Đơn vị chủ trì"],
               "due": ["Hạn hoàn thành", "Thời hạn", "Thời hạn hoàn thành"],
               "status": ["Trạng thái", "Tình trạng", "Tình hình thực hiện"],
               "percent": ["Tỷ lệ hoàn thành (%)", "% hoàn thành", "Tiến độ (%)"],
               "note": ["Ghi chú", "Ghi chú/Kết quả"]}


def due_value(task: Task):
    d = task.due
    if d is None:
        return None
    return {"date": Fmt(d, "date"), "dmy": f"{d.day:02d}/{d.month:02d}/{d.year}",
            "dmy2": f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}", "month": f"Tháng {d.month}/{d.year}",
            "quarter": f"Quý {ROMAN[(d.month - 1) // 3 + 1]}/{d.year}", "year": f"Năm {d.year}"}[task.due_as]


def tasks(spec: Spec) -> Book:
    t, st = spec.truth, spec.style
    n = len(t.tasks)
    percents = [task.percent for task in t.tasks]
    ok = fractions_ok(st.percent, percents)
    render = {"task": lambda k: tx(spec, k.task), "owner": lambda k: tx(spec, k.owner), "due": due_value,
              "status": lambda k: tx(spec, k.status), "note": lambda k: tx(spec, k.note),
              "percent": lambda k: None if k.percent is None else render_percent(
                  st.percent, k.percent, cell_fraction_ok(st.percent, k.percent, ok))}
    cols = seq_col(spec, n)
    for i, key in enumerate(t.columns):
        labels = TASK_LABELS[key]
        cols.append(Col(key, labels[(i + st.order) % len(labels)] if st.short_labels else labels[0],
                        [render[key](task) for task in t.tasks]))
    cols = arrange(cols, st.order)
    keys = [c.key for c in cols]
    bad = spec.broken_at % n
    if spec.broken in ("bad_number", "div0"):
        cols[keys.index("percent")].values[bad] = "hơn một nửa" if spec.broken == "bad_number" else Err("#DIV/0!")
    sheet = Sheet("Nhiệm vụ")
    in_title = "title" in st.year_at and spec.broken != "no_year"
    main = "BẢNG THEO DÕI NHIỆM VỤ CHUYỂN ĐỔI SỐ" + (f" NĂM {t.year}" if in_title else "")
    lines = [] if st.titles != "none" or not in_title else [main]
    top = put_titles(sheet, title_rows(spec, main, lines, 4), st.blank_after_title)
    rows, r = put_table(sheet, top, cols, spec, row_keys=list(range(n)))
    in_file = ("file" in st.year_at or not in_title) and spec.broken != "no_year"  # no year column on this sheet
    book = Book(f"nhiem_vu_CDS_{t.year}" if in_file else "nhiem_vu_CDS", [sheet])
    for i in range(n):
        book.anchors[i] = a1(rows[i], keys.index("task"))
    if spec.broken in ("bad_number", "div0"):
        book.cells[("broken", bad)] = a1(rows[bad], keys.index("percent"))
    put_footer(sheet, r, spec, keys.index("task"), n, "nhiệm vụ")
    return finish(book, spec)


RENDERERS = {"survey_table": survey_table, "survey_form": survey_form, "assessment_form": assessment_form,
             "assessment_table": assessment_table, "registry": registry, "tasks": tasks}


def render(spec: Spec) -> Book:
    return RENDERERS[spec.layout](spec)
