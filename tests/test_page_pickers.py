"""Issue 13: the school picker (dashboard.ui.school_picker) finds a school typed without diacritics and lists the
schools in Vietnamese order; the plan and 4725 pages, split into page + dashboard.plan_view / maturity_view, still
draw without an exception; the drill-down callbacks set the ward filter and ask for the school's profile."""
import pytest

from dashboard import ui
from etl.textnorm import vi_sort_key
from tests.pages import open_page, texts

pytestmark = pytest.mark.usefixtures("sample_warehouse")


def test_the_picker_finds_le_loi_typed_without_diacritics():
    app = open_page("muc_do_4725.py")
    box = app.selectbox(key="maturity_school")
    names = [o.rsplit(" (", 1)[0] for o in box.options]
    assert names == sorted(names, key=vi_sort_key) and len(names) > 20
    app.text_input(key="maturity_school_search").input("le loi").run()
    assert not app.exception
    box = app.selectbox(key="maturity_school")
    assert box.options and all("Lê Lợi" in o for o in box.options), box.options
    assert "Lê Lợi" in box.options[box.index]  # the chosen school follows the search
    assert "khớp «le loi»" in texts(app)
    app.text_input(key="maturity_school_search").input("zzz khong co").run()
    assert "Không có trường nào khớp" in texts(app)
    assert len(app.selectbox(key="maturity_school").options) == len(names)


@pytest.mark.parametrize("page", ["ke_hoach.py", "muc_do_4725.py", "may_tinh.py"])
def test_the_split_pages_draw(page):
    app = open_page(page)
    assert not app.exception
    assert len(app.get("plotly_chart")) >= 2
    assert "Traceback" not in texts(app)


def test_the_drilldown_callbacks(monkeypatch):
    state = {}
    monkeypatch.setattr(ui.st, "session_state", state)
    ui.pick_ward("phuong", {"A &amp; B": "A & B"})({"y": "A &amp; B"})
    assert state["phuong"] == ["A & B"]
    ui.pick_school(lambda point: point["y"])({"y": "40164058"})
    assert state[ui._OPEN_SCHOOL] == "40164058"
    ui.pick_school(lambda point: None)({"y": "x"})
    assert state[ui._OPEN_SCHOOL] == "40164058"
