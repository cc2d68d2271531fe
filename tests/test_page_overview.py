"""Tổng quan: headline numbers and chart values equal the metric views; filters change them."""
import pytest

from tests.pages import figure_titled, open_page, sql, texts, values

pytestmark = pytest.mark.usefixtures("sample_warehouse")


def metrics(app):
    return {m.label: (m.value, m.delta) for m in app.metric}


def test_headlines_equal_the_metric_views(sample_db):
    app = open_page()
    assert app.title[0].value == "Tổng quan"
    assert "Dữ liệu giả lập" in texts(app)
    [(year, period)] = sql(sample_db, "SELECT school_year, period FROM survey ORDER BY school_year DESC, "
                                      "period = 'CN' DESC LIMIT 1")
    [(reported,)] = sql(sample_db, "SELECT count(*) FROM survey WHERE school_year = ? AND period = ?", [year, period])
    [(needed,)] = sql(sample_db, "SELECT sum(computers_needed) FROM informatics_computers WHERE school_year = ? "
                                 "AND period = ?", [year, period])
    [(assessed, good)] = sql(sample_db, "SELECT count(*), count(*) FILTER (overall_level >= 2) FROM maturity_4725 "
                                        "WHERE school_year = (SELECT max(school_year) FROM maturity_4725)")
    shown = metrics(app)
    assert shown["Trường đã báo cáo"][0] == f"{reported}/140"
    assert shown["Máy tính dạy Tin học còn thiếu"][0] == f"{needed:,}".replace(",", ".")
    assert shown["Trường đạt Mức 2 trở lên (QĐ 4725)"][0].startswith(f"{good}/{assessed} (")


def test_level_chart_counts_equal_the_view(sample_db):
    app = open_page()
    spec = figure_titled(app, "Mức chung QĐ 4725 theo cấp học")
    shown = {(trace["name"], y): x for trace in spec["data"] for y, x in zip(values(trace, "y"), values(trace, "x"))}
    year = sql(sample_db, "SELECT max(school_year) FROM maturity_4725")[0][0]
    expected = sql(sample_db, "SELECT s.level, m.overall_level, count(*) FROM maturity_4725 m JOIN schools s "
                              "USING (school_code) WHERE m.school_year = ? GROUP BY ALL", [year])
    names = {"TH": "Tiểu học", "THCS": "THCS", "TH_THCS": "TH&THCS"}
    assert {(f"Mức {lv}", names[level]): n for level, lv, n in expected} == {k: v for k, v in shown.items() if v}


def test_level_filter_goes_through_the_url_and_changes_the_numbers(sample_db):
    app = open_page(cap="Tiểu học")
    [(reported, total)] = sql(sample_db, """SELECT count(s.school_code), count(*) FROM schools sc LEFT JOIN survey s
        ON s.school_code = sc.school_code AND s.school_year = '2025-2026' AND s.period = 'HK1' WHERE sc.level = 'TH'""")
    assert metrics(app)["Trường đã báo cáo"][0] == f"{reported}/{total}"
    assert "cấp học: Tiểu học" in texts(app)
    app.sidebar.multiselect(key="cap").select("THCS").run()
    assert not app.exception
    assert "cấp học: Tiểu học, THCS" in texts(app)


def test_a_filter_without_4725_data_says_so(sample_db):
    app = open_page(cap="Mầm non")
    assert not app.exception
    spec = figure_titled(app, "Mức chung QĐ 4725 theo cấp học")
    assert spec["layout"]["annotations"][0]["text"].startswith("Chưa có kết quả đánh giá QĐ 4725")
    assert metrics(app)["Trường đạt Mức 2 trở lên (QĐ 4725)"][0] == "–"


def test_error_count_follows_the_filter(sample_db):
    # the sample's one error of this period is an unknown school code in a file of preschools and primary schools:
    # counted with its file (the data-quality page's rule), so not for THCS
    app = open_page(cap="THCS")
    assert not any("lỗi dữ liệu khi nạp" in m.value for m in app.markdown)
    app = open_page()
    [(errors,)] = sql(sample_db, "SELECT count(*) FROM load_issues WHERE severity = 'error' AND school_year = "
                                 "'2025-2026' AND (period = 'HK1' OR period IS NULL)")
    assert any(f"{errors} lỗi dữ liệu khi nạp" in m.value for m in app.markdown)


