"""Issue 12: single sign-on in real Chromium against an OpenID Connect provider (oidc-provider-mock): the e-mail the
provider vouches for maps to an account's role and scope; an e-mail no account has gets a clear refusal."""
import contextlib
import shutil
import subprocess
import sys

import pytest

from etl import accounts, audit
from tests.browser import (
    ARTIFACTS,
    chromium_page,
    free_port,
    full_page_screenshot,
    running_app,
    wait_for_app,
    wait_until_up,
)
from tests.conftest import ROOT
from tests.pages import sql


@contextlib.contextmanager
def provider():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/.well-known/openid-configuration", proc, "the OIDC provider")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def sso_app(sample_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sso")
    db = folder / "warehouse.duckdb"
    shutil.copyfile(sample_db, db)
    [(code, name)] = sql(db, "SELECT school_code, school_name FROM schools WHERE level = 'TH' ORDER BY 1 LIMIT 1")
    accounts.add_account(db, "admin", "mat-khau-du-dai", "admin")
    accounts.add_account(db, "th.truong", "mat-khau-du-dai", "school", school=code, email="hieutruong@truong.edu.vn")
    accounts.add_account(db, "lanhdao.so", "mat-khau-du-dai", "leadership", email="lanhdao@sogd.edu.vn")
    accounts.add_account(db, "chuyenvien.so", "mat-khau-du-dai", "analyst", email="chuyenvien@sogd.edu.vn")
    accounts.add_account(db, "quantri.so", "mat-khau-du-dai", "admin", email="quantri@sogd.edu.vn")
    with provider() as issuer:
        import json
        import urllib.request

        for email, verified in (("hieutruong@truong.edu.vn", True), ("lanhdao@sogd.edu.vn", True),
                                ("chuyenvien@sogd.edu.vn", True), ("quantri@sogd.edu.vn", True),
                                ("nguoi.la@example.com", True), ("chuyenvien.chuaxacminh@sogd.edu.vn", False)):
            urllib.request.urlopen(urllib.request.Request(  # the provider vouches for these, or not
                f"{issuer}/users/{email}", method="PUT", headers={"Content-Type": "application/json"},
                data=json.dumps({"email": email, "email_verified": verified}).encode()))
        accounts.add_account(db, "chuaxacminh", "mat-khau-du-dai", "analyst",
                             email="chuyenvien.chuaxacminh@sogd.edu.vn")
        port = free_port()
        secrets = folder / "secrets.toml"
        secrets.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "bi-mat-cua-cookie-de-thu"
client_id = "bang-dieu-khien"
client_secret = "bi-mat"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
""")
        with running_app(ROOT, db, port=port, args=("--secrets.files", str(secrets))) as url:
            yield db, url, code, name


def sso_sign_in(page, url: str, email: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("h1:has-text('Đăng nhập')", timeout=30000)
    page.get_by_role("button", name="Đăng nhập bằng tài khoản cơ quan").click()
    page.wait_for_selector("input[name=sub]", timeout=30000)  # the provider's own form
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()


def test_single_sign_on_maps_the_email_to_the_account(sso_app):
    db, url, code, name = sso_app
    with chromium_page() as page:
        sso_sign_in(page, url, "hieutruong@truong.edu.vn")
        page.wait_for_selector("h1:has-text('Tổng quan')", timeout=60000)
        wait_for_app(page)
        assert "Trường, phạm vi trường " + code in page.inner_text("body")
        page.goto(url + "/ho-so-truong")
        page.wait_for_selector(f"h2:has-text(\"{name}\")", timeout=60000)
        full_page_screenshot(page, ARTIFACTS / "dang_nhap_mot_lan.png")
    assert any(e["who"] == "th.truong" and e["action"] == "login" and "một lần" in e["what"] for e in audit.read(db))


def test_an_email_without_an_account_is_refused(sso_app):
    db, url, *_ = sso_app
    with chromium_page() as page:
        sso_sign_in(page, url, "nguoi.la@example.com")
        page.wait_for_selector("text=chưa được cấp quyền", timeout=60000)
        body = page.inner_text("body")
        assert "Tổng quan" not in body.split("Đăng nhập")[-1]
    assert any(e["who"] == "nguoi.la@example.com" and e["action"] == "login_failed" for e in audit.read(db))


@pytest.mark.parametrize("email, username, pages", [
    ("lanhdao@sogd.edu.vn", "lanhdao.so", 10), ("chuyenvien@sogd.edu.vn", "chuyenvien.so", 12),
    ("quantri@sogd.edu.vn", "quantri.so", 14)])
def test_each_role_signs_in_once_and_gets_its_pages(sso_app, email, username, pages):
    from dashboard.auth import ROLE_PAGES

    db, url, *_ = sso_app
    with chromium_page() as page:
        sso_sign_in(page, url, email)
        page.wait_for_selector("h1:has-text('Tổng quan')", timeout=60000)
        wait_for_app(page)
        links = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        role = accounts.load_accounts(db)[username].role
        assert len(links) == pages and (role == "admin" or len(ROLE_PAGES[role]) == pages)


def test_an_identity_the_provider_has_not_verified_signs_in_as_nobody(sso_app):
    """Issue 22: the provider says email_verified: false; the account with that e-mail is not entered."""
    db, url, *_ = sso_app
    with chromium_page() as page:
        sso_sign_in(page, url, "chuyenvien.chuaxacminh@sogd.edu.vn")
        page.wait_for_selector("text=chưa xác minh", timeout=60000)
        assert "Tổng quan" not in page.inner_text("body").split("Đăng nhập")[-1]
    assert any(e["action"] == "login_failed" and "chưa xác minh" in e["what"] for e in audit.read(db))
