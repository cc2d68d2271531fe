"""The frame of the app: what a user sees without a warehouse, and with an empty one."""
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, run_cli
from tests.fixtures import write_registry


def test_missing_warehouse_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DX_DB", str(tmp_path / "none.duckdb"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    app.run()
    assert not app.exception
    assert "Chưa có kho dữ liệu" in app.error[0].value


def test_warehouse_without_survey_data_says_what_to_load(monkeypatch, tmp_path):
    db = tmp_path / "only_registry.duckdb"
    assert run_cli("registry", write_registry(tmp_path / "dm.csv"), "--db", db)[0] == 0
    monkeypatch.setenv("DX_DB", str(db))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    app.run()
    assert not app.exception
    assert "chưa có số liệu khảo sát" in app.info[0].value
