"""Load a generated file through the loader's in-memory path and compare what it found with the truth."""
from __future__ import annotations

import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

from etl.issues import IssueLog
from etl.loader import FileResult, _read_file
from etl.registry import Registry, read_registry
from etl.textnorm import clean_text
from etl.values import find_level
from tests.variants.model import BY_CODE, CATALOGUE, CRITERIA, FIELDS, SCHOOLS, Spec, due_date, registry_dicts
from tests.variants.render import Book, a1, broken_index, render, tone_variant
from tests.variants.writers import write

REGISTRY = Registry(registry_dicts())
COUNTS: Counter = Counter()  # (layout, format) -> files generated in this session
MANDATORY = {c["code"] for c in CRITERIA if c["mandatory"]}


def build(spec: Spec, folder: Path) -> tuple[Book, Path]:
    book = render(spec)
    return book, write(book, spec.fmt, folder, spec.style.delimiter, spec.style.legacy)


def check(spec: Spec) -> None:
    """Write the file, load it, and assert the loader found exactly the truth (or refused the broken cell)."""
    COUNTS[(spec.layout, spec.fmt)] += 1
    with tempfile.TemporaryDirectory() as folder:
        book, path = build(spec, Path(folder))
        if spec.layout == "registry":
            log = IssueLog(path.name)
            rows, _ = read_registry(path, CATALOGUE, log)
            return check_registry(spec, book, rows, log)
        result = FileResult(path)
        _read_file(result, CATALOGUE, REGISTRY)
        {"survey_table": check_survey, "survey_form": check_survey, "assessment_form": check_assessment,
         "assessment_table": check_assessment, "tasks": check_tasks}[spec.layout](spec, book, result)
        check_accounting(spec, book, result)


IDENTITY = {"school_code", "school_name", "school_year", "period", "level", "ownership"}


def check_accounting(spec: Spec, book: Book, result: FileResult) -> None:
    """Issue 20: no number of the file is left unread, and the cells loaded are exactly the value cells the file was
    made with (of the records that carry values); with a deliberate mistake, nothing outside them."""
    import numpy as np

    from etl.extract.ledger import LOADED, describe

    left = [(s["sheet"], describe(s, numbers_only=True)) for s in result.accounting if s["unaccounted_numbers"]]
    assert not left, f"numbers nobody read: {left}"
    sheet = next(s for s in book.sheets if not s.hidden)
    ledgers = [ledger for ledger in result.ledgers if not ledger.hidden]
    assert len(ledgers) == 1, [ledger.sheet for ledger in result.ledgers]
    loaded = {a1(int(r), int(c)) for r, c in zip(*np.nonzero(ledgers[0].bucket == LOADED))}
    carrying = {key for key, what in sheet.values.values() if what not in IDENTITY}
    expected = {a1(r, c) for (r, c), (key, _) in sheet.values.items() if key in carrying}
    # the year and period may be read from a title line as well as from their own cell: either is right
    context = {a1(r, c) for (r, c), value in sheet.cells.items()
               if sheet.values.get((r, c), (None, None))[1] in ("school_year", "period")
               or (isinstance(value, str) and find_school_year_or_none(value))}
    loaded, expected = loaded - context, expected - context
    if spec.broken:
        assert loaded <= expected, f"loaded cells that are not values: {sorted(loaded - expected)}"
    else:
        assert loaded == expected, (f"cells loaded but not values: {sorted(loaded - expected)}; values not loaded: "
                                    f"{_fate(ledgers[0], expected - loaded)}")


def find_school_year_or_none(text: str):
    from etl.values import find_school_year

    try:
        return find_school_year(text)
    except ValueError:
        return None


def _fate(ledger, refs) -> list[str]:
    """What became of each cell instead, for the failure message."""
    from etl.extract.ledger import BUCKETS, parse_ref

    fates = []
    for ref in sorted(refs):
        r, c = parse_ref(ref)
        bucket = BUCKETS.get(int(ledger.bucket[r, c]), "unaccounted")
        fates.append(f"{ref}: {bucket} ({ledger.reasons[int(ledger.reason[r, c])]})")
    return fates


