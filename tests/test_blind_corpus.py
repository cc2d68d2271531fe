"""Issue 20, part 5: the blind corpus (tests/blind, see its README) — files made from DOMAIN.md §5 and the issue's
eight descriptions by someone who had not read the loader, each with the values it holds (expected.json). Every
registry installs exactly its schools; every data file loads exactly its values (or refuses the records holding a
deliberate mistake, at that cell), leaves no number unread, and notes every unit word it stripped."""
import json
import math
import shutil
from pathlib import Path

import duckdb
import pytest

from etl.loader import run_load
from etl.registry import install_registry

BLIND = Path(__file__).parent / "blind"
EXPECTED = json.loads((BLIND / "expected.json").read_text(encoding="utf-8"))
REGISTRY_COLUMNS = ("school_code", "school_name", "level", "ownership", "ward_old", "ward_new")
NOT_FIELDS = {"school_code", "school_year", "period", "school_name", "level", "ownership", "ward_old", "source_file",
              "source_sha256", "source_sheet", "source_row", "load_id", "warnings"}


def rows(db: Path, query: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("registry", EXPECTED["registries"], ids=lambda r: Path(r["file"]).name)
def test_blind_registry_installs_exactly_its_schools(registry, tmp_path):
    db = tmp_path / "wh.duckdb"
    text, status, _ = install_registry(BLIND / registry["file"], db)
    assert status == 0, text
    got = {r[0]: dict(zip(REGISTRY_COLUMNS, r)) for r in rows(db, f"SELECT {', '.join(REGISTRY_COLUMNS)} FROM schools")}
    want = {s["school_code"]: {k: s.get(k) for k in REGISTRY_COLUMNS} for s in registry["schools"]}
    assert sorted(got) == sorted(want), text
    wrong = {code: {k: (got[code][k], v) for k, v in school.items() if got[code][k] != v}
             for code, school in want.items()}
    assert not {code: diff for code, diff in wrong.items() if diff}, text


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("blind") / "base.duckdb"
    text, status, _ = install_registry(BLIND / EXPECTED["base_registry"], db)
    assert status == 0, text
    return db


def same(a, b) -> bool:
    if isinstance(b, bool) or isinstance(a, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, abs_tol=1e-6)
    return a == b


@pytest.mark.parametrize("case", EXPECTED["files"], ids=lambda f: Path(f["file"]).name)
def test_blind_file_loads_exactly_its_values(case, base_db, tmp_path):
    db = tmp_path / "wh.duckdb"
    shutil.copy(base_db, db)
    report = run_load([BLIND / case["file"]], db)
    [file] = report["files"]
    issues = file["issues"]
    errors = {(i["sheet"], i["cell"]) for i in issues if i["severity"] == "error"}
    want_errors = {(e["sheet"], e["cell"]) for e in case.get("errors", [])}
    assert errors == want_errors, [i["text"] for i in issues if i["severity"] in ("error", "warning")]
    noted = {(i["sheet"], i["cell"]) for i in issues if i["code"] == "unit_word"}
    assert {(n["sheet"], n["cell"]) for n in case.get("notes", [])} <= noted, [i["text"] for i in issues]
    assert file["cells"]["unaccounted_numbers"] == 0, [i["text"] for i in issues if i["code"] == "unaccounted_numbers"]

    columns = [r[0] for r in rows(db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'survey'"
                                      " ORDER BY ordinal_position")]
    stored = {}
    for row in rows(db, "SELECT * FROM survey"):
        values = dict(zip(columns, row))
        key = (values["school_code"], values["school_year"], values["period"])
        stored.update({(*key, k): v for k, v in values.items() if k not in NOT_FIELDS and v is not None})
    want = {(v["school_code"], v["school_year"], v["period"], v["field"]): v["value"] for v in case.get("survey", [])}
    missing = {k: v for k, v in want.items() if k not in stored or not same(stored[k], v)}
    extra = {k: v for k, v in stored.items() if k not in want}
    assert not missing and not extra, (f"wrong or missing {dict(list(missing.items())[:12])} (stored: "
                                       f"{ {k: stored.get(k) for k in list(missing)[:12]} }); not in the file "
                                       f"{dict(list(extra.items())[:12])}; {[i['text'] for i in issues][:12]}")

    scores = {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in
              rows(db, "SELECT school_code, school_year, kind, criterion, score, met FROM assessment_scores")}
    want = {(a["school_code"], a["school_year"], a["kind"], a["criterion"]): (a["score"], a["met"])
            for a in case.get("assessment", [])}
    wrong = {k: (scores.get(k), v) for k, v in want.items()
             if k not in scores or not all(same(x, y) for x, y in zip(scores[k], v))}
    extra = {k: v for k, v in scores.items() if k not in want}
    assert not wrong and not extra, (f"(stored, expected) {dict(list(wrong.items())[:12])}; not in the file "
                                     f"{dict(list(extra.items())[:12])}; {[i['text'] for i in issues][:12]}")
