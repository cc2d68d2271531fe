"""Mức độ chuyển đổi số (QĐ 4725): every number on the page equals the metric views (maturity_4725,
criteria_scores, evidence_flags) queried directly; filters change the figures; preschools only say so."""
import math

import pytest

from dashboard.format import LEVEL_COLORS, plotly_text
from etl.reference import LEVEL_NAMES
from tests.pages import figure_titled, figures, open_page, plain, sql, texts, unlinked, values

PAGE = "muc_do_4725.py"
BASIS_VI = {"verified": "Thẩm định", "self": "Tự đánh giá"}


pytestmark = pytest.mark.usefixtures("sample_warehouse")


@pytest.fixture(scope="module")
def app(sample_db):
    """The page with the default filters, opened once for the tests that only read it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DX_DB", str(sample_db))
        return open_page(PAGE)


def latest_year(db, up_to="9999"):
    return sql(db, "SELECT max(school_year) FROM maturity_4725 WHERE school_year <= ?", [up_to])[0][0]


def frame_with(app, column):
    """The DataFrame (ui.table passes a Styler) of the table that has `column`."""
    frames = [unlinked(d.value) for d in app.dataframe]
    matches = [f for f in frames if column in f.columns]
    assert len(matches) == 1, [list(f.columns) for f in frames]
    return matches[0]


def bar_counts(spec):
    return {(trace["name"], y): x for trace in spec["data"] for y, x in zip(values(trace, "y"), values(trace, "x"))
            if x}


def blank(value):
    """NaN and None alike (a table shows both as '–')."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def test_it_says_which_school_year_it_shows(app, sample_db):
    year = latest_year(sample_db)
    shown = texts(app)
    assert app.title[0].value == "Mức độ chuyển đổi số (QĐ 4725)"
    # the latest period is HK1 2025-2026, which has no 4725 results: the page falls back and says so
    assert f"Năm học 2025-2026 chưa có kết quả đánh giá QĐ 4725; trang hiển thị năm học {year}" in shown
    [(preschools,)] = sql(sample_db, "SELECT count(*) FROM schools WHERE level = 'MN'")
    assert f"{preschools} trường mầm non" in shown


def test_ranking_table_equals_maturity_4725(app, sample_db):
    year = latest_year(sample_db)
    expected = sql(sample_db, """SELECT m.school_code, s.school_name, s.level, s.ward_new, m.g1_score, m.g1_level,
        m.g2_score, m.g2_level, m.overall_level, m.basis, m.g1_gap, m.g2_gap
        FROM maturity_4725 m JOIN schools s USING (school_code) WHERE m.school_year = ?""", [year])
    table = frame_with(app, "Hạng")
    assert list(table["Hạng"]) == list(range(1, len(expected) + 1))
    shown = {row["Mã trường"]: (row["Tên trường"], row["Cấp học"], row["Phường mới"], row["Điểm nhóm 1"],
                                row["Mức nhóm 1"], row["Điểm nhóm 2"], row["Mức nhóm 2"], row["Mức chung (quy ước)"],
                                row["Căn cứ xếp mức"], blank(row["Chênh lệch nhóm 1"]), blank(row["Chênh lệch nhóm 2"]))
             for _, row in table.iterrows()}
    assert shown == {code: (name, LEVEL_NAMES[level], ward, g1, f"Mức {l1}", g2, f"Mức {l2}", f"Mức {lv}",
                            BASIS_VI[basis], gap1, gap2)
                     for code, name, level, ward, g1, l1, g2, l2, lv, basis, gap1, gap2 in expected}
    # ranked by overall level first
    levels = [int(v.split()[-1]) for v in table["Mức chung (quy ước)"]]
    assert levels == sorted(levels, reverse=True)


def test_level_charts_equal_the_view(app, sample_db):
    year = latest_year(sample_db)
    by_level = sql(sample_db, """SELECT s.level, m.overall_level, count(*) FROM maturity_4725 m JOIN schools s
        USING (school_code) WHERE m.school_year = ? GROUP BY ALL""", [year])
    spec = figure_titled(app, "Mức chung (quy ước) theo cấp học")
    assert bar_counts(spec) == {(f"Mức {lv}", LEVEL_NAMES[level]): n for level, lv, n in by_level}
    assert [t["marker"]["color"] for t in spec["data"]] == [LEVEL_COLORS[1], LEVEL_COLORS[2], LEVEL_COLORS[3]]
    by_ward = sql(sample_db, """SELECT s.ward_new, m.overall_level, count(*) FROM maturity_4725 m JOIN schools s
        USING (school_code) WHERE m.school_year = ? GROUP BY ALL""", [year])
    assert bar_counts(figure_titled(app, "Mức chung (quy ước) theo phường mới")) == \
        {(f"Mức {lv}", ward): n for ward, lv, n in by_ward}


