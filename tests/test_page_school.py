"""Hồ sơ trường: ?school=CODE opens that school; every number shown equals the survey and the metric views
(informatics_computers, maturity_4725, criteria_scores, load_issues) queried directly; unknown codes, schools that
did not report and preschools say so."""
import math

import pytest

from etl.reference import LEVEL_NAMES, load_catalogue
from tests.pages import figure_titled, figures, open_page, plain, sql, texts, values

PAGE = "ho_so_truong.py"
SCHOOL = "40164058"  # THCS Hà Huy Tập: self-assessed 2023-2024, verified 2024-2025, one evidence flag


pytestmark = pytest.mark.usefixtures("sample_warehouse")


@pytest.fixture(scope="module")
def app(sample_db):
    """The profile of SCHOOL with the default filters (latest period), opened once for the tests that read it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DX_DB", str(sample_db))
        return open_page(PAGE, school=SCHOOL)


def frames(app):
    return [d.value.data if hasattr(d.value, "data") else d.value for d in app.dataframe]


def frame_with(app, *columns):
    matches = [f for f in frames(app) if all(c in f.columns for c in columns)]
    assert len(matches) == 1, [list(f.columns) for f in frames(app)]
    return matches[0]


def vi(value, decimals=1):
    """Vietnamese number text, written independently of dashboard.format: 1.234 / 62,5 / 62."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    value = round(float(value), decimals)
    text = f"{value:,.0f}" if value.is_integer() else f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def periods(db):
    return sql(db, "SELECT DISTINCT school_year, period FROM survey ORDER BY school_year, period = 'CN'")


def test_the_link_opens_that_school_and_stays_in_the_url(app, sample_db):
    [(name, level, ward_old, ward_new, ward_code)] = sql(
        sample_db, "SELECT school_name, level, ward_old, ward_new, ward_new_code FROM schools WHERE school_code = ?",
        [SCHOOL])
    assert app.selectbox(key="profile_school").value == SCHOOL
    assert plain(app.header[0].value) == name
    # AppTest's switch_page kept ?school= (open_page sets it before the first run, then switches page)
    assert app.query_params["school"] == SCHOOL
    shown = texts(app)
    for part in (SCHOOL, LEVEL_NAMES[level], ward_old, f"{ward_new} (mã {ward_code})"):
        assert part in shown


def test_survey_indicators_equal_the_survey_and_the_period_before(app, sample_db):
    (year, period), (prev_year, prev_period) = periods(sample_db)[-1], periods(sample_db)[-2]
    table = frame_with(app, "Chỉ số", "Kỳ trước")
    rows = {r["Chỉ số"]: r for _, r in table.iterrows()}
    fields = load_catalogue().fields
    checked = 0
    for code in ("students", "teachers", "it_computers", "cashless_pct", "bandwidth_mbps", "e_gradebook"):
        [(now,)] = sql(sample_db, f"SELECT {code} FROM survey WHERE school_code = ? AND school_year = ? "
                                  "AND period = ?", [SCHOOL, year, period])
        [(before,)] = sql(sample_db, f"SELECT {code} FROM survey WHERE school_code = ? AND school_year = ? "
                                     "AND period = ?", [SCHOOL, prev_year, prev_period])
        row = rows[fields[code].label_vi]
        if isinstance(now, bool):
            assert (row["Giá trị"], row["Kỳ trước"]) == ("Có" if now else "Không", "Có" if before else "Không")
        else:
            assert (row["Giá trị"], row["Kỳ trước"]) == (vi(now), vi(before)), code
            diff = now - before
            # the sign glyph is dashboard.format's choice (ASCII minus, for st.metric's arrow): compare the text only
            assert row["Thay đổi"].replace("−", "-") == \
                ("không đổi" if diff == 0 else ("+" if diff > 0 else "-") + vi(abs(diff)))
        assert row["Đơn vị"] == fields[code].unit
        checked += 1
    assert checked == 6
    assert "Cột “Kỳ trước”: Cả năm 2024-2025" in texts(app)


