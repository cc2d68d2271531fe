"""Writing accepted rows of a load into the warehouse copy: replace what they supersede, log everything."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.validate import reported
from etl.warehouse import WarehouseWrite, survey_columns


def _insert(con, table: str, rows: list[dict], columns: list[str]) -> None:
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=columns).astype(object).where(lambda f: f.notna(), None)
    con.register("incoming", frame)
    con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM incoming")
    con.unregister("incoming")


def _record_replacement(con, load_id: int, dataset: str, key: tuple, new_file: str, where: str, params: list
                        ) -> int:
    old = con.execute(f"SELECT DISTINCT source_file, load_id, source_sha256 FROM {where}", params).fetchall()
    for old_file, old_load, _ in old:
        con.execute("INSERT INTO replacements VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [load_id, dataset, key[0], key[1], key[2], old_file, old_load, new_file])
    return len(old)


def _replace(con, load_id: int, table: str, key_columns: tuple[str, str, str], keys: list[tuple],
             dataset: str | None = None, also: tuple[str, ...] = ()) -> dict[int, int]:
    """Set-based replacement: for the incoming keys (school, year, period or kind; plus the index of the file that
    brings each), record which stored rows they replace in `replacements` (one row per key and old file), delete
    those rows from `table` and the `also` tables, and return the number replaced per file index. One statement per
    step whatever the number of rows: a per-row query made a 10,000-school load spend minutes here."""
    if not keys:
        return {}
    a, b, c = key_columns
    frame = pd.DataFrame(keys, columns=["k1", "k2", "k3", "new_file", "file_index"])
    con.register("incoming_keys", frame)
    try:
        match = f"t.{a} = k.k1 AND t.{b} = k.k2 AND t.{c} = k.k3"
        dataset_sql = "?" if dataset else "'assessment_' || k.k3"  # assessment_self, assessment_verified
        period_sql = "k.k3" if table == "survey" else "NULL"
        con.execute(f"""INSERT INTO replacements
            SELECT DISTINCT ?, {dataset_sql}, k.k1, k.k2, {period_sql}, t.source_file, t.load_id, k.new_file
            FROM {table} t JOIN incoming_keys k ON {match}""", [load_id, dataset] if dataset else [load_id]).fetchall()
        counts = dict(con.execute(f"""SELECT file_index, count(*) FROM (
            SELECT DISTINCT k.file_index, k.k1, k.k2, k.k3, t.source_file, t.load_id
            FROM {table} t JOIN incoming_keys k ON {match}) GROUP BY file_index""").fetchall())
        for target in (table, *also):
            con.execute(f"DELETE FROM {target} t USING incoming_keys k WHERE {match}").fetchall()
    finally:
        con.unregister("incoming_keys")
    return counts


def _keep_unspoken(con, merged: dict[tuple, dict], spoken: dict[tuple, set], catalogue) -> list[dict]:
    """A file that has no column for a field says nothing about it: the stored value of such a field stays (put into
    the incoming row), and so does the cell it came from. Returns those cells, to be written back after the stored
    rows are replaced."""
    from etl.reference import ID_FIELDS

    fields = [c for c in catalogue.fields if c not in ID_FIELDS]
    partial = [key for key in merged if set(fields) - spoken[key]]
    if not partial:
        return []
    present = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'survey'").fetchall()}
    stored_fields = [f for f in fields if f in present]
    frame = pd.DataFrame(partial, columns=["k1", "k2", "k3"])
    con.register("partial_keys", frame)
    try:
        stored = con.execute(f"""SELECT s.school_code, s.school_year, s.period, {', '.join(stored_fields)}
            FROM survey s JOIN partial_keys k ON s.school_code = k.k1 AND s.school_year = k.k2 AND s.period = k.k3
            """).fetchall()
        cells = con.execute("""SELECT c.* FROM survey_cells c JOIN partial_keys k
            ON c.school_code = k.k1 AND c.school_year = k.k2 AND c.period = k.k3""").fetchdf()
    finally:
        con.unregister("partial_keys")
    kept = []
    for row in stored:
        key, old = tuple(row[:3]), dict(zip(stored_fields, row[3:]))
        unspoken = set(stored_fields) - spoken[key]
        merged[key].update({f: old[f] for f in unspoken})
        part = cells[(cells.school_code == key[0]) & (cells.school_year == key[1]) & (cells.period == key[2])
                     & cells.field.isin(unspoken)]
        kept += part.astype(object).where(part.notna(), None).to_dict("records")
    return kept


def store_results(write: WarehouseWrite, results: list, load_id: int, command: str, started_at: dt.datetime) -> None:
    """Write every accepted row of the load: replacements found and deleted with one statement per table, rows
    inserted as one batch per table, one log insert for all files."""
    con = write.con
    columns = list(survey_columns(write.catalogue))
    cell_rows, score_rows, survey_keys, score_keys = [], [], [], []
    merged: dict[tuple, dict] = {}  # school, year, period -> the row to store (parts of one report gathered)
    spoken: dict[tuple, set] = {}  # the fields the incoming files speak for
    for index, result in enumerate(results):
        survey, assessment, tasks = result.accepted()
        if survey or assessment or tasks:
            result.archive_path = write.archive(result.path, result.sha)
        for row in survey:
            key = (row.values["school_code"], row.values["school_year"], row.values["period"])
            survey_keys.append((*key, result.name, index))
            said = reported(row)
            values = {c: row.values.get(c) for c in write.catalogue.fields}
            if key in merged:  # another part of the same report in this load (checked not to disagree)
                values = {c: (values[c] if c in said or c not in spoken[key] else merged[key][c]) for c in values}
            merged[key] = {**values, "source_file": result.name, "source_sha256": result.sha, "source_sheet": row.sheet,
                           "source_row": row.row, "load_id": load_id, "warnings": len(row.warnings)}
            spoken[key] = spoken.get(key, set()) | said
            cell_rows += [{"school_code": key[0], "school_year": key[1], "period": key[2], "field": code,
                           "raw_value": None if cell.raw in (None, "") else str(cell.raw), "source_file": result.name,
                           "source_sheet": row.sheet, "cell": cell.ref, "load_id": load_id}
                          for code, cell in row.cells.items()]
        for rows in assessment:
            score_keys.append((rows.school_code, rows.school_year, rows.kind, result.name, index))
            score_rows += [{"school_code": rows.school_code, "school_year": rows.school_year, "kind": rows.kind,
                            "criterion": s["criterion"], "score": s["score"], "met": s["met"],
                            "evidence": s["evidence"], "source_file": result.name, "source_sha256": result.sha,
                            "source_sheet": rows.sheet, "source_cell": s["cell"], "load_id": load_id}
                           for s in rows.scores]
    kept_cells = _keep_unspoken(con, merged, spoken, write.catalogue)
    survey_rows = list(merged.values())
    cell_rows = list({(c["school_code"], c["school_year"], c["period"], c["field"]): c  # the latest cell of a field
                      for c in cell_rows}.values())
    replaced = _replace(con, load_id, "survey", ("school_code", "school_year", "period"), survey_keys,
                        dataset="survey", also=("survey_cells",))
    for index, count in _replace(con, load_id, "assessment_scores", ("school_code", "school_year", "kind"),
                                 score_keys).items():
        replaced[index] = replaced.get(index, 0) + count
    for index, count in replaced.items():
        results[index].replaced += count
    _insert(con, "survey", survey_rows, columns)
    _insert(con, "survey_cells", cell_rows + kept_cells, ["school_code", "school_year", "period", "field", "raw_value",
                                                          "source_file", "source_sheet", "cell", "load_id"])
    _insert(con, "assessment_scores", score_rows, list(score_rows[0]) if score_rows else [])
    for result in results:  # a whole year's list per file, in file order (few files, few rows)
        tasks = result.accepted()[2]
        if tasks:
            old = con.execute("SELECT count(*) FROM office_tasks WHERE plan_year = ?",
                              [result.task_year]).fetchall()[0][0]
            if old:
                result.replaced += _record_replacement(
                    con, load_id, "office_tasks", (None, str(result.task_year), None), result.name,
                    "(SELECT source_file, load_id, NULL AS source_sha256 FROM office_tasks WHERE plan_year = ?)",
                    [result.task_year])
            con.execute("DELETE FROM office_tasks WHERE plan_year = ?", [result.task_year])
            _insert(con, "office_tasks", [
                {"plan_year": result.task_year, "task_no": n, **{k: t.values.get(k) for k in (
                    "task", "owner", "due", "status", "status_code", "percent", "note")},
                 "source_file": result.name, "source_sheet": t.sheet, "source_row": t.row, "load_id": load_id}
                for n, t in enumerate(tasks, 1)],
                ["plan_year", "task_no", "task", "owner", "due", "status", "status_code", "percent", "note",
                 "source_file", "source_sheet", "source_row", "load_id"])
    _log_files(con, results, load_id, command, started_at)


LOG_COLUMNS = ["load_id", "started_at", "finished_at", "command", "file_name", "file_path", "sha256", "archive_path",
               "status", "layouts", "school_years", "periods", "rows_loaded", "rows_rejected", "rows_replaced",
               "warnings", "errors", "synthetic"]


def _log_files(con, results: list, load_id: int, command: str, started_at: dt.datetime) -> None:
    finished = dt.datetime.now()
    log = [[load_id, started_at, finished, command, r.name, str(r.path), r.sha, r.archive_path, r.status,
            ",".join(r.layouts), ",".join(sorted({p.split()[0] for p in r.periods()})), ",".join(r.periods()),
            r.rows_loaded, r.rows_rejected, r.replaced, r.log.count("warning"), r.log.count("error"), r.synthetic]
           for r in results]
    con.register("incoming_log", pd.DataFrame(log, columns=LOG_COLUMNS).astype(object).where(
        lambda f: f.notna(), None))
    try:
        con.execute("INSERT INTO load_log SELECT * FROM incoming_log").fetchall()
    finally:
        con.unregister("incoming_log")
    issues = [{"load_id": load_id, "file_name": i.file, "sha256": r.sha, "sheet": i.sheet, "cell": i.cell,
               "severity": i.severity, "code": i.code, "message": i.message, "school_code": i.school_code,
               "school_year": i.school_year, "period": i.period} for r in results for i in r.log.items]
    _insert(con, "load_issues", issues, list(issues[0]) if issues else [])
