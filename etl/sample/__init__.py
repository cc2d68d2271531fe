"""Synthetic sample data for the dashboard: a school registry, survey and 4725 files with the
messiness of real spreadsheets, and a manifest holding the truth they encode.

All of it is fake ("Dữ liệu giả lập – không phải số liệu thật").
"""
from __future__ import annotations

import json
from pathlib import Path

from .assessment_files import assessment_files
from .context import build_context
from .errors import locate, plan_errors
from .layouts import registry_sheet, task_sheet
from .manifest import build_manifest
from .output import FileOut
from .registry import build_registry, write_registry_csv
from .survey_files import period_2023_cn, period_2024_cn, period_2024_hk1, period_2025_hk1
from .writers import Book, a1, write

__all__ = ["generate", "write_registry_csv", "build_registry"]


def _misc_files(ctx) -> list[FileOut]:
    registry = Book("danh_muc_truong.xlsx", [registry_sheet.build(ctx.schools)])
    tasks = Book("nhiem_vu_phong_2025.xlsx", [task_sheet.build()])
    return [FileOut(registry, "registry", info={"format": "xlsx", "n_schools": len(ctx.schools)}),
            FileOut(tasks, "task_sheet", info={"format": "xlsx", "plan_year": 2025, "n_schools": 0,
                                               "n_tasks": len(task_sheet.TASKS)})]


def _find(outputs: list, t: int, key: tuple):
    for out in outputs:
        if out.period_index == t:
            for sheet in out.book.sheets:
                if key in sheet.located:
                    return out, sheet, sheet.located[key]
    return None


def _messiness(ctx, outputs: list) -> dict:
    def where(t, code, extra):
        found = _find(outputs, t, (code, "school_name"))
        if not found:
            return None
        out, sheet, cell = found
        return {"file": out.book.path, "sheet": sheet.name, "cell": a1(*cell), "school_code": code,
                "written": sheet.value(*cell), **extra}
    name_only = [where(t, code, {}) for (t, code) in sorted(ctx.name_only)]
    legacy = [where(t, code, {"encoding": enc}) for (t, code), enc in sorted(ctx.legacy.items())]
    return {
        "name_only_rows": [x for x in name_only if x],
        "legacy_font_names": [x for x in legacy if x],
        "nfd_files": sorted({o.book.path for o in outputs if o.book.path.endswith("THCS_CDS_HK1_2024-2025.xlsx")}),
        "assessment_forms_without_code": [o.book.path for o in outputs
                                          if o.layout == "assessment_form" and not o.info["code_in_title"]],
    }


def _remove_previous(out_dir: Path) -> None:
    """Delete the files of an earlier run (as listed in its manifest), so that none is left stale."""
    old = out_dir / "manifest.json"
    if not old.is_file():
        return
    try:
        listed = [f["path"] for f in json.loads(old.read_text(encoding="utf-8"))["files"]]
    except (ValueError, KeyError, TypeError):
        return
    for rel in listed:
        target = (out_dir / rel).resolve()
        if target.is_file() and out_dir.resolve() in target.parents:
            target.unlink()


def generate(out_dir: Path, seed: int = 2025, n_schools: int = 140) -> dict:
    """Write every sample file into out_dir and return the manifest (also written as manifest.json)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous(out_dir)
    ctx = build_context(seed, n_schools)
    planned = plan_errors(ctx)
    outputs = (_misc_files(ctx) + period_2023_cn(ctx) + period_2024_hk1(ctx) + period_2024_cn(ctx)
               + period_2025_hk1(ctx) + assessment_files(ctx))
    for out in outputs:
        write(out.book, out_dir)
    manifest = build_manifest(ctx, outputs, locate(planned, outputs), _messiness(ctx, outputs))
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False)
    (out_dir / "manifest.json").write_text(text + "\n", encoding="utf-8")
    return json.loads(text)
