"""E-mail of the reporting loop (issue 21): figures returned with a comment go to the school, a file a school sends
goes to the analysts whose scope covers it, deadline reminders go to the schools that have not sent.

Mail is on only when `smtp_host` is set (data/settings.toml; every setting and its meaning: etl/settings.py); the
password is read from the environment variable DX_SMTP_PASSWORD, never from a file. Without a host every send is a
no-op that says so. Messages are plain text in Vietnamese. A send never raises: a failure is logged and comes back as
one Vietnamese sentence. Every attempt made with mail on is appended to `mail_log.jsonl` beside the warehouse, so the
office can see what went out."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import smtplib
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from etl.accounts import Account, load_accounts

PASSWORD_ENV = "DX_SMTP_PASSWORD"
TIMEOUT_SECONDS = 10.0  # a page never waits longer than this on a slow server (and it sends in the background)
SECURITIES = ("starttls", "ssl", "none")
OFFICE_ROLES = ("analyst", "admin")  # who takes the files a school sends
MAX_CELLS = 30  # cells named in a return mail; the rest are counted
# URL paths of the pages a mail points to (app.py, PAGES)
INTAKE_PAGE = "nap-so-lieu"

log = logging.getLogger("dx.mail")
_ADDRESS = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")


@dataclass(frozen=True)
class MailConfig:
    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    sender: str = ""
    sender_name: str = ""
    username: str = ""
    password: str = ""
    public_url: str = ""
    timeout: float = TIMEOUT_SECONDS

    @property
    def on(self) -> bool:
        return bool(self.host)

    def __repr__(self) -> str:  # never the password, in a log or a traceback
        return f"MailConfig(host={self.host!r}, port={self.port}, security={self.security!r}, sender={self.sender!r})"


def mail_config(settings: dict | None = None, environ: dict | None = None) -> MailConfig:
    """The mail settings in force (data/settings.toml over the defaults), the password from DX_SMTP_PASSWORD."""
    from etl.settings import load_settings

    values = settings if settings is not None else load_settings()
    environ = os.environ if environ is None else environ
    username = str(values.get("smtp_user") or "").strip()
    sender = str(values.get("mail_from") or "").strip() or (username if _ADDRESS.match(username) else "")
    return MailConfig(host=str(values.get("smtp_host") or "").strip(), port=int(values.get("smtp_port") or 0),
                      security=str(values.get("smtp_security") or "starttls").strip().lower(), sender=sender,
                      sender_name=str(values.get("office_name") or ""), username=username,
                      password=environ.get(PASSWORD_ENV, ""),
                      public_url=str(values.get("public_url") or "").strip().rstrip("/"))


@dataclass(frozen=True)
class Message:
    kind: str  # returned | approved | file_sent | deadline
    subject: str
    body: str


class Status(str):
    """One Vietnamese sentence for the page or the terminal; `state` says what happened: sent, off (no mail server
    configured), nobody (no address to send to), failed."""

    state: str

    def __new__(cls, text: str, state: str) -> Status:
        status = super().__new__(cls, text)
        status.state = state
        return status

    @property
    def sent(self) -> bool:
        return self.state == "sent"


# ---------------------------------------------------------------------------------------------------- recipients

def addresses(accounts: Iterable[Account]) -> list[str]:
    """The well-formed e-mails of the enabled accounts, each once, sorted."""
    return sorted({a.email.strip().lower() for a in accounts
                   if not a.disabled and a.email and _ADDRESS.match(a.email.strip())})


def covers(account: Account, school_code: str, ward_of_school: str | None) -> bool:
    """Whether the account's scope holds the school, as reads scope it (dashboard.auth.scope_schools, a ward scope
    being the schools whose `ward_new` is one of the account's wards)."""
    if account.scope == "province":
        return True
    if account.scope == "ward":
        return ward_of_school is not None and ward_of_school in account.wards
    return account.school == school_code


def school_recipients(db_path: Path, school_code: str) -> list[str]:
    """The e-mails of the enabled school accounts of that school."""
    return addresses(a for a in load_accounts(db_path).values() if a.role == "school" and a.school == school_code)


def office_recipients(db_path: Path, school_code: str, ward_of_school: str | None = None) -> list[str]:
    """The e-mails of the enabled analyst and admin accounts whose scope covers the school (province-wide, a ward
    scope holding the school's new ward, or that school). Without `ward_of_school` the registry gives it."""
    accounts = [a for a in load_accounts(db_path).values() if a.role in OFFICE_ROLES]
    if ward_of_school is None and any(a.scope == "ward" for a in accounts):
        ward_of_school = school_info(db_path, [school_code]).get(school_code, {}).get("ward")
    return addresses(a for a in accounts if covers(a, school_code, ward_of_school))