def test_history_charts_equal_the_views(app, sample_db):
    order = periods(sample_db)
    students = dict(((y, p), v) for y, p, v in sql(
        sample_db, "SELECT school_year, period, students FROM survey WHERE school_code = ?", [SCHOOL]))
    [trace] = figure_titled(app, "Số học sinh qua các kỳ")["data"]
    assert values(trace, "y") == [students.get(p) for p in order]
    assert len(trace["x"]) == len(order)

    ratio = {(y, p): (v, t) for y, p, v, t in sql(sample_db, """SELECT school_year, period, pupils_per_computer,
        target FROM informatics_computers WHERE school_code = ?""", [SCHOOL])}
    lesson, target = figure_titled(app, "Số học sinh dùng chung một máy trong giờ Tin học")["data"]
    assert values(lesson, "y") == pytest.approx([ratio[p][0] for p in order])
    assert values(target, "y") == [ratio[p][1] for p in order]

    # ID shares, computed here from the raw survey counts
    ids = {(y, p): (100 * a / b, 100 * c / d) for y, p, a, b, c, d in sql(sample_db, """SELECT school_year, period,
        students_with_id, students, teachers_with_id, teachers FROM survey WHERE school_code = ?""", [SCHOOL])}
    pupils, teachers = figure_titled(app, "Tỷ lệ học sinh, giáo viên đã cập nhật số định danh")["data"]
    assert values(pupils, "y") == pytest.approx([ids[p][0] for p in order])
    assert values(teachers, "y") == pytest.approx([ids[p][1] for p in order])


def test_4725_breakdown_equals_the_views(app, sample_db):
    expected = sql(sample_db, """SELECT school_year, g1_score, g1_level, g2_score, g2_level, overall_level, basis
        FROM maturity_4725 WHERE school_code = ? ORDER BY school_year DESC""", [SCHOOL])
    years = frame_with(app, "Năm học", "Căn cứ xếp mức")
    assert [tuple(r) for r in years[["Năm học", "Điểm nhóm 1", "Mức nhóm 1", "Điểm nhóm 2", "Mức nhóm 2",
                                     "Mức chung (quy ước)", "Căn cứ xếp mức"]].itertuples(index=False)] == \
        [(y, g1, f"Mức {l1}", g2, f"Mức {l2}", f"Mức {lv}", {"verified": "Thẩm định", "self": "Tự đánh giá"}[b])
         for y, g1, l1, g2, l2, lv, b in expected]

    latest = expected[0][0]
    criteria = frame_with(app, "Điểm bị mất")
    rows = sql(sample_db, """SELECT criterion, max_points, self_score, verified_score, score, max_points - score
        FROM criteria_scores WHERE school_code = ? AND school_year = ? AND NOT mandatory""", [SCHOOL, latest])
    assert sorted(tuple(r) for r in criteria[["Tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Điểm thẩm định",
                                               "Điểm chính thức", "Điểm bị mất"]].itertuples(index=False)) == \
        sorted(rows)
    conditions = frame_with(app, "Đạt điều kiện")
    met = sql(sample_db, """SELECT criterion, met FROM criteria_scores WHERE school_code = ? AND school_year = ?
        AND mandatory""", [SCHOOL, latest])
    assert dict(zip(conditions["Tiêu chí"], conditions["Đạt điều kiện"])) == \
        {c: "Đạt" if m else "Chưa đạt" for c, m in met}
    spec = figure_titled(app, "Điểm bị mất theo tiêu chí")
    shown = {label.split()[0]: x for trace in spec["data"] for label, x in zip(trace["y"], values(trace, "x"))}
    assert shown == {c: lost for c, _, _, _, _, lost in rows if lost > 0}
    flags = sql(sample_db, "SELECT criterion, reason FROM evidence_flags WHERE school_code = ?", [SCHOOL])
    assert flags and all(f"tiêu chí {c}" in texts(app) and reason in texts(app) for c, reason in flags)