def test_group_scatter_equals_the_view(app, sample_db):
    year = latest_year(sample_db)
    spec = figure_titled(app, "Điểm nhóm 1 và nhóm 2 của từng trường")
    shown = {(trace["name"], name, x, y) for trace in spec["data"] if trace.get("customdata")
             for (name, *_), x, y in zip(trace["customdata"], values(trace, "x"), values(trace, "y"))}
    expected = sql(sample_db, """SELECT s.school_name, m.overall_level, m.g1_score, m.g2_score FROM maturity_4725 m
        JOIN schools s USING (school_code) WHERE m.school_year = ?""", [year])
    assert shown == {(f"Mức {lv}", plotly_text(name), g1, g2) for name, lv, g1, g2 in expected}
    bounds = sorted({shape.get("x0") for shape in spec["layout"]["shapes"] if shape.get("x0") == shape.get("x1")})
    assert bounds == [50, 75]


def test_heatmap_equals_criteria_scores(app, sample_db):
    year = latest_year(sample_db)
    [trace] = figure_titled(app, "Tỷ lệ điểm đạt so với điểm tối đa theo tiêu chí")["data"]
    order = [code for (code,) in sql(sample_db, "SELECT code FROM ref_criteria_4725 WHERE NOT mandatory "
                                                "ORDER BY rowid")]
    assert list(trace["x"]) == order  # catalogue order, mandatory conditions left out
    z = values(trace, "z")
    shown = {(label.rsplit("(", 1)[1].rstrip(")"), code): z[i][j]
             for i, label in enumerate(trace["y"]) for j, code in enumerate(trace["x"])}
    expected = sql(sample_db, "SELECT school_code, criterion, share_of_max FROM criteria_scores "
                              "WHERE school_year = ? AND NOT mandatory", [year])
    assert len(shown) == len(expected)
    for code, criterion, share in expected:
        assert shown[(code, criterion)] == pytest.approx(share), (code, criterion)


def test_gap_chart_equals_the_view(app, sample_db):
    year = latest_year(sample_db)
    spec = figure_titled(app, "Chênh lệch tự đánh giá − thẩm định")
    rows = sql(sample_db, """SELECT s.school_name, m.g1_gap, m.g2_gap FROM maturity_4725 m JOIN schools s
        USING (school_code) WHERE m.school_year = ? AND m.basis = 'verified'""", [year])
    expected = {plotly_text(name): (g1, g2) for name, g1, g2 in rows}  # as the hover text holds them
    group1, group2 = spec["data"]
    assert len(group1["y"]) == 15
    for trace, index in ((group1, 0), (group2, 1)):
        for (full_name, *_), gap in zip(trace["customdata"], values(trace, "x")):
            assert gap == expected[full_name][index]
    largest = max(abs(a) + abs(b) for a, b in expected.values())
    assert abs(values(group1, "x")[0]) + abs(values(group2, "x")[0]) == largest
    differing = sum(1 for a, b in expected.values() if a or b)
    assert f"{differing}/{len(expected)} trường đã thẩm định" in texts(app)


def test_evidence_flags_table_equals_the_view(app, sample_db):
    year = latest_year(sample_db)
    expected = sql(sample_db, "SELECT school_code, criterion, self_score, reason FROM evidence_flags "
                              "WHERE school_year = ?", [year])
    table = frame_with(app, "Lý do gắn cờ")
    shown = {(r["Mã trường"], r["Tiêu chí"], r["Điểm tự đánh giá"], r["Lý do gắn cờ"]) for _, r in table.iterrows()}
    assert len(table) == len(expected) and shown == set(expected)


