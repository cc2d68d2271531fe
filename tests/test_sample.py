"""The synthetic sample generator (etl.sample): determinism, coverage, truth, and that the files
really carry the truth once read back the way DOMAIN §5 describes."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from etl.legacy_fonts import fix_legacy_text
from etl.sample import generate, write_registry_csv
from etl.sample.messy import name_variant
from etl.sample.reference import LEVELS, criteria, fields, units
from etl.sample.registry import School, build_registry

LAYOUTS = {"survey_table", "survey_form", "assessment_form", "assessment_table", "task_sheet", "registry"}
PERIODS = {("2023-2024", "CN"), ("2024-2025", "HK1"), ("2024-2025", "CN"), ("2025-2026", "HK1")}
FIELDS = {f.code: f for f in fields()}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    out = tmp_path_factory.mktemp("s140")
    return out, generate(out, seed=2025, n_schools=140)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("s12")
    return out, generate(out, seed=7, n_schools=12)


# ---------------------------------------------------------------- reading files back

def sheets(path: Path) -> list[tuple[str, list[list]]]:
    if path.suffix == ".csv":  # UTF-8, or Windows-1258 with tones as combining marks (composed by NFC)
        data = path.read_bytes()
        text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("cp1258")
        return [("csv", list(csv.reader(io.StringIO(unicodedata.normalize("NFC", text), newline=""),
                                        delimiter=";")))]
    book = CalamineWorkbook.from_path(str(path))
    return [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]


def norm(value) -> str:
    text = unicodedata.normalize("NFC", str(value))
    text = fix_legacy_text(text)[0].replace("\n", " ")
    text = re.sub(r"^\s*\d+\.\s*", "", text).strip().rstrip(":").strip()
    return " ".join(text.split()).casefold()


LABELS = {norm(label): f.code for f in fields() for label in f.labels()}
BOOLS = {"có": True, "không": False, "c": True, "k": False, "x": True, "đạt": True, "chưa đạt": False,
         "yes": True, "no": False, "1": True, "0": False}


def parse(ftype: str, raw, x_style: bool):
    if raw in ("", None):
        return False if ftype == "bool" and x_style else None
    text = " ".join(unicodedata.normalize("NFC", raw).split()).casefold() if isinstance(raw, str) else None
    if text == "-":
        return None
    if ftype == "bool":
        return BOOLS[text] if text is not None else bool(raw)
    if ftype == "int":
        return int(text.replace(".", "")) if text is not None else int(raw)
    if ftype in ("percent", "number"):
        number = float(text.replace("%", "").strip().replace(",", ".")) if text is not None else float(raw)
        return round(number * 100, 6) if ftype == "percent" and number <= 1 else number
    return unicodedata.normalize("NFC", str(raw))


def header_columns(rows: list[list]) -> tuple[dict, int]:
    """{column: field code} from the lowest non-empty header cell, and the first data row."""
    top = next(i for i, row in enumerate(rows) if any(LABELS.get(norm(c)) == "school_code" for c in row if c != ""))
    end = next((i for i in range(top, len(rows)) if rows[i] and rows[i][0] == "(1)"), top)
    cols = {}
    for col in range(max(len(r) for r in rows[top:end + 1])):
        for r in range(end - 1 if end > top else top, top - 1, -1):
            cell = rows[r][col] if col < len(rows[r]) else ""
            if cell != "":
                if norm(cell) in LABELS:
                    cols[col] = LABELS[norm(cell)]
                break
    return cols, end + 1


def school_by_name(name: str, levels: list[str], registry: list[dict]) -> str:
    wanted = norm(name)
    hits = []
    for row in registry:
        school = School(row["school_code"], row["school_name"], row["level"], row["ownership"],
                        row["ward_old"], row["ward_new"], row["ward_new_code"])
        variants = {norm(name_variant(school, kind)) for kind in ("full", "no_truong", "short", "abbrev")}
        if school.level in levels and wanted in variants:
            hits.append(school.code)
    assert len(hits) == 1, (name, hits)
    return hits[0]


def table_records(path: Path, levels: list[str], registry: list[dict]):
    """Yield (school code as written or matched by name, {field: raw value}, x/blank columns)."""
    for _, rows in sheets(path):
        cols, first = header_columns(rows)
        code_col = next(c for c, f in cols.items() if f == "school_code")
        name_col = next(c for c, f in cols.items() if f == "school_name")
        bool_cols = {c: f for c, f in cols.items() if FIELDS[f].type == "bool"}
        x_style = any(c < len(r) and r[c] == "x" for c in bool_cols for r in rows[first:])
        x_cols = set(bool_cols.values()) if x_style else set()  # x/blank: a blank means "no"
        for row in rows[first:]:
            name = row[name_col] if name_col < len(row) else ""
            if name == "" or norm(name) in ("cộng", "tổng cộng"):
                continue
            record = {f: row[c] for c, f in cols.items() if c < len(row)}
            code = row[code_col]
            code = str(int(code)) if isinstance(code, (int, float)) else code
            yield code or school_by_name(name, levels, registry), record, x_cols


def form_record(path: Path) -> dict:
    (_, rows), = sheets(path)
    record = {}
    for row in rows:
        for c in (0, 1):
            if c + 1 < len(row) and isinstance(row[c], str) and norm(row[c]) in LABELS:
                record.setdefault(LABELS[norm(row[c])], row[c + 1])
                break
    return record


# ---------------------------------------------------------------- tests

def test_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, seed=11, n_schools=30)
    generate(b, seed=11, n_schools=30)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


@pytest.mark.parametrize("which", ["small", "big"])
def test_every_kind_layout_and_period(which, request):
    out, manifest = request.getfixturevalue(which)
    files = manifest["files"]
    assert {f["layout"] for f in files} == LAYOUTS
    assert {f["format"] for f in files} == {"xlsx", "xls", "csv"}
    for f in files:
        assert (out / f["path"]).is_file(), f["path"]
    survey_periods = {(f["school_year"], f["period"]) for f in files if f["layout"].startswith("survey")}
    assert survey_periods == PERIODS
    assert {f["school_year"] for f in files if f["layout"].startswith("assessment")} == {"2023-2024", "2024-2025"}
    assert (out / "manifest.json").is_file()
    registry = manifest["registry"]
    assert {r["level"] for r in registry} == set(LEVELS)
    assert any(r["ownership"] == "tu_thuc" for r in registry)
    assert len(registry) == manifest["n_schools"]


def test_registry_shape():
    schools = build_registry(2025, 140)
    counts = {lv: sum(s.level == lv for s in schools) for lv in LEVELS}
    assert counts == {"MN": 52, "TH": 46, "THCS": 36, "TH_THCS": 6}
    assert len({s.code for s in schools}) == 140
    assert all(re.fullmatch(r"40\d{6}", s.code) for s in schools)
    assert len({(s.level, s.name) for s in schools}) == 140
    assert {s.ward_old for s in schools} <= {u.former_unit for u in units()}
    assert sum(s.ownership == "tu_thuc" for s in schools if s.level == "MN") >= 5


def test_registry_csv(tmp_path):
    path = write_registry_csv(tmp_path / "reg.csv", seed=2025, n_schools=12)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12
    assert list(rows[0]) == ["Mã trường", "Tên trường", "Cấp học", "Loại hình", "Phường/xã", "Phường mới",
                             "Mã phường mới", "Ghi chú"]
    assert {r["Ghi chú"] for r in rows} == {"Dữ liệu giả lập"}
    assert {r["Cấp học"] for r in rows} == {"Mầm non", "Tiểu học", "THCS", "TH&THCS"}


def _rule_pairs() -> list[tuple[str, str]]:
    """(sub, total) pairs stated in survey_fields.csv rules: "0 <= x <= total" / "0 <= value <= total"."""
    pairs = []
    for f in fields():
        match = re.search(r"0 <= (\w+) <= (\w+)", f.rule)
        if match and match.group(2) in FIELDS:
            pairs.append((f.code, match.group(2)))
    return pairs


def _check_values(key: tuple, row: dict) -> None:
    for code, f in FIELDS.items():
        value = row[code]
        if not f.applies(row["level"]):
            assert value in (None, 0), (key, code)
        if value is None:
            continue
        if f.type == "int":
            assert isinstance(value, int) and value >= 0, (key, code)
        if f.type == "bool":
            assert isinstance(value, bool)
        if f.type == "percent":
            assert 0 <= value <= 100 and not 0 < value < 5  # never ambiguous with a 0..1 fraction


def _check_relations(key: tuple, row: dict, pairs: list) -> None:
    for sub, total in pairs:
        if row[sub] is not None and row[total] is not None:
            assert row[sub] <= row[total], (key, sub, total)
    if row["it_students"]:
        assert row["it_classes"] > 0
    if row["it_rooms"] == 0:
        assert row["it_computers"] == 0
    if row["students"] and row["classes"]:
        assert 10 <= row["students"] / row["classes"] <= 60


@pytest.mark.parametrize("which", ["small", "big"])
def test_truth_respects_field_rules(which, request):
    _, manifest = request.getfixturevalue(which)
    pairs = _rule_pairs()
    assert ("it_students", "students") in pairs and ("managers_with_esign", "managers") in pairs
    wards = {u.former_unit for u in units()}
    seen = set()
    for row in manifest["truth"]["survey"]:
        key = (row["school_code"], row["school_year"], row["period"])
        assert key not in seen and row["school_code"]
        seen.add(key)
        assert (row["school_year"], row["period"]) in PERIODS
        assert row["level"] in LEVELS and row["ownership"] in ("cong_lap", "tu_thuc")
        assert row["ward_old"] in wards and row["school_name"]
        _check_values(key, row)
        _check_relations(key, row, pairs)


def _lesson_ratio_met(row) -> bool:
    target = 3 if row["level"] == "TH" else 2
    if not row["it_rooms"]:
        return False
    return (row["it_students"] / row["it_classes"]) / (row["it_computers"] / row["it_rooms"]) <= target


def test_truth_is_realistic(big):
    _, manifest = big
    rows = manifest["truth"]["survey"]
    latest = [r for r in rows if (r["school_year"], r["period"]) == ("2025-2026", "HK1")
              and r["level"] != "MN" and r["it_students"] is not None]
    short = sum(not _lesson_ratio_met(r) for r in latest) / len(latest)
    assert 0.12 <= short <= 0.3
    assert any(r["it_students"] and r["it_rooms"] == 0 for r in latest)
    first = {r["school_code"]: r for r in rows if r["school_year"] == "2023-2024"}
    last = {r["school_code"]: r for r in rows if r["school_year"] == "2025-2026"}
    common = [c for c in first if c in last and first[c]["students_with_id"] is not None]
    share = {c: (first[c]["students_with_id"] / first[c]["students"], last[c]["students_with_id"] / last[c]["students"])
             for c in common}
    improved = sum(after >= before for before, after in share.values())
    assert improved >= 0.8 * len(common)
    assert 3 <= len(manifest["not_reported"]) <= 30


def test_assessment_truth(big):
    _, manifest = big
    maxima = {c.code: c for c in criteria()}
    totals = {}
    for row in manifest["truth"]["assessment"]:
        crit = maxima[row["criterion"]]
        if crit.mandatory:
            assert isinstance(row["met"], bool) and row["score"] is None
        else:
            assert 0 <= row["score"] <= crit.max_points and row["score"] * 2 == int(row["score"] * 2)
            key = (row["school_code"], row["school_year"], row["kind"], crit.group)
            totals[key] = totals.get(key, 0) + row["score"]
    values = list(totals.values())
    assert any(v < 50 for v in values) and any(50 <= v <= 75 for v in values) and any(v > 75 for v in values)
    assert 50 in values and 75 in values
    unmet = {(r["school_code"], r["school_year"]) for r in manifest["truth"]["assessment"] if r["met"] is False}
    assert unmet
    kinds = {(r["school_year"], r["kind"]) for r in manifest["truth"]["assessment"]}
    assert kinds == {("2023-2024", "self"), ("2024-2025", "self"), ("2024-2025", "verified")}
    assert 3 <= len(manifest["inflated_self_scores"]) <= 5


def test_inflated_scores_contradict_survey(big):
    _, manifest = big
    survey = {(r["school_code"], r["school_year"], r["period"]): r for r in manifest["truth"]["survey"]}
    scores = {(r["school_code"], r["school_year"], r["criterion"], r["kind"]): r["score"]
              for r in manifest["truth"]["assessment"]}
    for case in manifest["inflated_self_scores"]:
        row = survey[(case["school_code"], case["school_year"], "CN")]
        self_score = scores[(case["school_code"], case["school_year"], case["criterion"], "self")]
        assert self_score == case["self_score"] > case["justified_score"]
        contradicted = {"2.3.3": row["e_gradebook"] is False, "1.7.3": row["has_studio"] is False,
                        "2.4.3": row["cashless_pct"] < 30, "1.7.2": not _lesson_ratio_met(row)}
        assert contradicted[case["criterion"]], case


@pytest.mark.parametrize("which", ["small", "big"])
def test_injected_errors_point_to_wrong_cells(which, request):
    out, manifest = request.getfixturevalue(which)
    errors = manifest["injected_errors"]
    assert len(errors) >= (2 if which == "small" else 5)
    assert {e["kind"] for e in errors} >= {"text_in_number", "sub_count_above_total", "negative_count",
                                          "unknown_school_code", "implausible_jump"}
    codes = {r["school_code"] for r in manifest["registry"]}
    for err in errors:
        (_, rows), = [s for s in sheets(out / err["file"]) if s[0] == err["sheet"]]
        col = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(re.match(r"[A-Z]+", err["cell"]).group())))
        row = int(re.search(r"\d+", err["cell"]).group())
        cell = rows[row - 1][col - 1]
        assert cell == err["written"] and cell != err["true_value"], err
        assert err["school_code"] in codes
        if err["kind"] == "unknown_school_code":
            assert cell not in codes



ID_FIELDS = ("school_code", "school_name", "level", "ownership", "ward_old", "school_year", "period")
PERIOD_WORDS = {"hk1": "HK1", "cả năm": "CN", "tổng kết": "CN", "cuối năm": "CN", "cn": "CN"}


def check_record(record: dict, truth: dict, x_cols: set, wrong: set) -> None:
    """Every value the file carries equals the truth, except the deliberately wrong cells."""
    for code, raw in record.items():
        if code in wrong:
            continue
        if code == "school_year":
            assert "-".join(re.findall(r"\d{4}", str(raw))) == truth["school_year"]
        elif code == "period":
            assert PERIOD_WORDS[norm(raw)] == truth["period"]
        elif code not in ID_FIELDS:
            parsed = parse(FIELDS[code].type, raw, code in x_cols)
            assert parsed == truth[code], (truth["school_code"], truth["file"], code, raw, truth[code])
    carried = {c for c in FIELDS if c not in ID_FIELDS and truth[c] is not None}
    assert carried <= set(record), carried - set(record)


@pytest.mark.parametrize("which", ["small", "big"])
def test_files_carry_the_truth(which, request):
    out, manifest = request.getfixturevalue(which)
    truth = {(r["file"], r["school_code"]): r for r in manifest["truth"]["survey"]}
    errors = manifest["injected_errors"]
    renamed = {(e["file"], e["written"]): e["school_code"] for e in errors if e["field"] == "school_code"}
    seen = set()
    for f in manifest["files"]:
        path = f["path"]
        if f["layout"] == "survey_table":
            records = table_records(out / path, f["levels"], manifest["registry"])
        elif f["layout"] == "survey_form":
            record = form_record(out / path)
            code = record["school_code"] or school_by_name(record["school_name"], f["levels"], manifest["registry"])
            records = [(code, record, set())]
        else:
            continue
        for code, record, x_cols in records:
            code = renamed.get((path, code), code)
            wrong = {e["field"] for e in errors if e["file"] == path and e["school_code"] == code}
            check_record(record, truth[(path, code)], x_cols, wrong)
            seen.add((path, code))
    assert seen == set(truth)


@pytest.mark.parametrize("which", ["small", "big"])
def test_titles_say_synthetic_and_carry_the_year(which, request):
    out, manifest = request.getfixturevalue(which)
    for f in manifest["files"]:
        for _, rows in sheets(out / f["path"]):
            text = " ".join(str(c) for row in rows for c in row if c != "")
            assert "Dữ liệu giả lập" in text, f["path"]
            if f["layout"] != "registry" and f["layout"] != "task_sheet" and f["format"] != "csv":
                head = " ".join(str(c) for row in rows[:12] for c in row if c != "")
                year = (f["school_year"] or "").split("-")
                assert re.search(rf"{year[0]}\s*[-–]\s*{year[1]}", head), f["path"]


def test_legacy_fonts_and_nfd_present(big):
    out, manifest = big
    legacy = manifest["messiness"]["legacy_font_names"]
    assert {x["encoding"] for x in legacy} == {"tcvn3", "vni"}
    for item in legacy:
        fixed, encoding = fix_legacy_text(item["written"])
        assert encoding == item["encoding"].upper()
        assert fixed == next(r["school_name"] for r in manifest["registry"] if r["school_code"] == item["school_code"])
    nfd_cells = 0
    for path in manifest["messiness"]["nfd_files"]:
        for _, rows in sheets(out / path):
            nfd_cells += sum(isinstance(c, str) and unicodedata.normalize("NFC", c) != c for r in rows for c in r)
    assert nfd_cells >= 3
    assert manifest["messiness"]["name_only_rows"] and manifest["messiness"]["assessment_forms_without_code"]


def test_labels_are_unambiguous():
    seen = {}
    for f in fields():
        for label in f.labels():
            assert seen.setdefault(norm(label), f.code) == f.code, label


CRITERIA = {c.code: c for c in criteria()}


def score(raw):
    if isinstance(raw, str) and raw[:1].isdigit():
        return float(raw.replace(",", "."))
    return {"đạt": True, "chưa đạt": False}[norm(raw)] if isinstance(raw, str) else raw


def assessment_table_scores(path: Path) -> dict:
    (_, rows), = sheets(path)
    top = next(i for i, row in enumerate(rows) if "Mã trường" in row)
    cols = {c: v for c, v in enumerate(rows[top + 1]) if v in CRITERIA}
    found = {}
    for row in rows[top + 3:]:
        code = row[1] if len(row) > 1 else ""
        if isinstance(code, str) and re.fullmatch(r"\d{8}", code):
            found[code] = {crit: score(row[c]) for c, crit in cols.items()}
    return found


def assessment_form_scores(path: Path) -> tuple[str, dict, dict]:
    (_, rows), = sheets(path)
    texts = [c for row in rows[:12] for c in row if isinstance(c, str)]
    code = next(t.split(":")[1].strip() for t in texts if t.startswith("Mã trường"))
    code = code or re.search(r"_(\d{8})\.xlsx$", path.name).group(1)  # the file name as a last resort
    shift = 1 if any(r[:2] == ["TT", "Mã tiêu chí"] for r in rows) else 0  # a row-number column before the code
    as_code = {float(c): c for c in CRITERIA if c.count(".") == 1}  # codes typed as numbers: 1.1 is the float 1.1
    rows = [[as_code.get(r[shift], r[shift]), *r[shift + 1:]] for r in rows if len(r) > shift]
    own = {r[0]: score(r[3]) for r in rows if r and r[0] in CRITERIA}
    verified = {r[0]: score(r[4]) for r in rows if r and r[0] in CRITERIA and r[4] != ""}
    return code, own, verified


def test_assessment_files_carry_the_truth(big):
    out, manifest = big
    truth = {}
    for r in manifest["truth"]["assessment"]:
        value = r["met"] if CRITERIA[r["criterion"]].mandatory else r["score"]
        truth.setdefault((r["school_code"], r["school_year"], r["kind"]), {})[r["criterion"]] = value
    found = {}
    for f in manifest["files"]:
        if f["layout"] == "assessment_table":
            for code, scores in assessment_table_scores(out / f["path"]).items():
                found[(code, f["school_year"], f["kind"])] = scores
        elif f["layout"] == "assessment_form":
            code, own, verified = assessment_form_scores(out / f["path"])
            found[(code, f["school_year"], "self")] = own
            assert bool(verified) == (f["kind"] == "self+verified")
            if verified:
                assert verified == truth[(code, f["school_year"], "verified")]
    assert found == truth


def test_rerun_leaves_no_stale_files(tmp_path):
    generate(tmp_path, seed=3, n_schools=40)
    manifest = generate(tmp_path, seed=3, n_schools=12)
    on_disk = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert on_disk == {f["path"] for f in manifest["files"]} | {"manifest.json"}