def school_info(db_path: Path, school_codes: list[str]) -> dict[str, dict]:
    """code → {"name", "ward"} from the warehouse's registry (empty when there is no warehouse yet)."""
    from etl.warehouse import open_read_only, read_cursor

    if not school_codes or not Path(db_path).exists():
        return {}
    try:
        con = open_read_only(Path(db_path))
        try:
            rows = read_cursor(con).execute("SELECT school_code, school_name, ward_new FROM schools "
                                            "WHERE list_contains(?, school_code)", [list(school_codes)]).fetchall()
        finally:
            con.close()
    except Exception as exc:  # noqa: BLE001 - a damaged warehouse must not stop a mail, only its names
        log.warning("mail: không đọc được danh mục trường (%s)", exc)
        return {}
    return {code: {"name": name, "ward": ward} for code, name, ward in rows}


# ---------------------------------------------------------------------------------------------------- messages

def period_label(school_year: str, period: str) -> str:
    """As the pages say it (dashboard.format.period_label): 'HK I 2025-2026', 'Cả năm 2025-2026'."""
    return f"{'HK I' if period == 'HK1' else 'Cả năm'} {school_year}"


def _one_line(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()


def _date_vi(value: dt.date | dt.datetime | str) -> str:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value.strip()
    return f"{value:%d/%m/%Y}"


def _link(url: str | None, page: str = "") -> str:
    from etl.settings import load_settings

    base = (url if url is not None else str(load_settings().get("public_url") or "")).strip().rstrip("/")
    if not base:
        return ""
    return f"\n\nMở bảng điều khiển: {base}/{page}" if page else f"\n\nMở bảng điều khiển: {base}"


def _signature() -> str:
    from etl.settings import load_settings

    return ("\n\n--\nThư gửi tự động từ bảng điều khiển chuyển đổi số của "
            f"{_one_line(load_settings().get('office_name'))}; xin đừng trả lời thư này.")


def returned(school_name: str, period_label: str, comment: str, cells: Iterable[str] = (), by: str = "",
             url: str | None = None) -> Message:
    """The figures of a school returned for correction, with the analyst's comment and the cells to fix."""
    school, period = _one_line(school_name), _one_line(period_label)
    lines = [f"Kính gửi {school},", "",
             f"Số liệu kỳ {period} của trường đã được trả lại để sửa"
             + (f" (người trả lại: {_one_line(by)})." if by else "."), "",
             "Lý do:", (comment or "").strip() or "(không ghi)"]
    cells = [_one_line(c) for c in cells if _one_line(c)]
    if cells:
        lines += ["", "Các ô cần xem lại:"] + [f"- {c}" for c in cells[:MAX_CELLS]]
        if len(cells) > MAX_CELLS:
            lines.append(f"- … và {len(cells) - MAX_CELLS} ô khác")
    lines += ["", "Đề nghị nhà trường sửa số liệu và gửi lại tệp trên trang \"Nạp số liệu\"."]
    return Message("returned", f"Số liệu {period} của {school} được trả lại để sửa",
                   "\n".join(lines) + _link(url, INTAKE_PAGE) + _signature())


def approved(school_name: str, period_label: str, by: str = "", url: str | None = None) -> Message:
    school, period = _one_line(school_name), _one_line(period_label)
    body = (f"Kính gửi {school},\n\nSố liệu kỳ {period} của trường đã được duyệt"
            + (f" (người duyệt: {_one_line(by)})." if by else ".") + " Nhà trường không cần làm gì thêm.")
    return Message("approved", f"Số liệu {period} của {school} đã được duyệt", body + _link(url) + _signature())


def file_sent(school_name: str, school_code: str, period_label: str, files: Iterable[str], who: str = "",
              url: str | None = None) -> Message:
    """A school sent files for the period: they wait in the analysts' review queue."""
    school, period = _one_line(school_name), _one_line(period_label)
    files = [_one_line(f) for f in files if _one_line(f)]
    lines = [f"{school} (mã {_one_line(school_code)}) đã gửi {len(files)} tệp số liệu kỳ {period}"
             + (f" (người gửi: {_one_line(who)})." if who else "."), ""]
    lines += [f"- {f}" for f in files]
    lines += ["", "Các tệp đang chờ chuyên viên xem và nạp (hoặc trả lại) trên trang \"Nạp số liệu\"."]
    return Message("file_sent", f"{school} đã gửi số liệu {period}",
                   "\n".join(lines) + _link(url, INTAKE_PAGE) + _signature())


def deadline_reminder(school_name: str, period_label: str, deadline: dt.date | str, url: str | None = None,
                      returned: bool = False) -> Message:
    """A reminder before the deadline; `returned`: the school's figures were returned and no corrected file came."""
    school, period, when = _one_line(school_name), _one_line(period_label), _date_vi(deadline)
    owed = (f"số liệu kỳ {period} của trường đã được trả lại để sửa và phòng chưa nhận được bản sửa" if returned
            else f"đến nay phòng chưa nhận được số liệu kỳ {period} của trường")
    body = (f"Kính gửi {school},\n\n{owed[:1].upper() + owed[1:]}. Hạn nộp là ngày "
            f"{when}. Đề nghị nhà trường gửi tệp số liệu trên trang \"Nạp số liệu\" trước hạn.\n\n"
            "Nếu trường đã gửi, xin bỏ qua thư này.")
    return Message("deadline", f"Nhắc hạn nộp số liệu {period}: {when}",
                   body + _link(url, INTAKE_PAGE) + _signature())


# ---------------------------------------------------------------------------------------------------- sending

def mail_log_path(db_path: Path) -> Path:
    return Path(db_path).parent / "mail_log.jsonl"


def _record(db_path: Path, to: list[str], message: Message, status: Status) -> None:
    """One JSON line per attempt (not the body: the comment stays in the warehouse, where the decision is)."""
    line = json.dumps({"at": dt.datetime.now().isoformat(timespec="seconds"), "kind": message.kind, "to": to,
                       "subject": message.subject, "state": status.state, "status": str(status)},
                      ensure_ascii=False) + "\n"
    try:
        path = mail_log_path(db_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))  # one write with O_APPEND: a line lands whole
        finally:
            os.close(fd)
    except OSError as exc:
        log.warning("mail: không ghi được nhật ký thư (%s)", exc)


