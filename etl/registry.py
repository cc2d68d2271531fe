"""The school registry (Danh mục trường): reading the office's list, and matching files' schools to it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from etl.extract.grid import (
    Column,
    Grid,
    Trailer,
    find_header,
    is_end_line,
    is_section_row,
    looks_like_code,
    starts_with_any,
)
from etl.issues import IssueLog
from etl.reference import LEVEL_NAMES, Catalogue, match_label, per_catalogue
from etl.settings import setting
from etl.textnorm import cell_ref, clean_text, fold, norm_label, tone_key
from etl.values import find_level, parse_level, parse_ownership, parse_text
from etl.workbook import UnreadableFile, open_workbook

REGISTRY_COLUMNS = ("school_code", "school_name", "level", "ownership", "ward_old", "ward_new", "ward_new_code")
_NAME_NOISE = re.compile(
    r"\b(trường|mầm non|mẫu giáo|nhà trẻ|tiểu học|trung học cơ sở|thcs|th|mn|liên cấp|tư thục|công lập|và|tp|"
    r"thành phố)\b")
_PUNCT = re.compile(r"[-–,.&()/\"'“”]+")
_UNIT_PREFIX = re.compile(r"^(phường|xã|thị trấn|p\.|x\.)\s+", re.I)


def core_name(name: str) -> str:
    """'Trường THCS Đặng Thai Mai' and 'Đặng Thai Mai' share the key 'đặng thai mai'."""
    key = tone_key(clean_text(name).casefold())
    key = _PUNCT.sub(" ", key)
    key = _NAME_NOISE.sub(" ", key)
    return " ".join(key.split())


def unit_name(name: object) -> str:
    return _UNIT_PREFIX.sub("", clean_text(name)).strip()


def normalise_code(code: object) -> str:
    """A school code as a key: no spaces (non-breaking ones included) and no leading apostrophe, which web exports
    and spreadsheets put before a code to keep it text ('HX0105, ’04012345)."""
    text = parse_text(code) or ""
    return re.sub(r"\s+", "", text).lstrip("'’‘`").upper()


@dataclass
class Match:
    school: dict | None
    how: str  # code | name | folded_name | ''
    severity: str | None = None  # of the message below
    message: str | None = None


class Registry:
    def __init__(self, schools: list[dict]):
        self.schools = schools
        self.by_code = {normalise_code(s["school_code"]): s for s in schools}
        self.by_name: dict[tuple[str, str], list[dict]] = {}
        self.by_folded: dict[tuple[str, str], list[dict]] = {}
        for s in schools:
            self.by_name.setdefault((s["level"], core_name(s["school_name"])), []).append(s)
            self.by_folded.setdefault((s["level"], fold(core_name(s["school_name"]))), []).append(s)

    def _by_name(self, name: str, level: str | None, hints: list[str]) -> tuple[list[dict], str]:
        """Schools whose core name matches. A level written in the row (or in the name) limits the search to
        that level, and to TH&THCS for TH or THCS, since a combined school sits in either section; hints from
        the sheet or file name are only tried first, because they may be wrong."""
        if level:
            scopes = [[level]] + ([["TH_THCS"]] if level in ("TH", "THCS") else [])
        else:
            scopes = [[hint] for hint in dict.fromkeys(hints)] + [list(LEVEL_NAMES)]
        key = core_name(name)
        for index, how, lookup in ((self.by_name, "name", key), (self.by_folded, "folded_name", fold(key))):
            for scope in scopes:
                found = [s for lv in scope for s in index.get((lv, lookup), [])]
                if found:
                    return found, how
        return [], ""

    def match(self, code: str | None, name: str | None, level: str | None = None, hints: tuple = ()) -> Match:
        """By code first; else by name within the row's level (or the level the name itself states)."""
        level = level or (find_level(clean_text(name)) if name else None)
        hints = [h for h in hints if h]
        code = normalise_code(code) if code else ""
        if code:
            school = self.by_code.get(code)
            if school is None:
                hint = ""
                if name and len(found := self._by_name(name, level, hints)[0]) == 1:
                    hint = f"; tên trường khớp với {found[0]['school_name']} (mã {found[0]['school_code']})"
                return Match(None, "", "error", f"mã trường {code} không có trong danh mục trường{hint}")
            if name and core_name(name) != core_name(school["school_name"]) and \
                    fold(core_name(name)) != fold(core_name(school["school_name"])):
                return Match(school, "code", "warning",
                             f"tên trường \"{clean_text(name)}\" khác danh mục (\"{school['school_name']}\", "
                             f"mã {code}); đã ghép theo mã")
            return Match(school, "code")
        if not name:
            return Match(None, "", "error", "thiếu cả mã trường và tên trường")
        found, how = self._by_name(name, level, hints)
        level_vi = f" cấp {LEVEL_NAMES[level]}" if level else ""
        if not found:
            return Match(None, "", "error", f"không tìm thấy trường \"{clean_text(name)}\"{level_vi} trong danh mục "
                                            f"trường (không có mã trường để đối chiếu)")
        if len(found) > 1:
            listed = ", ".join(f"{s['school_name']} ({s['school_code']})" for s in found)
            return Match(None, "", "error",
                         f"tên \"{clean_text(name)}\" khớp nhiều trường: {listed}; hãy ghi mã trường")
        if how == "folded_name":
            return Match(found[0], how, "warning", f"\"{clean_text(name)}\" được ghép với {found[0]['school_name']} "
                                                   f"(mã {found[0]['school_code']}) khi bỏ qua dấu; hãy kiểm tra")
        return Match(found[0], how)


# ---- reading the office's list -------------------------------------------------------------------

@per_catalogue
def _registry_classifier(catalogue: Catalogue):
    extra = catalogue.layout_keys("registry")

    @lru_cache(maxsize=1024)
    def classify(label: str, group: str) -> str | None:
        key = norm_label(label)
        if key in extra:
            return extra[key]
        code, _ = match_label(catalogue, label)
        return code if code in REGISTRY_COLUMNS else None
    return classify


@lru_cache(maxsize=2)
def official_wards(province_code: int) -> dict[str, int]:
    """Official post-2025 ward names -> codes for one province, from the vietnam-provinces package."""
    from vietnam_provinces import Ward

    wards = {}
    for ward in Ward.iter_all():
        if int(ward.province_code) == province_code:
            wards[norm_label(unit_name(ward.name))] = int(ward.code)
    return wards


def read_registry(path: Path, catalogue: Catalogue, log: IssueLog) -> tuple[list[dict], bool]:
    """Rows of the office's school list, validated; (rows, synthetic). Errors go to the log."""
    try:
        workbook = open_workbook(path)
    except UnreadableFile as exc:
        log.error("unreadable", exc.reason, exc.sheet)
        return [], False
    for sheet in workbook.sheets:
        if not sheet.visible:
            continue
        grid = Grid(sheet)
        header = find_header(grid, _registry_classifier(catalogue), min_keys=3)
        if header is None or not {"school_code", "school_name"} <= header.by_key().keys():
            continue
        if "level" not in header.by_key() and not any(
                is_section_row([t for t in grid.row_texts(r) if t]) for r in range(header.data_start, grid.height)):
            continue  # neither a level column nor section rows ("I. MẦM NON") saying the level
        _decide_ward_columns(grid, header, catalogue, log)
        synthetic = any(w in norm_label(grid.line(r)) for r in range(grid.height)
                        for w in catalogue.words("title", "synthetic"))
        return _registry_rows(grid, header, catalogue, log), synthetic
    log.error("no_header", "không tìm thấy bảng danh mục trường (cần các cột Mã trường, Tên trường, Cấp học, "
              "Loại hình, Phường/xã, Phường mới)")
    return [], False


WARD_KEYS_VI = {"ward_old": "phường/xã cũ (trước 1/7/2025)", "ward_new": "phường/xã mới (từ 1/7/2025)"}


def _decide_ward_columns(grid: Grid, header, catalogue: Catalogue, log: IssueLog) -> None:
    """A ward column headed "Phường/xã", "Xã/phường" or "Đơn vị hành chính cấp xã" does not say whether it holds the
    former units or the new wards: its values decide (the former units of the unit table against the province's new
    wards), and the review is told which it was taken for."""
    ambiguous = [col for col in header.columns.values() if col.key == "ward_any"]
    ambiguous += [second for _, second in header.duplicates if second.key == "ward_any"]
    if not ambiguous:
        return
    header.duplicates = [(a, b) for a, b in header.duplicates if b.key != "ward_any"]
    former = {norm_label(u["former_unit"]) for u in catalogue.units}
    new = set(official_wards(int(setting("province_code")))) | {norm_label(u["new_ward"]) for u in catalogue.units}
    taken = {col.key for col in header.columns.values()}
    for col in sorted(ambiguous, key=lambda col: col.index):
        names = [norm_label(unit_name(grid.sheet.value(r, col.index))) for r in range(header.data_start, grid.height)]
        names = [n for n in names if n]
        old_votes, new_votes = sum(n in former for n in names), sum(n in new and n not in former for n in names)
        if "ward_old" in taken and "ward_new" not in taken:
            key = "ward_new"
        elif "ward_new" in taken and "ward_old" not in taken:
            key = "ward_old"
        else:
            key = "ward_new" if new_votes > old_votes else "ward_old"
        if key in taken:
            header.columns.pop(col.index, None)
            header.unknown.append((col.index, col.label))
            continue
        taken.add(key)
        header.columns[col.index] = Column(col.index, key, col.label, col.group)
        log.info("ward_column", f"cột \"{col.label}\" không ghi cũ hay mới; theo tên các đơn vị trong cột "
                 f"({old_votes} đơn vị cũ, {new_votes} phường/xã mới) được đọc là {WARD_KEYS_VI[key]}",
                 grid.sheet.name or None, cell_ref(header.bottom, col.index))


def _registry_rows(grid: Grid, header, catalogue: Catalogue, log: IssueLog) -> list[dict]:
    sheet_name = grid.sheet.name or None
    columns = header.by_key()
    units = {norm_label(u["former_unit"]): u for u in catalogue.units}
    spelling = {norm_label(u["new_ward"]): u["new_ward"] for u in catalogue.units}  # of the new wards
    official = official_wards(int(setting("province_code")))
    rows, seen = [], {}
    subtotal, end = catalogue.words("table_rows", "subtotal"), catalogue.words("table_rows", "end")
    trailer = Trailer()
    section = None
    for r in range(header.data_start, grid.height):
        texts = [t for t in grid.row_texts(r) if t]
        if not texts:
            continue
        if not looks_like_code(grid.text(r, columns["school_code"].index)):
            if is_end_line(texts, end):
                trailer.end = (r, " ".join(texts))
                break
            if starts_with_any(texts[0], subtotal):
                trailer.totals.append((r, " ".join(texts)))
                continue
            if level := is_section_row(texts):  # "I. MẦM NON": the level of the rows below, not a school
                section = level
                continue
        raw = {key: grid.sheet.value(r, col.index) for key, col in columns.items()}
        ref = {key: cell_ref(r, col.index) for key, col in columns.items()}
        code, name = normalise_code(raw.get("school_code")), parse_text(raw.get("school_name"))
        if not code and not name:
            continue
        row = {"school_code": code, "school_name": name, "row": r + 1,
               "_given": {key for key, value in raw.items() if parse_text(value)}}
        ok = True
        if not code or not name:
            key = "school_code" if not code else "school_name"
            log.error("missing_value", "thiếu " + ("mã trường" if not code else "tên trường"), sheet_name, ref[key])
            ok = False
        elif code in seen:
            log.error("duplicate_school", f"mã trường {code} lặp lại (đã có ở dòng {seen[code]})", sheet_name,
                      ref["school_code"])
            ok = False
        seen.setdefault(code, r + 1)
        for key, parser in (("level", parse_level), ("ownership", parse_ownership)):
            try:
                row[key] = parser(raw.get(key))
            except ValueError as exc:
                log.error(f"bad_{key}", str(exc), sheet_name, ref.get(key))
                ok = False
        if row.get("level") is None and section is not None:
            row["level"] = section  # from the section row above, when the list has no level column
        if ok and row["level"] is None:
            log.error("missing_value", "thiếu cấp học (không có cột Cấp học hay dòng mục như \"I. MẦM NON\")",
                      sheet_name, ref.get("level") or ref["school_code"])
            ok = False
        if row.get("ownership") is None:
            row["ownership"] = "cong_lap"
        row.update(_wards(raw, ref, units, spelling, official, sheet_name, log))
        if ok:
            row["_numeric_code"] = isinstance(raw.get("school_code"), (int, float))
            row["_code_cell"] = ref["school_code"]
            rows.append(row)
    trailer.note(log, sheet_name)
    _restore_leading_zeros(rows, log, sheet_name)
    for row in rows:
        row.pop("_numeric_code", None)
        row.pop("_code_cell", None)
    return rows


COLUMNS_VI = {"school_code": "Mã trường", "school_name": "Tên trường", "level": "Cấp học", "ownership": "Loại hình",
              "ward_old": "Phường/xã cũ", "ward_new": "Phường/xã mới", "ward_new_code": "Mã phường/xã mới"}
COLUMN_USE_VI = {"ownership": "mọi trường được coi là công lập",
                 "ward_old": "không lọc và so sánh được theo đơn vị cũ (trước 1/7/2025)",
                 "ward_new": "không lọc được theo phường/xã mới và tài khoản của phường không thấy các trường này",
                 "ward_new_code": "không ghép được với mã đơn vị hành chính chính thức"}


def column_summary(rows: list[dict]) -> tuple[str, list[str]]:
    """How many schools have each column of the list (in the file, or filled from the unit table), and a warning for
    a column that is missing or partly empty: a registry that installs with its wards empty must say so."""
    total = len(rows)
    parts, warnings = [], []
    for key, name in COLUMNS_VI.items():
        filled = sum(row.get(key) not in (None, "") for row in rows)
        given = sum(key in row.get("_given", ()) for row in rows)
        source = {"ward_new": "suy ra từ đơn vị cũ", "ward_new_code": "theo danh mục hành chính chính thức"}.get(key)
        derived = f" ({filled - given} {source})" if filled > given and source else ""
        parts.append(f"{name}: {filled}/{total}{derived}")
        if key in COLUMN_USE_VI and filled < total:
            what = "không có trong tệp" if filled == 0 else f"còn trống ở {total - filled} trường"
            warnings.append(f"cột {name} {what}: {COLUMN_USE_VI[key]}")
    return "Số trường có từng cột — " + ", ".join(parts), warnings


MIN_CODE_WIDTH = 6  # identifiers issued by a managing unit are long; "01" is not a lost zero


def _restore_leading_zeros(rows: list[dict], log: IssueLog, sheet: str | None) -> None:
    """Codes typed as numbers lose their leading zeros (04012345 becomes 4012345). When every code is made of digits
    and the codes kept as text all have one width, or nearly every code has it, a shorter code from a number cell is
    given its zeros back, and the file is told which."""
    codes = [row["school_code"] for row in rows]
    if not codes or not all(code.isdigit() for code in codes):
        return
    texts = {len(row["school_code"]) for row in rows if not row["_numeric_code"]}
    if len(texts) > 1:
        return  # the codes kept as text do not agree on a width: nothing says which zeros were lost
    width = texts.pop() if texts else max(len(code) for code in codes)
    if width < MIN_CODE_WIDTH:
        return  # short numbers (1, 2, 3...) are sequence codes, not identifiers that lost zeros
    short = [row for row in rows if row["_numeric_code"] and len(row["school_code"]) < width]
    if not short or any(len(row["school_code"]) > width for row in rows):
        return
    for row in short:
        row["school_code"] = row["school_code"].zfill(width)
    listed = ", ".join(f"{row['school_code'].lstrip('0')} → {row['school_code']} (ô {row['_code_cell']})"
                       for row in short[:5])
    more = f" và {len(short) - 5} mã khác" if len(short) > 5 else ""
    log.warning("code_zeros_restored", f"{len(short)} mã trường được gõ dạng số nên mất số 0 ở đầu; vì mọi mã "
                f"trường khác đều có {width} chữ số, đã thêm lại số 0: {listed}{more}. Hãy định dạng cột mã trường là "
                "Văn bản (Text) trong tệp danh mục", sheet, short[0]["_code_cell"])


def _wards(raw: dict, ref: dict, units: dict, spelling: dict, official: dict, sheet: str | None, log: IssueLog
           ) -> dict:
    """Former unit, new ward and its official code; the ward table fills what the list leaves out."""
    old = unit_name(raw.get("ward_old"))
    new = unit_name(raw.get("ward_new"))
    unit = units.get(norm_label(old))
    if old and unit is None:
        log.warning("unknown_unit", f"phường/xã \"{old}\" không có trong bảng đơn vị (data/reference/units.csv)",
                    sheet, ref.get("ward_old"))
    if unit:
        old = unit["former_unit"]  # the unit table's spelling ("Bến Thủy" for "Phường Bến Thuỷ"): one group per unit
        if new and norm_label(new) != norm_label(unit["new_ward"]):
            log.warning("ward_conflict", f"phường mới \"{new}\" khác bảng đơn vị (\"{unit['new_ward']}\" cho "
                        f"\"{old}\"); dùng giá trị trong danh mục", sheet, ref.get("ward_new"))
        new = new or unit["new_ward"]
    new = spelling.get(norm_label(new), new) if new else new  # the unit table's spelling of a new ward
    code_text = parse_text(raw.get("ward_new_code"))
    code = int(code_text) if code_text and code_text.isdigit() else None
    expected = official.get(norm_label(new)) if new else None
    if new and expected is None:
        log.warning("unknown_ward", f"phường mới \"{new}\" không có trong danh mục hành chính chính thức của tỉnh",
                    sheet, ref.get("ward_new"))
    if code is not None and expected is not None and code != expected:
        log.warning("ward_code_conflict", f"mã phường {code} khác mã chính thức {expected} của phường {new}; "
                    "dùng mã chính thức", sheet, ref.get("ward_new_code"))
    return {"ward_old": old or None, "ward_new": new or None, "ward_new_code": expected or code}


# ---- installing -----------------------------------------------------------------------------------

def install_registry(path: Path, db_path: Path, command: str = "") -> tuple[str, int, list]:
    """Replace the warehouse's school list with a validated file; loaded data is not touched.
    Returns (Vietnamese report, exit code, issues). Any error refuses the whole file."""
    import datetime as dt

    import pandas as pd

    from etl.reference import load_catalogue
    from etl.warehouse import WarehouseWrite, set_meta, sha256_file

    catalogue = load_catalogue()
    log = IssueLog(path.name)
    rows, synthetic = read_registry(path, catalogue, log)
    severity_vi = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Ghi chú"}
    lines = [f"    {severity_vi[i.severity]}: {i.text()}" for i in log.items]
    if log.count("error") or not rows:
        lines.append(f"✘ {path.name}: danh mục không được cài vì có lỗi; danh mục cũ giữ nguyên.")
        return "\n".join(lines), 2 if not rows else 1, log.items
    with WarehouseWrite(db_path, catalogue) as write:
        con = write.con
        before = {r[0] for r in con.execute("SELECT school_code FROM schools").fetchall()}
        frame = pd.DataFrame([{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]
                             )[list(REGISTRY_COLUMNS)].astype(object).where(lambda f: f.notna(), None)
        con.execute("DELETE FROM schools")
        con.register("incoming", frame)
        con.execute(f"INSERT INTO schools ({', '.join(REGISTRY_COLUMNS)}) SELECT * FROM incoming")
        con.unregister("incoming")
        sha = sha256_file(path)
        archive = write.archive(path, sha)
        load_id = write.next_load_id()
        con.execute("INSERT INTO load_log (load_id, started_at, finished_at, command, file_name, file_path, sha256, "
                    "archive_path, status, layouts, rows_loaded, rows_rejected, rows_replaced, warnings, errors, "
                    "synthetic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'registry', 'registry', ?, 0, ?, ?, 0, ?)",
                    [load_id, dt.datetime.now(), dt.datetime.now(), command, path.name, str(path), sha, archive,
                     len(rows), len(before), log.count("warning"), synthetic])
        set_meta(con, "registry_file", path.name)
        set_meta(con, "registry_synthetic", synthetic)
        orphans = con.execute("SELECT count(DISTINCT school_code) FROM survey WHERE school_code NOT IN "
                              "(SELECT school_code FROM schools)").fetchall()[0][0]
    by_level = {lv: sum(r["level"] == lv for r in rows) for lv in LEVEL_NAMES}
    counts = ", ".join(f"{n} {LEVEL_NAMES[lv]}" for lv, n in by_level.items() if n)
    lines.append(f"✔ {path.name}: đã cài danh mục {len(rows)} trường ({counts}); "
                 f"thay cho {len(before)} trường trước đó.")
    summary, column_warnings = column_summary(rows)
    lines.append(f"    {summary}.")
    lines += [f"    Cảnh báo: {warning}." for warning in column_warnings]
    if orphans:
        lines.append(f"    Lưu ý: {orphans} trường có số liệu đã nạp nhưng không còn trong danh mục; số liệu vẫn giữ.")
    if synthetic:
        lines.append("    Danh mục này là dữ liệu giả lập.")
    return "\n".join(lines), 0, log.items


def suggest(registry: "Registry", name: str | None, level: str | None = None, limit: int = 5,
            cutoff: float = 60) -> list[dict]:
    """Schools of the registry whose name is close to `name` (accents and "Trường …" ignored), the closest first,
    within the level when it is known: offered to the analyst, never chosen automatically."""
    from rapidfuzz import fuzz, process

    if not name:
        return []
    pool = [s for s in registry.schools if not level or s["level"] == level or
            (level in ("TH", "THCS") and s["level"] == "TH_THCS")] or registry.schools
    keys = [fold(core_name(s["school_name"])) for s in pool]
    found = process.extract(fold(core_name(name)), keys, scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff)
    return [{**pool[index], "score": round(score)} for _, score, index in found]
