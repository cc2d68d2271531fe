"""The DuckDB warehouse: its tables, and writes that are all-or-nothing.

A write copies the current file to `<db>.tmp-<pid>`, changes the copy and renames it over the
original (os.replace is atomic), so a reader sees the old warehouse or the new one, never half a
load, and a crash or kill leaves the previous warehouse as it was. One writer at a time (a lock file).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
from functools import lru_cache
from pathlib import Path

import duckdb

from etl.reference import Catalogue
from etl.sql import identifier

SQL_TYPES = {"int": "BIGINT", "number": "DOUBLE", "percent": "DOUBLE", "bool": "BOOLEAN", "text": "VARCHAR",
             "enum": "VARCHAR"}

FIXED_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS schools (
    school_code VARCHAR PRIMARY KEY, school_name VARCHAR NOT NULL, level VARCHAR NOT NULL,
    ownership VARCHAR, ward_old VARCHAR, ward_new VARCHAR, ward_new_code INTEGER);
CREATE TABLE IF NOT EXISTS survey_cells (
    school_code VARCHAR, school_year VARCHAR, period VARCHAR, field VARCHAR, raw_value VARCHAR,
    source_file VARCHAR, source_sheet VARCHAR, cell VARCHAR, load_id INTEGER);
CREATE TABLE IF NOT EXISTS assessment_scores (
    school_code VARCHAR, school_year VARCHAR, kind VARCHAR, criterion VARCHAR, score DOUBLE, met BOOLEAN,
    evidence VARCHAR, source_file VARCHAR, source_sha256 VARCHAR, source_sheet VARCHAR, source_cell VARCHAR,
    load_id INTEGER, PRIMARY KEY (school_code, school_year, kind, criterion));
CREATE TABLE IF NOT EXISTS office_tasks (
    plan_year INTEGER, task_no INTEGER, task VARCHAR, owner VARCHAR, due DATE, status VARCHAR,
    status_code VARCHAR, percent DOUBLE, note VARCHAR, source_file VARCHAR, source_sheet VARCHAR,
    source_row INTEGER, load_id INTEGER);
CREATE TABLE IF NOT EXISTS load_log (
    load_id INTEGER, started_at TIMESTAMP, finished_at TIMESTAMP, command VARCHAR, file_name VARCHAR,
    file_path VARCHAR, sha256 VARCHAR, archive_path VARCHAR, status VARCHAR, layouts VARCHAR,
    school_years VARCHAR, periods VARCHAR, rows_loaded INTEGER, rows_rejected INTEGER, rows_replaced INTEGER,
    warnings INTEGER, errors INTEGER, synthetic BOOLEAN);
CREATE TABLE IF NOT EXISTS load_issues (
    load_id INTEGER, file_name VARCHAR, sha256 VARCHAR, sheet VARCHAR, cell VARCHAR, severity VARCHAR,
    code VARCHAR, message VARCHAR, school_code VARCHAR, school_year VARCHAR, period VARCHAR);
CREATE TABLE IF NOT EXISTS replacements (
    load_id INTEGER, dataset VARCHAR, school_code VARCHAR, school_year VARCHAR, period VARCHAR,
    old_file VARCHAR, old_load_id INTEGER, new_file VARCHAR);
"""

ASSESSMENT_VIEW = """
CREATE OR REPLACE VIEW assessment_4725 AS
WITH keys AS (SELECT DISTINCT school_code, school_year, criterion FROM assessment_scores)
SELECT k.school_code, k.school_year, k.criterion,
       s.score AS self_score, v.score AS verified_score,
       s.met AS self_met, v.met AS verified_met, coalesce(v.met, s.met) AS mandatory_met,
       coalesce(s.evidence, v.evidence) AS evidence,
       s.source_file AS self_source_file, s.source_sheet AS self_source_sheet, s.source_cell AS self_source_cell,
       v.source_file AS verified_source_file, v.source_sheet AS verified_source_sheet,
       v.source_cell AS verified_source_cell
FROM keys k
LEFT JOIN assessment_scores s ON s.kind = 'self' AND (s.school_code, s.school_year, s.criterion)
     = (k.school_code, k.school_year, k.criterion)
LEFT JOIN assessment_scores v ON v.kind = 'verified' AND (v.school_code, v.school_year, v.criterion)
     = (k.school_code, k.school_year, k.criterion);
"""


