"""Chart images of the handouts: every label inside its image, no label on another, in the figure itself (drawn by
plotly.js in Chromium at the exported size) and in the files a presenter hands out (the PowerPoint rendered by
LibreOffice, the PDF rendered by poppler, both to PNG)."""
import io
import itertools
import json
import os
import subprocess

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from dashboard.charts import computers as computer_charts
from dashboard.charts import maturity as maturity_charts
from dashboard.charts import plan as plan_charts
from dashboard.data import Warehouse
from dashboard.deck import IMAGE_FRAME, IMAGE_SIZE, ExportInfo, build_pdf, build_pptx, drawn_size
from dashboard.filters import Filters
from dashboard.format import PILLAR_NAMES
from dashboard.slides import SLIDE_SCHOOL_ROWS, SLIDES, build_all
from etl.metrics.queries import Scope
from tests.browser import chromium_page, figure_text_boxes

LABELS = ("xtick", "ytick", "g-xtitle", "g-ytitle", "gtitle", "legendtext", "legendtitletext")
SCOPES = {"cả thành phố": Scope(), "tiểu học": Scope(levels=("TH",)), "một phường": Scope(wards_new=("Trường Vinh",))}
LONG = "Phường Trường Vinh mở rộng gồm các xã Hưng Lộc, Nghi Phú và Hưng Đông cũ"


@pytest.fixture(scope="module")
def page():
    with chromium_page() as chromium:
        yield chromium


def _overlap(a: dict, b: dict) -> bool:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1)


def problems(page, figure, size: tuple[int, int]) -> list[str]:
    """What is wrong with the labels of `figure` drawn at `size`: texts reaching outside, labels on labels."""
    width, height = size
    boxes = figure_text_boxes(page, json.loads(figure.to_json()), width, height)
    assert boxes, "nothing drawn"
    found = [f"{b['kind']} «{b['text']}» ra ngoài ảnh ({b['left']:.0f}–{b['right']:.0f}, {b['top']:.0f}–"
             f"{b['bottom']:.0f})" for b in boxes
             if b["left"] < 0 or b["top"] < 0 or b["right"] > width or b["bottom"] > height]
    labels = [b for b in boxes if b["kind"] in LABELS]
    found += [f"«{a['text']}» ({a['kind']}) đè lên «{b['text']}» ({b['kind']})"
              for a, b in itertools.combinations(labels, 2) if _overlap(a, b)]
    return found


@pytest.mark.parametrize("scope", list(SCOPES))
def test_every_label_of_every_slide_chart_lies_inside_the_image(sample_db, page, scope):
    wh = Warehouse(sample_db)
    current = Filters("2025-2026", "HK1", SCOPES[scope], ("2024-2025", "CN"))
    slides = build_all(list(SLIDES), lambda pair: wh.query(*pair), current)
    assert len(slides) == len(SLIDES)
    for slide in slides:
        assert problems(page, slide.figure, drawn_size()) == [], slide.key


def test_the_school_slide_ranks_the_worst_schools_when_a_level_has_many(sample_db):
    wh = Warehouse(sample_db)
    current = Filters("2025-2026", "HK1", Scope(), ("2024-2025", "CN"))
    [slide] = build_all(["may_tinh_truong"], lambda pair: wh.query(*pair), current)
    per_level = slide.data.groupby(slide.data.columns[[c.startswith("Cấp") for c in slide.data.columns]][0]).size()
    assert per_level.max() > SLIDE_SCHOOL_ROWS  # 42 primary schools in the sample: more than a slide holds
    axes = [v for k, v in slide.figure.to_dict()["layout"].items() if k.startswith("yaxis")]
    assert max(len(axis["tickvals"]) for axis in axes) == SLIDE_SCHOOL_ROWS
    assert f"mỗi cấp: {SLIDE_SCHOOL_ROWS} trường nhiều HS/máy nhất" in slide.title


def test_long_names_get_room_instead_of_being_cut(page):
    """Names longer than any in the sample (a ward of another province, a long indicator): the margin grows."""
    counts = pd.DataFrame({"unit": [LONG, "Vinh Phú"] * 3, "overall_level": [1, 1, 2, 2, 3, 3],
                           "schools": [3, 4, 5, 6, 2, 1]})
    wards = maturity_charts.level_distribution(counts, [LONG, "Vinh Phú"], {}, "Mức chung theo phường", "Phường mới",
                                               "không có")
    needed = computer_charts.needed_by_unit(
        pd.DataFrame({"unit": [LONG, "Vinh Phú"], "computers_needed": [40.0, 12.0], "schools_not_met": [3, 1],
                      "schools": [9, 5], "schools_no_room": [1, 0]}), "HK I 2025-2026", "Phường mới")
    indicators = plan_charts.values_against_targets(pd.DataFrame({
        "indicator": ["NT1", "HT1"], "indicator_vi": [LONG + " và tổ chức tuyên truyền", "Tỷ lệ trường"],
        "pillar": ["awareness", "infrastructure"], "value": [80.0, 40.0], "target": [100.0, 100.0], "unit": "%",
        "status": ["at_risk", "off_track"], "schools_counted": [40, 42], "schools_missing": [2, 0]}),
        PILLAR_NAMES, "HK I 2025-2026")
    for figure in (wards, needed, indicators):
        for size in (drawn_size(), (1100, 620)):
            assert problems(page, figure, size) == [], figure.layout.title.text


