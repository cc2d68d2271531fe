"""The synthetic truth of the survey: a latent profile per school, clean values per period."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import reference
from .periods import PERIODS, year_index
from .registry import School
from .rng import round_half, stream

SCALE = {  # (level, private): ((classes min, max), (class size min, max))
    ("MN", False): ((8, 25), (25, 30)), ("MN", True): ((4, 12), (18, 26)),
    ("TH", False): ((20, 45), (35, 45)), ("TH", True): ((10, 20), (25, 35)),
    ("THCS", False): ((16, 40), (40, 45)), ("THCS", True): ((8, 16), (30, 38)),
    ("TH_THCS", False): ((15, 30), (35, 42)), ("TH_THCS", True): ((10, 24), (25, 35)),
}
IT_SHARE = {"TH": 0.6, "THCS": 1.0, "TH_THCS": 0.78}  # TH: grades 3-5; combined: 3 of 5 + 4 of 4
TARGET = {"TH": 3, "THCS": 2, "TH_THCS": 2}  # pupils per computer in a lesson (DOMAIN §7)
BOOL_DIFFICULTY = {
    "uses_eoffice": 0.1, "has_dx_lead": 0.15, "has_dx_plan": 0.2, "parent_app": 0.25,
    "e_gradebook": 0.3, "dx_day_activity": 0.3, "online_enrolment": 0.35, "e_records": 0.35,
    "results_synced": 0.35, "lms": 0.45, "e_transcript": 0.55, "licensed_antivirus": 0.6,
    "has_studio": 0.95,
}
SOFTWARE = {"MN": ("vnEdu", "SMAS", "MISA EMIS"), "TH": ("SMAS", "vnEdu"),
            "THCS": ("SMAS", "vnEdu"), "TH_THCS": ("SMAS", "vnEdu", "MISA EMIS")}
BANDWIDTH = (30, 50, 80, 100, 150, 200, 300, 500)


@dataclass
class Profile:
    """Latent traits of a school; every period's values follow from them."""
    maturity: float
    classes: int
    class_size: float
    teacher_ratio: float
    managers: int
    spare_rooms: int
    yearly: list  # per school year: (class delta, size factor)
    noise: dict
    computers: str = "ok"  # ok | short | no_room
    fix_year: int | None = None  # year index from which a short school has enough computers
    margin: int = 0
    cashless_base: float = 0.0
    software: str = ""
    forced: dict = field(default_factory=dict)  # field -> first period index when it becomes true


def make_profile(seed: int, school: School) -> Profile:
    rng = stream(seed, "profile", school.code)
    (c_lo, c_hi), (s_lo, s_hi) = SCALE[(school.level, school.private)]
    maturity = min(0.98, rng.uniform(0.05, 0.95) + (0.08 if school.private else 0))
    return Profile(
        maturity=maturity,
        classes=rng.randint(c_lo, c_hi),
        class_size=rng.uniform(s_lo, s_hi),
        teacher_ratio=rng.uniform(1.2, 1.9),
        managers=rng.randint(2, 3 if school.level == "MN" else 4),
        spare_rooms=rng.randint(0, 2 if school.level == "MN" else 4),
        yearly=[(rng.choice((-1, 0, 0, 1)), rng.uniform(0.97, 1.03)) for _ in range(3)],
        noise={name: rng.uniform(-0.15, 0.15) for name in sorted(BOOL_DIFFICULTY) + ["share", "posts"]},
        margin=rng.randint(0, 5),
        cashless_base=10 + 65 * maturity + (15 if school.private else 0) + rng.uniform(-8, 8),
        software=rng.choice(SOFTWARE[school.level]),
    )


def assign_computer_profiles(seed: int, schools: list[School], profiles: dict) -> None:
    """About 28% of TH/THCS schools start short of computers; a third of them catch up later."""
    rng = stream(seed, "computers")
    general = [s for s in schools if s.level in TARGET]
    n_no_room = max(1, round(0.02 * len(schools)))
    n_short = max(1, round(0.28 * len(general)))
    chosen = rng.sample(general, min(len(general), n_no_room + n_short))
    for i, school in enumerate(chosen):
        prof = profiles[school.code]
        if i < n_no_room:
            prof.computers = "no_room"
        else:
            prof.computers = "short"
            prof.margin = rng.randint(1, 8)
            prof.fix_year = rng.choice((1, 2, None, None, None))


def _bool(prof: Profile, name: str, t: int) -> bool:
    if name in prof.forced:
        return t >= prof.forced[name]
    return prof.maturity + 0.13 * t + prof.noise[name] >= BOOL_DIFFICULTY[name]


