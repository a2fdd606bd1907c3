"""``kvsearch QUERY``, the command run most, without Typer's start-up cost.

Importing Typer (with its vendored click and pydantic) takes about 150 ms, more than opening
the index and searching it. This module reads the search command's options with plain Python
and prints the result; anything it does not handle exactly (help, an unknown option, a value
it cannot read, another command) goes to the full Typer CLI in :mod:`kvsearch.cli`, which
gives the usual messages. ``tests/test_cli.py`` checks that the options here are the search
command's options and that both paths print the same.
"""

from __future__ import annotations

import codecs
import errno
import gc
import io
import os
import sys
from typing import Any

#: Commands of the full CLI; any other first word starts a search.
COMMANDS = frozenset(
    {"search", "similar", "show", "stats", "status", "index", "fetch", "parse", "analyze", "tui"}
)

#: The search command's options: flag → (parameter, kind). Kinds: "flag" (no value), "int",
#: "str" (one value), "list" (repeatable). Must match ``kvsearch.cli.search`` (tested).
SEARCH_OPTIONS: dict[str, tuple[str, str]] = {
    "--index": ("index", "str"),
    "--limit": ("limit", "int"),
    "-n": ("limit", "int"),
    "--sort": ("sort", "str"),
    "--json": ("as_json", "flag"),
    "--format": ("fmt", "str"),
    "--partij": ("partij", "list"),
    "--indiener": ("indiener", "list"),
    "--minister": ("minister", "list"),
    "--ministerie": ("ministerie", "list"),
    "--jaar": ("jaar", "str"),
    "--vergaderjaar": ("vergaderjaar", "str"),
    "--since": ("since", "str"),
    "--until": ("until", "str"),
    "--status": ("status", "str"),
}
LIMIT_RANGE = (1, 1000)


def parse_search_args(args: list[str]) -> dict[str, Any] | None:
    """The search command's parameters from ``args``, or None to let Typer handle them."""
    values: dict[str, Any] = {
        "query": [],
        "index": os.environ.get("KVSEARCH_INDEX") or "index",
        "limit": 10,
        "sort": "relevance",
        "as_json": False,
        "fmt": None,
    }
    position = 0
    options_ended = False
    while position < len(args):
        arg = args[position]
        position += 1
        if options_ended or not arg.startswith("-") or arg == "-":
            values["query"].append(arg)
            continue
        if arg == "--":
            options_ended = True
            continue
        flag, has_value, inline = arg.partition("=")
        if flag not in SEARCH_OPTIONS:
            return None
        name, kind = SEARCH_OPTIONS[flag]
        if kind == "flag":
            if has_value:
                return None
            values[name] = True
            continue
        if not has_value:
            if position >= len(args):
                return None
            inline = args[position]
            position += 1
        if kind == "int":
            if not inline.strip().lstrip("+-").isdigit():
                return None
            number = int(inline)
            if not LIMIT_RANGE[0] <= number <= LIMIT_RANGE[1]:
                return None
            values[name] = number
        elif kind == "list":
            values.setdefault(name, []).append(inline)
        else:
            values[name] = inline
    if not values["query"]:
        return None
    return values


def run_search(
    query: list[str],
    index: str | os.PathLike[str],
    limit: int = 10,
    sort: str = "relevance",
    as_json: bool = False,
    fmt: str | None = None,
    **filter_options: Any,
) -> int:
    """Search and print; the exit code (0 hits, 1 none). Shared by both paths.

    ``filter_options`` are the filter options by name (``partij=["PVV"]``, ``jaar="2024"``:
    see :func:`kvsearch.query.search_filters`).
    """
    import kvsearch
    from kvsearch import render
    from kvsearch.errors import ExitCode
    from kvsearch.query import search_filters

    filters = search_filters(**filter_options)
    if fmt:
        render.checked_template(fmt)  # a bad template is a usage error, with hits or without
    # The total is shown only on a terminal; counting every match of a common word costs time.
    shows_total = sys.stdout.isatty()
    result = kvsearch.search(
        " ".join(query), index_dir=index, limit=limit, sort=sort, filters=filters, count=shows_total
    )
    if result.notice:
        write_err(result.notice)
    if result.relaxed:
        # Before the hits, so that it is read as what they are, not as a remark after them.
        write_err("no passage has all the words; showing the passages with most of them")
    if as_json:
        write_out(render.hits_as_json(result))
    elif fmt:
        write_out(render.hits_as_lines(result, fmt))
    else:
        write_readable(render.hits_as_text(result, terminal_style()))
        if result.hits and sys.stdout.isatty():
            shown = f"{len(result.hits)} of {result.total}" if result.total > len(result.hits) else f"{result.total}"
            sys.stderr.write(render.Style(False).dim(f"{shown} hits in {result.seconds * 1000:.0f} ms") + "\n")
    if not result.hits:
        message = f"no hits for {render.safe(' '.join(query))!r}"
        if result.suggestion:
            message += f"; bedoelde u: {render.safe(result.suggestion)}?"
        write_err(message)
        return int(ExitCode.NO_HITS)
    return int(ExitCode.OK)


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
    from kvsearch import terminal

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


def main(argv: list[str] | None = None) -> int:
    """``kvsearch QUERY [options]`` here; everything else in the Typer CLI."""
    args = list(sys.argv[1:] if argv is None else argv)
    _prepare_stdout()
    if args == ["--version"]:
        return print_version()
    values = parse_search_args(args) if args and args[0] not in COMMANDS else None
    if values is None:
        from kvsearch.cli import main as full_cli

        gc.enable()  # long-running commands (index, tui) need the cycle collector
        return full_cli(args)
    from kvsearch.errors import ExitCode, KvsearchError, exit_code_for

    try:
        return run_search(**values)
    except KvsearchError as error:
        write_err(str(error))
        return int(exit_code_for(error))
    except KeyboardInterrupt:
        write_err("interrupted")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        _silence_stdout()
        return int(ExitCode.OK)
    except Exception as error:  # a bug: one line, never a traceback
        write_err(f"internal error: {type(error).__name__}: {error}")
        return int(ExitCode.INTERNAL)


def print_version() -> int:
    """``kvsearch --version``: the version a bug report should name."""
    import kvsearch

    write_out(f"kvsearch {kvsearch.__version__}")
    return 0


def _silence_stdout() -> None:
    """After ``kvsearch … | head`` closed the pipe: no second error when Python flushes."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def stdout_closed() -> bool:
    """Whether the shell closed stdout (``>&-``), so an OSError may come from printing to it."""
    return isinstance(sys.stdout, _ClosedOutput)


def _prepare_stdout() -> None:
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
    escaped = []
    for character in error.object[error.start : error.end]:
        encoded = character.encode("utf-16-be", "surrogatepass")
        escaped.extend(f"\\u{int.from_bytes(encoded[i : i + 2], 'big'):04x}" for i in range(0, len(encoded), 2))
    return "".join(escaped), error.end


def run() -> None:
    # A one-shot search lives for a fraction of a second and makes few reference cycles; the
    # cycle collector's passes over the objects that importing Whoosh creates cost about 10 ms.
    gc.disable()
    sys.exit(main())
