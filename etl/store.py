"""Writing accepted rows of a load into the warehouse copy: replace what they supersede, log everything."""
from __future__ import annotations

import datetime as dt

import pandas as pd

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


def store_results(write: WarehouseWrite, results: list, load_id: int, command: str, started_at: dt.datetime) -> None:
    con = write.con
    columns = list(survey_columns(write.catalogue))
    for result in results:
        survey, assessment, tasks = result.accepted()
        if survey or assessment or tasks:
            result.archive_path = write.archive(result.path, result.sha)
        survey_rows, cell_rows = [], []
        for row in survey:
            key = (row.values["school_code"], row.values["school_year"], row.values["period"])
            result.replaced += _record_replacement(
                con, load_id, "survey", key, result.name,
                "survey WHERE school_code = ? AND school_year = ? AND period = ?", list(key))
            con.execute("DELETE FROM survey WHERE school_code = ? AND school_year = ? AND period = ?", list(key))
            con.execute("DELETE FROM survey_cells WHERE school_code = ? AND school_year = ? AND period = ?", list(key))
            survey_rows.append({**{c: row.values.get(c) for c in write.catalogue.fields},
                                "source_file": result.name, "source_sha256": result.sha, "source_sheet": row.sheet,
                                "source_row": row.row, "load_id": load_id, "warnings": len(row.warnings)})
            cell_rows += [{"school_code": key[0], "school_year": key[1], "period": key[2], "field": code,
                           "raw_value": None if cell.raw in (None, "") else str(cell.raw), "source_file": result.name,
                           "source_sheet": row.sheet, "cell": cell.ref, "load_id": load_id}
                          for code, cell in row.cells.items()]
        _insert(con, "survey", survey_rows, columns)
        _insert(con, "survey_cells", cell_rows, ["school_code", "school_year", "period", "field", "raw_value",
                                                 "source_file", "source_sheet", "cell", "load_id"])
        score_rows = []
        for rows in assessment:
            key = (rows.school_code, rows.school_year, None)
            result.replaced += _record_replacement(
                con, load_id, f"assessment_{rows.kind}", key, result.name,
                "assessment_scores WHERE school_code = ? AND school_year = ? AND kind = ?",
                [rows.school_code, rows.school_year, rows.kind])
            con.execute("DELETE FROM assessment_scores WHERE school_code = ? AND school_year = ? AND kind = ?",
                        [rows.school_code, rows.school_year, rows.kind])
            score_rows += [{"school_code": rows.school_code, "school_year": rows.school_year, "kind": rows.kind,
                            "criterion": s["criterion"], "score": s["score"], "met": s["met"],
                            "evidence": s["evidence"], "source_file": result.name, "source_sha256": result.sha,
                            "source_sheet": rows.sheet, "source_cell": s["cell"], "load_id": load_id}
                           for s in rows.scores]
        _insert(con, "assessment_scores", score_rows, list(score_rows[0]) if score_rows else [])
        if tasks:
            old = con.execute("SELECT count(*) FROM office_tasks WHERE plan_year = ?", [result.task_year]).fetchone()[0]
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
        _log_file(con, result, load_id, command, started_at)


def _log_file(con, result, load_id: int, command: str, started_at: dt.datetime) -> None:
    years = sorted({p.split()[0] for p in result.periods()})
    periods = result.periods()
    con.execute("INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        load_id, started_at, dt.datetime.now(), command, result.name, str(result.path), result.sha,
        result.archive_path, result.status, ",".join(result.layouts), ",".join(years), ",".join(periods),
        result.rows_loaded, result.rows_rejected, result.replaced, result.log.count("warning"),
        result.log.count("error"), result.synthetic])
    issues = [{"load_id": load_id, "file_name": i.file, "sha256": result.sha, "sheet": i.sheet, "cell": i.cell,
               "severity": i.severity, "code": i.code, "message": i.message, "school_code": i.school_code,
               "school_year": i.school_year, "period": i.period} for i in result.log.items]
    _insert(con, "load_issues", issues, list(issues[0]) if issues else [])