def survey_columns(catalogue: Catalogue) -> dict[str, str]:
    columns = {code: SQL_TYPES[f.type] for code, f in catalogue.fields.items()}
    columns.update({"source_file": "VARCHAR", "source_sha256": "VARCHAR", "source_sheet": "VARCHAR",
                    "source_row": "INTEGER", "load_id": "INTEGER", "warnings": "INTEGER"})
    return columns


def ensure_schema(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
    """The tables, the catalogues, the settings and the metric views as this code, catalogue and settings make them.
    A warehouse whose last write was made by the same code, catalogue and settings (its `schema_fingerprint`, stamped
    with the data_version of that write, and the settings its metric views were published with) has them already:
    rewriting the catalogues and re-creating every metric view was most of the cost of a small load (one school's file
    from the queue), so it is skipped."""
    from etl.metrics import METRIC_SETTINGS
    from etl.settings import load_settings
    from etl.submissions import TABLES as SUBMISSION_TABLES

    settings = load_settings()
    fingerprint = _schema_fingerprint(catalogue, settings)
    if _published(con, fingerprint, [settings[name] for name in METRIC_SETTINGS]):
        return
    con.execute(FIXED_TABLES)
    con.execute(SUBMISSION_TABLES)
    columns = survey_columns(catalogue)
    con.execute("CREATE TABLE IF NOT EXISTS survey (" + ", ".join(f"{identifier(c, 'survey_fields.csv')} {t}"
                                                                  for c, t in columns.items())
                + ", PRIMARY KEY (school_code, school_year, period))")
    existing = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'survey'").fetchall()}
    for name, sql_type in columns.items():
        if name not in existing:  # a field added to survey_fields.csv after earlier loads
            con.execute(f"ALTER TABLE survey ADD COLUMN {identifier(name, 'survey_fields.csv')} {sql_type}")
    con.execute(ASSESSMENT_VIEW)
    _write_reference(con, catalogue)
    from etl.metrics import publish  # the metric views are rebuilt whenever what they are made of changed
    publish(con, catalogue, settings)
    set_meta(con, "metric_macros", macros_fingerprint())
    set_meta(con, SCHEMA_FINGERPRINT, fingerprint)


SCHEMA_FINGERPRINT, SCHEMA_STAMP = "schema_fingerprint", "schema_stamp"


def _reference_records(catalogue: Catalogue) -> dict[str, list[dict]]:
    return {
        "ref_survey_fields": [{"code": f.code, "label_vi": f.label_vi, "type": f.type, "unit": f.unit,
                               "required": f.required, "applies_to": "|".join(f.applies_to), "rule": f.rule,
                               "pillar": f.pillar} for f in catalogue.fields.values()],
        "ref_criteria_4725": catalogue.criteria,
        "ref_plan_indicators": catalogue.indicators,
        "ref_units": catalogue.units,
    }


def _schema_fingerprint(catalogue: Catalogue, settings: dict) -> str:
    """Everything ensure_schema writes is made of: the code that writes it (this module, the submission tables, the
    metric layer's SQL and Python), the catalogues and every setting."""
    from etl.metrics import HERE as METRICS_DIR
    from etl.submissions import TABLES as SUBMISSION_TABLES

    digest = hashlib.sha256()
    sources = [Path(__file__), *sorted(p for p in METRICS_DIR.iterdir() if p.suffix in (".py", ".sql", ".toml"))]
    for part in (*(p.read_bytes() for p in sources), SUBMISSION_TABLES,
                 json.dumps(survey_columns(catalogue)), json.dumps(_reference_records(catalogue), default=str),
                 json.dumps(catalogue.versions, sort_keys=True, default=str),
                 json.dumps(settings, sort_keys=True, default=str)):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _published(con: duckdb.DuckDBPyConnection, fingerprint: str, metric_settings: list) -> bool:
    """Whether the warehouse's schema, catalogues and metric views were made with this fingerprint, by its last write
    (a write by code that keeps no fingerprint, say an older version of the app, leaves the stamp behind the
    data_version), its metric views still published with these settings (etl.metrics.publish called on its own)."""
    try:
        meta = dict(con.execute("SELECT key, value FROM meta WHERE key IN (?, ?, ?)",
                                [SCHEMA_FINGERPRINT, SCHEMA_STAMP, "data_version"]).fetchall())
        if meta.get(SCHEMA_FINGERPRINT) != fingerprint or meta.get(SCHEMA_STAMP) != meta.get("data_version"):
            return False
        rows = con.execute("SELECT * FROM metric_settings").fetchall()
    except duckdb.CatalogException:  # a new warehouse: no meta or no metric_settings yet
        return False
    return len(rows) == 1 and list(rows[0]) == list(metric_settings)


@lru_cache(maxsize=1)
def macros_fingerprint() -> str:
    from etl.metrics import macro_statements

    return hashlib.sha256("\n".join(macro_statements()).encode()).hexdigest()


def _write_reference(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
    """The catalogues travel with the data, so a snapshot or a reader outside the app has them."""
    import pandas as pd

    tables = {name: pd.DataFrame(records) for name, records in _reference_records(catalogue).items()}
    for name, frame in tables.items():
        con.register("frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM frame")
        con.unregister("frame")
    for name, version in catalogue.versions.items():
        set_meta(con, f"version_{name}", version)


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: object) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, None if value is None else str(value)])


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    row = rows[0] if rows else None
    return row[0] if row else None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Busy(Exception):
    pass


