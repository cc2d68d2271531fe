"""Every page runs headless with AppTest on the bundled sample and shows what the warehouse holds."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


@pytest.fixture
def app(sample_db, monkeypatch):
    monkeypatch.setenv("DX_DB", str(sample_db))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)


def test_data_page_shows_loaded_data_and_says_it_is_synthetic(app, sample_db):
    import duckdb

    app.run()
    assert not app.exception
    assert app.title[0].value == "Dữ liệu đã nạp"
    assert any("Dữ liệu giả lập" in w.value for w in app.warning)
    metrics = {m.label: m.value for m in app.metric}
    with duckdb.connect(str(sample_db), read_only=True) as con:
        survey_rows = con.execute("SELECT count(*) FROM survey").fetchone()[0]
    assert metrics["Trường trong danh mục"] == "140"
    assert metrics["Dòng khảo sát đã nạp"] == str(survey_rows)
    counts = app.dataframe[0].value
    assert counts["Số trường báo cáo"].sum() == survey_rows


def test_missing_warehouse_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DX_DB", str(tmp_path / "none.duckdb"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    app.run()
    assert not app.exception
    assert "Chưa có kho dữ liệu" in app.error[0].value
