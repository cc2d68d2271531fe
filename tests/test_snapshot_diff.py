"""What changed between two meetings (issue 14): two warehouses crafted from the sample — one school's 4725 level
down (a mandatory condition no longer met), one up (every criterion at its maximum), one THCS school given the
computers it lacked, one primary school left with a single computer, one school's 10/10 activity withdrawn, one file
added to the load log — and the comparison reports exactly those schools, indicators and files; the page shows them.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from etl.metrics.queries import Scope
from etl.snapshot_diff import compare_files
from tests.pages import sql

LATEST = ("2025-2026", "HK1")
YEAR_4725 = "2024-2025"
# NT1 (10/10 activity), HT1 and HT2 (share of TH / THCS schools meeting the ratio), HT3 (computers needed), CQ5 (share
# at Mức 2 or higher: one school fell from Mức 2 to Mức 1; the other rose from Mức 2 to 3, which CQ5 does not count)
CHANGED_INDICATORS = {"NT1", "HT1", "HT2", "HT3", "CQ5"}
NEW_FILE = "Bo_sung_THCS_HK1_2025-2026.xlsx"


@dataclass
class Crafted:
    before: Path
    after: Path
    down: str  # Mức 2 -> Mức 1
    up: str  # Mức 2 -> Mức 3
    now_met: str  # THCS, given the computers it lacked
    no_longer_met: str  # TH, left with one computer
    activity: str  # its 10/10 activity withdrawn


def _one(db: Path, query: str, params=None) -> str:
    return sql(db, query, params)[0][0]


def craft(sample_db: Path, folder: Path) -> Crafted:
    """Two copies of the sample warehouse; the second changed as the module docstring says."""
    folder.mkdir(parents=True, exist_ok=True)
    before, after = folder / "truoc.duckdb", folder / "sau.duckdb"
    shutil.copyfile(sample_db, before)
    shutil.copyfile(sample_db, after)
    level2 = """SELECT school_code FROM maturity_4725 WHERE school_year = ? AND overall_level = 2
                AND g1_mandatory_met AND g2_mandatory_met ORDER BY school_code"""
    [(down,), (up,)] = sql(after, level2 + " LIMIT 2", [YEAR_4725])
    now_met = _one(after, """SELECT school_code FROM informatics_computers WHERE school_year = ? AND period = ?
                             AND level = 'THCS' AND status = 'not_met' AND it_rooms > 0 ORDER BY school_code""", LATEST)
    no_longer = _one(after, """SELECT school_code FROM informatics_computers WHERE school_year = ? AND period = ?
                               AND level = 'TH' AND status = 'met' ORDER BY school_code""", LATEST)
    activity = _one(after, "SELECT school_code FROM survey WHERE school_year = ? AND period = ? AND dx_day_activity "
                           "ORDER BY school_code", LATEST)
    with duckdb.connect(str(after)) as con:
        con.execute("UPDATE assessment_scores SET met = false WHERE school_code = ? AND school_year = ? "
                    "AND met IS NOT NULL", [down, YEAR_4725])
        con.execute("""UPDATE assessment_scores a SET score = c.max_points FROM ref_criteria_4725 c
                       WHERE a.criterion = c.code AND a.school_code = ? AND a.school_year = ? AND NOT c.mandatory""",
                    [up, YEAR_4725])
        con.execute("""INSERT INTO assessment_scores (school_code, school_year, kind, criterion, score)
                       SELECT ?, ?, k.kind, c.code, c.max_points FROM ref_criteria_4725 c
                       CROSS JOIN (SELECT DISTINCT kind FROM assessment_scores WHERE school_code = ?
                                   AND school_year = ?) k
                       WHERE NOT c.mandatory AND NOT EXISTS (SELECT 1 FROM assessment_scores a WHERE a.school_code = ?
                             AND a.school_year = ? AND a.kind = k.kind AND a.criterion = c.code)""",
                    [up, YEAR_4725, up, YEAR_4725, up, YEAR_4725])
        con.execute("""UPDATE survey SET it_computers = it_computers + (SELECT computers_needed
                       FROM informatics_computers WHERE school_code = ? AND school_year = ? AND period = ?)
                       WHERE school_code = ? AND school_year = ? AND period = ?""",
                    [now_met, *LATEST, now_met, *LATEST])
        con.execute("UPDATE survey SET it_computers = 1 WHERE school_code = ? AND school_year = ? AND period = ?",
                    [no_longer, *LATEST])
        con.execute("UPDATE survey SET dx_day_activity = false WHERE school_code = ? AND school_year = ? "
                    "AND period = ?", [activity, *LATEST])
        con.execute("""INSERT INTO load_log (load_id, started_at, finished_at, command, file_name, sha256, status,
                                             school_years, periods, rows_loaded, rows_rejected, rows_replaced,
                                             warnings, errors, synthetic)
                       VALUES (99, ?, ?, 'load', ?, 'ab12', 'loaded', '2025-2026', '2025-2026 HK1', 1, 0, 1, 0, 0,
                               true)""", [dt.datetime(2026, 11, 29, 9), dt.datetime(2026, 11, 29, 9, 0, 5), NEW_FILE])
    return Crafted(before, after, down, up, now_met, no_longer, activity)


@pytest.fixture(scope="module")
def crafted(sample_db, tmp_path_factory) -> Crafted:
    return craft(sample_db, tmp_path_factory.mktemp("so_sanh"))


def test_the_crafted_changes_did_what_they_say(crafted):
    """The crafting itself: levels and statuses moved in the second warehouse only."""
    level = "SELECT overall_level FROM maturity_4725 WHERE school_code = ? AND school_year = ?"
    status = "SELECT status FROM informatics_computers WHERE school_code = ? AND school_year = ? AND period = ?"
    for db, down, up, met, lost in ((crafted.before, 2, 2, "not_met", "met"), (crafted.after, 1, 3, "met", "not_met")):
        assert _one(db, level, [crafted.down, YEAR_4725]) == down
        assert _one(db, level, [crafted.up, YEAR_4725]) == up
        assert _one(db, status, [crafted.now_met, *LATEST]) == met
        assert _one(db, status, [crafted.no_longer_met, *LATEST]) == lost


def test_exactly_the_changed_schools_indicators_and_files(crafted):
    diff = compare_files(crafted.before, crafted.after)
    assert diff.before.period == diff.after.period == LATEST
    assert diff.before.year_4725 == diff.after.year_4725 == YEAR_4725
    assert set(diff.changed_indicators["indicator"]) == CHANGED_INDICATORS
    assert dict(zip(diff.levels["school_code"], diff.levels["move"])) == {crafted.down: "down", crafted.up: "up"}
    moved = diff.levels.set_index("school_code")
    assert (moved.loc[crafted.down, "overall_level_before"], moved.loc[crafted.down, "overall_level_after"]) == (2, 1)
    assert (moved.loc[crafted.up, "overall_level_before"], moved.loc[crafted.up, "overall_level_after"]) == (2, 3)
    assert dict(zip(diff.computers["school_code"], diff.computers["move"])) == {
        crafted.now_met: "now_met", crafted.no_longer_met: "no_longer_met"}
    assert list(diff.files["file_name"]) == [NEW_FILE] and diff.files_gone.empty

    # the figures agree with the warehouses, read independently
    def need(db):
        return _one(db, "SELECT sum(computers_needed) FROM informatics_computers WHERE school_year = ? AND period = ?",
                    LATEST)
    totals = diff.totals.set_index("measure")
    assert (totals.loc["computers_needed", "before"], totals.loc["computers_needed", "after"]) == \
        (need(crafted.before), need(crafted.after))
    assert totals.loc["level2_plus", "change"] == -1 and totals.loc["assessed_4725", "change"] == 0
    assert totals.loc["ratio_met", "change"] == 0 and totals.loc["files", "change"] == 1
    hk = diff.indicators.set_index("indicator")
    n_all = _one(crafted.after, "SELECT count(*) FROM survey WHERE school_year = ? AND period = ? "
                                "AND dx_day_activity IS NOT NULL", LATEST)
    assert hk.loc["NT1", "change"] == pytest.approx(-100 / n_all)
    assert hk.loc["HT3", "change"] == need(crafted.after) - need(crafted.before)


def test_the_other_way_round_reverses_every_move(crafted):
    diff = compare_files(crafted.after, crafted.before)
    assert set(diff.changed_indicators["indicator"]) == CHANGED_INDICATORS
    assert dict(zip(diff.levels["school_code"], diff.levels["move"])) == {crafted.down: "up", crafted.up: "down"}
    assert dict(zip(diff.computers["school_code"], diff.computers["move"])) == {
        crafted.now_met: "no_longer_met", crafted.no_longer_met: "now_met"}
    assert diff.files.empty and list(diff.files_gone["file_name"]) == [NEW_FILE]


def test_a_warehouse_against_itself_changes_nothing(crafted):
    diff = compare_files(crafted.after, crafted.after)
    assert diff.changed_indicators.empty and diff.levels.empty and diff.computers.empty and diff.files.empty
    assert (diff.totals["change"] == 0).all()


def test_the_filter_and_the_account_scope(crafted):
    """The sidebar's filter narrows every list; an account scoped to one school sees only that school, and no file
    that holds none of its rows."""
    level = _one(crafted.after, "SELECT level FROM schools WHERE school_code = ?", [crafted.now_met])
    diff = compare_files(crafted.before, crafted.after, Scope(levels=(level,)))
    assert list(diff.computers["school_code"]) == [crafted.now_met]
    assert "HT1" not in set(diff.changed_indicators["indicator"])  # a primary-school indicator: no THCS school in it
    scoped = compare_files(crafted.before, crafted.after, schools=[crafted.down])
    assert list(scoped.levels["school_code"]) == [crafted.down] and scoped.computers.empty
    assert scoped.files.empty
    assert set(scoped.changed_indicators["indicator"]) == {"CQ5"}


def test_the_same_period_on_both_sides(crafted):
    """Compared at an older period, nothing of HK1 2025-2026 shows; the 4725 year is that period's."""
    diff = compare_files(crafted.before, crafted.after, period=("2024-2025", "CN"))
    assert diff.after.period == ("2024-2025", "CN") and diff.after.year_4725 == YEAR_4725
    assert diff.computers.empty
    assert set(diff.changed_indicators["indicator"]) == {"CQ5"}


