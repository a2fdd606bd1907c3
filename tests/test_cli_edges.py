"""The command line's edges: ``--version``, help, messages, wrapping and paging on a terminal,
progress beside warnings, shell completion. Terminal behaviour is tested on a real
pseudo-terminal, through the real ``kvsearch`` command."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
from pathlib import Path

import kvsearch
from tests.conftest import ROOT, run_cli


def run_on_terminal(
    *args: str, env: dict[str, str] | None = None, columns: int = 80, cwd: Path | None = None
) -> tuple[int, str, str]:
    """``kvsearch ARGS`` with stdout on a pseudo-terminal of ``columns`` columns: the exit code,
    what the terminal showed, and stderr."""
    controller, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": str(columns), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "kvsearch", *args],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=full_env,
        cwd=cwd or ROOT,
    )
    os.close(terminal)
    shown = _read_all(controller)
    stderr = process.stderr.read().decode() if process.stderr else ""
    return process.wait(timeout=300), shown.replace("\r\n", "\n"), stderr


def _read_all(controller: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the other side closed: Linux says EIO
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return b"".join(chunks).decode()


# --------------------------------------------------------------------------------------------
# --version


def test_version_prints_the_version_on_both_paths() -> None:
    for args in (["--version"], ["--version", "--help"]):  # the one-liner path, then Typer's
        done = run_cli(*args)
        assert done.returncode == 0, done.stderr
        assert done.stdout == f"kvsearch {kvsearch.__version__}\n"
        assert done.stderr == ""
