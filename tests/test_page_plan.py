"""Tiến độ kế hoạch 2025: the indicators table, the value-vs-target chart, the trend and the laggards equal
plan_progress_sql / laggards_sql run directly; the filters change them; the office tasks equal the task view."""
import math

import pytest

from dashboard.format import STATUS_NAMES
from etl.metrics.queries import Scope, laggards_sql, plan_progress_sql
from etl.settings import setting
from tests.pages import figure_titled, open_page, sql, texts, values

PAGE = "ke_hoach.py"
VALUES_CHART = "Giá trị các chỉ số (%) so với chỉ tiêu, theo trụ cột"
LATEST = ("2025-2026", "HK1")


pytestmark = pytest.mark.usefixtures("sample_warehouse")


def frame(app, *columns: str):
    """The one table showing all `columns` (ui.table hands st.dataframe a Styler: its .data is the frame)."""
    found = [getattr(e.value, "data", e.value) for e in app.dataframe]
    found = [data for data in found if set(columns) <= set(data.columns)]
    assert len(found) == 1, columns
    return found[0]


def num(value):
    """A shown cell as a number: numbers stay numbers; text is Vietnamese (1.234,5) or '–' for none."""
    if isinstance(value, str):
        return None if value.strip() in ("", "–") else float(value.replace(".", "").replace(",", "."))
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def close(shown, expected, decimals: int = 1) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return num(shown) is None
    return num(shown) is not None and abs(num(shown) - float(expected)) <= 0.5 * 10 ** -decimals + 1e-9


def progress(db, scope=Scope(), period=LATEST):
    query, params = plan_progress_sql(scope, setting("plan_tolerance_pct"))
    with_period = f"SELECT * FROM ({query}) WHERE school_year = ? AND period = ?"
    columns = ["indicator", "value", "target", "status", "schools_counted", "schools_missing", "previous_value",
               "unit"]
    rows = sql(db, f"SELECT {', '.join(columns)} FROM ({with_period})", [*params, *period])
    return {row[0]: dict(zip(columns, row)) for row in rows}


def metrics(app):
    return {m.label: (m.value, m.delta) for m in app.metric}


def check_table(app, expected):
    shown = frame(app, "Mã chỉ số", "Tình trạng").set_index("Mã chỉ số")
    assert set(shown.index) == set(expected)
    for code, row in expected.items():
        cells = shown.loc[code]
        assert close(cells["Giá trị"], row["value"]), code
        assert num(cells["Chỉ tiêu"]) == row["target"]
        assert close(cells["Giá trị kỳ trước"], row["previous_value"]), code
        assert cells["Tình trạng"].endswith(STATUS_NAMES[row["status"]]), code
        assert num(cells["Số trường có số liệu"]) == row["schools_counted"]
        assert num(cells["Số trường thiếu số liệu"]) == row["schools_missing"]


def test_indicators_table_equals_plan_progress(sample_db):
    app = open_page(PAGE)
    assert app.title[0].value == "Tiến độ kế hoạch 2025"
    expected = progress(sample_db)
    assert len(expected) == 23  # the two yearly 4725 indicators wait for the CN period
    check_table(app, expected)
    shown = metrics(app)
    for status in ("met", "on_track", "at_risk", "off_track"):
        label = next(k for k in shown if k.endswith(STATUS_NAMES[status]))
        assert shown[label][0] == f"{sum(r['status'] == status for r in expected.values())}/23"
    assert "cách chỉ tiêu không quá 10% chỉ tiêu" in texts(app)  # the status rule, with the tolerance


def test_values_chart_equals_plan_progress_with_status_colours_and_targets(sample_db):
    app = open_page(PAGE)
    expected = {c: r for c, r in progress(sample_db).items() if r["unit"] == "%"}
    spec = figure_titled(app, VALUES_CHART)
    bars, targets = {}, {}
    for trace in spec["data"]:
        labels = values(trace, "y")[1]
        codes = [label.split(" · ")[0] for label in labels]
        if trace["type"] == "bar":
            bars.update({c: (trace["name"], x) for c, x in zip(codes, values(trace, "x"))})
        elif trace["name"] == "Chỉ tiêu":
            targets.update(dict(zip(codes, values(trace, "x"))))
    assert set(bars) == set(expected) == set(targets)
    for code, row in expected.items():
        assert bars[code] == (STATUS_NAMES[row["status"]], pytest.approx(row["value"]))
        assert targets[code] == row["target"]