class WarehouseError(Exception):
    """The warehouse cannot be written or read; the message says in Vietnamese what happened and what to do. The
    previous warehouse is untouched (a write changes a copy)."""

    @classmethod
    def from_os(cls, db_path: Path, exc: OSError) -> "WarehouseError":
        import errno

        where = f"{db_path.name} (thư mục {db_path.parent})"
        if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
            what = "ổ đĩa đã đầy, không còn chỗ cho bản sao tạm của kho dữ liệu; hãy giải phóng dung lượng rồi chạy lại"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            what = ("không có quyền ghi vào thư mục của kho dữ liệu (hoặc ổ đĩa chỉ cho đọc); hãy cấp quyền ghi rồi "
                    "chạy lại")
        else:
            what = f"không ghi được vào kho dữ liệu (lỗi hệ thống {exc.errno}); hãy kiểm tra ổ đĩa rồi chạy lại"
        return cls(f"{where}: {what}. Kho dữ liệu trước đó vẫn giữ nguyên.")

    @classmethod
    def from_duckdb(cls, db_path: Path, exc: Exception) -> "WarehouseError":
        import errno

        if "No space left" in str(exc) or "Disk full" in str(exc):
            return cls.from_os(db_path, OSError(errno.ENOSPC, "no space"))
        return cls(f"{db_path.name}: tệp kho dữ liệu bị hỏng, không mở được. Hãy khôi phục từ một bản chụp (xem "
                   "python -m etl snapshot list; bản chụp nằm trong thư mục snapshots) hoặc từ bản sao lưu, hoặc "
                   "dựng lại từ các tệp đã lưu trong thư mục archive bằng python -m etl load.")


