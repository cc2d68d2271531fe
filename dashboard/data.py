"""Read-only access to the warehouse, safe for Streamlit's threads (a cursor per query).

The ETL replaces the warehouse file atomically; `Warehouse.version()` changes when it does, and
the connection is reopened on the new file, so a new load shows at once.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pandas as pd

from etl.settings import DEFAULT_DB
from etl.warehouse import open_read_only, read_cursor


def database_path() -> Path:
    return Path(os.environ.get("DX_DB", DEFAULT_DB))


class Warehouse:
    """`schools`: the codes a signed-in account may see (None: all); every query then reads only their rows."""

    def __init__(self, path: Path, schools: tuple[str, ...] | None = None):
        self.path = Path(path)
        self.schools = schools
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple | None = None

    def exists(self) -> bool:
        return self.path.exists()

    def version(self) -> str:
        """Changes whenever a load swaps in a new file."""
        stat = self.path.stat()
        return f"{stat.st_ino}-{stat.st_mtime_ns}-{stat.st_size}"

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for one query, on the file as it is now. The shared connection is only touched under
        the lock (two threads calling it at once are refused as "busy"). The connection to a file a load has just
        replaced is not closed here: other threads may be reading through it, and closing it under them fails
        their pages; it closes itself once its last cursor is gone."""
        stamp = self.version()
        with self._lock:
            if self._con is None or stamp != self._stamp:
                self._con = open_read_only(self.path, None if self.schools is None else list(self.schools))
                self._stamp = stamp
            return read_cursor(self._con)

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        cursor = self._cursor()
        try:
            return cursor.execute(sql, params or []).df()
        finally:
            cursor.close()

    def scalar(self, sql: str, params: list | None = None):
        cursor = self._cursor()
        try:
            row = cursor.execute(sql, params or []).fetchone()
            return row[0] if row else None
        finally:
            cursor.close()

    def run(self, reader):
        """`reader(cursor)` on the file as it is now, for the metric layer's readers that take a connection (e.g.
        etl.metrics.periods.period_coverage); the cursor sees the account's schools only, like every query."""
        cursor = self._cursor()
        try:
            return reader(cursor)
        finally:
            cursor.close()

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    def is_synthetic(self) -> bool:
        """True when the registry or any loaded file is marked as synthetic sample data."""
        if self.meta("registry_synthetic") == "True":
            return True
        return bool(self.scalar("SELECT count(*) FROM load_log WHERE synthetic"))
