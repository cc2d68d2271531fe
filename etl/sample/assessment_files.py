"""The 4725 files: consolidated results (layout 4) and per-school forms (layout 3)."""
from __future__ import annotations

from .assessment import YEARS_4725
from .context import Context
from .layouts import assessment_form, assessment_table
from .layouts.assessment_table import TableRow
from .messy import name_variant
from .output import FileOut
from .periods import folder
from .rng import stream
from .values import TARGET
from .writers import Book

ORDER = {"TH": 0, "THCS": 1, "TH_THCS": 2}


def _table(ctx: Context, year: str, kind: str) -> FileOut:
    scores = ctx.assessments.self_scores if kind == "self" else ctx.assessments.verified
    rng = stream(ctx.seed, "4725-table", year, kind)
    rows = [TableRow(s, scores[(s.code, year)], name_variant(s, rng.choice(("full", "no_truong", "abbrev"))), s.code)
            for s in ctx.schools if (s.code, year) in scores]
    if kind == "self":
        titles = ["TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ MỨC ĐỘ CHUYỂN ĐỔI SỐ CỦA CÁC CƠ SỞ GIÁO DỤC PHỔ THÔNG",
                  "(Theo Quyết định số 4725/QĐ-BGDĐT ngày 30/12/2022)", f"Năm học {year}"]
        path, place = f"{folder(year, 'CN')}/KQ_4725_tu_danh_gia_{year}.xlsx", "Vinh, ngày 10 tháng 6 năm 2024"
    else:
        titles = ["KẾT QUẢ THẨM ĐỊNH MỨC ĐỘ CHUYỂN ĐỔI SỐ CỦA CÁC CƠ SỞ GIÁO DỤC PHỔ THÔNG",
                  "(Theo Quyết định số 4725/QĐ-BGDĐT ngày 30/12/2022)", f"Năm học {year}"]
        path, place = f"{folder(year, 'CN')}/KQ_4725_tham_dinh_{year}.xlsx", "Vinh, ngày 20 tháng 6 năm 2025"
    sheet = assessment_table.build(rows, titles, "Kết quả 4725", place)
    writer = "prefixed" if kind == "verified" else "xlsxwriter"  # exported by the department's .NET software
    return FileOut(Book(path, [sheet], writer=writer), "assessment_table", year, None,
                   assessment_rows=[(r.school.code, (kind,)) for r in rows],
                   info={"format": "xlsx", "kind": kind, "writer": writer})


def _forms(ctx: Context, year: str) -> list[FileOut]:
    rng = stream(ctx.seed, "4725-forms", year)
    general = [s for s in ctx.schools if s.level in TARGET and (s.code, year) in ctx.assessments.self_scores]
    verified = [s for s in general if (s.code, year) in ctx.assessments.verified]
    returned = {s.code for s in rng.sample(verified, (len(verified) + 1) // 2)}  # copies sent back after verification
    no_code = rng.choice(general).code
    outs = []
    for i, school in enumerate(general):
        key = (school.code, year)
        carries = ("self", "verified") if school.code in returned else ("self",)
        spec = assessment_form.AssessmentFormSpec(
            school=school, year=year, self_scores=ctx.assessments.self_scores[key],
            verified=ctx.assessments.verified[key] if "verified" in carries else None,
            code=None if school.code == no_code else school.code,
            name=name_variant(school, ("full", "no_truong")[i % 2]), text_decimals=i % 3 == 1,
            sequence_column=i % 3 == 2)
        book = Book(f"{folder(year, 'CN')}/4725/TDG_4725_{year}_{school.code}.xlsx", [assessment_form.build(spec)])
        outs.append(FileOut(book, "assessment_form", year, None, assessment_rows=[(school.code, carries)],
                            info={"format": "xlsx", "kind": "+".join(carries),
                                  "code_in_title": school.code != no_code, "sequence_column": i % 3 == 2}))
    return outs


def assessment_files(ctx: Context) -> list[FileOut]:
    first, last = YEARS_4725
    return [_table(ctx, first, "self")] + _forms(ctx, last) + [_table(ctx, last, "verified")]
