"""Everything decided before any file is written: registry, truth, and who plays which role."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..legacy_fonts import fix_legacy_text
from .assessment import AssessmentTruth, Inflation, build_assessments, plan_inflation
from .messy import name_variant
from .periods import PERIODS
from .registry import School, build_registry
from .rng import stream
from .values import assign_computer_profiles, make_profile, period_values


@dataclass
class Context:
    seed: int
    schools: list[School]
    profiles: dict
    survey: dict  # (code, period index) -> clean values (every school, every period)
    inflation: list[Inflation]
    assessments: AssessmentTruth
    not_reported: dict = field(default_factory=dict)  # period index -> set of codes
    form_codes: set = field(default_factory=set)  # schools sending a per-school form in 2024-2025 CN
    name_only: dict = field(default_factory=dict)  # (period index, code) -> written name (no code)
    legacy: dict = field(default_factory=dict)  # (period index, code) -> "tcvn3" | "vni"
    overrides: dict = field(default_factory=dict)  # (period index, code) -> {field: written value}

    @property
    def by_code(self) -> dict[str, School]:
        return {s.code: s for s in self.schools}

    def reported(self, t: int, levels: tuple | None = None) -> list[School]:
        skip = self.not_reported.get(t, set())
        return [s for s in self.schools if s.code not in skip and (levels is None or s.level in levels)]


def build_context(seed: int, n_schools: int) -> Context:
    schools = build_registry(seed, n_schools)
    profiles = {s.code: make_profile(seed, s) for s in schools}
    assign_computer_profiles(seed, schools, profiles)
    inflation = plan_inflation(seed, schools, profiles)
    survey = {(s.code, t): period_values(profiles[s.code], s, t)
              for s in schools for t in range(len(PERIODS))}
    assessments = build_assessments(seed, schools, profiles, survey, inflation)
    ctx = Context(seed, schools, profiles, survey, inflation, assessments)
    _pick_not_reported(ctx)
    _pick_forms(ctx)
    _pick_names(ctx)
    return ctx


def _pick_not_reported(ctx: Context) -> None:
    rng = stream(ctx.seed, "not-reported")
    counts = {lv: sum(1 for s in ctx.schools if s.level == lv) for lv in ("MN", "TH", "THCS", "TH_THCS")}
    protected = {c.school.code for c in ctx.inflation}
    pool = [s for s in ctx.schools if counts[s.level] >= 3 and s.code not in protected]
    for t in range(len(PERIODS)):
        k = round(0.035 * len(ctx.schools)) or (1 if t == 1 else 0)
        ctx.not_reported[t] = {s.code for s in rng.sample(pool, min(k, len(pool)))}


def _pick_forms(ctx: Context) -> None:
    """About a quarter of the schools answer 2024-2025 CN with a per-school form."""
    rng = stream(ctx.seed, "forms")
    reported = ctx.reported(2)
    k = max(3, round(0.25 * len(reported)))
    chosen = rng.sample(reported, min(k, len(reported)))
    ctx.form_codes = {s.code for s in chosen}


def legacy_safe(school: School, encoding: str) -> bool:
    """Only names that the legacy-font repair gives back letter for letter."""
    return fix_legacy_text(name_variant(school, encoding))[0] == school.name


def _free(ctx: Context, t: int, levels: tuple, exclude_forms: bool = False) -> list[School]:
    taken = {code for (tt, code) in list(ctx.name_only) + list(ctx.legacy) if tt == t}
    return [s for s in ctx.reported(t, levels) if s.code not in taken
            and (not exclude_forms or s.code not in ctx.form_codes)]


def _pick_names(ctx: Context) -> None:
    """Rows without a school code (matched by name within level) and names typed in legacy fonts."""
    rng = stream(ctx.seed, "names")
    general = ("TH", "THCS", "TH_THCS")
    plan = [(0, ("TH",), False), (1, ("TH",), False), (2, ("MN",), True)]
    for i, (t, levels, exclude_forms) in enumerate(plan):
        pool = _free(ctx, t, levels, exclude_forms)
        if pool:
            school = rng.choice(pool)
            ctx.name_only[(t, school.code)] = name_variant(school, "no_truong" if i % 2 else "full")
    forms = [s for s in ctx.reported(2) if s.code in ctx.form_codes and (2, s.code) not in ctx.name_only]
    if forms:
        school = rng.choice(forms)
        ctx.name_only[(2, school.code)] = school.name
    n_tcvn3 = 3 if len(ctx.schools) >= 40 else 1
    legacy_plan = [(0, ("MN",) + general, "tcvn3", n_tcvn3), (1, ("TH",), "vni", 1), (3, ("MN", "TH"), "tcvn3", 1)]
    for t, levels, encoding, k in legacy_plan:
        pool = [s for s in _free(ctx, t, levels) if legacy_safe(s, encoding)]
        for school in rng.sample(pool, min(k, len(pool))):
            ctx.legacy[(t, school.code)] = encoding
