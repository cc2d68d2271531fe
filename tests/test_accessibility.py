"""Colours that stay apart for colour-blind readers, patterns on the worst categories, and a text alternative for
every chart in the app, the PowerPoint and the PDF."""
import io
import itertools

import numpy as np
import pytest
from pptx import Presentation
from pypdf import PdfReader

from dashboard.charts import describe
from dashboard.data import Warehouse
from dashboard.deck import ExportInfo, build_pdf, build_pptx
from dashboard.filters import Filters
from dashboard.format import COMPUTER_STATUS_COLORS, LEVEL_COLORS, STATUS_COLORS
from dashboard.slides import build_all
from etl.metrics.queries import Scope
from tests.pages import open_page

# Machado, Oliveira & Fernandes (2009), severity 1.0: linear RGB -> what a dichromat sees
SIMULATIONS = {
    "không mù màu": np.eye(3),
    "mù màu đỏ-lục (deuteranopia)": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                                              [-0.011820, 0.042940, 0.968881]]),
    "mù màu đỏ (protanopia)": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                                        [-0.003882, -0.048116, 1.051998]]),
    "mù màu lam-vàng (tritanopia)": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                                              [0.004733, 0.691367, 0.303900]]),
}


def _lab(hex_colour: str, simulation: np.ndarray) -> np.ndarray:
    rgb = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(simulation @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("palette, least", [(LEVEL_COLORS, 30), (STATUS_COLORS, 25), (COMPUTER_STATUS_COLORS, 15)])
@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_category_colours_stay_apart_for_colour_blind_readers(palette, least, vision):
    """ΔE (CIE 1976) between every two colours of a palette, as seen with each kind of colour blindness; the old
    red/green palette fell to 17 for protanopia."""
    distances = {(a, b): float(np.linalg.norm(_lab(palette[a], SIMULATIONS[vision]) - _lab(palette[b],
                                                                                        SIMULATIONS[vision])))
                 for a, b in itertools.combinations(palette, 2)}
    worst = min(distances, key=distances.get)
    assert distances[worst] >= least, (vision, worst, round(distances[worst], 1))


@pytest.fixture(scope="module")
def slides(sample_db):
    wh = Warehouse(sample_db)
    return build_all(["muc_do_cap_hoc", "may_tinh_truong", "ke_hoach"], lambda pair: wh.query(*pair),
                     Filters("2025-2026", "HK1", Scope(), ("2024-2025", "CN")))


def test_the_worst_categories_carry_a_pattern(slides):
    levels, computers, plan = (s.figure.to_dict()["data"] for s in slides)
    assert {t["name"]: t.get("marker", {}).get("pattern", {}).get("shape", "") for t in levels} == \
        {"Mức 1": "/", "Mức 2": "", "Mức 3": ""}
    assert {t["marker"]["pattern"]["shape"] for t in computers if t["name"] == "Chưa đạt"} == {"/"}


def test_charts_have_a_text_alternative_in_the_app(sample_warehouse):
    app = open_page("muc_do_4725.py")
    charts = app.get("plotly_chart")
    assert charts
    for chart in charts:
        assert chart.proto.alt.startswith(("Biểu đồ", "Bản đồ nhiệt")) and len(chart.proto.alt) > 40, chart.proto.alt


def test_pictures_of_the_powerpoint_and_the_pdf_have_alt_text(slides):
    info = ExportInfo("Họp giao ban", "Phòng GD&ĐT thành phố Vinh", "Số liệu hiện hành", "tất cả trường", True)
    deck = Presentation(io.BytesIO(build_pptx(slides, info)))
    pictures = [shape for page in deck.slides for shape in page.shapes if shape.shape_type == 13]
    assert [p._element.nvPicPr.cNvPr.get("descr") for p in pictures] == [describe(s.figure) for s in slides]
    reader = PdfReader(io.BytesIO(build_pdf(slides, info)))
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.append(str(node["/Alt"]))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
                walk(kid)
    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert found == [describe(s.figure) for s in slides]
