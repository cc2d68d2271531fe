"""The truth a generated file is made from: a small registry, survey values, 4725 scores, office tasks,
and the style knobs that say how an office wrote it. Every value here is what the loader must find."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from etl.reference import load_catalogue

CATALOGUE = load_catalogue()
FIELDS = CATALOGUE.fields
CRITERIA = [c for c in CATALOGUE.criteria]
PARENTS = sorted({c["parent"] for c in CRITERIA} - {c["code"] for c in CRITERIA} - {"1", "2"})

LEVEL_PREFIX = {"MN": "Trường Mầm non ", "TH": "Trường Tiểu học ", "THCS": "Trường THCS ", "TH_THCS": "Trường TH&THCS "}


class Compact:
    """A dataclass repr that leaves out defaults, so a shrunk example pastes into a regression test."""

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if value != default:
                parts.append(f"{f.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


@dataclass(frozen=True, repr=False)
class School(Compact):
    code: str
    name: str
    level: str
    ownership: str = "cong_lap"
    ward_old: str = "Lê Lợi"

    @property
    def core(self) -> str:
        return self.name.removeprefix(LEVEL_PREFIX[self.level]).removeprefix("tư thục ")


SCHOOLS = (
    School("40100001", "Trường Mầm non Bến Thủy", "MN", ward_old="Bến Thủy"),
    School("40100002", "Trường Mầm non tư thục Hoa Sen", "MN", "tu_thuc", "Quang Trung"),
    School("40200001", "Trường Tiểu học Lê Lợi", "TH"),
    School("40200002", "Trường Tiểu học Hưng Dũng 1", "TH", ward_old="Hưng Dũng"),
    School("40300001", "Trường THCS Đặng Thai Mai", "THCS", ward_old="Quang Trung"),
    School("40300002", "Trường THCS Nguyễn Trường Tộ", "THCS", ward_old="Trường Thi"),
    School("40400001", "Trường TH&THCS Hữu Nghị", "TH_THCS", "tu_thuc", "Nghi Phú"),
)
BY_CODE = {s.code: s for s in SCHOOLS}
UNKNOWN_CODE = "40999999"


def registry_dicts(schools=SCHOOLS) -> list[dict]:
    return [{"school_code": s.code, "school_name": s.name, "level": s.level, "ownership": s.ownership,
             "ward_old": s.ward_old} for s in schools]


@dataclass(frozen=True, repr=False)
class Style(Compact):
    """How one office wrote one file. Defaults are the plainest file."""
    titles: str = "none"  # none | ubnd | conghoa | conghoa_date | main
    year_at: tuple = ("file",)  # where the school year is written: column | title | file | row (form)
    period_at: tuple = ("file",)
    year_text: int = 0  # index into render.YEAR_TEXTS
    period_text: int = 0  # index into render.PERIOD_TEXTS[period]
    blank_after_title: bool = True
    seq: str = ""  # "" | TT | STT | Số TT
    band: int = 1  # header rows
    colnums: bool = False  # a "(1) (2) (3)" row
    order: int = 0  # seed for column order (0 = as listed)
    extras: tuple = ()  # unknown columns
    sections: bool = False  # "I. MẦM NON" rows
    subtotals: bool = False  # "Cộng" rows after sections
    footer: tuple = ()  # total | blank | note | place_date | signature
    total_text: int = 0
    hidden_rows: tuple = ()  # data rows (0-based) hidden
    hidden_sheet: bool = False
    code_number: bool = False  # codes (school, criterion) as numbers
    code_col: bool = True
    name_col: bool = True
    name: str = "full"  # how school names are written (render.name_variant)
    ints: str = "number"  # number | float | text | dot | unit
    percent: str = "number"  # number | pct_text | pct_space | frac_text | frac_number | excel_pct
    bools: str = "co_khong"  # co_khong | c_k | x_blank | dat | one_zero | yes_no
    numbers: str = "number"  # number | comma_text | unit
    none: str = "blank"  # blank | dash
    text: str = "nfc"  # nfc | nfd | tcvn3 | vni  (names and free text)
    short_labels: bool = False  # "Số HS", aliases and group-relative labels instead of label_vi
    max_text: str = "Bắt buộc"  # max-points cell of a mandatory criterion: "Bắt buộc" | "" | "Đạt/Chưa đạt"
    score_words: str = "Điểm tự đánh giá"  # or "Tự đánh giá"
    score_text: bool = False  # scores as text "5,5"
    kind_at: str = "title"  # 4725 table: title | group | none
    inline: bool = False  # forms: "Mã trường: 401..." in one cell
    unit_col: bool = False  # forms: a unit column between label and value
    note_col: bool = False  # forms: a note column after the value
    max_row: bool = False  # 4725 table: a "Điểm tối đa" row under the header
    level_text: int = 0  # registry: which spelling of the level / ownership
    delimiter: str = ";"  # csv
    legacy: str = "tcvn3"  # cp1252 csv: tcvn3 | vni (the whole sheet)
    # shapes found by the blind corpus and the issue-20 review (each a class, not an instance)
    split: bool = False  # survey table: the schools in two tables on one sheet, each under its own header band
    turned: bool = False  # survey table: a school per column, field labels down column A
    across: bool = False  # survey form: rows of labels, each followed by the row of its values
    ident_b: bool = False  # 4725 form: "Mã trường:" in column B, the code in column C
    code_quote: bool = False  # school codes written with a leading apostrophe ('40100001), as web exports do
    labels_set: int = 0  # registry: which header words name the code and ward columns (render.REGISTRY_LABELS)
    level_by_section: bool = False  # registry: no level column, the level said by section rows only


@dataclass(repr=False)
class SurveyTruth(Compact):
    year: str
    period: str
    rows: dict  # school code -> {field: typed value or None}


@dataclass(repr=False)
class AssessmentTruth(Compact):
    year: str
    kinds: tuple  # ("self",) | ("verified",) | ("self", "verified")
    scores: dict  # school code -> {kind: {criterion: score (float) or met (bool) or None}}
    evidence: dict = field(default_factory=dict)  # school code -> {criterion: text}
    criteria: tuple = ()  # table columns (all criteria when empty)


@dataclass(frozen=True, repr=False)
class Task(Compact):
    task: str
    owner: str | None = None
    due: dt.date | None = None
    due_as: str = "date"  # date | dmy | dmy2 | month | quarter | year
    status: str | None = None
    percent: float | None = None
    note: str | None = None


@dataclass(repr=False)
class TaskTruth(Compact):
    year: int
    tasks: tuple
    columns: tuple = ("task", "owner", "due", "status", "percent", "note")


@dataclass(repr=False)
class RegistryTruth(Compact):
    schools: tuple
    wards_new: bool = True


@dataclass(repr=False)
class Spec(Compact):
    """One generated file: layout, file format, truth, style, and the deliberate mistake if any."""
    layout: str  # survey_table | survey_form | assessment_form | assessment_table | registry | tasks
    fmt: str  # xlsx_xw | xlsx_opx | xlsx_ns | xls | csv_utf8 | csv_bom | csv_1258 | csv_1252
    truth: object
    style: Style = Style()
    broken: str | None = None  # bad_number | unknown_code | div0 | no_year | bad_level | no_code | dup_code
    broken_at: int = 0  # which school/task/criterion row gets the mistake


def due_date(task: Task) -> dt.date | None:
    """What the loader must read from the deadline as written (month or quarter -> its last day)."""
    if task.due is None:
        return None
    d = task.due
    if task.due_as == "month":
        return _month_end(d.year, d.month)
    if task.due_as == "quarter":
        return _month_end(d.year, 3 * ((d.month - 1) // 3 + 1))
    if task.due_as == "year":
        return dt.date(d.year, 12, 31)
    return d


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
