import json
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.__main__ import main  # noqa: E402
from tests import fixtures  # noqa: E402


def run_cli(*args) -> tuple[int, dict | str]:
    """Run `python -m etl ...` in-process; a --json run returns the parsed report."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main([str(a) for a in args])
    text = out.getvalue()
    return code, json.loads(text) if "--json" in args else text


def table_rows(db: Path, *tables: str) -> dict[str, list]:
    """Everything in the data tables, to prove a bad input changed nothing."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


DATA_TABLES = ("schools", "survey", "survey_cells", "assessment_scores", "office_tasks")


@pytest.fixture
def loaded_db(tmp_path) -> Path:
    """A warehouse with the fixture registry and one good survey file already loaded."""
    db = tmp_path / "wh.duckdb"
    registry = fixtures.write_registry(tmp_path / "danh_muc.csv")
    assert run_cli("registry", registry, "--db", db)[0] == 0
    good = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025.xlsx")
    code, report = run_cli("load", good, "--db", db, "--json")
    assert report["totals"]["rows_loaded"] == 5, report
    return db


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The bundled sample loaded the way `make run` loads it, once per test session."""
    db = tmp_path_factory.mktemp("sample_wh") / "warehouse.duckdb"
    assert run_cli("registry", ROOT / "data" / "reference" / "schools.csv", "--db", db)[0] == 0
    code, report = run_cli("load", ROOT / "data" / "sample", "--db", db, "--json")
    assert code == 1 and report["totals"]["errors"] == 4, report["totals"]
    return db


@pytest.fixture
def sample_warehouse(sample_db, monkeypatch):
    """Point the app (DX_DB) at the session's sample warehouse."""
    monkeypatch.setenv("DX_DB", str(sample_db))
    return sample_db