# ---- the files, rendered to PNG ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def handouts(sample_db):
    wh = Warehouse(sample_db)
    current = Filters("2025-2026", "HK1", Scope(), ("2024-2025", "CN"))
    slides = build_all(list(SLIDES), lambda pair: wh.query(*pair), current)
    info = ExportInfo("Sơ kết học kỳ I năm học 2025-2026", "Phòng GD&ĐT thành phố Vinh", current.source,
                      current.describe(), True)
    return slides, build_pptx(slides, info), build_pdf(slides, info)


def _render(pdf: bytes, folder, dpi: int) -> list[Image.Image]:
    path = folder / "trang.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(folder / "trang")], check=True)
    return [Image.open(p).convert("L") for p in sorted(folder.glob("trang-*.png"))]


def _edge_ink(page_png: Image.Image, box: tuple[float, float, float, float], band: int) -> int:
    """Dark pixels in the band just inside the edge of `box` (left, top, right, bottom, in pixels of the page):
    a label cut by the picture's edge leaves ink there."""
    grey = np.asarray(page_png)
    left, top, right, bottom = (round(v) for v in box)
    inner = grey[top + 3:bottom - 3, left + 3:right - 3]  # 3 px in: the picture's own anti-aliased edge
    frame = np.ones(inner.shape, bool)
    frame[band:-band, band:-band] = False
    return int((inner[frame] < 200).sum())


def _band(shown_width: float) -> int:
    """The part of the white frame around a chart, in pixels of the rendered page, that _edge_ink checks: the frame
    scaled to the picture's width, less the 3 pixels skipped and one for rounding."""
    return max(1, int(IMAGE_FRAME * shown_width / IMAGE_SIZE[0]) - 4)


def _words(pdf_path, page_number: int) -> list[tuple[str, float, float, float, float]]:
    """Words of one page with their boxes in points (poppler's pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-f", str(page_number), "-l", str(page_number), "-bbox", str(pdf_path), "-"],
                         check=True, capture_output=True, text=True).stdout
    import re

    return [(m[5], float(m[1]), float(m[2]), float(m[3]), float(m[4])) for m in
            re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]


def _first_words(words: list, text: str) -> list:
    """The words of `text` at the top of a page (the whole headline, in order), with their boxes."""
    top = sorted(words, key=lambda w: (round(w[2]), w[1]))[:len(text.split())]
    assert [w[0] for w in top] == text.split()
    return top


def test_powerpoint_slides_rendered_to_png_show_whole_charts_below_whole_headlines(handouts, tmp_path):
    slides, pptx, _ = handouts
    source = tmp_path / "bo_trinh_chieu.pptx"
    source.write_bytes(pptx)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(tmp_path)})
    rendered = tmp_path / "bo_trinh_chieu.pdf"
    pages = _render(rendered.read_bytes(), tmp_path, 100)
    deck = Presentation(io.BytesIO(pptx))
    assert len(pages) == len(deck.slides) == 1 + len(slides)
    for number, (shown, slide, png) in enumerate(zip(list(deck.slides)[1:], slides, pages[1:]), start=2):
        scale = png.width / deck.slide_width
        [picture] = [s for s in shown.shapes if s.shape_type == 13]
        box = (picture.left * scale, picture.top * scale, (picture.left + picture.width) * scale,
               (picture.top + picture.height) * scale)
        assert 0 <= box[0] and 0 <= box[1] and box[2] <= png.width and box[3] <= png.height, slide.key
        band = _band(picture.width * scale)
        assert _edge_ink(png, box, band) == 0, f"{slide.key}: chữ chạm mép ảnh"
        points = 72 / 914400  # EMU to points, the unit of the rendered PDF
        words = _words(rendered, number)
        headline = _first_words(words, slide.headline)
        assert max(w[4] for w in headline) <= picture.top * points, f"{slide.key}: nhận định đè ảnh"
        footer = [w for w in words if w[2] > (picture.top + picture.height) * points]
        assert "DỮ" in [w[0] for w in footer], f"{slide.key}: chân trang đè ảnh"


def test_pdf_pages_rendered_to_png_show_whole_charts(handouts, tmp_path):
    slides, _, pdf = handouts
    reader = PdfReader(io.BytesIO(pdf))
    pages = _render(pdf, tmp_path, 100)
    for number, (slide, png) in enumerate(zip(slides, pages[1:]), start=1):
        placed = []

        def watch(operator, operands, cm, tm, found=placed):
            if operator == b"Do":
                found.append(cm)
        reader.pages[number].extract_text(visitor_operand_before=watch)
        [(a, _, _, d, e, f)] = placed  # the chart: x, y scale and offset in points, from the bottom left
        page_w, page_h = float(reader.pages[number].mediabox.width), float(reader.pages[number].mediabox.height)
        assert a / d == pytest.approx(IMAGE_SIZE[0] / IMAGE_SIZE[1], rel=0.01)  # not stretched
        assert 0 <= e and e + a <= page_w and 0 <= f and f + d <= page_h, slide.key
        scale = png.width / page_w
        box = (e * scale, (page_h - f - d) * scale, (e + a) * scale, (page_h - f) * scale)
        band = _band(a * scale)
        assert _edge_ink(png, box, band) == 0, f"{slide.key}: chữ chạm mép ảnh"
        path = tmp_path / "trang.pdf"
        headline = _first_words(_words(path, number + 1), slide.headline)
        assert max(w[4] for w in headline) <= page_h - f - d, f"{slide.key}: nhận định đè ảnh"