def test_another_school_year_shows_its_own_criteria(sample_db):
    app = open_page(PAGE, school=SCHOOL)
    [(older,)] = sql(sample_db, "SELECT min(school_year) FROM maturity_4725 WHERE school_code = ?", [SCHOOL])
    app.radio(key="profile_year").set_value(older).run()
    assert not app.exception
    rows = sql(sample_db, """SELECT criterion, score, max_points - score FROM criteria_scores WHERE school_code = ?
        AND school_year = ? AND NOT mandatory""", [SCHOOL, older])
    criteria = frame_with(app, "Điểm bị mất")
    assert "Điểm thẩm định" not in criteria.columns  # self-assessed only that year
    assert sorted(tuple(r) for r in criteria[["Tiêu chí", "Điểm chính thức", "Điểm bị mất"]].itertuples(
        index=False)) == sorted(rows)
    title = figure_titled(app, "Điểm bị mất theo tiêu chí")["layout"]["title"]
    assert older in title["text"] + title.get("subtitle", {}).get("text", "")  # the year: in the subtitle


def test_computer_gap_equals_informatics_computers(app, sample_db):
    year, period = periods(sample_db)[-1]
    [(ratio, target, needed, status)] = sql(sample_db, """SELECT pupils_per_computer, target, computers_needed,
        status FROM informatics_computers WHERE school_code = ? AND school_year = ? AND period = ?""",
                                            [SCHOOL, year, period])
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["HS/máy trong giờ Tin học"] == vi(ratio, 2)
    assert metrics["Mức tối đa cho phép"] == f"{target} HS/máy"
    assert metrics["Số máy cần bổ sung"] == vi(needed)
    assert ("Đạt chuẩn" if status == "met" else "Chưa đạt") in texts(app)


def test_a_school_without_a_computer_room(sample_db):
    year, period = periods(sample_db)[-1]
    [(code, needed)] = sql(sample_db, """SELECT school_code, computers_needed FROM informatics_computers
        WHERE no_room AND school_year = ? AND period = ? ORDER BY 1 LIMIT 1""", [year, period])
    app = open_page(PAGE, school=code)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["HS/máy trong giờ Tin học"] == "–"
    assert metrics["Số máy cần bổ sung"] == vi(needed)
    assert "Chưa có phòng máy – có học sinh học Tin học nhưng chưa có phòng máy" in texts(app)


def test_data_issues_of_the_school(sample_db):
    code = "40522468"
    expected = sql(sample_db, "SELECT file_name, sheet, cell, severity, message FROM load_issues "
                              "WHERE school_code = ?", [code])
    app = open_page(PAGE, school=code)
    table = frame_with(app, "Nội dung")
    severity = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Ghi chú"}
    assert sorted(tuple(r) for r in table[["Tệp", "Trang", "Ô", "Mức độ", "Nội dung"]].itertuples(index=False)) == \
        sorted((f, s, c, severity[v], m) for f, s, c, v, m in expected)


def test_a_school_that_did_not_report_says_so(sample_db):
    year, period = periods(sample_db)[-1]
    [(code,)] = sql(sample_db, """SELECT school_code FROM schools sc WHERE level = 'TH' AND NOT EXISTS (SELECT 1
        FROM survey s WHERE s.school_code = sc.school_code AND school_year = ? AND period = ?) ORDER BY 1 LIMIT 1""",
                    [year, period])
    app = open_page(PAGE, school=code)
    assert not app.exception
    assert "Trường chưa gửi số liệu khảo sát HK I 2025-2026" in texts(app)
    [(students,)] = sql(sample_db, """SELECT students FROM survey WHERE school_code = ?
        ORDER BY school_year DESC, period = 'CN' DESC LIMIT 1""", [code])
    rows = frame_with(app, "Chỉ số", "Kỳ trước")
    assert rows.set_index("Chỉ số").loc["Số học sinh", "Giá trị"] == vi(students)
    assert "Chưa có số liệu máy tính dạy Tin học của trường HK I 2025-2026" in texts(app)