def test_vietnamese_tables_headline_and_slide(crafted):
    from dashboard import diff_view as dv
    from dashboard.filters import Filters
    from dashboard.format import number
    from etl.snapshot_diff import fetcher
    from etl.warehouse import open_read_only

    names = ("«Sơ kết HK I» (15/01/2026)", "số liệu hiện hành")
    with open_read_only(crafted.before) as old, open_read_only(crafted.after) as new:
        slide = dv.diff_slide(fetcher(old), fetcher(new), Filters(*LATEST, Scope()), names)
        diff = compare_files(crafted.before, crafted.after)
    tables = dv.tables(diff)
    assert list(tables["levels"]["Thay đổi"]) == ["Lên mức", "Xuống mức"]
    assert set(tables["levels"]["Mức chung (sau)"]) == {"Mức 1", "Mức 3"}
    assert set(tables["computers"]["Thay đổi"]) == {"Mới đạt chuẩn", "Không còn đạt chuẩn"}
    assert set(tables["indicators"]["Mã chỉ số"]) == CHANGED_INDICATORS
    assert list(tables["files"]["Tệp"]) == [NEW_FILE] and tables["files"]["Kỳ"][0] == "HK I 2025-2026"
    assert slide.key == "so_sanh_ky_hop" and slide.headline == dv.headline(diff, names)
    assert slide.headline.startswith("So với «Sơ kết HK I» (15/01/2026): 1 trường lên mức và 1 trường xuống mức QĐ "
                                     "4725; 1 trường mới đạt chuẩn HS/máy trong giờ Tin học, 1 trường không còn đạt")
    assert slide.headline.endswith("5 chỉ số kế hoạch thay đổi.")
    drawn = {t.name for t in slide.figure.data if t.showlegend is not False}
    assert drawn == {"Trước: «Sơ kết HK I» (15/01/2026)", "Sau: số liệu hiện hành", "Chỉ tiêu"}
    bars = [t for t in slide.figure.data if t.type == "bar"][0]
    assert len(bars.y) == 4  # the percent indicators among the five (HT3 counts computers: in the table only)
    written = [t for t in slide.figure.data if t.type == "scatter" and t.mode == "text"][0].text
    changes = diff.indicators.set_index("indicator")
    assert f"{number(changes.loc['CQ5', 'value_before'], 1)}% → {number(changes.loc['CQ5', 'value_after'], 1)}%" \
        in written
    assert list(slide.summary["Nội dung"])[0] == "Số trường có kết quả QĐ 4725"


