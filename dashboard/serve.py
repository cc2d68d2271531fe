"""`python -m dashboard.serve [streamlit options]`: the dashboard as a server process (the Docker image and the
systemd unit run this): JSON logs, the health endpoint (DX_HEALTH_PORT) running from the start rather than from the
first visitor's page, then Streamlit itself in the same process."""
from __future__ import annotations

import sys
from pathlib import Path

from dashboard import health, logs


def main() -> None:
    logs.configure()
    health.start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(Path(__file__).resolve().parent.parent / "app.py"), *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
