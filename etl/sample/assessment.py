"""The synthetic truth of the 4725 self-assessment and its verification."""
from __future__ import annotations

from dataclasses import dataclass

from . import reference
from .periods import PERIODS, YEARS_4725
from .registry import School
from .rng import round_half, stream
from .values import TARGET, Profile, lesson_ratio_met

CN_INDEX = {year: PERIODS.index((year, "CN")) for year in YEARS_4725}
ADJUSTABLE = {1: ("1.4", "1.5.1", "1.6.2", "1.3.2", "1.3.3", "1.3.4", "1.5.2", "1.3.1", "1.3.5"),
              2: ("2.3.5", "2.3.6", "2.5", "2.3.4", "2.3.7", "2.3.1", "2.3.2")}  # not tied to the survey
INFLATION = ("2.3.3", "1.7.3", "2.4.3", "1.7.2")
REASONS = {
    "2.3.3": "Tự chấm đủ điểm 2.3.3 nhưng khảo sát ghi chưa dùng sổ điểm điện tử",
    "1.7.3": "Tự chấm điểm 1.7.3 nhưng khảo sát ghi không có phòng studio",
    "2.4.3": "Tự chấm cao 2.4.3 nhưng tỷ lệ thu không dùng tiền mặt dưới 30%",
    "1.7.2": "Tự chấm điểm 1.7.2 nhưng trường chưa đạt tỷ lệ HS/máy trong giờ Tin học",
}


@dataclass
class Inflation:
    school: School
    criterion: str
    year: str = "2024-2025"


def plan_inflation(seed: int, schools: list[School], profiles: dict[str, Profile]) -> list[Inflation]:
    """Pick the schools that will over-score themselves, and bend their survey answers to match."""
    rng = stream(seed, "inflation")
    pool = [s for s in schools if s.level in TARGET and profiles[s.code].computers != "no_room"]
    cases = []
    for school, criterion in zip(rng.sample(pool, min(len(INFLATION), len(pool))), INFLATION):
        prof = profiles[school.code]
        if criterion == "2.3.3":
            prof.forced.update(e_gradebook=3, e_transcript=3)
        elif criterion == "1.7.3":
            prof.forced["has_studio"] = 99
        elif criterion == "2.4.3":
            prof.forced["cashless_pct"] = [12, 15.5, 21, 27]
        else:
            prof.computers, prof.fix_year, prof.margin = "short", None, max(prof.margin, 3)
        cases.append(Inflation(school, criterion))
    return cases


def _frac(prof: Profile, yi: int, rng, shift: float = 0.0) -> float:
    return max(0.0, min(1.0, prof.maturity + 0.12 * yi + shift + rng.uniform(-0.2, 0.2)))


def _survey_linked(v: dict, school: School) -> dict:
    """Scores that follow from the survey answers of the same school year."""
    teachers = max(1, v["teachers"])
    ratio = lesson_ratio_met(school, v)
    gradebook = 10 if v["e_gradebook"] and v["e_transcript"] else (6 if v["e_gradebook"] else 0)
    return {
        "1.6.1": round_half(7 * v["teachers_trained"] / teachers),
        "1.6.3": round_half(min(6, 12 * v["teachers_making_materials"] / teachers)),
        "1.7.1": round_half(8 * v["rooms_projector_internet"] / max(1, v["classrooms"])),
        "1.7.2": 7 if ratio else (3.5 if v["it_rooms"] else 0),
        "1.7.3": 5 if v["has_studio"] else 0,
        "2.3.3": gradebook,
        "2.3.8": 6 if v["results_synced"] else 2,
        "2.4.1": 8 if v["parent_app"] else 2,
        "2.4.2": 12 if v["online_enrolment"] else 0,
        "2.4.3": round_half(v["cashless_pct"] / 10),
    }


def self_scores(seed: int, school: School, prof: Profile, v: dict, year: str) -> dict:
    """criterion code -> points (float/int) or met (bool) for mandatory conditions."""
    rng = stream(seed, "4725", school.code, year)
    yi = YEARS_4725.index(year)
    linked = _survey_linked(v, school)
    scores: dict = {}
    for crit in reference.criteria():
        if crit.mandatory:
            flag = {"1.1": v["has_dx_plan"], "2.1": v["has_dx_lead"], "2.2": v["has_dx_plan"]}
            scores[crit.code] = bool(flag.get(crit.code, _frac(prof, yi, rng) > 0.15))
        elif crit.code in linked:
            scores[crit.code] = min(crit.max_points, linked[crit.code])
        else:
            lms_penalty = -0.35 if crit.parent == "1.3" and not v["lms"] else 0.0
            scores[crit.code] = round_half(crit.max_points * _frac(prof, yi, rng, lms_penalty))
    return scores


def group_total(scores: dict, group: int) -> float:
    return sum(scores[c.code] for c in reference.criteria() if c.group == group and not c.mandatory)


def group_level(scores: dict, group: int) -> int:
    """DOMAIN §6: Mức 1 below 50 or with an unmet mandatory condition, Mức 3 above 75."""
    mandatory_ok = all(scores[c.code] for c in reference.criteria() if c.group == group and c.mandatory)
    total = group_total(scores, group)
    if not mandatory_ok or total < 50:
        return 1
    return 3 if total > 75 else 2