def test_a_level_filter_recomputes_every_indicator(sample_db):
    app = open_page(PAGE, cap="Tiểu học")
    primary = progress(sample_db, Scope(levels=("TH",)))
    check_table(app, primary)
    everyone = progress(sample_db)
    assert any(abs(primary[c]["value"] - everyone[c]["value"]) > 0.1 for c in primary)
    assert "HT2" not in primary  # lower secondary only

    app.sidebar.multiselect(key="cap").select("THCS").run()
    assert not app.exception
    check_table(app, progress(sample_db, Scope(levels=("TH", "THCS"))))


def test_the_yearly_4725_indicators_wait_for_the_year_end(sample_db):
    app = open_page(PAGE)
    notice = texts(app)
    assert "cuối năm học" in notice and "CQ4" in notice and "CQ5" in notice
    app = open_page(PAGE, ky="Cả năm 2024-2025")
    expected = progress(sample_db, period=("2024-2025", "CN"))
    assert {"CQ4", "CQ5"} <= set(expected)
    check_table(app, expected)
    assert "cuối năm học (kỳ cả năm)" not in texts(app)


def test_choosing_an_indicator_lists_exactly_the_laggards(sample_db):
    app = open_page(PAGE)
    for code in ("DL1", "HT3", "NTS6"):
        app.selectbox(key="ke_hoach_chi_so").select(code).run()
        assert not app.exception
        query, params = laggards_sql(Scope(), code, *LATEST)
        expected = sql(sample_db, f"SELECT school_code, school_value, reason FROM ({query})", params)
        assert expected, code
        shown = frame(app, "Mã trường", "Lý do")
        assert list(shown["Mã trường"]) == [row[0] for row in expected], code
        for value, row in zip(shown["Giá trị của trường"], expected):
            assert close(value, row[1]), code
        assert list(shown["Lý do"]) == ["Dưới chỉ tiêu" if r[2] == "below_target" else "Thiếu số liệu"
                                        for r in expected]


def test_laggards_follow_the_filter(sample_db):
    app = open_page(PAGE, phuong="Cửa Lò")
    app.selectbox(key="ke_hoach_chi_so").select("HT1").run()
    query, params = laggards_sql(Scope(wards_new=("Cửa Lò",)), "HT1", *LATEST)
    expected = [row[0] for row in sql(sample_db, f"SELECT school_code FROM ({query})", params)]
    assert expected and list(frame(app, "Mã trường", "Lý do")["Mã trường"]) == expected


def test_trend_draws_every_period_of_the_chosen_indicators(sample_db):
    app = open_page(PAGE)
    app.multiselect(key="ke_hoach_dien_bien").set_value(["HT1", "NT2"]).run()
    assert not app.exception
    query, params = plan_progress_sql(Scope(), setting("plan_tolerance_pct"))
    for code, unit in (("HT1", "%"), ("NT2", "tin bài/trường")):
        spec = figure_titled(app, f"Diễn biến qua các kỳ ({unit})")
        expected = sql(sample_db, f"SELECT value FROM ({query}) WHERE indicator = ? ORDER BY school_year, "
                                  "period = 'CN'", [*params, code])
        lines = [t for t in spec["data"] if t.get("mode") == "lines" and t["name"].startswith(code)]
        assert len(lines) == 1
        assert values(lines[0], "y") == pytest.approx([math.nan if v is None else v for (v,) in expected], nan_ok=True)
        assert len(values(lines[0], "x")) == 4  # every loaded period


def test_office_tasks_equal_the_task_view(sample_db):
    app = open_page(PAGE)
    rows = sql(sample_db, "SELECT task_no, due, status_code, percent, overdue FROM office_tasks_status "
                          "ORDER BY task_no")
    shown = frame(app, "Nhiệm vụ", "Quá hạn")
    assert list(shown["STT"]) == [r[0] for r in rows]
    assert list(shown["Hạn hoàn thành"]) == [r[1].strftime("%d/%m/%Y") for r in rows]
    assert [bool(v) for v in shown["Quá hạn"]] == [bool(r[4]) for r in rows]
    assert [num(v) for v in shown["Tỷ lệ hoàn thành (%)"]] == [r[3] for r in rows]
    names = {"done": "Hoàn thành", "in_progress": "Đang thực hiện", "not_started": "Chưa bắt đầu"}
    assert list(shown["Trạng thái"]) == [names[r[2]] for r in rows]
    summary = metrics(app)
    assert summary["⚠️ Quá hạn"][0] == f"{sum(bool(r[4]) for r in rows)}/{len(rows)}"
    assert summary["✅ Hoàn thành"][0] == f"{sum(r[2] == 'done' for r in rows)}/{len(rows)}"


def test_a_filter_without_schools_says_so(sample_db):
    app = open_page(PAGE, cap="TH&THCS", phuong="Vinh Hưng")
    assert not app.exception
    assert "Không có chỉ số kế hoạch nào cho phạm vi đang lọc" in texts(app)
    assert not app.get("plotly_chart")
