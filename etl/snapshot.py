"""Frozen copies of the warehouse for review meetings (sơ kết, tổng kết).

A snapshot is a read-only copy of the warehouse file under `<warehouse folder>/snapshots/`, with its name,
the time it was taken and the files it contains recorded inside it (tables `meta` and `load_log`).
Loading new files replaces the warehouse, never a snapshot.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import functools
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.textnorm import slug


@dataclass(frozen=True)
class Snapshot:
    path: Path
    name: str
    created_at: dt.datetime
    files: int
    schools_reporting: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.created_at:%d/%m/%Y %H:%M})"


def snapshot_dir(db_path: Path) -> Path:
    return Path(db_path).parent / "snapshots"


def create_snapshot(db_path: Path, name: str, now: dt.datetime | None = None) -> Snapshot:
    """Freeze the warehouse as it is now under `name`. Raises ValueError with a Vietnamese message."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("cần đặt tên cho ảnh chụp số liệu, ví dụ \"Sơ kết HK I 2025-2026\"")
    db_path = Path(db_path)
    if not db_path.is_file():
        raise ValueError(f"{db_path}: chưa có kho dữ liệu để chụp")
    folder = snapshot_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:  # one snapshot at a time: a double click makes one, not two
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _create_locked(db_path, folder, name, now or dt.datetime.now())


def _create_locked(db_path: Path, folder: Path, name: str, now: dt.datetime) -> Snapshot:
    existing = [s for s in list_snapshots(db_path) if s.name.casefold() == name.casefold()]
    if existing:
        raise ValueError(f"đã có ảnh chụp tên \"{name}\" (tạo lúc {existing[0].created_at:%d/%m/%Y %H:%M}); "
                         "hãy đặt tên khác")
    stem = slug(name, "-")[:60] or "anh-chup"
    target = folder / f"{now:%Y%m%d-%H%M%S}-{stem}.duckdb"
    n = 1
    while target.exists():  # "Sơ kết HK I" and "So ket HK I" in the same second share a slug: never one file
        n += 1
        target = folder / f"{now:%Y%m%d-%H%M%S}-{stem}-{n}.duckdb"
    partial = target.with_name(target.name + ".part")
    try:
        with open(db_path, "rb") as source, open(partial, "wb") as copy:  # one inode: a load swapping in is harmless
            shutil.copyfileobj(source, copy)
        with duckdb.connect(str(partial)) as con:
            for key, value in (("snapshot_name", name), ("snapshot_created_at", now.isoformat(timespec="seconds")),
                               ("snapshot_source", str(db_path))):
                con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
            con.execute("CHECKPOINT")
        os.chmod(partial, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)  # a failed copy (full disk, corrupt warehouse) leaves nothing behind
    return read_snapshot(target)


def read_snapshot(path: Path) -> Snapshot:
    """The snapshot's name, date and counts; a snapshot never changes, so a file already read is not opened again
    (a hundred snapshots list at once on every page refresh)."""
    info = Path(path).stat()
    return _read_snapshot(str(path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=1024)
def _read_snapshot(path: str, mtime_ns: int, size: int) -> Snapshot:
    with duckdb.connect(str(path), read_only=True) as con:
        meta = dict(con.execute("SELECT key, value FROM meta WHERE key LIKE 'snapshot_%'").fetchall())
        files = con.execute("SELECT count(DISTINCT sha256) FROM load_log WHERE status <> 'registry'").fetchall()[0][0]
        schools = con.execute("SELECT count(DISTINCT school_code) FROM survey").fetchall()[0][0]
    return Snapshot(Path(path), meta["snapshot_name"], dt.datetime.fromisoformat(meta["snapshot_created_at"]),
                    files, schools)


def list_snapshots(db_path: Path) -> list[Snapshot]:
    """Snapshots next to a warehouse, newest first; unreadable files are skipped."""
    folder = snapshot_dir(db_path)
    found = []
    for path in sorted(folder.glob("*.duckdb")) if folder.is_dir() else []:
        try:
            found.append(read_snapshot(path))
        except (duckdb.Error, KeyError, ValueError, OSError):
            continue
    return sorted(found, key=lambda s: s.created_at, reverse=True)