def test_rule_notes_and_catalogue_warning(app, sample_db):
    shown = texts(app)
    [(version,)] = sql(sample_db, "SELECT value FROM meta WHERE key = 'version_criteria_4725'")
    assert f"phiên bản {version}" in shown
    assert "quy ước của phòng đang áp dụng" in shown and "mandatory_rule" not in shown  # no setting names
    assert "quy ước tổng hợp của phòng" in shown
    assert any("tiêu chí tạm" in plain(w.value) and "2.5" in plain(w.value) for w in app.warning)


def test_lost_points_of_the_chosen_school(app, sample_db):
    year = latest_year(sample_db)
    [(code, name)] = sql(sample_db, """SELECT m.school_code, s.school_name FROM maturity_4725 m JOIN schools s
        USING (school_code) WHERE m.school_year = ? AND NOT m.g1_mandatory_met ORDER BY 1 LIMIT 1""", [year])
    app.selectbox(key="maturity_school").select(code).run()
    assert not app.exception
    spec = figure_titled(app, f"Điểm bị mất theo tiêu chí – {plotly_text(name)}")
    shown = {label.split()[0]: lost for trace in spec["data"] for label, lost in zip(trace["y"], values(trace, "x"))}
    expected = sql(sample_db, """SELECT criterion, max_points - score FROM criteria_scores WHERE school_code = ?
        AND school_year = ? AND NOT mandatory AND score < max_points""", [code, year])
    assert shown == dict(expected)
    unmet = sql(sample_db, """SELECT criterion FROM criteria_scores WHERE school_code = ? AND school_year = ?
        AND mandatory AND NOT met""", [code, year])
    message = " ".join(plain(e.value) for e in app.error)
    assert unmet and all(c in message for (c,) in unmet)


def test_level_filter_changes_the_figures(sample_db):
    year = latest_year(sample_db)
    app = open_page(PAGE, cap="Tiểu học")
    by_level = sql(sample_db, """SELECT s.level, m.overall_level, count(*) FROM maturity_4725 m JOIN schools s
        USING (school_code) WHERE m.school_year = ? AND s.level IN ('TH', 'THCS') GROUP BY ALL""", [year])
    assert bar_counts(figure_titled(app, "Mức chung (quy ước) theo cấp học")) == \
        {(f"Mức {lv}", LEVEL_NAMES[level]): n for level, lv, n in by_level if level == "TH"}
    assert len(frame_with(app, "Hạng")) == sum(n for level, _, n in by_level if level == "TH")
    app.sidebar.multiselect(key="cap").select("THCS").run()
    assert not app.exception
    assert bar_counts(figure_titled(app, "Mức chung (quy ước) theo cấp học")) == \
        {(f"Mức {lv}", LEVEL_NAMES[level]): n for level, lv, n in by_level}
    assert len(frame_with(app, "Hạng")) == sum(n for _, _, n in by_level)


def test_former_units_toggle(sample_db):
    year = latest_year(sample_db)
    app = open_page(PAGE)
    app.radio(key="maturity_ward_kind").set_value("Phường/xã cũ (trước 1/7/2025)").run()
    assert not app.exception
    expected = sql(sample_db, """SELECT s.ward_old, m.overall_level, count(*) FROM maturity_4725 m JOIN schools s
        USING (school_code) WHERE m.school_year = ? GROUP BY ALL""", [year])
    assert bar_counts(figure_titled(app, "Mức chung (quy ước) theo phường/xã cũ")) == \
        {(f"Mức {lv}", ward): n for ward, lv, n in expected}


def test_a_period_with_its_own_results(sample_db):
    app = open_page(PAGE, ky="Cả năm 2023-2024")
    assert "Kết quả đánh giá năm học 2023-2024 (năm học của kỳ đang chọn)" in texts(app)
    [(assessed,)] = sql(sample_db, "SELECT count(*) FROM maturity_4725 WHERE school_year = '2023-2024'")
    assert len(frame_with(app, "Hạng")) == assessed
    # nothing verified that year: the gap chart says so instead of drawing an empty axis
    spec = figure_titled(app, "Chênh lệch tự đánh giá − thẩm định")
    assert spec["layout"]["annotations"][0]["text"].startswith("Chưa có trường nào được phòng thẩm định")


def test_only_preschools_says_so(sample_db):
    app = open_page(PAGE, cap="Mầm non")
    assert not app.exception
    assert "Trường mầm non không được đánh giá theo QĐ 4725" in texts(app)
    assert figures(app) == {}
    assert not app.dataframe
