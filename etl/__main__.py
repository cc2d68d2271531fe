"""Command line: python -m etl {load,registry,sample} ... (messages in Vietnamese)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from etl.settings import DEFAULT_DB

_ARGPARSE_VI = [
    ("the following arguments are required", "thiếu tham số bắt buộc"),
    ("unrecognized arguments", "tham số không nhận ra"),
    ("invalid choice", "lựa chọn không hợp lệ"),
    ("expected one argument", "cần một giá trị"),
    ("invalid int value", "không phải số nguyên"),
    ("argument", "tham số"),
]


_HELP_VI = {"usage: ": "Cách dùng: ", "positional arguments": "tham số", "options": "tuỳ chọn",
            "show this help message and exit": "hiện hướng dẫn này rồi thoát"}
argparse._ = lambda text: _HELP_VI.get(text, text)  # argparse's own words ("usage:", "options") in Vietnamese


class VietnameseParser(argparse.ArgumentParser):
    def error(self, message: str):
        for english, vietnamese in _ARGPARSE_VI:
            message = message.replace(english, vietnamese)
        self.print_usage(sys.stderr)
        self.exit(2, f"Lỗi cú pháp lệnh: {message}\nXem hướng dẫn: python -m etl --help\n")


def _parser() -> argparse.ArgumentParser:
    parser = VietnameseParser(prog="python -m etl", description="Nạp số liệu khảo sát chuyển đổi số vào kho.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=VietnameseParser)
    load = sub.add_parser("load", help="nạp tệp hoặc thư mục bảng tính vào kho dữ liệu")
    load.add_argument("paths", nargs="+", type=Path, help="tệp .xlsx/.xls/.xlsb/.ods/.csv hoặc thư mục")
    load.add_argument("--db", type=Path, default=DEFAULT_DB, help="tệp kho dữ liệu DuckDB")
    load.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
    load.add_argument("--force", action="store_true", help="đọc lại cả những tệp đã nạp trước đây")
    load.add_argument("--verbose", action="store_true", help="in cả các ghi chú")
    registry = sub.add_parser("registry", help="cài danh mục trường từ tệp của phòng")
    registry.add_argument("file", type=Path)
    registry.add_argument("--db", type=Path, default=DEFAULT_DB)
    refresh = sub.add_parser("refresh", help="tính lại các chỉ số theo thiết lập và danh mục hiện hành")
    refresh.add_argument("--db", type=Path, default=DEFAULT_DB)
    snap = sub.add_parser("snapshot", help="chụp (đóng băng) số liệu hiện hành cho kỳ họp, hoặc liệt kê ảnh chụp")
    snap.add_argument("action", choices=["create", "list"], help="create: tạo ảnh chụp; list: liệt kê")
    snap.add_argument("name", nargs="?", default="", help='tên ảnh chụp, ví dụ "Sơ kết HK I 2025-2026"')
    snap.add_argument("--db", type=Path, default=DEFAULT_DB)
    user = sub.add_parser("user", help="quản lý tài khoản đăng nhập (lưu cạnh kho dữ liệu)")
    user.add_argument("action", choices=["add", "list", "passwd", "disable", "enable", "remove"],
                      help="add: thêm; list: liệt kê; passwd: đặt lại mật khẩu; disable/enable: khoá/mở; remove: xoá")
    user.add_argument("username", nargs="?", default="")
    user.add_argument("--role", choices=["admin", "analyst", "leadership", "school"], default="analyst",
                      help="admin: quản trị; analyst: chuyên viên; leadership: lãnh đạo; school: trường")
    user.add_argument("--ward", action="append", default=[], help="phường mới trong phạm vi (lặp lại nếu nhiều phường)")
    user.add_argument("--school", default=None, help="mã trường (tài khoản của một trường)")
    user.add_argument("--name", default="", help="họ tên hiển thị")
    user.add_argument("--email", default="", help="thư điện tử dùng khi đăng nhập một lần (SSO)")
    user.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn")
    user.add_argument("--db", type=Path, default=DEFAULT_DB)
    save = sub.add_parser("backup", help="sao lưu kho, tệp gốc, ảnh chụp, mẫu nhập, tài khoản và nhật ký vào thư mục")
    save.add_argument("target", type=Path)
    save.add_argument("--db", type=Path, default=DEFAULT_DB)
    back = sub.add_parser("restore", help="khôi phục từ một thư mục sao lưu")
    back.add_argument("folder", type=Path)
    back.add_argument("--db", type=Path, default=DEFAULT_DB)
    back.add_argument("--force", action="store_true", help="thay kho dữ liệu đang có")
    remind = sub.add_parser("remind", help="gửi thư nhắc hạn cho các trường chưa nộp báo cáo một kỳ")
    remind.add_argument("--year", required=True, help="năm học, ví dụ 2026-2027")
    remind.add_argument("--period", required=True, choices=["HK1", "CN"], help="HK1: học kỳ I; CN: cả năm")
    remind.add_argument("--deadline", required=True, help="hạn nộp, dạng 2026-12-20")
    remind.add_argument("--db", type=Path, default=DEFAULT_DB)
    sample = sub.add_parser("sample", help="tạo bộ dữ liệu mẫu giả lập")
    sample.add_argument("--out", type=Path, required=True)
    sample.add_argument("--seed", type=int, default=2025)
    sample.add_argument("--schools", type=int, default=140)
    return parser


def _load(args) -> int:
    from etl.loader import UsageError, run_load
    from etl.report import render_text
    from etl.warehouse import Busy

    progress = (lambda m: None) if args.json else (lambda m: print(m, file=sys.stderr, flush=True))
    try:
        report = run_load(args.paths, args.db, command=" ".join(sys.argv), force=args.force, progress=progress)
    except (UsageError, Busy) as exc:
        if args.json:
            print(json.dumps({"error": str(exc), "exit_code": 2}, ensure_ascii=False, indent=2))
        else:
            print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    if report["load_id"] is not None:
        from etl import audit

        totals = report["totals"]
        audit.record(args.db, audit.terminal_user(), "load", f"lần nạp {report['load_id']}: {totals['files']} tệp, "
                     f"{totals['rows_loaded']} dòng nạp, {totals['rows_rejected']} dòng từ chối")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        print(render_text(report, show_info=args.verbose))
    return report["exit_code"]


def _registry(args) -> int:
    from etl.registry import install_registry
    from etl.warehouse import Busy

    if not args.file.is_file():
        print(f"Lỗi: {args.file}: không tìm thấy tệp", file=sys.stderr)
        return 2
    try:
        text, code, _ = install_registry(args.file, args.db, command=" ".join(sys.argv))
    except Busy as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    print(text)
    return code


def _refresh(args) -> int:
    from etl.reference import load_catalogue
    from etl.warehouse import Busy, WarehouseWrite

    if not args.db.is_file():
        print(f"Lỗi: {args.db}: chưa có kho dữ liệu", file=sys.stderr)
        return 2
    try:
        with WarehouseWrite(args.db, load_catalogue()):
            pass  # opening a write re-publishes the catalogues, settings and metric views
    except (Busy, ValueError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    print(f"Đã tính lại các chỉ số trong {args.db} theo thiết lập và danh mục hiện hành.")
    return 0


def _snapshot(args) -> int:
    import duckdb

    from etl.snapshot import create_snapshot, list_snapshots
    from etl.warehouse import WarehouseError

    if args.action == "list":
        snapshots = list_snapshots(args.db)
        if not snapshots:
            print("Chưa có ảnh chụp số liệu nào.")
        for snap in snapshots:
            print(f"{snap.label}: {snap.files} tệp, {snap.schools_reporting} trường có số liệu — {snap.path}")
        return 0
    try:
        snap = create_snapshot(args.db, args.name)
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        raise WarehouseError.from_os(args.db, exc) from None
    except duckdb.Error as exc:
        raise WarehouseError.from_duckdb(args.db, exc) from None
    from etl import audit

    audit.record(args.db, audit.terminal_user(), "snapshot", snap.name)
    print(f"Đã chụp số liệu \"{snap.name}\" lúc {snap.created_at:%d/%m/%Y %H:%M}: {snap.files} tệp, "
          f"{snap.schools_reporting} trường có số liệu → {snap.path}")
    return 0


def _user(args) -> int:
    import getpass

    from etl import accounts, audit

    who = audit.terminal_user()

    def password() -> str:
        if args.password_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != first:
            raise accounts.AccountError("Hai lần nhập mật khẩu không khớp.")
        return first

    try:
        if args.action == "list":
            found = accounts.load_accounts(args.db)
            if not found:
                print("Chưa có tài khoản nào: ứng dụng chạy ở chế độ một người dùng trên máy này.")
            for a in found.values():
                state = " (đã khoá)" if a.disabled else ""
                print(f"{a.username}: {a.role_vi}, phạm vi {a.scope_vi()}{state}" + (f", {a.email}" if a.email else ""))
            return 0
        if not args.username:
            raise accounts.AccountError("Hãy ghi tên đăng nhập.")
        if args.action == "add":
            scope = "school" if args.school or args.role == "school" else "ward" if args.ward else "province"
            account = accounts.add_account(args.db, args.username, password(), args.role, scope, args.ward,
                                           args.school, args.name, args.email)
            audit.record(args.db, who, "account_add", f"{account.username}: {account.role_vi}", account.scope_vi())
            print(f"Đã thêm tài khoản {account.username} ({account.role_vi}, phạm vi {account.scope_vi()}).")
        elif args.action == "passwd":
            accounts.set_password(args.db, args.username, password())
            audit.record(args.db, who, "account_change", f"{args.username}: đặt lại mật khẩu")
            print(f"Đã đặt lại mật khẩu của {args.username}.")
        elif args.action in ("disable", "enable"):
            accounts.set_disabled(args.db, args.username, args.action == "disable")
            audit.record(args.db, who, "account_change", f"{args.username}: "
                         f"{'khoá' if args.action == 'disable' else 'mở khoá'}")
            print(f"Đã {'khoá' if args.action == 'disable' else 'mở khoá'} tài khoản {args.username}.")
        else:
            accounts.remove_account(args.db, args.username)
            audit.record(args.db, who, "account_remove", args.username)
            print(f"Đã xoá tài khoản {args.username}.")
    except accounts.AccountError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    return 0


def _backup(args) -> int:
    from etl import audit
    from etl.backup import BackupError, backup, restore

    try:
        if args.command == "backup":
            folder = backup(args.db, args.target)
            audit.record(args.db, audit.terminal_user(), "backup", str(folder))
            print(f"Đã sao lưu vào {folder}")
        else:
            manifest = restore(args.folder, args.db, force=args.force)
            audit.record(args.db, audit.terminal_user(), "restore", f"{args.folder} (sao lưu lúc "
                         f"{manifest['created_at']})")
            print(f"Đã khôi phục {len(manifest['files'])} tệp từ {args.folder} vào {args.db.parent}")
    except (BackupError, OSError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    return 0


def _sample(args) -> int:
    from etl.sample import generate

    manifest = generate(args.out, seed=args.seed, n_schools=args.schools)
    print(f"Đã tạo {len(manifest['files'])} tệp dữ liệu mẫu (giả lập) trong {args.out}")
    return 0


def _remind(args) -> int:
    """Deadline reminders by mail to the schools that have not sent (or were returned), for a cron job or by hand."""
    import datetime as dt

    from etl import notify, submissions

    try:
        deadline = dt.date.fromisoformat(args.deadline)
    except ValueError:
        print(f"Lỗi: hạn nộp «{args.deadline}» không phải ngày dạng 2026-12-20", file=sys.stderr)
        return 2
    if not args.db.is_file():
        print(f"Lỗi: {args.db}: chưa có kho dữ liệu", file=sys.stderr)
        return 2
    codes = submissions.to_remind(args.db, args.year, args.period)
    counts = notify.deadline_reminders(args.db, args.year, args.period, deadline, codes,
                                       returned=submissions.returned_schools(args.db, args.year, args.period))
    if counts["off"]:
        print(f"Chưa cấu hình máy chủ thư (thiết lập smtp_host): không gửi thư nào; {len(codes)} trường chưa nộp.")
        return 1
    print(f"{len(codes)} trường chưa nộp: đã gửi thư nhắc tới {counts['sent']} trường, {counts['nobody']} trường "
          f"không có tài khoản có thư điện tử, {counts['failed']} trường gửi không được (xem mail_log.jsonl).")
    return 0 if not counts["failed"] else 1


def main(argv: list[str] | None = None) -> int:
    from etl.warehouse import WarehouseError

    args = _parser().parse_args(argv)
    commands = {"load": _load, "registry": _registry, "refresh": _refresh, "snapshot": _snapshot, "sample": _sample,
                "user": _user, "backup": _backup, "restore": _backup, "remind": _remind}
    try:
        return commands[args.command](args)
    except WarehouseError as exc:  # full disk, read-only folder, corrupt warehouse: one sentence, no traceback
        if getattr(args, "json", False):
            print(json.dumps({"error": str(exc), "exit_code": 2}, ensure_ascii=False, indent=2))
        else:
            print(f"Lỗi: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
