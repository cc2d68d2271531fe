"""Screenshots of every page of the real app in headless Chromium.

    .venv/bin/python scripts/screenshots.py [--db data/warehouse.duckdb] [--out screenshots] [PATH ...]

PATH is a page path with its query string (default: every page), e.g. "/may-tinh?cap=Tiểu+học".
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import chromium_page, full_page_screenshot, running_app, wait_for_app  # noqa: E402

PAGES = ["/", "/muc-do-4725", "/may-tinh", "/ke-hoach", "/ho-so-truong", "/chat-luong-du-lieu", "/trinh-chieu"]


def main() -> int:
    parser = argparse.ArgumentParser(description="Chụp ảnh màn hình các trang của ứng dụng.")
    parser.add_argument("paths", nargs="*", default=PAGES)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "warehouse.duckdb")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with running_app(ROOT, args.db) as url, chromium_page() as page:
        page.goto(url + "/")  # a new server learns its pages on the first run (Streamlit issue #9624)
        wait_for_app(page)
        for path in args.paths:
            page.goto(url + path)
            wait_for_app(page)
            page.wait_for_timeout(800)
            body = page.inner_text("body")
            name = path.strip("/").split("?")[0].replace("/", "_") or "tong-quan"
            target = args.out / f"{name}.png"
            full_page_screenshot(page, target)
            problem = " LỖI: có thông báo ngoại lệ" if "Traceback" in body or "Error" in body else ""
            print(f"{path} -> {target}{problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
