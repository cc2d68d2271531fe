"""Issue 12: backup and restore round-trip into an empty folder, file for file."""
import shutil

import pytest

from etl import accounts, intake
from etl.snapshot import create_snapshot
from etl.warehouse import open_read_only
from tests import fixtures
from tests.conftest import run_cli
from tests.pages import sql


def test_backup_restores_everything_into_an_empty_folder(loaded_db, tmp_path, tmp_path_factory):
    from etl import audit

    home = loaded_db.parent
    accounts.add_account(loaded_db, "admin", "mat-khau-du-dai", "admin")
    intake.save_profile(loaded_db, "Mẫu", {"signature": "s", "columns": [{"letter": "J", "label": "Máy"}]},
                        {"J": "it_computers"})
    create_snapshot(loaded_db, "Sơ kết HK I")
    run_cli("load", fixtures.write_assessment_form(tmp_path / "TDG.xlsx"), "--db", loaded_db)  # archive, a version
    from etl import submissions

    (tmp_path / "gui").mkdir()
    sent = fixtures.write_survey_table(tmp_path / "gui" / "KS_HK1_2024-2025.xlsx", rows=[
        ("II. TIỂU HỌC", None),
        (None, ["40200001", "Trường Tiểu học Lê Lợi", 30, 1200, 45, 3, 30, 1, 24, 720, 18, "x", 90, "VnEdu"])])
    intake.submit_pending(intake.review_files([sent], loaded_db, hints={"allowed_schools": ["40200001"]}),
                          loaded_db, "th.leloi", "40200001")  # a school's sending not loaded yet
    submissions.decide(loaded_db, ["40300001"], "2024-2025", "HK1", "returned", "Thiếu số máy")

    def kept(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file() and (
            p.relative_to(folder).parts[0] in ("archive", "snapshots", "versions") or p.name in (
                "import_profiles.json", "accounts.json", "audit.jsonl")) and not p.name.startswith(".")}

    before = kept(home)
    assert {"archive", "snapshots", "versions"} <= {name.split("/")[0] for name in before}
    assert run_cli("backup", tmp_path_factory.mktemp("sao_luu"), "--db", loaded_db)[0] == 0
    [folder] = list((tmp_path_factory.getbasetemp() / "sao_luu0").iterdir())
    empty = tmp_path_factory.mktemp("may_moi") / "warehouse.duckdb"
    assert run_cli("restore", folder, "--db", empty)[0] == 0
    after = kept(empty.parent)
    after["audit.jsonl"] = b"".join(line + b"\n" for line in after["audit.jsonl"].splitlines()[:-1])  # + restore
    assert after == before
    assert empty.read_bytes() == loaded_db.read_bytes()
    assert sql(empty, "SELECT count(*) FROM survey") == sql(loaded_db, "SELECT count(*) FROM survey")
    assert accounts.authenticate(empty, "admin", "mat-khau-du-dai").role == "admin"
    assert audit.read(empty)[-1]["action"] == "restore" and audit.read(loaded_db)[-1]["action"] == "backup"
    [waiting] = intake.list_pending(empty)  # the reporting loop comes back with the warehouse
    assert waiting["school"] == "40200001" and waiting["files"] == ["KS_HK1_2024-2025.xlsx"]
    with open_read_only(empty) as con:
        row = submissions.status(con, "2024-2025", "HK1", db_path=empty).set_index("school_code").loc["40300001"]
    assert (row.status, row.comment) == ("returned", "Thiếu số máy")


def test_a_damaged_backup_is_refused_and_nothing_is_overwritten(loaded_db, tmp_path):
    assert run_cli("backup", tmp_path / "sao_luu", "--db", loaded_db)[0] == 0
    [folder] = list((tmp_path / "sao_luu").iterdir())
    with open(folder / "warehouse.duckdb", "r+b") as fh:
        fh.seek(5000)
        fh.write(b"hong")
    other = tmp_path / "khac" / "warehouse.duckdb"
    other.parent.mkdir()
    shutil.copyfile(loaded_db, other)
    from etl.backup import BackupError, restore

    assert run_cli("restore", folder, "--db", other, "--force")[0] == 2
    with pytest.raises(BackupError, match="warehouse.duckdb của bản sao lưu bị thiếu hoặc đã thay đổi"):
        restore(folder, other, force=True)
    assert other.read_bytes() == loaded_db.read_bytes()
    assert run_cli("restore", folder.parent / "khong_co", "--db", other)[0] == 2
