"""What the command line writes: stdout that fails in words, stderr lines, wrapping and paging.

Shared by the fast path and the Typer app; imports nothing heavy.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys
from typing import Any


def terminal_style() -> Any:
    """Colours only on a terminal, and never with NO_COLOR or TERM=dumb."""
    from kvsearch import render

    return render.Style(color=sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb")


def write_out(text: str) -> None:
    """``text`` and a newline on stdout, at once.

    Raises:
        OutputError: stdout is closed or cannot take more (a full disk). A closed pipe
            (``| head``) stays a BrokenPipeError, which ends the run silently.
    """
    if not text:
        return
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        from kvsearch.errors import OutputError

        raise OutputError(f"cannot write output: {error.strerror or error}") from None


def write_readable(text: str) -> None:
    """Text for people (not ``--json``): on a terminal wrapped between words at its width, and
    through the pager when longer than the screen; elsewhere exactly as :func:`write_out`."""
    if not text or not sys.stdout.isatty():
        write_out(text)
        return
    from kvsearch.cli import terminal

    columns, lines = terminal.screen_size(sys.stdout)
    text = terminal.fit(text, columns)
    command = terminal.pager_command(os.environ)
    if command and text.count("\n") + 1 >= lines and terminal.page(text, command):
        return
    write_out(text)


def write_err(text: str, stamp: str = "") -> None:
    """One line on stderr; the text is made safe for a terminal."""
    from kvsearch.render import safe

    sys.stderr.write(f"{stamp}kvsearch: {safe(text)}\n")
    sys.stderr.flush()


def print_version() -> int:
    """``kvsearch --version``: the version a bug report should name."""
    import kvsearch

    write_out(f"kvsearch {kvsearch.__version__}")
    return 0


def silence_stdout() -> None:
    """After ``kvsearch … | head`` closed the pipe: no second error when Python flushes."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def stdout_closed() -> bool:
    """Whether the shell closed stdout (``>&-``), so an OSError may come from printing to it."""
    return isinstance(sys.stdout, _ClosedOutput)


def prepare_stdout() -> None:
    """Make stdout fail in words: closed (``>&-``) or unable to encode a document's letters."""
    if sys.stdout is None:
        sys.stdout = _ClosedOutput()
        return
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        # An ASCII or Latin-1 terminal still gets every hit: "financiën" prints as
        # "financi\u00ebn", which is also what a JSON line may hold.
        codecs.register_error(_ESCAPE_ERRORS, _json_escape)
        reconfigure(errors=_ESCAPE_ERRORS)


class _ClosedOutput(io.TextIOBase):
    """Stands in for a closed stdout: commands that print nothing still run; printing fails."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


_ESCAPE_ERRORS = "kvsearch-json-escape"


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    """Characters the output encoding lacks, as JSON's ``\\uXXXX`` escapes (valid in a JSON string)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped: list[str] = []
    for character in error.object[error.start : error.end]:
        encoded = character.encode("utf-16-be", "surrogatepass")
        escaped.extend(f"\\u{int.from_bytes(encoded[i : i + 2], 'big'):04x}" for i in range(0, len(encoded), 2))
    return "".join(escaped), error.end
