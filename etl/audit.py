"""The audit record: who did what, when, on which scope. One JSON line per action appended to `audit.jsonl` beside
the warehouse; nothing in the program rewrites or shortens it."""
from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import os
from pathlib import Path

ACTIONS = {
    "login": "đăng nhập", "login_failed": "đăng nhập sai", "logout": "đăng xuất", "load": "nạp số liệu",
    "undo": "hoàn tác lần nạp", "approve": "duyệt số liệu", "return": "trả lại số liệu", "lock": "khoá kỳ",
    "unlock": "mở khoá kỳ", "snapshot": "chụp số liệu", "export": "xuất báo cáo", "download": "tải xuống",
    "account_add": "thêm tài khoản", "account_change": "sửa tài khoản", "account_remove": "xoá tài khoản",
    "denied": "bị từ chối truy cập", "backup": "sao lưu", "restore": "khôi phục",
    "submit": "trường gửi số liệu", "withdraw": "trường rút tệp đã gửi", "remind": "gửi thư nhắc hạn",
}


def audit_path(db_path: Path) -> Path:
    return Path(db_path).parent / "audit.jsonl"


def terminal_user() -> str:
    try:
        return f"dòng lệnh ({getpass.getuser()})"
    except (KeyError, OSError):
        return "dòng lệnh"


def record(db_path: Path, who: str, action: str, what: str = "", scope: str = "") -> None:
    """Append one action. O_APPEND makes a line written in one call land whole after the others."""
    line = json.dumps({"at": dt.datetime.now().isoformat(timespec="seconds"), "who": who, "action": action,
                       "what": what, "scope": scope}, ensure_ascii=False) + "\n"
    logging.getLogger("dx.audit").info(line.rstrip())  # the same line on the server's log (stdout)
    path = audit_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def read_json_lines(path: Path, damaged) -> list[dict]:
    """The records of a JSON-lines log, oldest first; a damaged line becomes `damaged(its line number)`, never
    dropped."""
    if not path.exists():
        return []
    rows = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                rows.append(json.loads(line))
            except ValueError:
                rows.append(damaged(number))
    return rows


def read(db_path: Path) -> list[dict]:
    """Every recorded action, oldest first; a damaged line is shown as such, not dropped."""
    return read_json_lines(audit_path(db_path), lambda number: {
        "at": "", "who": "", "action": "damaged", "what": f"dòng {number} hỏng", "scope": ""})
