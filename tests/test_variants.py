"""Issue 8, part 2: generated input files, written the many ways offices write them, must load exactly the values
they were made from; a file with a deliberate mistake must be refused at that cell, and nothing else of that row
loaded. `HYPOTHESIS_PROFILE=fuzz` (make fuzz) runs hundreds of files per layout instead of the CI's few dozen."""
import os
import unicodedata
from dataclasses import replace

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import run_cli
from tests.variants.check import COUNTS, build, check
from tests.variants.model import BY_CODE, FIELDS, SCHOOLS, due_date
from tests.variants.strategies import LAYOUTS, specs
from tests.variants.summary import register

# CI: a bounded, reproducible run that reports the first failing file without shrinking it (shrinking a failure
# costs minutes); `make fuzz` explores more files and shrinks each failure to a minimal one.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None,
                          suppress_health_check=list(HealthCheck), print_blob=False,
                          phases=(Phase.explicit, Phase.reuse, Phase.generate))
settings.register_profile("fuzz", max_examples=400, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
CLI_EXAMPLES = {"ci": 8, "fuzz": 100}.get(PROFILE, 8)


@pytest.fixture(autouse=True, scope="module")
def _summary(request):
    register(request.config)


@pytest.mark.parametrize("layout", LAYOUTS)
@settings(settings.get_profile(PROFILE))
@given(data=st.data())
def test_generated_file_loads_exactly_its_truth(layout, data):
    check(data.draw(specs(layout), label="spec"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("variants_cli")
    registry = folder / "danh_muc.csv"
    registry.write_text("Mã trường,Tên trường,Cấp học,Loại hình,Phường/xã\n" + "".join(
        f"{s.code},{s.name},{s.level},{'Tư thục' if s.ownership == 'tu_thuc' else 'Công lập'},{s.ward_old}\n"
        for s in SCHOOLS), encoding="utf-8")
    db = folder / "wh.duckdb"
    assert run_cli("registry", registry, "--db", db)[0] == 0
    return db


CLI_LAYOUTS = ("survey_table", "survey_form", "assessment_form", "assessment_table", "tasks")


@settings(settings.get_profile(PROFILE), max_examples=CLI_EXAMPLES)
@given(data=st.data())
def test_generated_file_through_the_cli_into_the_warehouse(warehouse, tmp_path_factory, data):
    """The whole path: `python -m etl load FILE --json`, then what the warehouse holds."""
    spec = data.draw(st.sampled_from(CLI_LAYOUTS).flatmap(lambda layout: specs(layout, broken=False)), label="spec")
    COUNTS[(spec.layout, spec.fmt)] += 1
    _, path = build(spec, tmp_path_factory.mktemp("cli"))
    code, report = run_cli("load", path, "--db", warehouse, "--json", "--force")
    errors = [i["text"] for f in report["files"] for i in f["issues"] if i["severity"] == "error"]
    assert code == 0 and not errors, (code, errors)
    t = spec.truth
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if spec.layout.startswith("survey"):
            for school, values in t.rows.items():
                names = ["level", *values]
                row = con.execute(f"SELECT {', '.join(names)} FROM survey WHERE school_code = ? AND school_year = ? "
                                  "AND period = ?", [school, t.year, t.period]).fetchone()
                assert row is not None, f"{school} not in the warehouse"
                want = [BY_CODE[school].level, *values.values()]
                assert all(_same(a, b, FIELDS.get(n)) for n, a, b in zip(names, row, want)), (school, row, want)
        elif spec.layout.startswith("assessment"):
            for school, kinds in t.scores.items():
                for kind, scores in kinds.items():
                    rows = dict(((c, (s, m)) for c, s, m in con.execute(
                        "SELECT criterion, score, met FROM assessment_scores WHERE school_code = ? AND "
                        "school_year = ? AND kind = ?", [school, t.year, kind]).fetchall()))
                    want = {c: ((None, v) if isinstance(v, bool) else (v, None)) for c, v in scores.items()
                            if v is not None and (not t.criteria or c in t.criteria)}
                    assert rows == want, (school, kind, rows, want)
        else:
            rows = con.execute("SELECT task, due, percent FROM office_tasks WHERE plan_year = ? ORDER BY task_no",
                               [t.year]).fetchall()
            want = [(unicodedata.normalize("NFC", task.task), due_date(task) if "due" in t.columns else None,
                     task.percent if "percent" in t.columns else None) for task in t.tasks]
            assert rows == want, (rows, want)


def _same(a, b, field) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) < 1e-6
    return a == b


VALUE_TABLES = {  # what a table says, leaving out where and when it was loaded from
    "survey": "SELECT * EXCLUDE (source_file, source_sha256, source_sheet, source_row, load_id, warnings) FROM survey",
    "assessment_scores": "SELECT * EXCLUDE (source_file, source_sha256, source_sheet, source_cell, load_id) "
                         "FROM assessment_scores",
    "office_tasks": "SELECT * EXCLUDE (source_file, source_sheet, source_row, load_id) FROM office_tasks",
}


def _values(db) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: sorted(map(repr, con.execute(query).fetchall())) for name, query in VALUE_TABLES.items()}


@settings(settings.get_profile(PROFILE), max_examples=CLI_EXAMPLES)
@given(data=st.data())
def test_a_refused_row_or_file_changes_nothing_already_loaded(warehouse, tmp_path_factory, data):
    """Load a good file, then the same file with a deliberate mistake: the refused row (or the whole file, when
    it has no school year) leaves the warehouse saying exactly what it said before."""
    spec = data.draw(st.sampled_from(CLI_LAYOUTS).flatmap(specs).filter(lambda s: s.broken is not None),
                     label="spec")
    COUNTS[(spec.layout, spec.fmt)] += 2
    _, good = build(replace(spec, broken=None), tmp_path_factory.mktemp("good"))
    _, bad = build(spec, tmp_path_factory.mktemp("refused"))
    code, report = run_cli("load", good, "--db", warehouse, "--json", "--force")
    assert code == 0, report
    before = _values(warehouse)
    code, report = run_cli("load", bad, "--db", warehouse, "--json", "--force")
    assert code in (1, 2) and report["totals"]["errors"] > 0, report
    assert _values(warehouse) == before


def _mutate(data: bytes, how: str, at: float, byte: int) -> bytes:
    """Damage a file the ways transfers and disks do: cut it short, flip a byte, or (for a zip) damage the XML of
    one part while the zip itself stays valid."""
    position = int(at * max(len(data) - 1, 0))
    if how == "truncate":
        return data[:position]
    if how == "flip":
        return data[:position] + bytes([data[position] ^ (byte or 1)]) + data[position + 1:] if data else data
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    except zipfile.BadZipFile:
        return data[:position]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (info, part) in enumerate(parts):
            if info.filename.endswith(".xml") and i == int(at * len(parts)) % len(parts):
                cut = int(at * len(part))
                part = part[:cut] + b"<\x00&bad;>" + part[cut:]
            archive.writestr(info, part)
    return out.getvalue()


HOSTILE_EXAMPLES = {"ci": 15, "fuzz": 300}.get(PROFILE, 15)


@settings(settings.get_profile(PROFILE), max_examples=HOSTILE_EXAMPLES)
@given(data=st.data())
def test_a_damaged_file_is_refused_in_words_and_changes_nothing(warehouse, tmp_path_factory, data):
    """Hostile mode: a generated file, damaged. The load must end with a report (never a traceback or an abort),
    the damaged file either loads or is refused with a message, and a refused file changes nothing."""
    spec = data.draw(st.sampled_from(CLI_LAYOUTS).flatmap(lambda layout: specs(layout, broken=False)), label="spec")
    how = data.draw(st.sampled_from(("truncate", "flip", "xml")), label="how")
    at = data.draw(st.floats(0, 1), label="at")
    byte = data.draw(st.integers(0, 255), label="byte")
    COUNTS[(spec.layout, spec.fmt)] += 1
    _, path = build(spec, tmp_path_factory.mktemp("damaged"))
    path.write_bytes(_mutate(path.read_bytes(), how, at, byte))
    before = _values(warehouse)
    code, report = run_cli("load", path, "--db", warehouse, "--json", "--force")
    assert code in (0, 1, 2) and isinstance(report, dict), report
    [result] = report["files"]
    if result["status"] == "rejected":
        assert result["issues"] and all(i["text"].startswith(path.name) for i in result["issues"]), result
        assert _values(warehouse) == before
    assert not any(i["code"] == "loader_fault" or "Traceback" in i["text"] for i in result["issues"]), result
