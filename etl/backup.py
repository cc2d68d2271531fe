"""`python -m etl backup DIR` and `python -m etl restore DIR`: everything an office would lose with its disk, in one
folder with a manifest of hashes: the warehouse, the archive of original files, the snapshots, the kept versions,
the import profiles, the accounts and the audit record."""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from pathlib import Path

from etl import submissions
from etl.warehouse import sha256_file

FOLDERS = ("archive", "snapshots", "versions", "pending")  # pending: the files schools sent, not yet loaded
FILES = ("import_profiles.json", "accounts.json", "audit.jsonl", "mail_log.jsonl")
STORE = "submissions.sqlite"  # the reporting loop's record (etl.submissions), copied with SQLite's own backup
MANIFEST = "manifest.json"


class BackupError(Exception):
    """One Vietnamese sentence for the terminal."""


def backup(db_path: Path, target: Path, now: dt.datetime | None = None) -> Path:
    """A new folder under `target` with a copy of everything; the warehouse is copied under the write lock, so no
    load lands half-way (a load replaces the file, never changes it in place)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise BackupError(f"{db_path}: chưa có kho dữ liệu để sao lưu")
    home = db_path.parent
    folder = Path(target) / f"sao-luu-{(now or dt.datetime.now()):%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    with open(db_path.with_name(db_path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the loader's lock: no write while the warehouse is copied
        shutil.copyfile(db_path, folder / "warehouse.duckdb")
    for name in FOLDERS:
        if (home / name).is_dir():
            shutil.copytree(home / name, folder / name, ignore=shutil.ignore_patterns("*.part", "*.tmp-*", ".lock"))
    for name in FILES:
        if (home / name).is_file():
            shutil.copy2(home / name, folder / name)
    if (store := submissions.store_path(db_path)).is_file():
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(store)) as source, closing(sqlite3.connect(folder / STORE)) as target:
            source.backup(target)  # consistent even while schools send
    files = {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()}
    (folder / MANIFEST).write_text(json.dumps({"created_at": dt.datetime.now().isoformat(timespec="seconds"),
                                               "source": str(db_path), "files": files}, ensure_ascii=False,
                                              indent=1), encoding="utf-8")
    return folder


def verify(folder: Path) -> dict:
    """The manifest, after checking every file against its hash."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{folder}: không phải thư mục sao lưu (thiếu hoặc hỏng {MANIFEST})") from None
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file() or sha256_file(path) != digest:
            raise BackupError(f"{folder}: tệp {name} của bản sao lưu bị thiếu hoặc đã thay đổi; không khôi phục")
    return manifest


def restore(folder: Path, db_path: Path, force: bool = False) -> dict:
    """Put a backup back beside `db_path` (the warehouse last, by an atomic rename). Refuses to overwrite an existing
    warehouse unless `force`."""
    folder, db_path = Path(folder), Path(db_path)
    manifest = verify(folder)
    if db_path.exists() and not force:
        raise BackupError(f"{db_path}: đã có kho dữ liệu; thêm --force để thay bằng bản sao lưu")
    home = db_path.parent
    home.mkdir(parents=True, exist_ok=True)
    for name in FOLDERS:
        if (folder / name).is_dir():
            shutil.rmtree(home / name, ignore_errors=True)
            shutil.copytree(folder / name, home / name)
    for name in FILES:
        if (folder / name).is_file():
            shutil.copy2(folder / name, home / name)
    if (folder / STORE).is_file():
        store = submissions.store_path(db_path)
        for suffix in ("-wal", "-shm"):  # a log of the store replaced would be replayed onto the backup's copy
            store.with_name(store.name + suffix).unlink(missing_ok=True)
        shutil.copy2(folder / STORE, store)
    partial = db_path.with_name(db_path.name + ".restore")
    shutil.copyfile(folder / "warehouse.duckdb", partial)
    os.replace(partial, db_path)
    return manifest
