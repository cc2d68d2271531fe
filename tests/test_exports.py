"""Handouts for review meetings: the deck, the PDF and the workbook, opened and checked."""
import datetime as dt
import io
import re
import subprocess

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader

from dashboard.data import Warehouse
from dashboard.deck import ExportInfo, build_pdf, build_pptx, build_workbook
from dashboard.export import to_csv_bytes, to_excel_bytes
from dashboard.filters import Filters
from dashboard.slides import SLIDES, build_all
from etl.metrics.queries import Scope
from tests.pages import sql

KEYS = [k for k in SLIDES if k != "so_sanh_ky_hop"]  # the comparison needs an earlier snapshot: test_snapshot_diff


@pytest.fixture(scope="module")
def deck_inputs(sample_db):
    wh = Warehouse(sample_db)
    current = Filters("2025-2026", "HK1", Scope(), ("2024-2025", "CN"), source="Ảnh chụp số liệu «Sơ kết HK I» "
                                                                                "ngày 15/01/2026 08:00")
    slides = build_all(KEYS, lambda pair: wh.query(*pair), current)
    info = ExportInfo("Sơ kết học kỳ I năm học 2025-2026", "Phòng GD&ĐT thành phố Vinh", current.source,
                      current.describe(), True)
    return slides, info


def test_headlines_equal_the_metric_views(deck_inputs, sample_db):
    slides, _ = deck_inputs
    headline = {s.key: s.headline for s in slides}
    [(good, assessed)] = sql(sample_db, "SELECT count(*) FILTER (overall_level >= 2), count(*) FROM maturity_4725 "
                                        "WHERE school_year = '2024-2025'")
    # issue 21: the change over the schools assessed in both years, saying how many
    [(gained, both)] = sql(sample_db, """SELECT count(*) FILTER (n.overall_level >= 2)
        - count(*) FILTER (b.overall_level >= 2), count(*) FROM maturity_4725 n JOIN maturity_4725 b USING (school_code)
        WHERE n.school_year = '2024-2025' AND b.school_year = '2023-2024' AND n.overall_level IS NOT NULL
        AND b.overall_level IS NOT NULL""")
    assert headline["muc_do_cap_hoc"].startswith(f"{good}/{assessed} trường tiểu học và THCS đạt Mức 2 trở lên")
    assert f"tăng {gained} trường so với năm học 2023-2024 (so sánh trên {both} trường có số liệu cả hai kỳ)" \
        in headline["muc_do_cap_hoc"]
    [(short, met, needed)] = sql(sample_db, """SELECT count(*) FILTER (NOT target_met), count(*) FILTER (target_met),
        sum(computers_needed) FROM informatics_computers WHERE school_year = '2025-2026' AND period = 'HK1'""")
    [(change, both)] = sql(sample_db, """SELECT sum(n.computers_needed) - sum(b.computers_needed), count(*)
        FROM informatics_computers n JOIN informatics_computers b USING (school_code)
        WHERE n.school_year = '2025-2026' AND n.period = 'HK1'
        AND b.school_year = '2024-2025' AND b.period = 'CN' AND n.computers_needed IS NOT NULL
        AND b.computers_needed IS NOT NULL""")  # over the schools with a figure in both periods
    assert headline["may_tinh_truong"] == (
        f"{short}/{short + met} trường chưa đạt số học sinh/máy trong giờ Tin học HK I 2025-2026, cần bổ sung "
        f"{needed} máy, {'giảm' if change < 0 else 'tăng'} {abs(change)} máy so với "
        f"cả năm 2024-2025 (so sánh trên {both} trường có số liệu cả hai kỳ).")
    [(reported,)] = sql(sample_db, "SELECT count(*) FROM survey WHERE school_year = '2025-2026' AND period = 'HK1'")
    assert headline["bao_cao"] == f"{reported}/140 trường đã gửi số liệu HK I 2025-2026, còn {140 - reported} " \
                                  "trường chưa gửi."