def test_the_slide_for_the_presentation_registry(crafted):
    """deck_slide: the builder the presentation's registry calls with the presenter's options."""
    from dashboard import diff_view as dv
    from dashboard.filters import Filters
    from etl.snapshot_diff import fetcher
    from etl.warehouse import open_read_only

    f = Filters(*LATEST, Scope())
    with open_read_only(crafted.before) as old, open_read_only(crafted.after) as new:
        chosen = dv.deck_slide(fetcher(new), f, {"before_fetch": fetcher(old), "before_name": "«Sơ kết»",
                                                 "after_name": "«Tổng kết»"})
        alone = dv.deck_slide(fetcher(new), f)
    assert chosen.headline.startswith("So với «Sơ kết»: 1 trường lên mức")
    assert alone.headline == "Chưa chọn ảnh chụp số liệu để so sánh với số liệu đang xem."
    live = dv.Source(dv.LIVE_KEY, crafted.after, "số liệu hiện hành", dt.datetime(2026, 11, 30))
    jan = dv.Source("A", crafted.before, "«A»", dt.datetime(2026, 1, 15))
    may = dv.Source("B", crafted.before.with_name("b.duckdb"), "«B»", dt.datetime(2026, 5, 30))
    assert dv.earlier([live, may, jan], crafted.after) == [may, jan]
    assert dv.earlier([live, may, jan], may.path) == [jan]


