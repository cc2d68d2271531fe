"""Chất lượng dữ liệu: issues located by file, sheet and cell; schools not reported; loads; filters."""
import pytest

from tests.pages import figure_titled, open_page, sql, texts, unlinked, values

pytestmark = pytest.mark.usefixtures("sample_warehouse")


def frame(app, index):
    data = app.dataframe[index].value
    return data.data if hasattr(data, "data") else data


def test_every_error_is_listed_with_file_sheet_and_cell(sample_db):
    app = open_page("chat_luong.py")
    assert app.title[0].value == "Chất lượng dữ liệu"
    shown = frame(app, 0)
    expected = sql(sample_db, "SELECT file_name, sheet, cell, message FROM load_issues "
                              "WHERE severity IN ('error', 'warning')")
    assert sorted(zip(shown["Tệp"], shown["Trang"].replace("", None), shown["Ô"], shown["Nội dung"])) == \
        sorted(expected)
    assert set(shown["Mức độ"]) == {"Lỗi", "Cảnh báo"}
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Lỗi (dòng/tệp bị từ chối)"] == str(sql(sample_db, "SELECT sum(errors) FROM load_log")[0][0])


def test_notes_can_be_shown_too(sample_db):
    app = open_page("chat_luong.py")
    app.multiselect(key="quality_severity").select("info").run()
    [(count,)] = sql(sample_db, "SELECT count(*) FROM load_issues")
    assert len(frame(app, 0)) == count


def test_schools_not_reported_for_the_period(sample_db):
    app = open_page("chat_luong.py")
    expected = sql(sample_db, """SELECT school_code FROM schools WHERE school_code NOT IN
        (SELECT school_code FROM survey WHERE school_year = '2025-2026' AND period = 'HK1')""")
    assert sorted(frame(app, 1)["Mã trường"]) == sorted(code for (code,) in expected)
    spec = figure_titled(app, "Số trường đã gửi số liệu theo kỳ")
    reported = dict(zip(values(spec["data"][0], "x"), values(spec["data"][0], "y")))
    [(n,)] = sql(sample_db, "SELECT count(*) FROM survey WHERE school_year = '2024-2025' AND period = 'CN'")
    assert reported["Cả năm 2024-2025"] == n


def test_level_filter_narrows_the_lists(sample_db):
    app = open_page("chat_luong.py", cap="Mầm non")
    assert not app.exception
    assert all(level == "Mầm non" for level in frame(app, 1)["Cấp học"])
    schools = {s for s in frame(app, 0)["Mã trường"] if s}
    levels = {lv for (lv,) in sql(sample_db, "SELECT DISTINCT level FROM schools WHERE list_contains(?, "
                                             "school_code)", [sorted(schools)])}
    assert levels <= {"MN"}
    assert "cấp học: Mầm non" in texts(app)


def test_times_and_periods_are_written_for_people(sample_db):
    """Issue 13: the load times showed microseconds and the periods showed as codes (HK1, CN)."""
    import re

    app = open_page("chat_luong.py")
    loads = next(df.value for df in app.dataframe if "Thời điểm" in df.value.columns)
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", t) for t in loads["Thời điểm"])
    issues = next(df.value for df in app.dataframe if "Mức độ" in df.value.columns and "Kỳ" in df.value.columns)
    assert set(issues["Kỳ"]) <= {"Học kỳ I", "Cả năm", ""} and set(issues["Kỳ"]) & {"Học kỳ I", "Cả năm"}


def issue_table(app):
    return next(unlinked(df.value) for df in app.dataframe
                if "Mức độ" in df.value.columns and "Nội dung" in df.value.columns)


def test_counts_follow_the_level_filter_and_equal_the_warehouse(sample_db):
    """Issue 13: the files, errors and warnings at the top ignored the sidebar filters."""
    app = open_page("chat_luong.py")
    counts = {m.label: m.value for m in app.metric}
    [(files, errors, warnings)] = sql(sample_db, """SELECT (SELECT count(DISTINCT file_name) FROM load_log
        WHERE status <> 'registry'), count(*) FILTER (severity = 'error'), count(*) FILTER (severity = 'warning')
        FROM load_issues""")
    assert (counts["Tệp đã nạp"], counts["Lỗi (dòng/tệp bị từ chối)"], counts["Cảnh báo"]) == \
        (str(files), str(errors), str(warnings))
    app.sidebar.multiselect(key="cap").set_value(["TH"]).run()
    assert not app.exception
    counts = {m.label: m.value for m in app.metric}
    # a primary school's own issues, and an issue of no school of the registry (a whole file, an unknown code)
    # when its file holds rows of a primary school
    [(files, errors, warnings)] = sql(sample_db, """
        WITH th AS (SELECT school_code FROM schools WHERE level = 'TH'),
        th_files AS (SELECT source_file AS f FROM survey WHERE school_code IN (SELECT * FROM th)
                     UNION SELECT source_file FROM assessment_scores WHERE school_code IN (SELECT * FROM th)
                     UNION SELECT file_name FROM load_issues WHERE school_code IN (SELECT * FROM th)),
        picked AS (SELECT * FROM load_issues WHERE school_code IN (SELECT * FROM th)
                   OR ((school_code IS NULL OR school_code NOT IN (SELECT school_code FROM schools))
                       AND file_name IN (SELECT f FROM th_files)))
        SELECT (SELECT count(DISTINCT file_name) FROM load_log WHERE status <> 'registry'
                AND file_name IN (SELECT f FROM th_files)),
               count(*) FILTER (severity = 'error'), count(*) FILTER (severity = 'warning') FROM picked""")
    assert (counts["Tệp đã nạp"], counts["Lỗi (dòng/tệp bị từ chối)"], counts["Cảnh báo"]) == \
        (str(files), str(errors), str(warnings))
    assert errors < 4 and files < 100  # the filter changed them
    shown = issue_table(app)
    assert (shown["Mức độ"] == "Lỗi").sum() == errors and (shown["Mức độ"] == "Cảnh báo").sum() == warnings
    assert "lỗi và 0 cảnh báo của cả tệp hoặc của mã trường ngoài danh mục" in texts(app)


