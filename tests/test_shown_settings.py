"""Everything a page shows comes from the warehouse (or snapshot) it shows: the plan tolerance, the 4725 thresholds
and the catalogue's class-size bounds are the ones stored with the data, not data/settings.toml or the CSV on disk
today. A warehouse published with non-default settings drives the pages, slides and school profile."""
import shutil

import duckdb
import pytest

from dashboard.data import Warehouse
from dashboard.filters import Filters
from dashboard.slides import build_all
from etl.metrics import publish
from etl.metrics.queries import Scope, plan_progress_sql
from etl.reference import load_catalogue
from etl.settings import load_settings
from tests.pages import figure_titled, open_page, sql, texts

CUSTOM = {"plan_tolerance_pct": 40, "level2_min_score": 40, "level3_above_score": 80}


@pytest.fixture(scope="module")
def custom_db(sample_db, tmp_path_factory):
    """The sample, published with other settings and a catalogue whose class sizes are plausible at 15..45."""
    db = tmp_path_factory.mktemp("custom") / "warehouse.duckdb"
    shutil.copyfile(sample_db, db)
    with duckdb.connect(str(db)) as con:
        publish(con, load_catalogue(), {**load_settings(), **CUSTOM})
        con.execute("UPDATE ref_survey_fields SET rule = '>= 0; warn when students/classes is outside 15..45' "
                    "WHERE code = 'students'")
    return db


@pytest.fixture
def custom(custom_db, monkeypatch):
    monkeypatch.setenv("DX_DB", str(custom_db))
    return custom_db


def statuses(db, tolerance=None) -> dict:
    query, params = plan_progress_sql(Scope(), tolerance)
    rows = sql(db, f"SELECT indicator, status FROM ({query}) WHERE school_year = '2024-2025' AND period = 'CN'",
               params)
    return dict(rows)


def test_the_plan_statuses_follow_the_warehouse_tolerance(custom):
    stored = statuses(custom)
    assert stored == statuses(custom, 40)
    assert stored != statuses(custom, 10)  # the setting matters for these figures: the test can fail
    app = open_page("ke_hoach.py")
    app.selectbox(key="ky").set_value("2024-2025|CN").run()
    assert "cách chỉ tiêu không quá 40% chỉ tiêu" in texts(app)
    late = sum(status == "off_track" for status in stored.values())
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["🔴 Chậm tiến độ"] == f"{late}/{len(stored)}", metrics


def test_slides_use_the_warehouse_thresholds_and_tolerance(custom):
    wh = Warehouse(custom)
    current = Filters("2024-2025", "CN", Scope(), ("2024-2025", "HK1"))
    scatter, plan = build_all(["diem_nhom", "ke_hoach"], lambda pair: wh.query(*pair), current)
    lines = {round(s["x0"]) for s in scatter.figure.to_dict()["layout"]["shapes"] if s.get("x0") == s.get("x1")}
    assert lines == {40, 80}
    late = sum(status == "off_track" for status in statuses(custom).values())
    assert late != sum(status == "off_track" for status in statuses(custom, 10).values())
    assert f", {late} chỉ số chậm tiến độ" in plan.headline, plan.headline


def test_school_profile_and_quality_page_use_the_warehouse_rules(custom):
    [(school,)] = sql(custom, "SELECT min(school_code) FROM maturity_4725")
    app = open_page("ho_so_truong.py", school=school)
    assert "ngưỡng 40 và 80 điểm" in texts(app)
    app = open_page("chat_luong.py")
    sizes = figure_titled(app, "Sĩ số")
    band = [s for s in sizes["layout"]["shapes"] if s.get("type") == "rect"]
    assert [(band[0]["y0"], band[0]["y1"])] == [(15, 45)]
