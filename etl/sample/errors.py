"""Deliberate data errors, so that the loader's data-quality report has something to show."""
from __future__ import annotations

from dataclasses import dataclass

from .context import Context
from .messy import number_words
from .rng import stream
from .writers import a1


@dataclass
class PlannedError:
    kind: str
    t: int
    code: str
    field: str
    written: object
    true_value: object


def _candidates(ctx: Context, t: int, levels: tuple, used: set, need_prev: bool = False) -> list:
    busy = {code for (tt, code) in list(ctx.name_only) + list(ctx.legacy) if tt == t}
    pool = [s for s in ctx.reported(t, levels) if s.code not in busy and s.code not in used]
    if t == 2:
        pool = [s for s in pool if s.code not in ctx.form_codes]
    if need_prev:
        pool = [s for s in pool if s.code not in ctx.not_reported.get(t - 1, set())]
    return pool


def _wrong_code(code: str, registry: set, rng) -> str:
    while True:
        candidate = code[:2] + "".join(rng.sample(code[2:], 6))
        if candidate not in registry:
            return candidate


def _written(kind: str, true, values: dict, code: str, registry: set, rng):
    if kind == "text_in_number":
        return number_words(true)
    if kind == "sub_count_above_total":
        return values["students"] + rng.randint(35, 120)
    if kind == "negative_count":
        return -true
    if kind == "unknown_school_code":
        return _wrong_code(code, registry, rng)
    return true * 10  # implausible_jump: a zero typed too many


def plan_errors(ctx: Context) -> list[PlannedError]:
    rng = stream(ctx.seed, "errors")
    registry = {s.code for s in ctx.schools}
    plan = [("text_in_number", 0, ("MN",), "classes"), ("sub_count_above_total", 1, ("THCS",), "it_students"),
            ("negative_count", 2, ("MN", "TH", "THCS"), "teachers_trained"),
            ("unknown_school_code", 3, ("MN", "TH"), "school_code"), ("implausible_jump", 3, ("TH",), "students")]
    errors, used = [], set()
    for kind, t, levels, fld in plan:
        pool = _candidates(ctx, t, levels, used, need_prev=kind == "implausible_jump")
        pool = [s for s in pool if fld == "school_code" or (ctx.survey[(s.code, t)][fld] or 0) > 0]
        if kind == "text_in_number":  # prefer two-word numbers such as "mười hai"
            pool = [s for s in pool if ctx.survey[(s.code, t)][fld] % 10] or pool
        if not pool:
            continue
        school = rng.choice(pool)
        values = ctx.survey[(school.code, t)]
        true = school.code if fld == "school_code" else values[fld]
        written = _written(kind, true, values, school.code, registry, rng)
        used.add(school.code)
        ctx.overrides.setdefault((t, school.code), {})[fld] = written
        errors.append(PlannedError(kind, t, school.code, fld, written, true))
    return errors


def locate(errors: list[PlannedError], outputs: list) -> list[dict]:
    """Find the cell of every planned error in the files that were built."""
    found = []
    for err in errors:
        for out in outputs:
            if out.period_index != err.t:
                continue
            for sheet in out.book.sheets:
                cell = sheet.located.get((err.code, err.field))
                if cell is not None:
                    found.append({"file": out.book.path, "sheet": sheet.name, "cell": a1(*cell),
                                  "school_code": err.code, "kind": err.kind, "field": err.field,
                                  "written": err.written, "true_value": err.true_value,
                                  "school_year": out.school_year, "period": out.period})
    return found
