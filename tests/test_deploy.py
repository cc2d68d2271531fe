"""Issue 12: running on an office server. The Docker image is built where a Docker daemon runs; everywhere, the
app is run the way the image and the systemd unit run it (their environment), and the files they name exist."""
import contextlib
import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.browser import free_port, wait_until_up
from tests.conftest import ROOT


def test_the_dockerfile_copies_what_exists_and_sets_what_the_app_reads():
    text = (ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (\S+) ", text, flags=re.M):
        assert (ROOT / source).exists(), source
    code = "\n".join(p.read_text() for p in [*(ROOT / "dashboard").rglob("*.py"), *(ROOT / "etl").rglob("*.py")])
    for name in re.findall(r"(DX_[A-Z_]+)=", text):
        assert name in code, f"{name} is set by the image but read nowhere"
    unit = (ROOT / "deploy" / "chuyen-doi-so.service").read_text()
    for name in re.findall(r"Environment=(DX_[A-Z_]+)=", unit):
        assert name in code, name
    assert "dx-data:/data" in (ROOT / "compose.yaml").read_text()


def _health(port: int):
    """GET /health once the endpoint answers (it starts with the app's first script run)."""
    import time

    for _ in range(100):
        try:
            return _get(f"http://127.0.0.1:{port}/health")
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("the health endpoint never answered")


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@contextlib.contextmanager
def served(db, health_port: int):
    """The app as the image runs it: `python -m dashboard.serve` with the image's environment."""
    import os
    import sys

    port = free_port()
    env = {**os.environ, "DX_DB": str(db), "DX_LOG_FORMAT": "json", "DX_HEALTH_PORT": str(health_port),
           "DX_HEALTH_ADDRESS": "127.0.0.1", "STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_HEADLESS": "true"}
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/_stcore/health", proc, "the server process")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_server_process_serves_health_that_checks_the_warehouse(sample_db, tmp_path):
    port = free_port()
    with served(sample_db, port):  # no visitor yet: the endpoint answers from the start
        assert _health(port) == (200, {"status": "ok", "schools": 140})
    broken = tmp_path / "warehouse.duckdb"
    broken.write_bytes(b"not a database" * 100)
    port = free_port()
    with served(broken, port):
        status, body = _health(port)
        assert status == 503 and body["status"] == "error" and "kho dữ liệu" in body["reason"]


def test_audit_lines_go_to_stdout_as_json(tmp_path, monkeypatch, capsys):
    import logging

    from dashboard import logs
    from etl import audit

    monkeypatch.setenv("DX_LOG_FORMAT", "json")
    root = logging.getLogger()
    monkeypatch.setattr(root, "_dx_configured", False, raising=False)
    logs.configure()
    try:
        audit.record(tmp_path / "warehouse.duckdb", "admin", "lock", "HK I 2025-2026")
        line = capsys.readouterr().out.strip().splitlines()[-1]
        entry = json.loads(line)
        assert entry["logger"] == "dx.audit" and json.loads(entry["message"])["action"] == "lock"
    finally:
        for name in ("dx", "etl", "dashboard"):
            logger = logging.getLogger(name)
            logger.handlers.clear()
            logger.propagate = True


def _docker_runs() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _docker_runs(),
                    reason="no Docker daemon on this machine (CI has none): the image is checked by the tests above")
def test_the_docker_image_builds():
    subprocess.run(["docker", "build", "-t", "chuyen-doi-so:test", str(ROOT)], check=True, timeout=1800)