def test_headline_follows_the_filter(sample_db):
    wh = Warehouse(sample_db)
    current = Filters("2025-2026", "HK1", Scope(levels=("THCS",)), ("2024-2025", "CN"))
    [slide] = build_all(["muc_do_cap_hoc"], lambda pair: wh.query(*pair), current)
    [(good, assessed)] = sql(sample_db, """SELECT count(*) FILTER (overall_level >= 2), count(*) FROM maturity_4725 m
        JOIN schools s USING (school_code) WHERE m.school_year = '2024-2025' AND s.level = 'THCS'""")
    assert slide.headline.startswith(f"{good}/{assessed} trường THCS đạt Mức 2 trở lên năm học 2024-2025")


def test_powerpoint_deck(deck_inputs):
    slides, info = deck_inputs
    deck = Presentation(io.BytesIO(build_pptx(slides, info)))
    assert len(deck.slides) == 1 + len(slides)
    cover_text = " ".join(shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame)
    assert info.title in cover_text and "Ảnh chụp số liệu «Sơ kết HK I» ngày 15/01/2026" in cover_text
    assert "Dữ liệu giả lập" in cover_text
    for page, slide in zip(list(deck.slides)[1:], slides):
        texts = [shape.text_frame.text for shape in page.shapes if shape.has_text_frame]
        pictures = [shape for shape in page.shapes if shape.shape_type == 13]
        assert texts[0] == slide.headline
        assert "Sơ kết HK I" in texts[-1] and "DỮ LIỆU GIẢ LẬP" in texts[-1]
        assert len(pictures) == 1 and pictures[0].image.content_type == "image/png"
        assert len(pictures[0].image.blob) > 20_000  # a real chart, not a blank
        assert slide.title in page.notes_slide.notes_text_frame.text


def test_pdf_report_text_and_pages(deck_inputs, tmp_path):
    slides, info = deck_inputs
    path = tmp_path / "bao_cao.pdf"
    path.write_bytes(build_pdf(slides, info))
    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    # cover, one page per chart, each printed summary (plan table, purchase plan by ward) on a page of its own
    assert len(reader.pages) == 1 + len(slides) + sum(s.summary is not None for s in slides)
    assert info.title in flat and "Sơ kết HK I" in flat and "DỮ LIỆU GIẢ LẬP" in flat
    for slide in slides:
        assert re.sub(r"\s+", " ", slide.headline) in flat
    assert "Tỷ lệ trường có phần mềm diệt virus bản quyền" in flat
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "trang")], check=True)
    pngs = sorted(tmp_path.glob("trang-*.png"))
    assert len(pngs) == len(reader.pages)
    assert all(p.stat().st_size > 3_000 for p in pngs)


def test_excel_workbook_has_every_table(deck_inputs):
    slides, info = deck_inputs
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(slides, info)))
    assert book.sheetnames[:2] == ["Thông tin", "Tóm tắt"]
    assert len(book.sheetnames) == 2 + len(slides)
    info_sheet = book["Thông tin"]
    assert any("Sơ kết HK I" in str(c.value) for row in info_sheet.iter_rows() for c in row)
    summary = pd.read_excel(io.BytesIO(build_workbook(slides, info)), sheet_name="Tóm tắt", skiprows=4,
                            engine="calamine")
    assert list(summary["Nhận định"]) == [s.headline for s in slides]


def test_formula_injection_is_written_as_text():
    frame = pd.DataFrame({"Tên trường": ["=HYPERLINK(\"http://x\",\"bấm\")", "+1+1", "-2", "@SUM(A1)", "Bình thường"],
                          "Số": [1, 2, 3, 4, 5]})
    book = openpyxl.load_workbook(io.BytesIO(to_excel_bytes({"Bảng": frame}, ["Ghi chú"])))
    cells = [row[0] for row in book["Bảng"].iter_rows(min_row=4, max_row=8)]
    assert [c.value for c in cells] == list(frame["Tên trường"])
    assert all(c.data_type == "s" for c in cells)  # text, never a formula ('f')
    import csv

    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\",\"bấm\")", "'+1+1", "'-2", "'@SUM(A1)", "Bình thường"]
    assert [r[1] for r in rows[1:]] == ["1", "2", "3", "4", "5"]  # numbers stay numbers