# ---- the page (AppTest) ----------------------------------------------------------------------------------------

def test_the_page_shows_the_changes(crafted, tmp_path, monkeypatch):
    """Two snapshots of a live warehouse, taken with the change between them; the page defaults to those two."""
    from etl.snapshot import create_snapshot
    from tests.pages import open_page, texts

    live = tmp_path / "warehouse.duckdb"
    shutil.copyfile(crafted.before, live)
    create_snapshot(live, "Sơ kết HK I", dt.datetime(2026, 1, 15, 8))
    shutil.copyfile(crafted.after, live)
    create_snapshot(live, "Tổng kết năm học", dt.datetime(2026, 5, 30, 8))
    monkeypatch.setenv("DX_DB", str(live))
    app = open_page("so_sanh_ky_hop.py")
    shown = texts(app)
    assert "So sánh «Sơ kết HK I» (15/01/2026)" in shown and "với «Tổng kết năm học» (30/05/2026)" in shown
    assert "1 trường lên mức, 1 trường xuống mức QĐ 4725" in shown
    assert "1 trường mới đạt chuẩn học sinh/máy trong giờ Tin học, 1 trường không còn đạt" in shown
    assert "5 chỉ số kế hoạch thay đổi giá trị hoặc tình trạng" in shown
    codes = [set(f.value["Mã trường"]) for f in app.dataframe if "Mã trường" in f.value.columns]
    assert {crafted.down, crafted.up} in codes and {crafted.now_met, crafted.no_longer_met} in codes
    # the live warehouse against the older snapshot: today is offered too
    app.selectbox(key="sau").set_value("Số liệu hiện hành (hôm nay)").run()
    assert not app.exception
    assert "với số liệu hiện hành (hôm nay" in texts(app)


def test_the_presentation_offers_the_comparison_with_an_earlier_snapshot(crafted, tmp_path, monkeypatch):
    """The comparison slide on the presentation page: the live data (the later side) against the snapshot chosen."""
    from etl.snapshot import create_snapshot
    from tests.pages import open_page, texts

    live = tmp_path / "warehouse.duckdb"
    shutil.copyfile(crafted.before, live)
    create_snapshot(live, "Sơ kết HK I", dt.datetime(2026, 1, 15, 8))
    shutil.copyfile(crafted.after, live)
    monkeypatch.setenv("DX_DB", str(live))
    app = open_page("trinh_chieu.py")
    app.multiselect(key="trinh_chieu_chon").set_value(["so_sanh_ky_hop", "bao_cao"]).run()
    assert not app.exception
    assert app.selectbox(key="trinh_chieu_so_voi").value.key.startswith("Sơ kết HK I")
    shown = texts(app)
    assert "Chưa chọn ảnh chụp số liệu" not in shown
    assert "1 trường lên mức" in shown or "trường lên mức" in shown, shown[:1500]
