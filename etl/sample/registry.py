"""The synthetic school registry: names, codes, levels, ownership and units."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from . import reference
from .rng import stream

LEVEL_SHARE = {"MN": 52, "TH": 46, "THCS": 36, "TH_THCS": 6}  # out of 140
PRIVATE_SHARE = {"MN": 8 / 52, "TH": 2 / 46, "THCS": 0.0, "TH_THCS": 4 / 6}
LEVEL_VI = {"MN": "Mầm non", "TH": "Tiểu học", "THCS": "THCS", "TH_THCS": "TH&THCS"}
LEVEL_PREFIX = {
    "MN": "Trường Mầm non ",
    "TH": "Trường Tiểu học ",
    "THCS": "Trường THCS ",
    "TH_THCS": "Trường TH&THCS ",
}
OWNERSHIP_VI = {"cong_lap": "Công lập", "tu_thuc": "Tư thục"}
PERSON_NAMES = (
    "Lê Lợi", "Lê Mao", "Đội Cung", "Nguyễn Trãi", "Lê Hồng Phong", "Nguyễn Du",
    "Lý Thường Kiệt", "Trần Phú", "Phan Bội Châu", "Kim Đồng", "Đặng Thai Mai", "Nguyễn Trường Tộ",
    "Lê Văn Tám", "Võ Thị Sáu", "Chu Văn An", "Đặng Chánh Kỷ", "Nguyễn Văn Trỗi", "Lê Quý Đôn",
    "Trần Quốc Toản", "Hoàng Hoa Thám", "Nguyễn Bỉnh Khiêm", "Phạm Hồng Thái", "Nguyễn Thị Minh Khai",
    "Hồ Tùng Mậu", "Nguyễn Văn Cừ", "Trần Hưng Đạo", "Phan Đăng Lưu",
)
PRIVATE_NAMES = {
    "MN": ("Hoa Sen", "Sao Mai", "Ánh Dương", "Hoa Mai", "Bình Minh", "Họa Mi", "Búp Sen Hồng",
           "Hoa Hồng", "Thiên Thần Nhỏ", "Mặt Trời Bé Con", "Tuổi Thơ", "Ngôi Sao Xanh"),
    "TH": ("Ngôi Sao", "Thực Nghiệm", "Đông Á", "Hữu Nghị"),
    "THCS": ("Ngôi Sao", "Thực Nghiệm"),
    "TH_THCS": ("Hữu Nghị", "Đông Á", "Tuệ Đức", "Kim Liên", "Tân Việt", "Bình Minh", "Ngôi Sao",
                "Thực Nghiệm"),
}


@dataclass(frozen=True)
class School:
    code: str
    name: str
    level: str
    ownership: str
    ward_old: str
    ward_new: str
    ward_new_code: str

    @property
    def private(self) -> bool:
        return self.ownership == "tu_thuc"

    @property
    def core_name(self) -> str:
        """The name without "Trường <level>" (e.g. "Đặng Thai Mai")."""
        prefix = LEVEL_PREFIX[self.level] + ("tư thục " if self.private and self.level == "MN" else "")
        return self.name[len(prefix):] if self.name.startswith(prefix) else self.name


def level_counts(n: int) -> dict[str, int]:
    """Largest-remainder split of n over the levels, at least one school per level."""
    total = sum(LEVEL_SHARE.values())
    raw = {lv: n * share / total for lv, share in LEVEL_SHARE.items()}
    counts = {lv: max(1, int(x)) for lv, x in raw.items()}
    order = sorted(raw, key=lambda lv: (raw[lv] - int(raw[lv])), reverse=True)
    i = 0
    while sum(counts.values()) < n:
        counts[order[i % len(order)]] += 1
        i += 1
    while sum(counts.values()) > n:
        biggest = max(counts, key=lambda lv: counts[lv])
        counts[biggest] -= 1
    return counts


def private_count(level: str, count: int) -> int:
    if level == "TH_THCS":
        return max(1, round(count * PRIVATE_SHARE[level]))
    wanted = round(count * PRIVATE_SHARE[level])
    return max(1, wanted) if level == "MN" and count >= 3 else wanted


def _public_name(level: str, ward: str, used: set[str], rng, person_pool: list[str]) -> str:
    use_person = level in ("TH", "THCS") and person_pool and rng.random() < 0.35
    base = person_pool.pop() if use_person else ward
    name = LEVEL_PREFIX[level] + base
    suffix = 2
    while name in used:
        name = f"{LEVEL_PREFIX[level]}{base} {suffix}"
        suffix += 1
    return name


def _private_name(level: str, index: int, used: set[str]) -> str:
    pool = PRIVATE_NAMES[level]
    prefix = LEVEL_PREFIX[level] + ("tư thục " if level == "MN" else "")
    name = prefix + pool[index % len(pool)]
    if name in used:
        name = f"{name} {index // len(pool) + 2}"
    return name


def build_registry(seed: int, n_schools: int) -> list[School]:
    rng = stream(seed, "registry")
    units = list(reference.units())
    codes = rng.sample(range(100000, 1000000), n_schools)
    schools: list[School] = []
    used: set[str] = set()
    for level, count in level_counts(n_schools).items():
        n_private = private_count(level, count)
        unit_cycle = units[:]
        rng.shuffle(unit_cycle)
        persons = list(PERSON_NAMES)
        rng.shuffle(persons)
        for i in range(count):
            unit = unit_cycle[i % len(unit_cycle)]
            private = i < n_private
            if private:
                name = _private_name(level, i, used)
            else:
                name = _public_name(level, unit.former_unit, used, rng, persons)
            used.add(name)
            schools.append(School(
                code="40" + str(codes[len(schools)]), name=name, level=level,
                ownership="tu_thuc" if private else "cong_lap", ward_old=unit.former_unit,
                ward_new=unit.new_ward, ward_new_code=unit.new_ward_code,
            ))
    unit_order = {u.former_unit: i for i, u in enumerate(units)}
    level_order = {lv: i for i, lv in enumerate(reference.LEVELS)}
    schools.sort(key=lambda s: (level_order[s.level], unit_order[s.ward_old], s.name))
    return schools


REGISTRY_HEADERS = ("Mã trường", "Tên trường", "Cấp học", "Loại hình", "Phường/xã", "Phường mới",
                    "Mã phường mới", "Ghi chú")


def registry_row(school: School, note: str) -> list[str]:
    return [school.code, school.name, LEVEL_VI[school.level], OWNERSHIP_VI[school.ownership],
            school.ward_old, school.ward_new, school.ward_new_code, note]


def write_registry_csv(path: Path, seed: int = 2025, n_schools: int = 140) -> Path:
    """The registry as a clean UTF-8 CSV with the Vietnamese headers (no STT, no title rows)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(REGISTRY_HEADERS)
        for school in build_registry(seed, n_schools):
            writer.writerow(registry_row(school, "Dữ liệu giả lập"))
    return path
