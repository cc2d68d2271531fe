"""The generated sample, loaded end to end, gives back exactly the generator's truth."""
import json
import math

import duckdb
import pytest

from etl.sample import generate
from tests.conftest import run_cli

NOT_COMPARED = {"school_name", "ownership", "ward_old", "file"}  # names are written messily on purpose


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    manifest = generate(out, seed=7, n_schools=12)
    db = out / "wh.duckdb"
    assert run_cli("registry", out / "danh_muc_truong.xlsx", "--db", db)[0] == 0
    code, report = run_cli("load", out, "--db", db, "--json")
    return manifest, db, report, code


def _same(expected, actual) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, float) or isinstance(actual, float):
        return math.isclose(float(expected), float(actual), abs_tol=1e-6)
    return expected == actual


def test_exit_code_and_the_injected_errors_found_at_their_cells(sample):
    manifest, _, report, code = sample
    assert code == 1
    problems = {(f["file"], i["sheet"] or "", i["cell"]): i for f in report["files"] for i in f["issues"]
                if i["severity"] in ("error", "warning")}
    for injected in manifest["injected_errors"]:
        key = (injected["file"].split("/")[-1], injected["sheet"] or "", injected["cell"])
        assert key in problems, injected
        expected = "warning" if injected["kind"] == "implausible_jump" else "error"
        assert problems[key]["severity"] == expected, (injected, problems[key])
    errors = [i for f in report["files"] for i in f["issues"] if i["severity"] == "error"]
    assert len(errors) == sum(e["kind"] != "implausible_jump" for e in manifest["injected_errors"])


def test_every_survey_value_equals_the_truth(sample):
    manifest, db, _, _ = sample
    bad_rows = {(e["school_code"], e["school_year"], e["period"]) for e in manifest["injected_errors"]
                if e["kind"] != "implausible_jump"}
    jumps = {(e["school_code"], e["school_year"], e["period"], e["field"]) for e in manifest["injected_errors"]
             if e["kind"] == "implausible_jump"}
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute("SELECT * FROM survey")
        names = [d[0] for d in cursor.description]
        loaded = {(r["school_code"], r["school_year"], r["period"]): r
                  for r in (dict(zip(names, row)) for row in cursor.fetchall())}
    compared = 0
    for truth in manifest["truth"]["survey"]:
        key = (truth["school_code"], truth["school_year"], truth["period"])
        if key in bad_rows:
            assert key not in loaded
            continue
        row = loaded.pop(key)
        for field, expected in truth.items():
            if field in NOT_COMPARED or (*key, field) in jumps:
                continue
            assert _same(expected, row[field]), (key, field, expected, row[field])
            compared += 1
    assert not loaded, "rows in the warehouse that the files do not carry"
    assert compared > 1000


def test_every_assessment_score_equals_the_truth(sample):
    manifest, db, _, _ = sample
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = {(c, y, crit, k): (s, m) for c, y, k, crit, s, m in con.execute(
            "SELECT school_code, school_year, kind, criterion, score, met FROM assessment_scores").fetchall()}
    assert len(loaded) == len(manifest["truth"]["assessment"])
    for truth in manifest["truth"]["assessment"]:
        key = (truth["school_code"], truth["school_year"], truth["criterion"], truth["kind"])
        assert _same(truth["score"], loaded[key][0]) and truth["met"] == loaded[key][1], (truth, loaded[key])


def test_office_tasks_load(sample):
    manifest, db, _, _ = sample
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT task, status_code, percent, due FROM office_tasks ORDER BY task_no").fetchall()
    assert [r[0] for r in rows] == [t["task"] for t in manifest["truth"]["tasks"]]
    assert all(r[1] in ("done", "in_progress", "not_started") for r in rows)
    assert [str(r[3]) for r in rows] == [t["due"] for t in manifest["truth"]["tasks"]]


def test_the_warehouse_knows_the_data_is_synthetic(sample):
    _, db, _, _ = sample
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'registry_synthetic'").fetchone()[0] == "True"
        assert con.execute("SELECT bool_and(synthetic) FROM load_log WHERE status <> 'registry'").fetchone()[0]


def test_bundled_sample_is_what_the_generator_makes(tmp_path):
    """data/sample must be regenerated (make sample-data) whenever the generator changes."""
    from etl.settings import DATA_DIR
    generate(tmp_path, seed=2025, n_schools=140)
    bundled = json.loads((DATA_DIR / "sample" / "manifest.json").read_text(encoding="utf-8"))
    fresh = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert bundled == fresh
    for entry in fresh["files"]:
        assert (DATA_DIR / "sample" / entry["path"]).read_bytes() == (tmp_path / entry["path"]).read_bytes()