def set_group_total(scores: dict, group: int, target: float) -> bool:
    """Move the free criteria of a group so that its total is exactly target."""
    maxima = {c.code: c.max_points for c in reference.criteria()}
    diff = target - group_total(scores, group)
    for code in ADJUSTABLE[group]:
        new = min(maxima[code], max(0, scores[code] + diff))
        diff -= new - scores[code]
        scores[code] = round_half(new)
    return diff == 0


def verify(seed: int, school: School, scores: dict) -> dict:
    """The office's verified scores: equal or a bit lower than the school's own."""
    rng = stream(seed, "verify", school.code)
    verified = dict(scores)
    free = sorted(c.code for c in reference.criteria() if not c.mandatory and scores[c.code] > 0)
    for code in rng.sample(free, min(len(free), rng.choice((0, 1, 1, 2, 3)))):
        verified[code] = round_half(max(0, scores[code] - rng.choice((0.5, 1, 1, 2))))
    return verified


def apply_inflation(case: Inflation, scores: dict, verified: dict | None) -> dict:
    """Raise the self score above what the survey justifies; the verifier keeps the justified one."""
    justified = scores[case.criterion]
    inflated = {"2.3.3": 10, "1.7.3": 5, "2.4.3": 9, "1.7.2": 7}[case.criterion]
    scores[case.criterion] = inflated
    if verified is not None:
        verified[case.criterion] = justified
    return {"school_code": case.school.code, "school_year": case.year, "criterion": case.criterion,
            "self_score": inflated, "justified_score": justified, "reason": REASONS[case.criterion]}


@dataclass
class AssessmentTruth:
    self_scores: dict  # (school code, year) -> {criterion: points | bool}
    verified: dict  # (school code, year) -> {criterion: points | bool}
    inflated: list
    not_assessed: list
    boundary: list


def _pick_roles(seed: int, general: list[School], inflated: set[str]) -> dict:
    rng = stream(seed, "assessment-roles")
    others = [s for s in general if s.code not in inflated]
    rng.shuffle(others)
    m = max(1, round(0.03 * len(general)))
    u = round(0.12 * len(general))
    skipped = rng.sample(general, round(0.03 * len(general)))
    return {"boundary": others[m + u:], "k": 2 if len(general) >= 30 else 1, "missing": others[:m],
            "unverified": others[m:m + u], "skipped_2023": skipped}


def _boundary(scores: dict, verified: dict, school: School, year: str, target: int, group: int):
    for g in (group, 3 - group):
        trial = dict(scores)
        mandatory_met = all(scores[c.code] for c in reference.criteria() if c.group == g and c.mandatory)
        if mandatory_met and set_group_total(trial, g, target):
            scores.update(trial)
            verified.update(trial)
            return {"school_code": school.code, "school_year": year, "group": g, "total": target}
    return None


def build_assessments(seed: int, schools: list[School], profiles: dict, survey: dict,
                      inflation: list[Inflation]) -> AssessmentTruth:
    """survey: (school code, period index) -> clean values, for every school and period."""
    general = [s for s in schools if s.level in TARGET]
    roles = _pick_roles(seed, general, {c.school.code for c in inflation})
    truth = AssessmentTruth({}, {}, [], [], [])
    skipped = {s.code for s in roles["skipped_2023"]}
    for year in YEARS_4725:
        for school in general:
            if year == YEARS_4725[0] and school.code in skipped:
                truth.not_assessed.append({"school_code": school.code, "school_year": year})
                continue
            v = survey[(school.code, CN_INDEX[year])]
            truth.self_scores[(school.code, year)] = self_scores(seed, school, profiles[school.code], v, year)
    year = YEARS_4725[-1]
    unverified = {s.code for s in roles["unverified"]}
    for school in general:
        scores = truth.self_scores[(school.code, year)]
        if school.code not in unverified:
            truth.verified[(school.code, year)] = verify(seed, school, scores)
    _apply_roles(truth, roles, year)
    for case in inflation:
        key = (case.school.code, case.year)
        truth.inflated.append(apply_inflation(case, truth.self_scores[key], truth.verified.get(key)))
    return truth


def _apply_roles(truth: AssessmentTruth, roles: dict, year: str) -> None:
    wanted = [50, 75] * roles["k"]
    for i, school in enumerate(roles["boundary"]):
        if not wanted:
            break
        scores = truth.self_scores[(school.code, year)]
        verified = dict(scores)
        done = _boundary(scores, verified, school, year, wanted[0], 1 + i % 2)
        if done:
            truth.verified[(school.code, year)] = verified
            truth.boundary.append(done)
            wanted.pop(0)
    for school in roles["missing"]:
        truth.self_scores[(school.code, year)]["1.2"] = False
        if (school.code, year) in truth.verified:
            truth.verified[(school.code, year)]["1.2"] = False


def assessment_rows(truth: AssessmentTruth) -> list[dict]:
    rows = []
    for kind, table in (("self", truth.self_scores), ("verified", truth.verified)):
        for (code, year), scores in sorted(table.items()):
            for crit in reference.criteria():
                value = scores[crit.code]
                rows.append({"school_code": code, "school_year": year, "criterion": crit.code,
                             "kind": kind, "score": None if crit.mandatory else value,
                             "met": value if crit.mandatory else None})
    return rows
