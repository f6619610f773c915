"""Run the web server, a Celery worker and beat together, and stop them all on Ctrl-C.

Each child runs in its own process group, so a signal reaches the whole tree it
starts (Celery's pool children, runserver's reloader). Stopping sends SIGTERM to
every group, waits ``grace`` seconds, then SIGKILLs what is left: a Celery worker
can hang on shutdown (seen with the filesystem transport), and Ctrl-C must still
return the terminal within seconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: Sequence[str]


def quickstart_processes(*, host: str, port: int, python: str = sys.executable) -> list[ProcessSpec]:
    return [
        ProcessSpec("web", [python, "manage.py", "runserver", "--noreload", f"{host}:{port}"]),
        ProcessSpec(
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--pool=threads",
                "--concurrency=2",
                "--hostname=rivalscope@%h",
            ],
        ),
        ProcessSpec("beat", [python, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]),
    ]


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def stop_all(procs: dict[str, subprocess.Popen[bytes]], *, grace: float) -> None:
    for proc in procs.values():
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs.values():
        remaining = max(0.0, deadline - time.monotonic())
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=remaining)
    for proc in procs.values():
        # Even a child that exited may have left its own children in the group.
        _signal_group(proc, signal.SIGKILL)
        if proc.poll() is None:
            proc.wait()


def run_processes(specs: Sequence[ProcessSpec], *, grace: float = 5.0, cwd: str | None = None) -> int:
    """Start every process; return when a signal arrives or any of them exits."""
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    procs: dict[str, subprocess.Popen[bytes]] = {}
    exit_code = 0
    try:
        for spec in specs:
            procs[spec.name] = subprocess.Popen(list(spec.argv), cwd=cwd, start_new_session=True)  # noqa: S603 - our own argv
        while not stopping:
            for name, proc in procs.items():
                code = proc.poll()
                if code is not None:
                    print(f"[rivalscope] {name} exited with code {code}; stopping the others.", file=sys.stderr)
                    exit_code = code or 1
                    stopping = True
                    break
            time.sleep(0.2)
    finally:
        print("[rivalscope] stopping web server, worker and beat…", file=sys.stderr, flush=True)
        stop_all(procs, grace=grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return exit_code
