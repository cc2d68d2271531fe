"""Reporting periods of the sample and the folders they go in."""
from __future__ import annotations

PERIODS = (("2023-2024", "CN"), ("2024-2025", "HK1"), ("2024-2025", "CN"), ("2025-2026", "HK1"))
YEARS_4725 = ("2023-2024", "2024-2025")


def year_index(year: str) -> int:
    return int(year[:4]) - 2023


def folder(year: str, period: str) -> str:
    return f"{year}_{period}"
