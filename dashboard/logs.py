"""Logs for a server: with DX_LOG_FORMAT=json (the Docker image and the systemd unit set it), every log record goes
to stdout as one JSON object (time, level, logger, message), which journald, Docker and log collectors read as is."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": dt.datetime.fromtimestamp(record.created).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure() -> None:
    """Once per process: JSON lines on stdout if asked; our loggers at INFO."""
    root = logging.getLogger()
    if getattr(root, "_dx_configured", False):
        return
    root._dx_configured = True
    for name in ("dx", "etl", "dashboard"):
        logging.getLogger(name).setLevel(logging.INFO)
    if os.environ.get("DX_LOG_FORMAT") == "json":
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        for name in ("dx", "etl", "dashboard"):
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            logger.propagate = False
