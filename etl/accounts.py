"""Built-in accounts, stored beside the warehouse (`accounts.json`): a role, a scope along the 2025 hierarchy
(province: every school; ward: the schools of one or more new wards; school: one school), a password hashed with
argon2id, and a lockout after repeated failures. No accounts at all means single-user local mode.

Roles: admin (accounts, registry, settings, everything), analyst (intake, approval, snapshots and exports within
its scope), leadership (every page and export within its scope, no writes), school (its own school)."""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import secrets
import unicodedata
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROLES = {"admin": "Quản trị", "analyst": "Chuyên viên", "leadership": "Lãnh đạo", "school": "Trường"}
SCOPES = {"province": "toàn tỉnh", "ward": "phường", "school": "trường"}
MAX_FAILURES = 5  # then the account waits LOCKOUT_MINUTES
LOCKOUT_MINUTES = 15
SESSION_HOURS = 8
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")


class AccountError(Exception):
    """One Vietnamese sentence for the page or the terminal."""


@dataclass
class Account:
    username: str
    role: str
    scope: str = "province"  # province | ward | school
    wards: list[str] = field(default_factory=list)  # new wards (scope ward)
    school: str | None = None  # school code (scope school, and role school)
    name: str = ""
    email: str = ""  # for single sign-on: the e-mail the identity provider gives
    password_hash: str = ""
    disabled: bool = False
    failures: int = 0
    locked_until: str | None = None
    created_at: str = ""
    session_epoch: int = 0  # raised at logout, password change and disable: every session started before ends
    account_id: str = ""  # random, never reused: a token or session of a removed account never fits a new one

    @property
    def role_vi(self) -> str:
        return ROLES[self.role]

    def scope_vi(self) -> str:
        if self.scope == "ward":
            return "phường " + ", ".join(self.wards)
        if self.scope == "school":
            return f"trường {self.school}"
        return "toàn tỉnh"

    def public(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "password_hash"}


def accounts_path(db_path: Path) -> Path:
    return Path(db_path).parent / "accounts.json"