def issues(log: IssueLog, severity: str = "error") -> list[str]:
    return [f"{i.cell}: {i.code}: {i.message}" for i in log.items if i.severity == severity]


def expect_errors(spec: Spec, log: IssueLog, cells: set[str], allowed_codes: tuple = ()) -> None:
    """Errors only at the deliberately broken cells (each of them named), plus whole-file codes allowed here."""
    errors = [i for i in log.items if i.severity == "error"]
    unexpected = [i for i in errors if i.cell not in cells and i.code not in allowed_codes]
    assert not unexpected, f"unexpected errors: {issues(log)}"
    missing = cells - {i.cell for i in errors}
    assert not missing, f"no error at {sorted(missing)}; errors: {issues(log)}"


def _hidden_sheet(spec: Spec, log: IssueLog) -> None:
    if spec.style.hidden_sheet and not spec.fmt.startswith("csv") and spec.fmt != "html_xls":  # one sheet only
        assert any(i.code == "hidden_sheet" for i in log.items), f"no warning about the hidden sheet: {log.items}"


def lossy_case(spec: Spec) -> bool:
    """TCVN3 has no codes for most capitals with diacritics (they were typed in the capital font over the same
    codes): text typed in it keeps its letters but not their case, for a reader as for the loader."""
    return spec.style.text == "tcvn3" or (spec.fmt == "csv_1252" and spec.style.legacy == "tcvn3")


def text_key(spec: Spec, value):
    return value.casefold() if isinstance(value, str) and lossy_case(spec) else value


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) < 1e-6
    return a == b


# ---- survey -------------------------------------------------------------------------------------------

def check_survey(spec: Spec, book: Book, result: FileResult) -> None:
    t = spec.truth
    log = result.log
    broken = {code for (code, what) in book.cells if what == "broken"}
    if spec.broken == "no_year":
        broken = set(t.rows)
        expect_errors(spec, log, {book.anchors[c] for c in broken})
    else:
        expect_errors(spec, log, {book.cells[(c, "broken")] for c in broken})
    loaded = {row.values["school_code"]: row for row in result.survey if row.ok}
    expected = {code: values for code, values in t.rows.items() if code not in broken}
    assert set(loaded) == set(expected), f"loaded {sorted(loaded)}, expected {sorted(expected)}; {issues(log)}"
    for code, values in expected.items():
        got = loaded[code].values
        want = {**values, "school_year": t.year, "period": t.period, "level": BY_CODE[code].level}
        wrong = {k: (got.get(k), v) for k, v in want.items() if not same(got.get(k), v)}
        assert not wrong, f"school {code}: (loaded, truth) differ: {wrong}"
    _hidden_sheet(spec, log)


# ---- 4725 --------------------------------------------------------------------------------------------

def check_assessment(spec: Spec, book: Book, result: FileResult) -> None:
    t = spec.truth
    log = result.log
    rejected: set = set()
    if spec.broken == "no_year":
        rejected = {(c, k) for c in t.scores for k in t.kinds if _has_values(t.scores[c].get(k, {}))}
        expect_errors(spec, log, {book.anchors[c] for c, _ in rejected})
    elif spec.broken:
        cells = {}
        for (code, what), ref in book.cells.items():
            if what == "broken" and spec.broken == "unknown_code" and not any(_has_values(
                    {c: v for c, v in t.scores[code].get(k, {}).items() if not t.criteria or c in t.criteria})
                    for k in t.kinds):
                continue  # a row of an unknown school with no score says nothing to refuse: it is set aside
            if what == "broken":
                kind = book.cells.get((code, "broken_kind"))
                rejected |= {(code, k) for k in t.kinds if kind in (None, k)}
                cells[code] = ref
        expect_errors(spec, log, set(cells.values()))
    loaded = {(rows.school_code, rows.kind): rows for rows in result.assessment if rows.ok}
    shown = set(t.criteria) or MANDATORY | {c["code"] for c in CRITERIA}
    expected = {(c, k): v for c, kinds in t.scores.items() for k, v in kinds.items()
                if _has_values({cr: x for cr, x in v.items() if cr in shown}) and (c, k) not in rejected}
    assert set(loaded) == set(expected), f"loaded {sorted(loaded)}, expected {sorted(expected)}; {issues(log)}"
    columns = set(t.criteria) if t.criteria else None
    for key, scores in expected.items():
        rows = loaded[key]
        assert rows.school_year == t.year, f"{key}: school year {rows.school_year}, truth {t.year}"
        got = {s["criterion"]: (s["met"] if s["criterion"] in MANDATORY else s["score"]) for s in rows.scores}
        want = {c: v for c, v in scores.items() if v is not None and (columns is None or c in columns)}
        wrong = {c: (got.get(c), want.get(c)) for c in set(got) | set(want) if not same(got.get(c), want.get(c))}
        assert not wrong, f"{key}: (loaded, truth) differ: {dict(sorted(wrong.items()))}"
        if t.evidence and spec.layout == "assessment_form":
            evidence = {s["criterion"]: s["evidence"] for s in rows.scores}
            truth = t.evidence.get(key[0], {})
            bad = {c: (e, truth.get(c)) for c, e in evidence.items()
                   if text_key(spec, e) != text_key(spec, truth.get(c))}
            assert not bad, f"{key}: evidence (loaded, truth) differ: {bad}"
    _hidden_sheet(spec, log)