def test_no_gain_is_shown_against_a_period_without_data(sample_db):
    """Issue 13: a scope with no figures in the previous period showed "+16 chỉ số" as if it had gained them; the
    pages, the headline and the export now count over the indicators with a value in both periods."""
    [(code,)] = sql(sample_db, """SELECT a.school_code FROM survey a WHERE a.school_year = '2025-2026'
        AND a.period = 'HK1' AND NOT EXISTS (SELECT 1 FROM survey b WHERE b.school_code = a.school_code
        AND b.school_year = '2024-2025' AND b.period = 'CN') ORDER BY 1 LIMIT 1""")
    app = open_page()
    app.sidebar.selectbox(key="ky").select("2025-2026|HK1").run()
    app.sidebar.multiselect(key="truong").select(code).run()
    shown = {m.label: (m.value, m.delta) for m in app.metric}
    assert shown["Trường đã báo cáo"][0] == "1/1"
    assert shown["Máy tính dạy Tin học còn thiếu"][1] == "chưa có số liệu kỳ trước"


def test_the_status_change_counts_indicators_present_in_both_periods():
    import pandas as pd

    from dashboard.charts.plan import status_change

    now = pd.DataFrame({"indicator": ["A", "B", "C"], "value": [1.0, 2.0, 3.0], "status": ["met", "met", "met"]})
    then = pd.DataFrame({"indicator": ["A", "B", "C"], "value": [1.0, None, None], "status": ["off_track", None, None]})
    assert status_change(now, then) == 1  # only A had a value then: +1, not +3
    assert status_change(now, then.assign(value=None)) is None  # nothing to compare with
    assert status_change(now, now) == 0


def test_computers_lacking_is_compared_only_with_figures_of_the_period_before(sample_db):
    """Issue 13: "Máy tính còn thiếu" against a period without data. The oldest period and a school without computers
    figures then say "chưa có số liệu kỳ trước"; a school that has not reported this period no longer crashes the page
    (int(NaN)); the change is counted over the schools with a figure in both periods."""
    [(oldest,)] = sql(sample_db, "SELECT min(school_year) FROM survey WHERE period = 'CN'")
    app = open_page()
    app.sidebar.selectbox(key="ky").select(f"{oldest}|CN").run()
    assert not app.exception
    assert metrics(app)["Máy tính dạy Tin học còn thiếu"][1] == "chưa có số liệu kỳ trước"

    [(code,)] = sql(sample_db, """SELECT n.school_code FROM informatics_computers n WHERE n.school_year = '2025-2026'
        AND n.period = 'HK1' AND n.computers_needed IS NOT NULL AND NOT EXISTS (SELECT 1 FROM informatics_computers b
        WHERE b.school_code = n.school_code AND b.school_year = '2024-2025' AND b.period = 'CN'
        AND b.computers_needed IS NOT NULL) ORDER BY 1 LIMIT 1""")
    app = open_page()
    app.sidebar.multiselect(key="truong").set_value([code]).run()
    assert not app.exception
    assert metrics(app)["Máy tính dạy Tin học còn thiếu"][1] == "chưa có số liệu kỳ trước"

    [(gone,)] = sql(sample_db, """SELECT school_code FROM survey WHERE school_year = '2024-2025' AND period = 'CN'
        EXCEPT SELECT school_code FROM survey WHERE school_year = '2025-2026' AND period = 'HK1' ORDER BY 1 LIMIT 1""")
    app.sidebar.multiselect(key="truong").set_value([gone]).run()
    assert not app.exception, app.exception
    assert metrics(app)["Máy tính dạy Tin học còn thiếu"] == ("–", "")

    app.sidebar.multiselect(key="truong").set_value([]).run()
    [(change, both)] = sql(sample_db, """SELECT sum(n.computers_needed) - sum(b.computers_needed), count(*)
        FROM informatics_computers n JOIN informatics_computers b USING (school_code)
        WHERE n.school_year = '2025-2026' AND n.period = 'HK1' AND b.school_year = '2024-2025' AND b.period = 'CN'
        AND n.computers_needed IS NOT NULL AND b.computers_needed IS NOT NULL""")
    assert metrics(app)["Máy tính dạy Tin học còn thiếu"][1] == f"{change:+d} máy"
    [shown] = [m for m in app.metric if m.label == "Máy tính dạy Tin học còn thiếu"]
    assert f"so sánh trên {both} trường có số liệu cả hai kỳ" in shown.proto.delta_description
