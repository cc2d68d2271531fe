"""`python -m dashboard.serve [streamlit options]`: the dashboard as a server process (`make run`, the Docker image and
the systemd unit run this): JSON logs, the health endpoint (DX_HEALTH_PORT) running from the start rather than from
the first visitor's page, Streamlit's script bundles sent gzip-compressed, then Streamlit itself in the same process.

Compression: Streamlit 1.67 serves its frontend (/static/js/*.js, 26 MB on disk, 4.7 MB for Plotly alone) without
compression on purpose (its SelectiveGZipMiddleware bypasses /static/: compressing on every request costs CPU, and it
expects a reverse proxy to do it). There is no option to turn it on. Here the bundles are compressed once per file
and process (gzip level 9, ~0.2 s for the Plotly bundle, kept in memory: the files are content-hashed and never
change while the server runs), so each later request costs nothing but the send; Streamlit's own handler still
answers every request (path checks, 304s, its `public, immutable, max-age=1 year` cache header), only the body of a
200 is swapped for the compressed one. Python's standard library has gzip only (no brotli or zstd on 3.11)."""
from __future__ import annotations

import gzip
import logging
import os
import sys
import threading
from pathlib import Path

from dashboard import health, logs

LOG = logging.getLogger("dx.serve")

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json")
MIN_SIZE = 1000  # bytes; below, gzip's header and the Content-Encoding are not worth it


