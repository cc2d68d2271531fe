"""Helpers for page tests with AppTest: open a page of the real app on the sample warehouse, read its figures."""
from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest

from dashboard.format import WORD_JOINER
from tests.conftest import ROOT


def open_page(page: str | None = None, **query) -> AppTest:
    """The app at `page` (a file under pages/), with URL query parameters; DX_DB must be set."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    if page:
        app.switch_page(f"pages/{page}")
        app.run()
    assert not app.exception, app.exception
    return app


def figures(app: AppTest) -> dict[str, dict]:
    """Plotly figures by their title text."""
    result = {}
    for chart in app.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec["layout"].get("title", {}).get("text", "")
        result[title] = spec
    return result


def figure_titled(app: AppTest, start: str) -> dict:
    matches = [spec for title, spec in figures(app).items() if title.startswith(start)]
    assert len(matches) == 1, (start, list(figures(app)))
    return matches[0]


def sql(db, query: str, params=None) -> list[tuple]:
    """Read the warehouse file as it is now (not the database this process may still hold under its path)."""
    from etl.warehouse import open_read_only

    with open_read_only(db) as con:
        return con.execute(query, params or []).fetchall()


def plain(source: str) -> str:
    """A markdown source as the reader reads its escaped text: dashboard.format.md_text's backslash escapes and
    word joiners undone (markup that is not escaped, like **bold**, stays as it is)."""
    return re.sub(r"\\(.)", r"\1", str(source)).replace(WORD_JOINER, "")


def texts(app: AppTest) -> str:
    """Every piece of visible text, for 'no exception text' and wording checks (escapes undone: see plain)."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                  "error", "success") for e in getattr(app, kind)]
    return "\n".join(plain(p) for p in parts)


def values(trace: dict, axis: str) -> list:
    """A trace's data as a list; Plotly stores numpy arrays as base64 typed arrays ({'dtype', 'bdata'})."""
    import base64

    import numpy as np

    data = trace.get(axis)
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        if "shape" in data:
            array = array.reshape([int(n) for n in str(data["shape"]).split(",")])
        return array.tolist()
    return list(data) if data is not None else []


def unlinked(frame):
    """A table as the reader sees it: school names are links to the profile ('/ho-so-truong?school=CODE#Name',
    shown as Name by a LinkColumn) — back to the name."""
    frame = getattr(frame, "data", frame)
    if "Tên trường" not in frame.columns:
        return frame
    return frame.assign(**{"Tên trường": frame["Tên trường"].map(
        lambda v: re.sub(r"^/ho-so-truong\?school=[^#]*#", "", v) if isinstance(v, str) else v)})