def test_the_export_holds_the_period_its_title_names(sample_db, monkeypatch):
    """Issue 13: the issues export said 'Kỳ: HK I 2025-2026' and held every period."""
    import dashboard.ui

    made = {}
    real = dashboard.ui.table

    def recording(frame, title, key, *args, **kwargs):
        made[key] = (frame.copy(), title, kwargs.get("current"), kwargs.get("height"))
        return real(frame, title, key, *args, **kwargs)

    monkeypatch.setattr(dashboard.ui, "table", recording)
    app = open_page("chat_luong.py")
    data, title, current, height = made["quality_issues"]
    assert set(data["Năm học"]) > {"2025-2026"} and title.endswith("mọi kỳ")
    assert "Kỳ: tất cả các kỳ đã nạp" in current.describe() and "HK I 2025-2026" not in current.describe()
    assert height is None  # six issues: a fixed 420 px drew empty rows under them

    app.toggle(key="quality_only_period").set_value(True).run()
    data, title, current, _ = made["quality_issues"]
    assert title.endswith("HK I 2025-2026") and "Kỳ: HK I 2025-2026" in current.describe()
    assert len(data) and set(data["Năm học"]) == {"2025-2026"} and set(data["Kỳ"]) <= {"Học kỳ I"}
    [(expected,)] = sql(sample_db, "SELECT count(*) FROM load_issues WHERE severity IN ('error', 'warning') AND "
                                   "school_year = '2025-2026' AND period = 'HK1'")
    assert len(data) == expected
    assert {m.label: m.value for m in app.metric}["Lỗi (dòng/tệp bị từ chối)"] == \
        str((data["Mức độ"] == "Lỗi").sum())

    app.multiselect(key="quality_severity").select("info").run()  # notes of whole files: only files of the period
    data = made["quality_issues"][0]
    files = {f for (f,) in sql(sample_db, "SELECT file_name FROM load_log WHERE periods LIKE '%2025-2026 HK1%' "
                                          "OR periods LIKE '%2025-2026 4725%'")}
    assert set(data["Tệp"]) <= files and set(data["Năm học"].replace("", None).dropna()) == {"2025-2026"}


def test_no_blank_rows_and_unknown_schools_say_so():
    app = open_page("chat_luong.py")
    app.multiselect(key="quality_severity").select("info").run()
    shown = issue_table(app)
    assert shown["Nội dung"].str.strip().astype(bool).all() and shown["Tệp"].str.strip().astype(bool).all()
    unknown = shown[(shown["Mã trường"] != "") & (shown["Tên trường"] == "")]
    assert unknown.empty
    assert "(không có trong danh mục)" in set(shown["Tên trường"])


def test_class_size_outliers_are_flagged_by_the_query_with_the_catalogue_bounds(sample_db):
    """The chart draws the flag of dashboard.queries.quality.class_sizes; the loader warned on the same schools."""
    from dashboard.charts.quality import class_sizes as chart
    from dashboard.filters import Filters
    from dashboard.queries.quality import class_sizes
    from dashboard.shown import class_size_bounds, survey_fields

    def query(text, params=()):
        from etl.warehouse import open_read_only

        with open_read_only(sample_db) as con:
            return con.execute(text, list(params)).df()

    low, high = class_size_bounds(survey_fields(query))
    assert (low, high) == (10, 60)
    frame = query(*class_sizes(Filters("2025-2026", "HK1"), low, high))
    flagged = set(frame.school_code[frame.outside])
    warned = {c for (c,) in sql(sample_db, "SELECT school_code FROM load_issues WHERE message LIKE "
                                           "'Bình quân Số học sinh / Số lớp%' AND school_year = '2025-2026'")}
    assert flagged == warned and flagged
    figure = chart(frame, low, high)
    red = sum(c == "#c0392b" for t in figure.data if t.type == "scatter" for c in t.marker.color)
    assert red == len(flagged)
    narrow = query(*class_sizes(Filters("2025-2026", "HK1"), 30, 31))  # the bounds passed in decide
    assert narrow.outside.sum() > len(flagged)