def _has_values(scores: dict) -> bool:
    return any(v is not None for v in scores.values())


# ---- tasks -------------------------------------------------------------------------------------------

def check_tasks(spec: Spec, book: Book, result: FileResult) -> None:
    t = spec.truth
    log = result.log
    if spec.broken:
        cells = {ref for key, ref in book.cells.items() if key[0] == "broken"}
        expect_errors(spec, log, cells, ("task_sheet_incomplete", "missing_context"))
        assert not [task for task in result.tasks if task.ok] or result.task_year is None, \
            f"a task sheet with an error must not load: {[task.values for task in result.tasks if task.ok]}"
        if spec.broken == "no_year":
            assert result.task_year is None and any(i.code == "missing_context" for i in log.items)
        return
    expect_errors(spec, log, set())
    assert result.task_year == t.year, f"plan year {result.task_year}, truth {t.year}"
    got = [task.values for task in result.tasks]
    assert len(got) == len(t.tasks), f"{len(got)} tasks loaded, truth {len(t.tasks)}: {[g['task'] for g in got]}"
    for index, (values, task) in enumerate(zip(got, t.tasks)):
        want = {"task": task.task, "owner": task.owner, "due": due_date(task), "status": task.status,
                "percent": task.percent, "note": task.note}
        want = {k: (unicodedata.normalize("NFC", v) if isinstance(v, str) else v) for k, v in want.items()
                if k in t.columns}
        if task.status and "status" in t.columns:
            want["status_code"] = next(s for s in ("done", "in_progress", "not_started")
                                       if clean_text(task.status).casefold() in
                                       CATALOGUE.words("task_status", s))
        wrong = {k: (values.get(k), v) for k, v in want.items()
                 if not same(text_key(spec, values.get(k)), text_key(spec, v))}
        assert not wrong, f"task {index + 1}: (loaded, truth) differ: {wrong}"
    _hidden_sheet(spec, log)


# ---- registry ----------------------------------------------------------------------------------------

def check_registry(spec: Spec, book: Book, rows: list[dict], log: IssueLog) -> None:
    t = spec.truth
    schools = list(t.schools)
    if spec.style.sections:
        schools.sort(key=lambda s: ["MN", "TH", "THCS", "TH_THCS"].index(s.level))
    cells = {ref for key, ref in book.cells.items() if key[0] == "broken"}
    expect_errors(spec, log, cells)
    bad = broken_index(spec, len(schools))
    expected = [s for i, s in enumerate(schools) if i != bad]
    got = [(r["school_code"], text_key(spec, r["school_name"]), r["level"], r["ownership"], r["ward_old"])
           for r in rows]
    want = [(s.code, text_key(spec, tone_variant(spec, s.name)), s.level, s.ownership, s.ward_old) for s in expected]
    assert got == want, f"registry rows (loaded, truth) differ:\n{got}\n{want}\n{issues(log)}"


__all__ = ["check", "build", "COUNTS", "SCHOOLS", "FIELDS", "find_level"]