def test_headlines_for_narrow_filters(sample_db):
    wh = Warehouse(sample_db)
    fetch = lambda pair: wh.query(*pair)  # noqa: E731
    one_ward = Filters("2025-2026", "HK1", Scope(wards_new=("Vinh Hưng",)), ("2024-2025", "CN"))
    [slide] = build_all(["muc_do_phuong"], fetch, one_ward)
    assert slide.headline.startswith("Phường Vinh Hưng: ") and "cao nhất" not in slide.headline
    preschools = Filters("2025-2026", "HK1", Scope(levels=("MN",)), ("2024-2025", "CN"))
    assert [s.key for s in build_all(KEYS, fetch, preschools)] == ["ke_hoach", "bao_cao"]
    [(code,)] = sql(sample_db, """SELECT school_code FROM informatics_computers WHERE school_year = '2025-2026'
        AND period = 'HK1' AND target_met ORDER BY school_code LIMIT 1""")
    one_good_school = Filters("2025-2026", "HK1", Scope(schools=(code,)), ("2024-2025", "CN"))
    [slide] = build_all(["may_tinh_truong"], fetch, one_good_school)
    assert slide.headline == "Cả 1 trường đều đạt số học sinh/máy trong giờ Tin học HK I 2025-2026, không cần bổ " \
                             "sung máy."


def test_workbook_sheet_names_are_whole_words(deck_inputs):
    slides, info = deck_inputs
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(slides, info)))
    assert book.sheetnames[2:] == [SLIDES[s.key][2] for s in slides]
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_a_made_export_is_dropped_when_what_it_shows_changes(sample_warehouse):
    """Issue 13: a file made for other filters or another title was still offered and downloaded old content."""
    from tests.pages import open_page

    app = open_page("trinh_chieu.py")
    app.button(key="tao_xlsx").click().run()
    assert app.session_state["xuat_xlsx"] and [b for b in app.get("download_button") if "tai_xlsx" in str(b.proto.id)]
    app.text_input(key="trinh_chieu_tieu_de").input("Họp giao ban tháng 12").run()
    assert "xuat_xlsx" not in app.session_state
    assert not [b for b in app.get("download_button") if "tai_xlsx" in str(b.proto.id)]
    app.button(key="tao_xlsx").click().run()
    app.sidebar.multiselect(key="cap").select("THCS").run()  # another filter: the file goes too
    assert "xuat_xlsx" not in app.session_state


# ---- numbers as numbers, dates as dates, words instead of emoji and codes (issue 13, analysts) -------------------

EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\uFE0F]")