def read_log(db_path: Path) -> list[dict]:
    """Every recorded mail, oldest first; a damaged line is shown as such."""
    from etl.audit import read_json_lines

    return read_json_lines(mail_log_path(db_path), lambda number: {
        "at": "", "kind": "", "to": [], "subject": "", "state": "damaged", "status": f"dòng {number} hỏng"})


def _email(config: MailConfig, to: list[str], message: Message) -> MIMEText:
    """The classic (compat32) message: its Header encodes a long Vietnamese subject into encoded words that keep
    their spaces (Python 3.11's default policy folds one outside the words, and mail readers then drop it)."""
    mail = MIMEText(message.body, "plain", "utf-8")  # base64 body: 7-bit safe on any server
    mail["Subject"] = Header(_one_line(message.subject), "utf-8")
    mail["From"] = formataddr((_one_line(config.sender_name), config.sender)) if config.sender_name else config.sender
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=config.sender.rsplit("@", 1)[-1] or None)
    return mail


def _failure(config: MailConfig, exc: BaseException) -> str:
    where = f"{config.host}:{config.port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (f"máy chủ thư {where} không nhận tên đăng nhập hoặc mật khẩu (thiết lập smtp_user, biến môi trường "
                f"{PASSWORD_ENV}; chỉ dùng được chữ không dấu)")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"máy chủ thư {where} không hỗ trợ STARTTLS hoặc đăng nhập (xem thiết lập smtp_security)"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"máy chủ thư {where} từ chối mọi người nhận"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"máy chủ thư {where} từ chối địa chỉ gửi {config.sender}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"máy chủ thư {where} báo lỗi {exc.smtp_code} ({_one_line(exc.smtp_error.decode(errors='replace'))})"
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, TimeoutError):
        exc = exc.__context__  # smtplib wraps a read that timed out
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"máy chủ thư {where} ngắt kết nối giữa chừng"
    if isinstance(exc, smtplib.SMTPException):
        return f"máy chủ thư {where} báo lỗi ({_one_line(exc)})"
    if isinstance(exc, ssl.SSLError):
        return f"không mã hoá được kết nối tới máy chủ thư {where} ({_one_line(exc.reason or exc)})"
    if isinstance(exc, TimeoutError):
        seconds = str(config.timeout).removesuffix(".0").replace(".", ",")
        return f"máy chủ thư {where} không trả lời trong {seconds} giây"
    if isinstance(exc, ConnectionRefusedError):
        return f"máy chủ thư {where} từ chối kết nối (chưa chạy hoặc sai cổng)"
    if isinstance(exc, OSError):
        return f"không kết nối được máy chủ thư {where} ({_one_line(exc.strerror or exc)})"
    return f"lỗi không lường trước khi gửi qua {where} ({type(exc).__name__}: {_one_line(exc)})"


