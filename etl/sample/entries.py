"""Turn the truth of one school and period into a row as one file writes it."""
from __future__ import annotations

from .context import Context
from .labels import PILLAR_GROUP, SUBGROUP, label, wrapped
from .layouts.survey_table import Column, Entry
from .messy import name_variant
from .reference import field_map, metric_fields
from .registry import LEVEL_VI, OWNERSHIP_VI, School

PILLAR_ORDER = ("scale", "infrastructure", "platforms", "data", "people", "security", "government",
                "institutions", "awareness")


def make_entry(ctx: Context, school: School, t: int, kinds: tuple, rng, code_as_number: bool = False,
               extras: dict | None = None) -> Entry:
    key = (t, school.code)
    if key in ctx.name_only:
        name, code = ctx.name_only[key], None
    else:
        code = int(school.code) if code_as_number else school.code
        name = name_variant(school, ctx.legacy.get(key) or rng.choice(kinds))
    return Entry(school=school, values=ctx.survey[(school.code, t)], name=name, code=code,
                 overrides=dict(ctx.overrides.get(key, {})), extras=dict(extras or {}))


def id_extras(school: School, **more) -> dict:
    base = {"level": LEVEL_VI[school.level], "ownership": OWNERSHIP_VI[school.ownership],
            "ward_old": school.ward_old, "ward_new": school.ward_new,
            "phone": f"0238.3{school.code[2:5]}.{school.code[5:8]}"}
    base.update(more)
    return base


def field_columns(codes: list[str], choice: int = 0, overrides: dict | None = None, wrap: bool = False,
                  subgroups: bool = False) -> list[Column]:
    cols = []
    for code in codes:
        fld = field_map()[code]
        text = label(code, (overrides or {}).get(code, choice))
        cols.append(Column(code, wrapped(text) if wrap else text, PILLAR_GROUP[fld.pillar],
                           SUBGROUP.get(code) if subgroups else None, width=12))
    return cols


def ordered_codes(levels: tuple, pillars: tuple = PILLAR_ORDER, omit: tuple = ()) -> list[str]:
    """Metric fields applying to any of the levels, grouped by pillar in the given order."""
    chosen = [f for f in metric_fields() if any(f.applies(lv) for lv in levels) and f.code not in omit]
    return [f.code for p in pillars for f in chosen if f.pillar == p]