class CompressedStatic:
    """ASGI middleware around Streamlit's app: a 200 for a file under /static/ goes out gzip-compressed when the
    browser accepts gzip. The compressed bytes are made once per file (and file version) and kept."""

    def __init__(self, app, static_dir: str | os.PathLike, base_url: str = "") -> None:
        self.app = app
        self.static_dir = Path(static_dir).resolve()
        base = base_url.strip("/")
        self.prefix = f"/{base}/static/" if base else "/static/"
        self._cache: dict[tuple[str, int, int], bytes] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        path = self._file_for(scope)
        if path is None:
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        state: dict = {}

        async def send_compressed(message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                body = await self._body_for(message, path)
                if body is None:
                    await send(message)
                    return
                state["body"] = body
                await send({**message, "headers": _compressed_headers(message["headers"], len(body))})
            elif "body" in state and kind in ("http.response.body", "http.response.pathsend"):
                if not state.get("sent"):  # the whole compressed body at once; the file's own chunks are dropped
                    state["sent"] = True
                    await send({"type": "http.response.body", "body": b"" if head else state["body"],
                                "more_body": False})
            else:
                await send(message)

        await self.app(scope, receive, send_compressed)

    def _file_for(self, scope) -> Path | None:
        """The file a GET/HEAD under /static/ names, when the browser accepts gzip; None otherwise."""
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return None
        route = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and route.startswith(root + "/"):
            route = route[len(root):]
        if not route.startswith(self.prefix):
            return None
        accepts = b",".join(value for name, value in scope.get("headers", ()) if name == b"accept-encoding")
        if b"gzip" not in accepts.lower():
            return None
        if any(name == b"range" for name, _ in scope.get("headers", ())):
            return None  # a byte range describes the plain file
        relative = route[len(self.prefix) - len("static/"):]  # "static/js/x.js" under Streamlit's static folder
        candidate = (self.static_dir / relative).resolve()
        if self.static_dir not in candidate.parents or not candidate.is_file():
            return None  # Streamlit answers (its index.html for unknown paths, 400 for odd ones)
        return candidate

    async def _body_for(self, start: dict, path: Path) -> bytes | None:
        if start["status"] != 200:
            return None
        headers = {name.lower(): value for name, value in start["headers"]}
        kind = headers.get(b"content-type", b"").decode("latin-1")
        if b"content-encoding" in headers or not kind.startswith(COMPRESSIBLE):
            return None
        import anyio

        return await anyio.to_thread.run_sync(self.compressed, path)

    def compressed(self, path: Path) -> bytes | None:
        """The gzip of `path` (made once per file version), or None when the file is too small to gain."""
        stat = path.stat()
        if stat.st_size < MIN_SIZE:
            return None
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        found = self._cache.get(key)
        if found is not None:
            return found
        with self._guard:
            lock = self._locks.setdefault(str(path), threading.Lock())
        with lock:  # two first visitors at once: one compresses, the other waits for it
            found = self._cache.get(key)
            if found is None:
                found = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
                self._cache[key] = found
        return found


def _compressed_headers(raw: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    headers = []
    vary = []
    for name, value in raw:
        lower = name.lower()
        if lower in (b"content-length", b"accept-ranges"):
            continue  # ranges would be of the plain file
        if lower == b"vary":
            vary.append(value)
            continue
        if lower == b"etag" and not value.startswith(b"W/"):
            value = b"W/" + value  # another representation of the same file (Starlette's 304 check drops W/)
        headers.append((name, value))
    vary.append(b"Accept-Encoding")
    headers += [(b"content-encoding", b"gzip"), (b"content-length", str(length).encode()),
                (b"vary", b", ".join(vary))]
    return headers


def install_compression() -> bool:
    """Wrap the ASGI app Streamlit's server builds in CompressedStatic (before the server starts); False, with a
    warning, when this Streamlit builds its app some other way (the app then runs uncompressed)."""
    try:
        from streamlit import config, file_util
        from streamlit.web.server.starlette import starlette_server
    except ImportError as exc:
        LOG.warning("static files stay uncompressed: %s", exc)
        return False
    build = getattr(starlette_server, "create_starlette_app", None)
    if build is None:
        LOG.warning("static files stay uncompressed: streamlit has no starlette_server.create_starlette_app")
        return False
    if getattr(build, "_dx_compressed", False):
        return True

    def create_starlette_app(runtime):
        return CompressedStatic(build(runtime), file_util.get_static_dir(),
                                config.get_option("server.baseUrlPath") or "")

    create_starlette_app._dx_compressed = True
    starlette_server.create_starlette_app = create_starlette_app
    return True


def warm_up(timeout: float = 120) -> bool:
    """Run the app's main page once, as a browser would (Streamlit's websocket), as soon as the server answers: a
    new server learns the pages of st.navigation only from a first run, and until then the first visitor arriving
    through a page's link (a bookmark, a shared link) got Streamlit's English "Page not found" dialog (Streamlit
    issue #9624). True when the run finished."""
    import time
    import urllib.request

    from streamlit import config
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime import Runtime
    from websockets.sync.client import connect

    deadline = time.monotonic() + timeout
    while not Runtime.exists() and time.monotonic() < deadline:  # the options are read once the runtime exists
        time.sleep(0.3)
    root = ""
    while time.monotonic() < deadline:
        base = "/" + (config.get_option("server.baseUrlPath") or "").strip("/")
        root = f"127.0.0.1:{config.get_option('server.port')}{base.rstrip('/')}"
        try:
            urllib.request.urlopen(f"http://{root}/_stcore/health", timeout=2).read()
            break
        except OSError:
            time.sleep(0.3)
    try:
        with connect(f"ws://{root}/_stcore/stream", subprotocols=["streamlit"], max_size=None,
                     open_timeout=30) as socket:
            message = BackMsg()
            message.rerun_script.query_string = ""
            socket.send(message.SerializeToString())
            while time.monotonic() < deadline:
                reply = ForwardMsg()
                reply.ParseFromString(socket.recv(timeout=max(deadline - time.monotonic(), 1)))
                if reply.WhichOneof("type") == "script_finished":
                    LOG.info("warm-up run of the main page finished")
                    return True
    except Exception as exc:  # noqa: BLE001 - a failed warm-up only leaves the first deep link as it was
        LOG.warning("warm-up run failed: %s", exc)
    return False


def main() -> None:
    logs.configure()
    health.start()
    install_compression()
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    # app.py's st.navigation is the only menu and the only way into a page: without this, the first sessions after a
    # start (until app.py has run once) get Streamlit's list of the files in pages/ and open them without sign-in
    PagesManager.uses_pages_directory = False

    sys.argv = ["streamlit", "run", str(Path(__file__).resolve().parent.parent / "app.py"), *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
