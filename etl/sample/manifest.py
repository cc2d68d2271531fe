"""The manifest: which files exist, what they carry, and the truth a loader must recover."""
from __future__ import annotations

from .assessment import assessment_rows
from .context import Context
from .layouts.task_sheet import task_truth
from .periods import PERIODS
from .reference import fields
from .registry import LEVEL_VI

ID_FIELDS = ("school_name", "level", "ownership", "ward_old")


def survey_truth(ctx: Context, outputs: list) -> list[dict]:
    """One row per school row in the files; fields a file does not carry are None."""
    rows = []
    for out in outputs:
        for code, carried in out.survey_rows:
            school, t = ctx.by_code[code], out.period_index
            values = ctx.survey[(code, t)]
            row = {"school_code": code, "school_year": out.school_year, "period": out.period}
            for fld in fields():
                if fld.code in ("school_code", "school_year", "period"):
                    continue
                if fld.code in ID_FIELDS:
                    row[fld.code] = {"school_name": school.name, "level": school.level,
                                     "ownership": school.ownership, "ward_old": school.ward_old}[fld.code]
                else:
                    row[fld.code] = values[fld.code] if fld.code in carried else None
            row["file"] = out.book.path
            rows.append(row)
    return sorted(rows, key=lambda r: (r["school_year"], r["period"], r["school_code"]))


def registry_entry(school) -> dict:
    return {"school_code": school.code, "school_name": school.name, "level": school.level,
            "level_vi": LEVEL_VI[school.level], "ownership": school.ownership, "ward_old": school.ward_old,
            "ward_new": school.ward_new, "ward_new_code": school.ward_new_code}


def file_entries(outputs: list) -> list[dict]:
    entries = []
    for out in outputs:
        entry = {"path": out.book.path, "layout": out.layout, "school_year": out.school_year,
                 "period": out.period, "sheets": [s.name for s in out.book.sheets]}
        entry.update(out.info)
        entry.setdefault("n_schools", len(out.survey_rows) + len(out.assessment_rows))
        entries.append(entry)
    return sorted(entries, key=lambda e: e["path"])


def build_manifest(ctx: Context, outputs: list, errors: list[dict], messiness: dict) -> dict:
    return {
        "synthetic": "Dữ liệu giả lập – không phải số liệu thật",
        "seed": ctx.seed,
        "n_schools": len(ctx.schools),
        "periods": [list(p) for p in PERIODS],
        "files": file_entries(outputs),
        "registry": [registry_entry(s) for s in ctx.schools],
        "truth": {
            "survey": survey_truth(ctx, outputs),
            "assessment": assessment_rows(ctx.assessments),
            "tasks": task_truth(),
        },
        "injected_errors": errors,
        "inflated_self_scores": ctx.assessments.inflated,
        "boundary_scores": ctx.assessments.boundary,
        "not_reported": [{"school_code": code, "school_year": y, "period": p}
                         for t, (y, p) in enumerate(PERIODS)
                         for code in sorted(ctx.not_reported.get(t, set()))],
        "not_assessed": ctx.assessments.not_assessed,
        "messiness": messiness,
    }