def load_accounts(db_path: Path) -> dict[str, Account]:
    path = accounts_path(db_path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = {a["username"]: Account(**a) for a in data.get("accounts", [])}
    except (OSError, ValueError, TypeError) as exc:
        raise AccountError(f"{path.name}: không đọc được tệp tài khoản ({exc}); hãy khôi phục từ bản sao lưu") from None
    for account in found.values():
        if not account.account_id:  # written before ids existed: one stable id from what the account was made of
            account.account_id = "cu-" + hashlib.sha256(
                f"{account.username}|{account.created_at}|{account.password_hash}".encode()).hexdigest()[:24]
    return found


@contextmanager
def _changing(db_path: Path):
    """The accounts, locked against another process changing them, written back atomically on leaving."""
    path = accounts_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        accounts = load_accounts(db_path)
        yield accounts
        partial = path.with_name(path.name + ".part")
        partial.write_text(json.dumps({"accounts": [asdict(a) for a in accounts.values()]}, ensure_ascii=False,
                                      indent=1), encoding="utf-8")
        os.chmod(partial, 0o600)
        os.replace(partial, path)


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, the library's current recommended parameters


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")


def add_account(db_path: Path, username: str, password: str, role: str, scope: str = "province",
                wards: list[str] | None = None, school: str | None = None, name: str = "", email: str = "") -> Account:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise AccountError("Tên đăng nhập gồm 3-64 chữ thường không dấu, số, dấu chấm, gạch nối hoặc @.")
    if role not in ROLES:
        raise AccountError(f"Vai trò phải là một trong: {', '.join(ROLES)}.")
    if role == "school":
        scope = "school"
    if scope not in SCOPES:
        raise AccountError(f"Phạm vi phải là một trong: {', '.join(SCOPES)}.")
    if scope == "ward" and not wards:
        raise AccountError("Tài khoản cấp phường cần ít nhất một phường.")
    if scope == "school" and not school:
        raise AccountError("Tài khoản cấp trường cần mã trường.")
    check_password(password)
    account = Account(username, role, scope, list(wards or []) if scope == "ward" else [],
                      school if scope == "school" else None, name.strip(), email.strip().lower(),
                      _hasher().hash(password), created_at=dt.datetime.now().isoformat(timespec="seconds"),
                      account_id=secrets.token_hex(16))
    with _changing(db_path) as accounts:
        if username in accounts:
            raise AccountError(f"Đã có tài khoản {username}.")
        accounts[username] = account
    return account


def set_password(db_path: Path, username: str, password: str) -> None:
    check_password(password)
    with _changing(db_path) as accounts:
        account = _get(accounts, username)
        account.password_hash, account.failures, account.locked_until = _hasher().hash(password), 0, None
        account.session_epoch += 1


def set_disabled(db_path: Path, username: str, disabled: bool) -> None:
    with _changing(db_path) as accounts:
        account = _get(accounts, username)
        account.disabled = disabled
        if disabled:
            account.session_epoch += 1  # enabling again does not bring back a session or token of before


def remove_account(db_path: Path, username: str) -> None:
    with _changing(db_path) as accounts:
        _get(accounts, username)
        if accounts[username].role == "admin" and sum(a.role == "admin" for a in accounts.values()) == 1:
            raise AccountError("Không xoá được tài khoản quản trị cuối cùng.")
        del accounts[username]


def _get(accounts: dict[str, Account], username: str) -> Account:
    account = accounts.get(username.strip().lower())
    if account is None:
        raise AccountError(f"Không có tài khoản {username}.")
    return account


def authenticate(db_path: Path, username: str, password: str, now: dt.datetime | None = None) -> Account:
    """The account, if the password is right; counts failures and locks the account for LOCKOUT_MINUTES after
    MAX_FAILURES in a row. The message does not say whether the user exists."""
    from argon2.exceptions import InvalidHashError, VerificationError

    now = now or dt.datetime.now()
    wrong = AccountError("Tên đăng nhập hoặc mật khẩu không đúng.")
    refusal: AccountError | None = None
    with _changing(db_path) as accounts:  # the failure count is written back, so it is decided inside, raised after
        account = accounts.get(username.strip().lower())
        if account is None:
            _hasher().hash(password)  # the same time as a wrong password: no hint that the user does not exist
            refusal = wrong
        elif account.locked_until and dt.datetime.fromisoformat(account.locked_until) > now:
            until = dt.datetime.fromisoformat(account.locked_until)
            refusal = AccountError(f"Tài khoản tạm khoá đến {until:%H:%M} do nhập sai mật khẩu {MAX_FAILURES} lần; "
                                   "hãy thử lại sau hoặc nhờ quản trị đặt lại mật khẩu.")
        else:
            try:
                _hasher().verify(account.password_hash, password)
                if account.disabled:
                    refusal = AccountError("Tài khoản đã bị khoá; hãy liên hệ quản trị.")
                else:
                    account.failures, account.locked_until = 0, None
            except (VerificationError, InvalidHashError):
                account.failures += 1
                if account.failures >= MAX_FAILURES:
                    account.locked_until = (now + dt.timedelta(minutes=LOCKOUT_MINUTES)).isoformat(timespec="seconds")
                    account.failures = 0
                refusal = wrong
    if refusal is not None:
        raise refusal
    return account


def _secret(db_path: Path) -> bytes:
    """The key that signs the browser's session tokens (`session.key` beside the warehouse, made once)."""
    path = Path(db_path).parent / "session.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, os.urandom(32).hex().encode())
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    return path.read_bytes().strip()


def session_token(db_path: Path, account: Account, now: dt.datetime | None = None) -> str:
    """A signed token the browser keeps in a cookie, so that a reload or a copied link stays signed in until the
    session ends (SESSION_HOURS), a logout or a password change."""
    import hashlib
    import hmac

    started = int((now or dt.datetime.now()).timestamp())
    body = f"{account.username}:{account.account_id}:{account.session_epoch}:{started}"
    return body + ":" + hmac.new(_secret(db_path), body.encode(), hashlib.sha256).hexdigest()


def token_started(token: str | None) -> dt.datetime | None:
    """When the sign-in a token carries happened (a restored session keeps it: its lifetime is never extended)."""
    try:
        return dt.datetime.fromtimestamp(int(token.rsplit(":", 2)[-2]))
    except (AttributeError, ValueError, IndexError, OverflowError, OSError):
        return None


def still_valid(db_path: Path, account: Account, started: dt.datetime | None, now: dt.datetime | None = None,
                accounts: dict | None = None) -> Account | None:
    """The account as it is now, if a session of `account` started at `started` may go on: the same account (not a
    new one under the name), enabled, no logout, password change or disable since, within SESSION_HOURS."""
    current = (accounts if accounts is not None else load_accounts(db_path)).get(account.username)
    if (current is None or current.disabled or current.account_id != account.account_id
            or current.session_epoch != account.session_epoch or started is None
            or (now or dt.datetime.now()) - started >= dt.timedelta(hours=SESSION_HOURS)):
        return None
    return current


def from_token(db_path: Path, token: str | None, now: dt.datetime | None = None) -> Account | None:
    """The account of a valid, unexpired token whose account still exists, is not locked and has not logged out."""
    import hashlib
    import hmac

    if not token or token.count(":") != 4:
        return None
    body, signature = token.rsplit(":", 1)
    if not hmac.compare_digest(signature, hmac.new(_secret(db_path), body.encode(), hashlib.sha256).hexdigest()):
        return None
    username, account_id, epoch, started = body.split(":")
    account = load_accounts(db_path).get(username)
    if account is None or account.account_id != account_id or str(account.session_epoch) != epoch:
        return None
    return still_valid(db_path, account, token_started(token), now)


def end_sessions(db_path: Path, username: str) -> None:
    """Every browser token of the account stops working (logout)."""
    with _changing(db_path) as accounts:
        if username in accounts:
            accounts[username].session_epoch += 1


def _plain_email(email: str | None) -> str | None:
    """An e-mail as compared for single sign-on: plain ASCII only (a Kelvin sign or any other character that Unicode
    folds into a letter would otherwise pass for that letter), case-folded; None for anything else."""
    email = (email or "").strip()
    if not email or not email.isascii() or unicodedata.normalize("NFKC", email) != email:
        return None
    return email.casefold()


def by_email(db_path: Path, email: str) -> Account | None:
    """The account an identity provider's e-mail maps to (single sign-on): exactly equal as plain ASCII."""
    email = _plain_email(email)
    return next((a for a in load_accounts(db_path).values()
                 if email and _plain_email(a.email) == email and not a.disabled), None)


def sso_account(db_path: Path, claims: dict) -> tuple[Account | None, str]:
    """The account a provider's identity maps to, and why not when it does not: only a verified, plain e-mail."""
    email = claims.get("email")
    if claims.get("email_verified") is not True:
        return None, "nhà cung cấp đăng nhập chưa xác minh thư điện tử này"
    if _plain_email(email) is None:
        return None, "thư điện tử có ký tự ngoài bảng chữ cái thường (có thể giả mạo chữ cái)"
    account = by_email(db_path, email)
    return account, "" if account else "chưa cấp quyền"
