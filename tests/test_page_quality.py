"""Chất lượng dữ liệu: issues located by file, sheet and cell; schools not reported; loads; filters."""
import pytest

from tests.pages import figure_titled, open_page, sql, texts, values

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