class WarehouseWrite:
    """`with WarehouseWrite(db) as w:` changes a copy; leaving the block normally swaps it in,
    an exception (or `w.discard()`) throws the copy away."""

    def __init__(self, db_path: Path, catalogue: Catalogue, source: Path | None = None):
        self.db_path = Path(db_path)
        self.source = Path(source) if source else self.db_path  # a kept version, when undoing a load
        self._version: dict | None = None
        self.catalogue = catalogue
        self.tmp_path = self.db_path.with_name(f"{self.db_path.name}.tmp-{os.getpid()}")
        self.lock_path = self.db_path.with_name(f"{self.db_path.name}.lock")
        self.archive_dir = self.db_path.parent / "archive"
        self._discard = False
        self.con: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> "WarehouseWrite":
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.lock_path, "w")
        except OSError as exc:
            raise WarehouseError.from_os(self.db_path, exc) from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise Busy(f"{self.db_path.name}: đang có một lần nạp khác ghi vào kho dữ liệu; hãy chờ rồi chạy "
                       "lại") from None
        try:
            self._remove_stale_copies()
            if self.source.exists():
                shutil.copyfile(self.source, self.tmp_path)
            self.con = duckdb.connect(str(self.tmp_path))
            ensure_schema(self.con, self.catalogue)
        except BaseException as exc:
            if self.con is not None:
                self.con.close()
            self.tmp_path.unlink(missing_ok=True)
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            if isinstance(exc, OSError):
                raise WarehouseError.from_os(self.db_path, exc) from None
            if isinstance(exc, duckdb.Error):
                raise WarehouseError.from_duckdb(self.db_path, exc) from None
            raise
        return self

    def _remove_stale_copies(self) -> None:
        for stale in self.db_path.parent.glob(f"{self.db_path.name}.tmp-*"):
            stale.unlink(missing_ok=True)  # left by a crashed or killed load; we hold the lock

    def discard(self) -> None:
        self._discard = True

    def keep_version(self, meta: dict) -> None:
        """Keep the warehouse as it is before this write (for undo), described by `meta` (load_id, files...)."""
        self._version = meta

    def _save_version(self) -> None:
        """The current file becomes a kept version: a hard link (no copy; a write never changes a file in place, it
        replaces it), then the oldest versions past `keep_versions` are removed."""
        from etl.settings import setting

        if self._version is None or not self.db_path.exists():
            return
        folder = versions_folder(self.db_path)
        folder.mkdir(exist_ok=True)
        stem = f"{dt.datetime.now():%Y%m%d-%H%M%S-%f}-{self._version.get('load_id', 0):06d}"
        target = folder / f"{stem}.duckdb"
        try:
            os.link(self.db_path, target)
        except OSError:
            shutil.copyfile(self.db_path, target)
        meta = {**self._version, "warehouse": self.db_path.name}  # the folder may hold several warehouses
        (folder / f"{stem}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        keep = max(int(setting("keep_versions")), 0)
        for old in [v for v in sorted(folder.glob("*.json")) if version_of(v, self.db_path)][:-keep or None]:
            old.with_suffix(".duckdb").unlink(missing_ok=True)
            old.unlink(missing_ok=True)

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.con is not None:
                if exc_type is None and not self._discard:
                    version = dt.datetime.now().isoformat(timespec="microseconds")
                    set_meta(self.con, "data_version", version)
                    set_meta(self.con, SCHEMA_STAMP, version)  # ensure_schema made this write's schema_fingerprint true
                    self.con.execute("CHECKPOINT")
                self.con.close()
            if exc_type is None and not self._discard:
                with open(self.tmp_path, "rb") as fh:
                    os.fsync(fh.fileno())
                self._save_version()
                os.replace(self.tmp_path, self.db_path)
                dir_fd = os.open(self.db_path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        except OSError as error:
            raise WarehouseError.from_os(self.db_path, error) from None
        except duckdb.Error as error:
            raise WarehouseError.from_duckdb(self.db_path, error) from None
        finally:
            self.tmp_path.unlink(missing_ok=True)
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    def archive(self, path: Path, sha: str) -> str:
        """Keep the original file under its content hash; returns the path relative to the warehouse."""
        target = self.archive_dir / sha[:2] / f"{sha}{path.suffix.lower()}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            shutil.copyfile(path, partial)
            os.replace(partial, target)
        return str(target.relative_to(self.db_path.parent))

    def next_load_id(self) -> int:
        """One more than any load this warehouse has known, an undone one included: a number is never used twice
        (the audit record, the submission store and the kept versions refer to loads by number)."""
        undone = ("UNION ALL SELECT undone_load_id FROM undo_log" if self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'undo_log'").fetchall()[0][0] else "")
        return self.con.execute(f"SELECT coalesce(max(load_id), 0) + 1 FROM (SELECT load_id FROM load_log {undone})"
                                ).fetchall()[0][0]


SEARCH_PATH = "SET search_path = 'memory.main,warehouse.main'"


def open_read_only(path: Path, schools: list[str] | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse file as it is now. `duckdb.connect(path)` hands back the database
    this process already has open under that path, even after a load has replaced the file (DuckDB's instance
    cache), so a reader would keep seeing the old figures; attaching the file to a new in-memory database opens
    the current file. Cursors of the connection start in the in-memory database: use `read_cursor`.

    With `schools` (the codes an account may see), every table and view that has a school_code is shadowed, in the
    in-memory database that comes first on the search path, by a view of those schools' rows only, and the load log
    by the loads that brought them: the scope holds for every query, whatever page or export asks."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH '" + str(path).replace("'", "''") + "' AS warehouse (READ_ONLY)")
        if schools is not None:
            _scope_views(con, schools)
        if not _has_current_macros(con):
            _older_warehouse_macros(con)
        con.execute(SEARCH_PATH)
    except BaseException:
        con.close()
        raise
    return con


def _has_current_macros(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the attached warehouse was published with today's macros (then none is missing: listing DuckDB's
    functions to find out cost more than the rest of opening the warehouse)."""
    try:
        rows = con.execute("SELECT value FROM warehouse.main.meta WHERE key = 'metric_macros'").fetchall()
    except duckdb.CatalogException:
        return False
    return bool(rows) and rows[0][0] == macros_fingerprint()


def _older_warehouse_macros(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse or snapshot written before a macro of the metric layer existed gets it in the in-memory database,
    so today's queries read it; one that has the macro keeps its own."""
    import re

    from etl.metrics import macro_statements

    have = {r[0] for r in con.execute("SELECT function_name FROM duckdb_functions() WHERE database_name = 'warehouse'"
                                      " AND function_type = 'macro'").fetchall()}
    for statement in macro_statements():
        name = re.search(r"MACRO (\w+)", statement)[1]
        if name not in have:
            con.execute(statement.replace(f"MACRO {name}", f"MACRO memory.main.{name}", 1))


def _scope_views(con: duckdb.DuckDBPyConnection, schools: list[str]) -> None:
    con.execute("CREATE TABLE memory.main.scope_schools AS SELECT unnest(?::VARCHAR[]) AS school_code", [schools])
    relations = con.execute("""SELECT table_name FROM information_schema.columns WHERE table_catalog = 'warehouse'
                               AND table_schema = 'main' AND column_name = 'school_code' ORDER BY 1""").fetchall()
    for (name,) in relations:
        con.execute(f'CREATE VIEW memory.main."{name}" AS SELECT * FROM warehouse.main."{name}" '
                    "WHERE school_code IN (SELECT school_code FROM memory.main.scope_schools)")
    con.execute("""CREATE VIEW memory.main.load_log AS SELECT * FROM warehouse.main.load_log
                   WHERE sha256 IN (SELECT source_sha256 FROM memory.main.survey
                                    UNION SELECT source_sha256 FROM memory.main.assessment_scores
                                    UNION SELECT sha256 FROM memory.main.load_issues)""")


def read_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of an `open_read_only` connection (one per thread), reading the warehouse's tables (through the
    scope's views, if the connection has them)."""
    cursor = con.cursor()
    cursor.execute(SEARCH_PATH)
    return cursor


def versions_folder(db_path: Path) -> Path:
    return Path(db_path).parent / "versions"


def version_of(meta_path: Path, db_path: Path) -> dict | None:
    """The description of a kept version if it was kept for this warehouse (versions from before this was recorded
    count for any), else None: undo must never put another warehouse's state in place."""
    try:
        meta = json.loads(Path(meta_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if meta.get("warehouse", Path(db_path).name) == Path(db_path).name else None


def restore_version(db_path: Path, version: dict) -> dict:
    """Put the kept version `version` (from etl.intake.list_versions) back as the warehouse, atomically and under
    the write lock, and record the undo in it (table undo_log); the version is used up."""
    from etl.reference import load_catalogue
    from etl.submissions import CARRIED_TABLES

    source = Path(version["path"])
    with WarehouseWrite(db_path, load_catalogue(), source=source) as write:
        write.con.execute("""CREATE TABLE IF NOT EXISTS undo_log (undone_load_id INTEGER, files VARCHAR,
                             command VARCHAR, undone_at TIMESTAMP)""")
        # what was decided since that version (approvals, locks, earlier undos) is not part of the load undone
        write.con.execute("ATTACH '" + str(db_path).replace("'", "''") + "' AS current_state (READ_ONLY)")
        for table in CARRIED_TABLES:
            if write.con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'current_state' "
                                 "AND table_name = ?", [table]).fetchall()[0][0]:
                write.con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM current_state.{table}")
        write.con.execute("DETACH current_state")
        write.con.execute("INSERT INTO undo_log VALUES (?, ?, ?, ?)",
                          [version.get("load_id"), ", ".join(version.get("files", [])), version.get("command"),
                           dt.datetime.now()])
    source.unlink(missing_ok=True)
    source.with_suffix(".json").unlink(missing_ok=True)
    return version
