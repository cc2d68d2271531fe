"""A health endpoint for a server deployment: GET /health on DX_HEALTH_PORT (default 8502) answers 200 with
{"status": "ok"} when the warehouse opens and reads, 503 with the reason otherwise. Streamlit's own
/_stcore/health only says that the web server runs."""
from __future__ import annotations

import json
import logging
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dashboard.data import database_path

LOG = logging.getLogger("dx.health")


def check() -> tuple[int, dict]:
    from etl.warehouse import WarehouseError, open_read_only, read_cursor

    path = database_path()
    if not path.exists():
        return 503, {"status": "error", "reason": f"chưa có kho dữ liệu {path}"}
    try:
        with open_read_only(path) as con:
            schools = read_cursor(con).execute("SELECT count(*) FROM schools").fetchall()[0][0]
    except Exception as exc:  # noqa: BLE001 - any failure to read is an unhealthy warehouse, said in words
        return 503, {"status": "error", "reason": str(WarehouseError.from_duckdb(path, exc))}
    return 200, {"status": "ok", "schools": schools}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        code, body = check() if self.path.rstrip("/") == "/health" else (404, {"status": "not found"})
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet: health checks every few seconds are not news
        pass


_started: ThreadingHTTPServer | None = None
_lock = threading.Lock()


def start() -> int | None:
    """Start the endpoint once per process if DX_HEALTH_PORT is set (the Docker image and the systemd unit set it);
    returns the port, or None when not configured or the port is taken."""
    global _started
    port = os.environ.get("DX_HEALTH_PORT")
    if not port:
        return None
    with _lock:
        if _started is None:
            try:
                _started = ThreadingHTTPServer((os.environ.get("DX_HEALTH_ADDRESS", "0.0.0.0"), int(port)), _Handler)
            except OSError as exc:
                LOG.warning("health endpoint not started on port %s: %s", port, exc)
                return None
            threading.Thread(target=_started.serve_forever, daemon=True, name="health").start()
        return _started.server_address[1]