def _cells(data: bytes, header_row: int) -> tuple[list[str], list[list]]:
    """The header and the cells (openpyxl Cell objects) of the table on the first sheet."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=header_row))
    return [c.value for c in rows[0]], rows[1:]


def test_excel_numbers_dates_and_words():
    frame = pd.DataFrame({
        "Cấp học": ["MN", "TH", "THCS"],
        "Tình trạng": ["🟢 Đạt", "🔴 Chậm tiến độ", "⚪ Không có số liệu"],
        "Quá hạn": ["⚠️ Quá hạn", "", ""],
        "Hạn hoàn thành": ["31/12/2024", "–", "15/01/2026"],
        "Thời điểm": ["30/11/2026 04:31:26", "01/12/2026 08:00:00", None],
        "Số trường": [17, 1473, 2],
        "Số HS/máy": [41.43545279383429, 2.5, None],
        "Tỷ lệ hoàn thành (%)": [100.0, 37.5, 0.0],
        "Có phòng máy": [True, False, True],
    })
    data = to_excel_bytes({"Nhiệm vụ của phòng năm 2025": frame}, ["Tiêu đề", "Bộ lọc: tất cả"],
                          {"Tỷ lệ hoàn thành (%)": 0})
    header, rows = _cells(data, 4)
    assert header == list(frame.columns)
    by = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    assert [c.value for c in by["Cấp học"]] == ["Mầm non", "Tiểu học", "THCS"]
    assert [c.value for c in by["Tình trạng"]] == ["Đạt", "Chậm tiến độ", "Không có số liệu"]
    assert [c.value for c in by["Quá hạn"]] == ["Quá hạn", None, None]
    due = by["Hạn hoàn thành"]
    assert due[0].is_date and due[0].value == dt.datetime(2024, 12, 31) and due[0].number_format == "dd/mm/yyyy"
    assert due[1].value is None and due[2].value == dt.datetime(2026, 1, 15)
    at = by["Thời điểm"][0]
    assert at.is_date and at.value == dt.datetime(2026, 11, 30, 4, 31, 26) and at.number_format == "dd/mm/yyyy hh:mm"
    for cell, value in zip(by["Số trường"], [17, 1473, 2]):
        assert cell.data_type == "n" and cell.value == value and cell.number_format == "#,##0"
    ratio = by["Số HS/máy"]
    assert ratio[0].data_type == "n" and ratio[0].value == pytest.approx(41.43545279383429)
    assert ratio[0].number_format == "#,##0.0" and ratio[2].value is None
    assert [c.number_format for c in by["Tỷ lệ hoàn thành (%)"]] == ["#,##0"] * 3  # the page's decimals
    assert [c.value for c in by["Có phòng máy"]] == ["Có", "Không", "Có"]
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert not [c.value for s in book.worksheets for row in s.iter_rows() for c in row
                if isinstance(c.value, str) and EMOJI.search(c.value)]


def test_csv_for_excel_with_vietnamese_settings():
    frame = pd.DataFrame({"Phường mới": ["Cửa Lò", "Trường Vinh"], "Số trường": [17, 21],
                          "Số HS/máy toàn trường": [41.43545279383429, 1234.5], "Ghi chú": ["a; b", "x,y"]})
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    assert data.decode("utf-8-sig").splitlines()[1] == 'Cửa Lò;17;41,43545279383429;"a; b"'
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, frame)


def test_csv_dates_levels_and_statuses():
    frame = pd.DataFrame({"Cấp học": ["MN", "TH_THCS"], "Tình trạng": ["🟢 Đạt", "🟠 Có nguy cơ"],
                          "Hạn hoàn thành": ["31/12/2024", "–"], "Tỷ lệ (%)": [85.5, 100.0]})
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(back["Cấp học"]) == ["Mầm non", "TH&THCS"]
    assert list(back["Tình trạng"]) == ["Đạt", "Có nguy cơ"]
    assert back["Hạn hoàn thành"].iloc[0] == "31/12/2024" and pd.isna(back["Hạn hoàn thành"].iloc[1])
    assert list(back["Tỷ lệ (%)"]) == [85.5, 100.0]


def test_school_profile_exports_numbers_and_keeps_its_text_on_screen():
    from collections import namedtuple

    from dashboard.charts.school import indicator_rows

    Field = namedtuple("Field", "code pillar label_vi unit type")
    fields = [Field("students", "scale", "Số học sinh", "người", "int"),
              Field("classes", "scale", "Số lớp", "lớp", "int"),
              Field("cashless_pct", "platforms", "Tỷ lệ thu không dùng tiền mặt", "%", "percent"),
              Field("has_plan", "institutions", "Có kế hoạch CĐS", "", "bool"),
              Field("software", "government", "Phần mềm quản lý", "", "text")]
    now = pd.Series({"students": 1473, "classes": 23, "cashless_pct": 85.25, "has_plan": True, "software": "SMAS"})
    before = pd.Series({"students": 1472, "classes": 23, "cashless_pct": None, "has_plan": False,
                        "software": "VnEdu"})
    screen = indicator_rows(now, before, fields)
    assert list(screen["Giá trị"][:2]) == ["1.473", "23"] and screen["Thay đổi"][0] == "+1"
    files = indicator_rows(now, before, fields, numeric=True)
    assert list(files.columns) == ["Nhóm chỉ số", "Chỉ số", "Giá trị", "Đơn vị", "Kỳ trước", "Thay đổi", "Ghi chú"]
    header, rows = _cells(to_excel_bytes({"Chỉ số khảo sát": files}, ["Tiêu đề"]), 3)
    value, previous, change, note = (header.index(c) for c in ("Giá trị", "Kỳ trước", "Thay đổi", "Ghi chú"))
    students, classes, cashless, plan, software = rows
    assert students[value].data_type == "n" and students[value].value == 1473
    assert students[value].number_format == "#,##0"
    assert students[change].data_type == "n" and students[change].value == 1 and classes[change].value == 0
    assert cashless[value].value == 85.25 and cashless[value].number_format == "#,##0.0"
    assert cashless[previous].value is None and cashless[change].value is None
    assert (plan[value].value, plan[previous].value, plan[note].value) == ("Có", "Không", "Mới có")
    assert software[note].value == "trước: VnEdu" and software[change].value is None
    back = pd.read_csv(io.BytesIO(to_csv_bytes(files)), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["Thay đổi"].iloc[0] == 1 and back["Giá trị"].iloc[2] == "85,25"  # a text column: as Excel reads it


def test_sheet_names_end_at_a_phrase():
    cases = {"Chỉ số kế hoạch theo trụ cột HK I 2025-2026": "Chỉ số kế hoạch theo trụ cột",
             "Máy tính dạy Tin học theo phường mới": "Máy tính dạy Tin học",
             "Chỉ số khảo sát Trường Tiểu học Hưng Dũng 1 HK I 2025-2026": "Chỉ số khảo sát TH Hưng Dũng 1",
             "Điểm từng tiêu chí Trường THCS Hưng Dũng năm học 2024-2025": "Điểm từng tiêu chí",
             "Tình hình nộp báo cáo học kỳ i năm học 2025-2026 theo phường mới": "Tình hình nộp báo cáo",
             "Nhiệm vụ của phòng năm 2025": "Nhiệm vụ của phòng năm 2025"}
    book = openpyxl.load_workbook(io.BytesIO(to_excel_bytes({t: pd.DataFrame({"a": [1]}) for t in cases})))
    assert book.sheetnames == list(cases.values())
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_the_purchase_plan_goes_into_the_handouts(sample_db):
    """Issue 14: the planner's allocation is a slide and its purchase list per ward a part of the workbook."""
    from dashboard.planner_view import purchase_sheets
    from etl.metrics.planner import Budget, plan

    wh = Warehouse(sample_db)
    fetch = lambda pair: wh.query(*pair)  # noqa: E731
    current = Filters("2025-2026", "HK1", Scope(), ("2024-2025", "CN"))
    options = {"computers": 50, "rule": "worst_ratio"}
    [slide] = build_all(["mua_sam_may_tinh"], fetch, current, options=options)
    from dashboard.queries import computers as computer_queries

    result = plan(fetch(computer_queries.per_school(current, "2025-2026", "HK1")), Budget(computers=50), "worst_ratio")
    assert slide.headline.startswith("Với ngân sách 50 máy")
    assert len(slide.data) == len(result.funded) > 0 and result.spent <= 50
    info = ExportInfo("Họp", "Phòng GD&ĐT", current.source, current.describe(), True)
    sheets = purchase_sheets(result)
    book = openpyxl.load_workbook(io.BytesIO(build_workbook([slide], info, sheets)))
    assert set(list(sheets)[:1]) <= set(book.sheetnames) and len(book.sheetnames) == 3 + len(sheets)
    assert [s.key for s in build_all(["mua_sam_may_tinh"], fetch, Filters("2025-2026", "HK1", Scope(levels=("MN",))))
            ] == []  # preschools: no computer ratio, no purchase plan
