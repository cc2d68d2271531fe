"""Read each input file in a worker process with a memory and a time limit.

A small hostile file can make a spreadsheet reader allocate hundreds of gigabytes (a declared dimension of
A1:XFD1048576, a shared string repeated in thousands of cells, XML that inflates to 290 MB) and abort the whole
process. Here each file is read (opened, extracted, validated) in a worker started by a fork server: a worker
that runs out of memory, aborts or takes too long becomes one located error for that file, a new worker takes
its place, and the batch goes on. The workers also read files in parallel.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
import types
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable

from etl.settings import setting

_CONTEXT = None
_LIMIT_MB: int | None = None  # the memory limit of this worker process, once set


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(["etl.loader", "etl.isolate"])
    return _CONTEXT


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space at what it uses now plus `megabytes`."""
    import resource

    with open("/proc/self/status") as status:
        used_kb = next((int(line.split()[1]) for line in status if line.startswith("VmSize:")), 0)
    limit = used_kb * 1024 + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker(conn, catalogue, registry, memory_mb: int, settings: dict) -> None:
    from etl.loader import FileResult, _read_file
    from etl.settings import load_settings

    load_settings().update(settings)  # the limits in force in the loading process, not those read from disk here

    global _LIMIT_MB
    _LIMIT_MB = memory_mb
    try:
        _limit_memory(memory_mb)
    except (OSError, ValueError):
        pass  # no /proc or no rlimit: the time limit still holds
    while True:
        job = conn.recv()
        if job is None:
            return
        index, path, sha, hints = job
        tick, cpu = time.monotonic(), time.process_time()
        result = FileResult(Path(path))
        result.sha, result.hints = sha, hints
        _read_file(result, catalogue, registry)
        result.seconds, result.cpu_seconds = time.monotonic() - tick, time.process_time() - cpu
        conn.send((index, result))


class _Slot:
    def __init__(self, ctx, catalogue, registry, memory_mb: int):
        from etl.settings import load_settings

        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, catalogue, registry, memory_mb, dict(load_settings())),
                                   daemon=True)
        # a new process re-runs the caller's main script unless told otherwise: a script without a __main__ guard,
        # or Streamlit's page script (which only runs inside Streamlit), would then fail in the reader. The readers
        # need nothing from it, so they are started with a bare main module.
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            self.process.start()
        finally:
            if main is not None:
                sys.modules["__main__"] = main
        child.close()
        self.job = None  # (index, result) being read
        self.since = 0.0

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.process.kill()
            else:
                self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


def read_files(results: list, catalogue, registry, progress: Callable[[object], None] = lambda result: None) -> None:
    """Fill each FileResult (whose sha is set) by reading its file in a worker; `progress` is called as each ends."""
    if not results:
        return
    ctx = _context()
    memory_mb, seconds = int(setting("max_memory_mb_per_file")), float(setting("max_seconds_per_file"))
    workers = max(1, min(int(setting("reader_processes")), len(results), os.cpu_count() or 1))
    pending = list(enumerate(results))
    slots = [_Slot(ctx, catalogue, registry, memory_mb) for _ in range(workers)]
    try:
        while pending or any(slot.job for slot in slots):
            for slot in slots:
                if slot.job is None and pending:
                    slot.job = pending.pop(0)
                    slot.since = time.monotonic()
                    index, result = slot.job
                    slot.conn.send((index, str(result.path), result.sha, result.hints))
            busy = [slot for slot in slots if slot.job]
            ready = wait([slot.conn for slot in busy] + [slot.process.sentinel for slot in busy], timeout=1.0)
            for i, slot in enumerate(slots):
                if slot.job is None:
                    continue
                index, result = slot.job
                if slot.conn in ready:
                    try:
                        _, done = slot.conn.recv()
                    except (EOFError, OSError):
                        done = None
                    if done is not None:
                        results[index] = done
                        slot.job = None
                        progress(done)
                        continue
                if slot.conn in ready or slot.process.sentinel in ready or not slot.process.is_alive():
                    _fail(result, "ran_out", memory_mb, seconds)
                elif time.monotonic() - slot.since > seconds:
                    _fail(result, "timeout", memory_mb, seconds)
                else:
                    continue
                slot.stop(kill=True)
                slots[i] = _Slot(ctx, catalogue, registry, memory_mb)
                progress(result)
    finally:
        for slot in slots:
            slot.stop()


def too_big_message(memory_mb: int | None = None) -> str:
    memory_mb = memory_mb or _LIMIT_MB or int(setting("max_memory_mb_per_file"))
    return (f"tệp quá lớn hoặc hỏng khi giải nén: đọc tệp cần hơn {memory_mb} MB bộ nhớ (thường do khai báo hàng triệu "
            "ô hoặc một chuỗi rất dài lặp lại) nên đã dừng. Hãy mở bằng Excel, xoá các dòng/cột thừa, lưu lại rồi "
            "gửi lại")


def _fail(result, why: str, memory_mb: int, seconds: float) -> None:
    result.survey, result.assessment, result.tasks = [], [], []
    if why == "timeout":
        result.log.error("too_slow", f"đọc tệp quá {seconds:.0f} giây nên đã dừng; tệp có thể khai báo vùng dữ liệu "
                         "hoặc ô gộp khổng lồ. Hãy mở bằng Excel, xoá các dòng/cột thừa, lưu lại rồi gửi lại")
    else:
        result.log.error("too_big", too_big_message(memory_mb))
