"""Handouts for review meetings: a PowerPoint deck, a PDF report and an Excel workbook of the same slides.

Every file names its source (live data or the snapshot, with its date) and the filters. Chart images come
from kaleido, which drives the Debian Chromium; its server is started once per process. No Streamlit here.
"""
from __future__ import annotations

import datetime as dt
import io
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from dashboard.charts import describe
from dashboard.export import to_excel_bytes
from dashboard.slides import SLIDES, Slide

Progress = Callable[[float, str], None]
FONT_DIR = Path("/usr/share/fonts/truetype/noto")
SYNTHETIC_LINE = "Dữ liệu giả lập – không phải số liệu thật của các trường."
IMAGE_SIZE = (1600, 900)
IMAGE_FRAME = 12  # white pixels around every chart image: no text touches the edge of the picture

_kaleido_lock = threading.Lock()
_kaleido_started = False


@dataclass
class ExportInfo:
    title: str  # e.g. "Sơ kết học kỳ I năm học 2025-2026"
    office: str
    source: str  # "Số liệu hiện hành" or "Ảnh chụp số liệu «...» ngày ..."
    filters: str  # Filters.describe()
    synthetic: bool
    created_at: dt.datetime = field(default_factory=dt.datetime.now)

    def lines(self) -> list[str]:
        lines = [self.title, self.office, f"Nguồn: {self.filters}",
                 f"Xuất lúc {self.created_at:%H:%M ngày %d/%m/%Y}"]
        return lines + ([SYNTHETIC_LINE] if self.synthetic else [])

    def footer(self) -> str:
        text = f"{self.office} · {self.filters}"
        return text + (" · DỮ LIỆU GIẢ LẬP" if self.synthetic else "")


def drawn_size(size: tuple[int, int] = IMAGE_SIZE) -> tuple[int, int]:
    """The size plotly.js draws a figure at inside an image of `size` (the frame is added around it)."""
    return size[0] - 2 * IMAGE_FRAME, size[1] - 2 * IMAGE_FRAME


def figure_png(figure, size: tuple[int, int] = IMAGE_SIZE) -> bytes:
    """A PNG of a Plotly figure (kaleido + Chromium; the server is started on first use), drawn at the image's
    size less a white frame. The figure's margins grow to hold its longest labels (automargin, see
    dashboard.charts.base_layout), so every label lies inside; the frame keeps them off the edge."""
    global _kaleido_started
    import kaleido
    from PIL import Image

    width, height = drawn_size(size)
    with _kaleido_lock:
        if not _kaleido_started:
            kaleido.start_sync_server(silence_warnings=True)
            _kaleido_started = True
        shown = figure.to_dict()
        shown["layout"]["height"], shown["layout"]["width"] = height, width
        drawn = kaleido.calc_fig_sync(shown, opts={"format": "png", "width": width, "height": height})
    canvas = Image.new("RGB", size, "white")
    canvas.paste(Image.open(io.BytesIO(drawn)).convert("RGB"), (IMAGE_FRAME, IMAGE_FRAME))
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _images(slides: list[Slide], progress: Progress | None, share: float) -> list[bytes]:
    images = []
    for index, slide in enumerate(slides):
        if progress:
            progress(share * index / max(len(slides), 1), f"Vẽ biểu đồ {index + 1}/{len(slides)}: {slide.title}")
        images.append(figure_png(slide.figure))
    return images


def headline_points(headline: str, width_inches: float = 12.3) -> int:
    """The largest type size (24 pt down to 16) at which the headline takes at most two lines of the slide; a
    Noto Sans bold letter is about half its size wide on average."""
    for points in (24, 22, 20, 18):
        if len(headline) <= 2 * width_inches * 72 / (points * 0.52):
            return points
    return 16


# ---- PowerPoint ----------------------------------------------------------------------------------------------