def _deliver(config: MailConfig, to: list[str], mail: MIMEText) -> dict:
    if config.security == "ssl":
        smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    with smtp:
        if config.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            try:
                smtp.login(config.username, config.password)
            except UnicodeEncodeError:  # smtplib sends the user and password as ASCII
                raise smtplib.SMTPAuthenticationError(535, b"non-ASCII user or password") from None
        return smtp.send_message(mail, from_addr=config.sender, to_addrs=to)


def send(db_path: Path, to: Iterable[str], message: Message, config: MailConfig | None = None) -> Status:
    """Send one plain-text message to `to` (one mail, every address in To); the mail log goes beside `db_path`.
    Never raises: the outcome is a Status, one Vietnamese sentence."""
    try:
        config = config or mail_config()
    except Exception as exc:  # noqa: BLE001 - a bad settings file says so, it does not break the page
        log.warning("mail: thiết lập thư không đọc được (%s)", exc)
        return Status(f"Không gửi thư: thiết lập thư không đọc được ({_one_line(exc)}).", "failed")
    if not config.on:
        return Status("Chưa cấu hình máy chủ thư (thiết lập smtp_host) nên không gửi thư.", "off")
    to = sorted({a.strip().lower() for a in to if a and _ADDRESS.match(a.strip())})
    if not to:
        status = Status("Không gửi thư: không có tài khoản nào nhận thư có địa chỉ thư điện tử.", "nobody")
    elif config.security not in SECURITIES:
        status = Status(f"Không gửi được thư: thiết lập smtp_security phải là một trong {', '.join(SECURITIES)}.",
                        "failed")
    elif not _ADDRESS.match(config.sender):
        status = Status("Không gửi được thư: chưa đặt địa chỉ gửi (thiết lập mail_from).", "failed")
    else:
        try:
            refused = _deliver(config, to, _email(config, to, message))
        except Exception as exc:  # noqa: BLE001 - a mail failure never reaches the caller
            log.warning("mail: %s tới %s thất bại: %r", message.kind, ", ".join(to), exc)
            status = Status(f"Không gửi được thư: {_failure(config, exc)}.", "failed")
        else:
            if refused:
                status = Status(f"Đã gửi thư tới {len(to) - len(refused)} địa chỉ; máy chủ thư từ chối "
                                f"{', '.join(sorted(refused))}.", "sent")
            else:
                status = Status(f"Đã gửi thư tới {len(to)} địa chỉ.", "sent")
            log.info("mail: %s tới %s: %s", message.kind, ", ".join(to), status)
    _record(db_path, to, message, status)
    return status


def send_in_background(db_path: Path, to: Iterable[str], message: Message, config: MailConfig | None = None,
                       on_done: Callable[[Status], None] | None = None) -> threading.Thread:
    """`send` in a daemon thread, so that a page never waits on a slow server; the outcome reaches the mail log
    (and `on_done`, if given, which must not touch Streamlit). The settings are read now, in the caller."""
    try:
        config = config or mail_config()
    except Exception:  # noqa: BLE001 - send() says so in the thread
        config = None
    to = list(to)

    def run() -> None:
        status = send(db_path, to, message, config)
        if on_done is not None:
            try:
                on_done(status)
            except Exception:  # noqa: BLE001
                log.exception("mail: on_done failed")

    thread = threading.Thread(target=run, name=f"mail-{message.kind}", daemon=True)
    thread.start()
    return thread


def deadline_reminders(db_path: Path, school_year: str, period: str, deadline: dt.date | str,
                       not_sent: list[str], config: MailConfig | None = None,
                       returned: Iterable[str] = ()) -> dict[str, int]:
    """A reminder to the school accounts of each school in `not_sent` (one mail per school). The counts of schools:
    sent, failed, nobody (no enabled school account with an e-mail), off (mail not configured: nothing is sent)."""
    counts = {"sent": 0, "failed": 0, "nobody": 0, "off": 0}
    codes = list(dict.fromkeys(not_sent))
    try:
        config = config or mail_config()
    except Exception:  # noqa: BLE001 - send() reports it, school by school
        config = None
    if config is not None and not config.on:
        counts["off"] = len(codes)
        return counts
    info = school_info(db_path, codes)
    label = period_label(school_year, period)
    for code in codes:
        name = info.get(code, {}).get("name") or f"trường {code}"
        url = config.public_url if config is not None else None
        status = send(db_path, school_recipients(db_path, code),
                      deadline_reminder(name, label, deadline, url=url, returned=code in set(returned)), config)
        counts[status.state if status.state in counts else "failed"] += 1
    return counts
