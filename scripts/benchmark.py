"""Performance figures, printed (targets are checked by reading them, not by timed unit tests).

    .venv/bin/python scripts/benchmark.py [--schools 140] [--runs 5]

1. ETL: generating the sample, installing the registry, loading every file into a new warehouse,
   loading it again (nothing changes), the size of the warehouse.
2. Pages: each page script run headless (streamlit AppTest) once cold and `runs` times warm;
   target: under 0.5 s warm on the sample.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["tong_quan.py", "muc_do_4725.py", "may_tinh.py", "ke_hoach.py", "ho_so_truong.py", "chat_luong.py",
         "trinh_chieu.py"]
TARGET_SECONDS = 0.5


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def quiet(function, *args):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return function(*args)


def etl(workdir: Path, schools: int) -> Path:
    from etl.__main__ import main
    from etl.sample import generate

    sample = workdir / "sample"
    seconds, manifest = timed(lambda: generate(sample, seed=2025, n_schools=schools))
    print(f"Sinh dữ liệu mẫu: {len(manifest['files'])} tệp, {schools} trường: {seconds:.2f} s")
    db = workdir / "warehouse.duckdb"
    seconds, _ = timed(lambda: quiet(main, ["registry", str(sample / "danh_muc_truong.xlsx"), "--db", str(db)]))
    print(f"Cài danh mục trường: {seconds:.2f} s")
    seconds, code = timed(lambda: quiet(main, ["load", str(sample), "--db", str(db)]))
    files = len(manifest["files"])
    print(f"Nạp toàn bộ vào kho mới: {seconds:.2f} s ({1000 * seconds / files:.0f} ms/tệp), mã thoát {code}")
    seconds, code = timed(lambda: quiet(main, ["load", str(sample), "--db", str(db)]))
    print(f"Nạp lại cùng các tệp (không đổi gì): {seconds:.2f} s, mã thoát {code}")
    print(f"Dung lượng kho: {db.stat().st_size / 1024 / 1024:.1f} MB")
    return db


def pages(db: Path, runs: int) -> None:
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["DX_DB"] = str(db)
    print(f"\nThời gian chạy kịch bản mỗi trang (AppTest; {runs} lần khi bộ đệm đã nóng; "
          f"mục tiêu < {TARGET_SECONDS} s):")
    for page in PAGES:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        app.run()
        app.switch_page(f"pages/{page}")
        cold, _ = timed(app.run)
        if app.exception:
            print(f"  {page:18} LỖI: {app.exception[0].message}")
            continue
        warm = []
        for _ in range(runs):
            seconds, _ = timed(app.run)
            warm.append(seconds)
        median = statistics.median(warm)
        verdict = "đạt" if median < TARGET_SECONDS else "CHƯA ĐẠT"
        print(f"  {page:18} lần đầu {cold:5.2f} s; nóng: trung vị {median:5.3f} s, "
              f"lớn nhất {max(warm):5.3f} s — {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Đo hiệu năng nạp dữ liệu và các trang.")
    parser.add_argument("--schools", type=int, default=140)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = etl(Path(tmp), args.schools)
        pages(db, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
