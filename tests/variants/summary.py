"""Prints, at the end of the session, how many files were generated per layout and format."""
from __future__ import annotations

from tests.variants.check import COUNTS
from tests.variants.writers import FORMATS


class Summary:
    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not COUNTS:
            return
        terminalreporter.section("generated input files (tests/variants)")
        layouts = sorted({layout for layout, _ in COUNTS})
        width = max(len(f) for f in FORMATS)
        terminalreporter.write_line(f"{'':18}" + "".join(f"{f:>{width + 1}}" for f in FORMATS) + f"{'total':>8}")
        for layout in layouts:
            row = [COUNTS.get((layout, f), 0) for f in FORMATS]
            terminalreporter.write_line(f"{layout:18}" + "".join(f"{n:>{width + 1}}" for n in row) + f"{sum(row):>8}")
        terminalreporter.write_line(f"{'total':18}" + "".join(
            f"{sum(COUNTS.get((la, f), 0) for la in layouts):>{width + 1}}" for f in FORMATS)
            + f"{sum(COUNTS.values()):>8}")


def register(config) -> None:
    if not config.pluginmanager.has_plugin("variants-summary"):
        config.pluginmanager.register(Summary(), "variants-summary")
