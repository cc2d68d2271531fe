"""Issue 12: backup and restore round-trip into an empty folder, file for file."""
import shutil

import pytest

from etl import accounts, intake
from etl.snapshot import create_snapshot
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
