"""The page "Nạp số liệu" headless: upload, review, confirm, report, undo."""
import pytest
from streamlit.testing.v1 import AppTest

from tests import fixtures
from tests.pages import ROOT, plain, sql

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page_on(db, page: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("DX_DB", str(db))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page(f"pages/{page}")
    app.run()
    assert not app.exception, app.exception
    return app


@pytest.fixture
def intake_app(loaded_db, monkeypatch):
    return page_on(loaded_db, "nap_so_lieu.py", monkeypatch)


def metrics(app) -> dict:
    return {m.label: m.value for m in app.metric}


def test_upload_review_confirm_and_undo(intake_app, loaded_db, tmp_path):
    app = intake_app
    assert app.title[0].value == "Nạp số liệu"
    assert any("Tối đa 500 tệp" in c.value for c in app.caption)
    changed = fixtures.write_survey_table(tmp_path / "KS_HK1_2024-2025_lan2.xlsx", rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30, 1, 24, 720, 18, "x", 90, "VnEdu"])])
    app.get("file_uploader")[0].set_value([(changed.name, changed.read_bytes(), MIME)])
    app.run()
    app.button(key="intake_preview").click().run()
    assert not app.exception, app.exception
    shown = metrics(app)
    counts = ("Tệp", "Dòng sẽ thêm", "Dòng sẽ thay", "Dòng bị từ chối")
    assert [shown[label] for label in counts] == ["1", "0", "1", "0"]
    changes = next(df.value for df in app.dataframe if "Sẽ thành" in df.value.columns)
    assert changes[["Chỉ tiêu", "Đang có", "Sẽ thành", "Ô"]].values.tolist() == [
        ["Số máy tính dạy Tin học", "20", "24", "J12"]]
    assert sql(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40200001'") == [(20,)]

    app.button(key="intake_confirm").click().run()
    assert not app.exception, app.exception
    assert any("Đã nạp lần số" in s.value for s in app.success), [s.value for s in app.success]
    assert sql(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40200001'") == [(24,)]
    assert any("Lần nạp gần nhất" in m.value for m in app.markdown)

    app.button(key="intake_undo").click().run()
    assert not app.exception, app.exception
    assert any("Đã hoàn tác lần nạp số" in s.value for s in app.success), [s.value for s in app.success]
    assert sql(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40200001'") == [(20,)]


def test_a_file_that_is_not_a_spreadsheet_is_said_and_nothing_changes(intake_app, loaded_db):
    app = intake_app
    app.get("file_uploader")[0].set_value([("ghi_chu.csv", "không,phải\nbiểu,mẫu\n".encode(), "text/csv")])
    app.run()
    app.button(key="intake_preview").click().run()
    assert not app.exception, app.exception
    assert metrics(app)["Dòng bị từ chối"] == "0"
    table = next(df.value for df in app.dataframe if "Kết quả" in df.value.columns)
    assert table["Kết quả"].tolist() == ["sẽ bị từ chối"]
    assert app.button(key="intake_confirm").disabled


def test_the_template_page_offers_the_schools_in_scope(loaded_db, monkeypatch):
    app = page_on(loaded_db, "bieu_mau.py", monkeypatch)
    assert app.title[0].value == "Tải biểu mẫu"
    [(total,)] = sql(loaded_db, "SELECT count(*) FROM schools")
    assert any(f"Phạm vi: {total} trường" in m.value for m in app.markdown), [m.value for m in app.markdown]
    app.radio(key="template_kind").set_value("Mỗi trường một tệp (.zip)").run()
    assert not app.exception, app.exception
    assert app.toggle(key="template_4725").value is True


def test_the_submission_page_approves_returns_and_locks(loaded_db, monkeypatch):
    app = page_on(loaded_db, "nop_bao_cao.py", monkeypatch)
    shown = {m.label: m.value for m in app.metric}
    [(schools,)] = sql(loaded_db, "SELECT count(*) FROM schools")
    [(sent,)] = sql(loaded_db, "SELECT count(*) FROM survey WHERE school_year = '2024-2025' AND period = 'HK1'")
    assert shown["Đã nạp, chờ duyệt"] == f"{sent}/{schools}" and shown["Chưa nộp"] == f"{schools - sent}/{schools}"
    app.multiselect(key="submit_schools_0").select("40200001").run()
    app.button(key="submit_returned").click().run()
    assert any("lý do trả lại" in e.value for e in app.error), [e.value for e in app.error]
    app.text_area(key="submit_comment_0").input("Thiếu số máy").run()
    app.button(key="submit_returned").click().run()
    assert not app.exception, app.exception
    assert any("Đã trả lại 1 trường" in s.value for s in app.success)
    assert {m.label: m.value for m in app.metric}["Trả lại để sửa"] == f"1/{schools}"
    assert app.button(key="submit_lock").disabled  # a school is returned: locking asks first, naming it
    assert any("Trường Tiểu học Lê Lợi (trả lại để sửa)" in plain(w.value) for w in app.warning), app.warning
    app.checkbox(key="submit_lock_anyway").check().run()
    app.button(key="submit_lock").click().run()
    assert any("đã khoá" in w.value for w in app.warning), [w.value for w in app.warning]
    assert sql(loaded_db, "SELECT school_year, period, locked, school_code FROM period_locks") == [
        ("2024-2025", "HK1", True, None)]


def test_a_school_is_chosen_from_the_suggestions_in_the_review(intake_app, loaded_db, tmp_path):
    app = intake_app
    typo = fixtures.write_survey_table(tmp_path / "KS_CN_2024-2025.xlsx", title=[
        t.replace("Sơ kết HK I", "Tổng kết năm") for t in fixtures.TITLE], rows=[
        ("II. TIỂU HỌC", None), (None, ["", "Tiểu học Lê Lọj", 30, 1200, 45, 3, 30, 1, 26, 720, 18, "x", 90, "VnEdu"])])
    app.get("file_uploader")[0].set_value([(typo.name, typo.read_bytes(), MIME)])
    app.run()
    app.button(key="intake_preview").click().run()
    assert metrics(app)["Dòng bị từ chối"] == "1"
    [box] = [s for s in app.selectbox if s.label == "Ô C12 «Tiểu học Lê Lọj»"]
    assert box.options[0] == "(không nạp dòng này)" and box.options[1].startswith("Trường Tiểu học Lê Lợi (40200001)")
    box.select(box.options[1]).run()
    assert not app.exception, app.exception
    shown = metrics(app)
    assert (shown["Dòng sẽ thêm"], shown["Dòng bị từ chối"]) == ("1", "0")
    app.button(key="intake_confirm").click().run()
    assert sql(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40200001' AND period = 'CN'") == [(26,)]


def test_a_saved_profile_is_listed_edited_and_deleted(intake_app, loaded_db):
    from etl import intake

    sheet = {"signature": "abc123", "columns": [{"letter": "J", "label": "Máy phục vụ giờ Tin"}]}
    intake.save_profile(loaded_db, "Biểu của trường", sheet, {"J": "it_computers"})
    app = intake_app
    app.run()
    assert any("Biểu của trường" in m.value and "Máy phục vụ giờ Tin" in m.value for m in app.markdown)
    [box] = [s for s in app.selectbox if s.label == "Cột J «Máy phục vụ giờ Tin»"]
    assert box.value == "Số máy tính dạy Tin học"
    box.select("Số phòng máy tính").run()
    app.button(key="intake_profile_update_0").click().run()
    assert not app.exception, app.exception
    assert intake.load_profiles(loaded_db)[0]["columns"] == {"J": "it_rooms"}
    app.button(key="intake_profile_delete_0").click().run()
    assert intake.load_profiles(loaded_db) == []


def test_mapping_a_column_in_the_review_settles(intake_app, loaded_db, tmp_path):
    """Seen in the browser: a mapped column was compared with the review it had changed, so the page undid and
    redid the correction for ever."""
    app = intake_app
    app.default_timeout = 30
    wording = fixtures.write_survey_table(tmp_path / "KS_HK1_2025-2026.xlsx", rename={
        "Số máy tính dạy Tin học": "Máy phục vụ giờ Tin"},
        title=[t.replace("2024 - 2025", "2025 - 2026") for t in fixtures.TITLE])
    app.get("file_uploader")[0].set_value([(wording.name, wording.read_bytes(), MIME)])
    app.run()
    app.button(key="intake_preview").click().run()
    [box] = [s for s in app.selectbox if s.label == "Cột J «Máy phục vụ giờ Tin»"]
    box.select("Số máy tính dạy Tin học").run()
    assert not app.exception, app.exception
    for _ in range(2):  # a page that settled runs to the end, the same, again and again
        app.run()
        [box] = [s for s in app.selectbox if s.label == "Cột J «Máy phục vụ giờ Tin»"]
        assert box.value == "Số máy tính dạy Tin học"
    app.button(key="intake_confirm").click().run()
    assert sql(loaded_db, "SELECT it_computers FROM survey WHERE school_code = '40200001' AND "
                          "school_year = '2025-2026'") == [(20,)]



def test_a_file_with_numbers_nobody_read_stops_at_the_review_until_the_reviewer_has_seen_them(intake_app, loaded_db,
                                                                                              tmp_path):
    """Issue 20: the review shows every cell's bucket; a number in a column without a heading keeps the file out of
    «Nạp vào kho» (the other files load) until the reviewer ticks that they saw it."""
    import openpyxl

    app = intake_app
    held = tmp_path / "KS_CN_2024-2025.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Mã trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học"])
    book.active.append(["40200001", 31, 1210, 45, 3, 30, None, 17])  # 17 under no heading (column H)
    book.save(held)
    clean = tmp_path / "KS_CN_2024-2025_TH2.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Mã trường", "Số lớp", "Số học sinh", "Số giáo viên", "Số CBQL", "Số phòng học"])
    book.active.append(["40200002", 26, 1010, 38, 3, 25])
    book.save(clean)
    app.get("file_uploader")[0].set_value([(p.name, p.read_bytes(), MIME) for p in (held, clean)])
    app.run()
    app.button(key="intake_preview").click().run()
    assert not app.exception, app.exception
    table = next(df.value for df in app.dataframe if "Ô số chưa đọc" in df.value.columns).set_index("Tệp")
    assert table.loc[held.name, "Kết quả"] == "dừng ở xem trước: 1 ô số chưa được đọc"
    assert table.loc[held.name, "Ô số chưa đọc"] == 1 and table.loc[clean.name, "Ô số chưa đọc"] == 0
    assert any("1 tệp dừng ở xem trước" in w.value for w in app.warning)
    app.selectbox(key="intake_detail").set_value(0).run()  # the held file
    cells = next(df.value for df in app.dataframe if "Vùng chưa đọc" in df.value.columns)
    assert cells["Vùng chưa đọc"].tolist() == ["H2: 1 ô số chưa được đọc"]
    assert cells[["Đã nạp", "Tiêu đề, nhãn, ghi chú", "Chưa được đọc"]].values.tolist() == [[6, 6, 1]]

    app.button(key="intake_confirm").click().run()
    assert not app.exception, app.exception
    assert any(held.name in w.value.replace("\\", "") and "Chưa nạp" in w.value for w in app.warning)
    assert sql(loaded_db, "SELECT school_code FROM survey WHERE period = 'CN' ORDER BY 1") == [("40200002",)]

    app.get("file_uploader")[0].set_value([(held.name, held.read_bytes(), MIME)])
    app.run()
    app.button(key="intake_preview").click().run()
    accept = next(box for box in app.checkbox if box.label.startswith("Tôi đã xem 1 ô số chưa đọc"))
    accept.check().run()
    assert not app.exception, app.exception
    table = next(df.value for df in app.dataframe if "Ô số chưa đọc" in df.value.columns)
    assert table["Kết quả"].tolist() == ["sẽ nạp"]
    ticked = next(box for box in app.checkbox if box.label.startswith("Tôi đã xem 1 ô số chưa đọc"))
    assert ticked.value is True  # still there, ticked: it can be taken back
    ticked.uncheck().run()
    table = next(df.value for df in app.dataframe if "Ô số chưa đọc" in df.value.columns)
    assert table["Kết quả"].tolist() == ["dừng ở xem trước: 1 ô số chưa được đọc"]
    next(box for box in app.checkbox if box.label.startswith("Tôi đã xem 1 ô số chưa đọc")).check().run()
    app.button(key="intake_confirm").click().run()
    assert not app.exception, app.exception
    assert sql(loaded_db, "SELECT school_code, classes FROM survey WHERE period = 'CN' ORDER BY 1") == [
        ("40200001", 31), ("40200002", 26)]
    assert sql(loaded_db, "SELECT count(*) FROM load_issues WHERE code = 'unaccounted_accepted'") == [(1,)]