def test_a_preschool_has_no_4725_nor_informatics(sample_db):
    [(code,)] = sql(sample_db, "SELECT min(school_code) FROM schools WHERE level = 'MN'")
    app = open_page(PAGE, school=code)
    assert not app.exception
    assert "QĐ 4725 (mức độ chuyển đổi số) và chỉ tiêu máy tính dạy Tin học không áp dụng" in texts(app)
    titles = list(figures(app))
    assert "Số học sinh qua các kỳ" in titles
    assert not any("4725" in t or "Tin học" in t for t in titles)
    assert not any(m.label.startswith("HS/máy") for m in app.metric)


def test_an_unknown_code_says_so_and_shows_the_first_school(sample_db):
    app = open_page(PAGE, school="KHONGCO")
    assert not app.exception
    assert any("Không có trường mã “KHONGCO”" in w.value for w in app.warning)
    [(first,)] = sql(sample_db, "SELECT school_code FROM schools ORDER BY school_name LIMIT 1")
    assert app.selectbox(key="profile_school").value == first
    assert app.query_params["school"] == first  # the link is shareable again


def test_choosing_a_school_updates_the_link(sample_db):
    app = open_page(PAGE, school=SCHOOL)
    [(other, name)] = sql(sample_db, "SELECT school_code, school_name FROM schools WHERE school_code <> ? "
                                     "AND level = 'TH' ORDER BY 1 LIMIT 1", [SCHOOL])
    app.selectbox(key="profile_school").select(other).run()
    assert not app.exception
    assert app.query_params["school"] == other
    assert plain(app.header[0].value) == name
    # a new link (back button, pasted URL) wins over the widget
    app.query_params["school"] = SCHOOL
    app.run()
    assert app.selectbox(key="profile_school").value == SCHOOL


def test_filters_narrow_the_list_and_the_period(sample_db):
    app = open_page(PAGE, cap="Mầm non")
    box = app.selectbox(key="profile_school")
    [(preschools,)] = sql(sample_db, "SELECT count(*) FROM schools WHERE level = 'MN'")
    assert len(box.options) == preschools and all("Mầm non" in o for o in box.options)
    # a linked school outside the filter is still shown, with a note
    app = open_page(PAGE, cap="Mầm non", school=SCHOOL)
    assert app.selectbox(key="profile_school").value == SCHOOL
    assert "không thuộc phạm vi bộ lọc" in texts(app)
    app.sidebar.selectbox(key="ky").select_index(1).run()  # another period: the linked school stays
    assert app.selectbox(key="profile_school").value == SCHOOL
    app.sidebar.multiselect(key="cap").select("TH").run()  # a new filter: the list follows it
    assert not app.exception
    [(first,)] = sql(sample_db, "SELECT school_code FROM schools WHERE level IN ('MN', 'TH') ORDER BY school_name "
                                "LIMIT 1")
    assert app.selectbox(key="profile_school").value == first
    assert app.query_params["school"] == first
    # another period: the indicators are that period's
    app = open_page(PAGE, school=SCHOOL, ky="Cả năm 2023-2024")
    [(students,)] = sql(sample_db, "SELECT students FROM survey WHERE school_code = ? AND school_year = '2023-2024' "
                                   "AND period = 'CN'", [SCHOOL])
    rows = frame_with(app, "Chỉ số", "Kỳ trước").set_index("Chỉ số")
    assert rows.loc["Số học sinh", "Giá trị"] == vi(students)
    assert rows.loc["Số học sinh", "Kỳ trước"] == "–"
    assert "Chưa có kỳ trước để so sánh" in texts(app)


def test_a_school_that_sent_a_form_names_the_file_not_a_row(sample_db):
    """A per-school form has no row number: the source caption says it was the school's form, never "dòng <NA>"."""
    [(code, year, period)] = sql(sample_db, "SELECT school_code, school_year, period FROM survey WHERE source_row IS "
                                            "NULL ORDER BY 1 LIMIT 1")
    app = open_page(PAGE, school=code, ky=f"{'Cả năm' if period == 'CN' else 'HK I'} {year}")
    assert not app.exception
    captions = " ".join(c.value for c in app.caption)
    assert "Nguồn: tệp" in captions and "NA" not in captions and "phiếu của trường" in captions, captions