def build_pptx(slides: list[Slide], info: ExportInfo, progress: Progress | None = None) -> bytes:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    images = _images(slides, progress, 0.9)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]

    def text(slide, left, top, width, height, content, size, bold=False, color=(0x22, 0x22, 0x22)):
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        for i, line in enumerate(content if isinstance(content, list) else [content]):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.font.size, paragraph.font.bold = Pt(size), bold
            paragraph.font.color.rgb = RGBColor(*color)
        return box

    cover = deck.slides.add_slide(blank)
    text(cover, 0.8, 2.0, 11.7, 1.2, info.title, 36, bold=True, color=(0x1F, 0x5F, 0xA8))
    text(cover, 0.8, 3.3, 11.7, 2.5, info.lines()[1:], 16)
    picture_height = 5.4  # inches, 1.35-6.75: the headline's two lines above, the footer below, a gap each side
    picture_width = picture_height * IMAGE_SIZE[0] / IMAGE_SIZE[1]
    for slide, image in zip(slides, images):
        page = deck.slides.add_slide(blank)
        text(page, 0.5, 0.2, 12.3, 1.05, slide.headline, headline_points(slide.headline), bold=True,
             color=(0x1F, 0x5F, 0xA8))
        picture = page.shapes.add_picture(io.BytesIO(image), Inches((13.333 - picture_width) / 2), Inches(1.35),
                                          height=Inches(picture_height))
        picture._element.nvPicPr.cNvPr.set("descr", describe(slide.figure))  # alt text, read by screen readers
        text(page, 0.5, 6.95, 12.3, 0.45, info.footer(), 9, color=(0x66, 0x66, 0x66))
        page.notes_slide.notes_text_frame.text = f"{slide.title}\n{slide.headline}"
    if progress:
        progress(1.0, "Đã tạo xong bộ trình chiếu")
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


# ---- PDF ------------------------------------------------------------------------------------------------------

def build_pdf(slides: list[Slide], info: ExportInfo, tables: dict[str, pd.DataFrame] | None = None,
              progress: Progress | None = None) -> bytes:
    from fpdf import FPDF

    class Report(FPDF):
        def footer(self):  # fpdf2 calls this on every page
            self.set_y(-12)
            self.set_font("Noto", "", 8)
            self.set_text_color(110)
            self.cell(0, 6, f"{info.footer()} · Trang {self.page_no()}", align="C")
            self.set_text_color(0)

    images = _images(slides, progress, 0.85)
    pdf = Report(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("Noto", "", str(FONT_DIR / "NotoSans-Regular.ttf"))
    pdf.add_font("Noto", "B", str(FONT_DIR / "NotoSans-Bold.ttf"))
    pdf.set_title(info.title)
    pdf.set_author(info.office)
    pdf.add_page()
    pdf.set_font("Noto", "B", 24)
    pdf.set_text_color(31, 95, 168)
    pdf.ln(35)
    pdf.multi_cell(0, 12, info.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font("Noto", "", 13)
    pdf.ln(6)
    for line in info.lines()[1:]:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    for slide, image in zip(slides, images):
        pdf.add_page()
        pdf.set_font("Noto", "B", 15)
        pdf.set_text_color(31, 95, 168)
        pdf.multi_cell(0, 8, slide.headline, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        pdf.ln(2)
        width = 245
        pdf.image(io.BytesIO(image), x=(297 - width) / 2, w=width, h=width * IMAGE_SIZE[1] / IMAGE_SIZE[0],
                  alt_text=describe(slide.figure))
    summaries = {f"Bảng số liệu: {s.title}": s.summary for s in slides if s.summary is not None}
    for title, frame in {**summaries, **(tables or {})}.items():
        _pdf_table(pdf, title, frame)
    if progress:
        progress(1.0, "Đã tạo xong báo cáo PDF")
    return bytes(pdf.output())


def _pdf_table(pdf, title: str, frame: pd.DataFrame) -> None:
    pdf.add_page()
    pdf.set_font("Noto", "B", 14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", "", 8)
    shown = frame.astype(object).where(frame.notna(), "–")
    widths = [min(max([len(str(c))] + [len(_cell(v)) for v in shown[c]]), 70) + 2 for c in shown.columns]
    with pdf.table(text_align="LEFT", line_height=4.5, first_row_as_headings=True, col_widths=widths) as table:
        table.row([str(c) for c in shown.columns])
        for values in shown.itertuples(index=False):
            table.row([_cell(v) for v in values])


def _cell(value) -> str:
    from dashboard.format import number

    if isinstance(value, float):
        return number(value, 1 if value % 1 else 0)
    return str(value)


# ---- Excel ----------------------------------------------------------------------------------------------------

def build_workbook(slides: list[Slide], info: ExportInfo, tables: dict[str, pd.DataFrame] | None = None) -> bytes:
    """Every table behind the slides, plus any extra tables, one sheet each, with source and filters on top."""
    sheets = {"Thông tin": pd.DataFrame({"Nội dung": info.lines()})}
    sheets["Tóm tắt"] = pd.DataFrame({"Trang": [s.title for s in slides], "Nhận định": [s.headline for s in slides]})
    for slide in slides:
        sheets[SLIDES[slide.key][2]] = slide.data
    sheets.update(tables or {})
    return to_excel_bytes(sheets, notes=[info.title, f"Nguồn: {info.filters}"]
                          + ([SYNTHETIC_LINE] if info.synthetic else []))
