"""Snapshots for review meetings: frozen, named, dated, shown by the app; loading never changes them."""
import shutil

import pytest

from etl.snapshot import create_snapshot, list_snapshots
from tests import fixtures
from tests.conftest import DATA_TABLES, run_cli, table_rows
from tests.pages import open_page, texts


@pytest.fixture
def live(sample_db, tmp_path):
    """A private copy of the sample warehouse (tests here write to it)."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_db, db)
    return db


def test_create_and_list(live):
    snap = create_snapshot(live, "Sơ kết HK I 2025-2026")
    assert snap.name == "Sơ kết HK I 2025-2026" and snap.path.parent == live.parent / "snapshots"
    assert [s.name for s in list_snapshots(live)] == ["Sơ kết HK I 2025-2026"]
    assert snap.files == 133 and snap.schools_reporting == 140
    with pytest.raises(ValueError, match="đã có ảnh chụp tên"):
        create_snapshot(live, "sơ kết hk i 2025-2026")
    with pytest.raises(ValueError, match="cần đặt tên"):
        create_snapshot(live, "   ")


def test_loading_new_files_never_changes_a_snapshot(live, tmp_path):
    snap = create_snapshot(live, "Tổng kết 2024-2025")
    frozen = table_rows(snap.path, *DATA_TABLES, "load_log")
    row = ["", "Trường Tiểu học Lê Lợi", 31, 1250, 46, 3, 31, 2, 40, 750, 19, "x", 95, ""]
    newer = fixtures.write_survey_table(tmp_path / "KS_moi.xlsx", rows=[("II. TIỂU HỌC", None), (None, row)])
    code, report = run_cli("load", newer, "--db", live, "--json")
    assert report["totals"]["rows_loaded"] + report["totals"]["rows_rejected"] >= 1
    assert table_rows(live, "load_log") != table_rows(snap.path, "load_log")
    assert table_rows(snap.path, *DATA_TABLES, "load_log") == frozen


def test_cli(live):
    code, text = run_cli("snapshot", "create", "Sơ kết HK I", "--db", live)
    assert code == 0 and "Đã chụp số liệu \"Sơ kết HK I\"" in text
    code, text = run_cli("snapshot", "list", "--db", live)
    assert code == 0 and text.startswith("Sơ kết HK I (")
    assert run_cli("snapshot", "create", "Sơ kết HK I", "--db", live)[0] == 2


def test_the_app_shows_a_snapshot_with_its_name_and_date_on_every_page(live, monkeypatch, tmp_path):
    monkeypatch.setenv("DX_DB", str(live))
    snap = create_snapshot(live, "Sơ kết HK I 2025-2026")
    code, _ = run_cli("registry", fixtures.write_registry(tmp_path / "dm.csv"), "--db", live)  # live data changes
    assert code == 0
    live_app = open_page()
    assert "Trường đã báo cáo" in [m.label for m in live_app.metric]
    live_reported = {m.label: m.value for m in live_app.metric}["Trường đã báo cáo"]
    for page in ("tong_quan.py", "chat_luong.py"):
        app = open_page(page, anh=snap.label)
        shown = texts(app)
        assert "Đang xem ảnh chụp số liệu **Sơ kết HK I 2025-2026**" in shown
        assert f"chụp ngày {snap.created_at:%d/%m/%Y}" in shown
        assert "Ảnh chụp số liệu «Sơ kết HK I 2025-2026»" in shown  # the caption that exports repeat
    frozen = {m.label: m.value for m in open_page(anh=snap.label).metric}["Trường đã báo cáo"]
    assert frozen == "134/140" and live_reported != frozen  # the live registry now has 7 schools


def test_a_snapshot_taken_in_the_app_is_shown_at_once(live, monkeypatch):
    monkeypatch.setenv("DX_DB", str(live))
    app = open_page("trinh_chieu.py")
    app.text_input(key="trinh_chieu_ten_anh").input("Tổng kết năm học 2025-2026").run()
    app.button(key="trinh_chieu_chup").click().run()
    assert not app.exception
    assert [s.name for s in list_snapshots(live)] == ["Tổng kết năm học 2025-2026"]
    assert "Đã chụp số liệu «Tổng kết năm học 2025-2026»" in texts(app)
    assert "Đang xem ảnh chụp số liệu **Tổng kết năm học 2025-2026**" in texts(app)
    assert not [b for b in app.button if b.key == "trinh_chieu_chup"]  # no snapshot of a snapshot