def test_a_profile_saved_twice_from_the_review_keeps_its_columns_year_and_period(intake_app, loaded_db, tmp_path):
    """Issue 21: «Lưu mẫu» clicked a second time (the review now read with the profile) emptied the profile, and a
    profile never kept the school year and period chosen in the review; field names show without code names."""
    import re

    from etl import intake

    app = intake_app
    untitled = fixtures.write_survey_table(tmp_path / "bao_cao.xlsx", title=["BIỂU TỔNG HỢP", "Dữ liệu giả lập"],
                                           rename={"Số máy tính dạy Tin học": "Máy phục vụ giờ Tin"})
    app.get("file_uploader")[0].set_value([(untitled.name, untitled.read_bytes(), MIME)])
    app.run()
    app.button(key="intake_preview").click().run()
    app.selectbox(key="intake_year_0").select("2025-2026").run()
    app.selectbox(key="intake_period_0").select("Cả năm").run()
    [box] = [s for s in app.selectbox if s.label == "Cột J «Máy phục vụ giờ Tin»"]
    assert not [o for o in box.options if re.search(r"\([a-z_0-9]+\)", o)], box.options  # no code name
    box.select("Số máy tính dạy Tin học").run()
    assert not app.exception, app.exception
    summary = next(m.value for m in app.markdown if m.value.startswith("Trang «Tổng hợp»"))
    assert "kỳ báo cáo Cả năm \\(theo chỉnh sửa khi xem trước\\)" in summary, summary
    [name] = [t for t in app.text_input if t.label == "Tên mẫu nhập"]
    name.input("Báo cáo không ghi kỳ").run()
    [save] = [b for b in app.button if b.label == "Lưu mẫu"]
    save.click().run()
    assert any("Đã lưu mẫu nhập" in s.value for s in app.success), [s.value for s in app.success]
    app.selectbox(key="intake_period_0").select("Học kỳ I").run()  # reviewed again: read with the profile now
    app.selectbox(key="intake_period_0").select("Cả năm").run()
    [box] = [s for s in app.selectbox if s.label == "Cột J «Máy phục vụ giờ Tin»"]
    assert box.value == "Số máy tính dạy Tin học"
    [save] = [b for b in app.button if b.label == "Lưu mẫu"]
    save.click().run()  # again: this review corrects no column (the profile reads J)
    assert not app.exception, app.exception
    [profile] = intake.load_profiles(loaded_db)
    assert profile["columns"] == {"J": "it_computers"}
    assert profile["context"] == {"school_year": "2025-2026", "period": "CN"}
    assert any("năm học 2025-2026; kỳ báo cáo Cả năm" in plain(m.value) for m in app.markdown)