def _share(prof: Profile, base: float, slope: float, t: int, spread: float = 0.4) -> float:
    return max(0.0, min(1.0, base + spread * prof.maturity + slope * t + prof.noise["share"] / 3))


def _scale(prof: Profile, school: School, t: int) -> dict:
    year, period = PERIODS[t]
    yi = year_index(year)
    delta = sum(d for d, _ in prof.yearly[: yi + 1])
    classes = max(3, prof.classes + delta)
    size = prof.class_size * prof.yearly[yi][1]
    students = round(classes * size) - (2 if period == "CN" else 0)
    return {
        "classes": classes,
        "students": students,
        "teachers": round(classes * prof.teacher_ratio),
        "managers": prof.managers,
        "classrooms": classes + prof.spare_rooms,
    }


def _computers(prof: Profile, school: School, scale: dict, t: int) -> dict:
    if school.level not in TARGET:
        return {"it_rooms": None, "it_computers": None, "it_students": None, "it_classes": None}
    it_classes = max(1, round(scale["classes"] * IT_SHARE[school.level]))
    it_students = min(scale["students"], round(scale["students"] * IT_SHARE[school.level]))
    need = math.ceil(it_students / it_classes / TARGET[school.level])
    yi = year_index(PERIODS[t][0])
    if prof.computers == "no_room":
        rooms, per_room = 0, 0
    else:
        rooms = 1 if it_classes <= 16 else (2 if it_classes <= 32 else 3)
        short = prof.computers == "short" and (prof.fix_year is None or yi < prof.fix_year)
        per_room = max(6, need - prof.margin) if short else min(45, need + prof.margin)
    return {"it_rooms": rooms, "it_computers": rooms * per_room,
            "it_students": it_students, "it_classes": it_classes}


def _platforms(prof: Profile, school: School, scale: dict, t: int) -> dict:
    general = school.level in TARGET
    bools = {name: _bool(prof, name, t) for name in sorted(BOOL_DIFFICULTY)}
    for name in ("e_gradebook", "e_transcript", "lms", "results_synced"):
        if not general:
            bools[name] = None
    cashless = min(100.0, prof.cashless_base + 8 * t)
    cashless = round_half(max(5.0, cashless))
    if "cashless_pct" in prof.forced:
        cashless = prof.forced["cashless_pct"][t]
    software = prof.software if prof.maturity + 0.1 * t > 0.12 else None
    rooms_pi = round(scale["classrooms"] * _share(prof, 0.35, 0.08, t, 0.5))
    band = BANDWIDTH[min(len(BANDWIDTH) - 1, int(prof.maturity * 5) + t // 2 + 1)]
    return dict(bools, cashless_pct=cashless, mgmt_software=software,
                rooms_projector_internet=rooms_pi, bandwidth_mbps=band)


def _people(prof: Profile, scale: dict, t: int) -> dict:
    teachers, students, managers = scale["teachers"], scale["students"], scale["managers"]
    posts = max(0, round((1 + 5 * prof.maturity) * (0.6 + 0.2 * t) + 3 * prof.noise["posts"]))
    return {
        "students_with_id": round(students * _share(prof, 0.82, 0.05, t, 0.12)),
        "teachers_with_id": round(teachers * _share(prof, 0.88, 0.04, t, 0.1)),
        "teachers_trained": round(teachers * _share(prof, 0.3, 0.1, t)),
        "teachers_making_materials": round(teachers * _share(prof, 0.12, 0.07, t, 0.35)),
        "managers_with_esign": round(managers * _share(prof, 0.4, 0.18, t, 0.5)),
        "digital_materials": round(teachers * (0.2 + 1.5 * prof.maturity) * (0.7 + 0.15 * t)),
        "dx_posts": posts,
    }


def period_values(prof: Profile, school: School, t: int) -> dict:
    """Clean, typed values of every metric field for one school and period index t."""
    scale = _scale(prof, school, t)
    values = dict(scale)
    values.update(_computers(prof, school, scale, t))
    values.update(_platforms(prof, school, scale, t))
    values.update(_people(prof, scale, t))
    return {f.code: values[f.code] for f in reference.metric_fields()}


def lesson_ratio_met(school: School, values: dict) -> bool | None:
    """DOMAIN §7: pupils per computer in an Informatics lesson within the level's target."""
    if school.level not in TARGET or not values.get("it_students"):
        return None
    if not values["it_rooms"] or not values["it_computers"]:
        return False
    class_size = values["it_students"] / values["it_classes"]
    per_room = values["it_computers"] / values["it_rooms"]
    return class_size / per_room <= TARGET[school.level]
