"""Readable output on a terminal: lines wrapped between words at the terminal's width, and
output longer than the screen shown through a pager, as git does.

Only used when stdout is a terminal; pipes, files and cron get the text as it is.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

#: The colour codes :class:`kvsearch.render.Style` writes; they take no room on screen.
_STYLE_CODE = re.compile(r"\x1b\[[0-9;]*m")
_RESET = "\x1b[0m"
#: What a continued line is indented under: the line's own indent and a "1. " or "V: " label.
_HANGING = re.compile(r" *(?:\d+\. |[A-Z]: )?")
#: Narrower than this, wrapping does more harm than the terminal's own breaking.
MIN_WIDTH = 20

DEFAULT_PAGER = "less"
#: git's default for less: quit at once when the text fits on one screen (F), pass colours
#: through (R), and leave the text on the screen afterwards (X).
DEFAULT_LESS = "FRX"


def screen_size(stream: object) -> tuple[int, int]:
    """Columns and lines: COLUMNS and LINES when set (a shell sets them), else the terminal's."""
    try:
        size = os.get_terminal_size(stream.fileno())  # type: ignore[attr-defined]
        columns, lines = size.columns, size.lines
    except (AttributeError, OSError, ValueError):
        columns, lines = 80, 24
    return _positive(os.environ.get("COLUMNS"), columns), _positive(os.environ.get("LINES"), lines)


def _positive(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() and int(text) > 0 else default


def fit(text: str, width: int) -> str:
    """``text`` with each line longer than ``width`` broken between words, never inside one."""
    width = max(width, MIN_WIDTH)
    return "\n".join(piece for line in text.split("\n") for piece in _fit_line(line, width))


def _fit_line(line: str, width: int) -> list[str]:
    if _visible_length(line) <= width:
        return [line]
    lead = line[: len(line) - len(line.lstrip(" "))]
    indent = " " * len(_HANGING.match(_STYLE_CODE.sub("", line)).group())  # type: ignore[union-attr]
    pieces: list[str] = []
    current, used, style = lead, len(lead), ""
    has_word = False
    for word in line[len(lead) :].split():
        length = _visible_length(word)
        if has_word and used + 1 + length > width:
            # A colour open at the break is closed here and opened again on the next line.
            pieces.append(current + (_RESET if style else ""))
            current, used, has_word = indent + style, len(indent), False
        if has_word:
            current, used = current + " ", used + 1
        current, used, has_word = current + word, used + length, True
        style = _style_after(word, style)
    pieces.append(current)
    return pieces


def _visible_length(text: str) -> int:
    return len(_STYLE_CODE.sub("", text))


def _style_after(word: str, style: str) -> str:
    """The colour still open after ``word``, given the one open before it."""
    for code in _STYLE_CODE.findall(word):
        style = "" if code == _RESET else code
    return style


def pager_command(environ: Mapping[str, str]) -> str | None:
    """The pager to use: KVSEARCH_PAGER, else PAGER, else less; none when set empty or to cat."""
    command = environ.get("KVSEARCH_PAGER", environ.get("PAGER", DEFAULT_PAGER)).strip()
    return None if command in ("", "cat") else command


def page(text: str, command: str) -> bool:
    """Show ``text`` through the pager ``command`` (a shell command, as in git); False when it
    cannot be started, so that the caller prints the text itself."""
    # Imported only for output longer than the screen: a short search stays quick.
    import shlex
    import shutil
    import subprocess

    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError):
        return False
    if shutil.which(program) is None:
        return False
    sys.stdout.flush()  # what was written before comes before the pager's text
    environment = {**os.environ}
    environment.setdefault("LESS", DEFAULT_LESS)
    # Ctrl+C is the pager's to handle; kvsearch waits for it to end. A handler (unlike
    # SIG_IGN) is not inherited by the pager.
    previous = signal.signal(signal.SIGINT, _ignore_interrupt)
    try:
        pager = subprocess.Popen(
            command,
            shell=True,
            stdin=subprocess.PIPE,
            env=environment,
            encoding=sys.stdout.encoding or "utf-8",
            errors="replace",
        )
        _feed(pager, text + "\n")
        pager.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return True


def _feed(pager: subprocess.Popen[str], text: str) -> None:
    if pager.stdin is None:
        return
    try:
        pager.stdin.write(text)
        pager.stdin.close()
    except BrokenPipeError:  # the reader quit before the end
        with suppress(BrokenPipeError):
            pager.stdin.close()


def _ignore_interrupt(signum: int, frame: object) -> None:
    return None
