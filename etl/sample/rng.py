"""Deterministic random streams: one independent stream per purpose."""
from __future__ import annotations

import random


def stream(seed: int, *parts: object) -> random.Random:
    """A Random seeded from a string (hashed with SHA-512 by CPython, so stable across runs)."""
    return random.Random("|".join([str(seed), *map(str, parts)]))


def round_half(value: float) -> float:
    """Round to the nearest 0.5; ints stay ints when the result is whole."""
    halves = round(value * 2) / 2
    return int(halves) if halves == int(halves) else halves
