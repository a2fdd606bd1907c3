"""The ``kvsearch`` command.

``kvsearch QUERY`` is the command run most, so it takes a fast path (:mod:`kvsearch.cli.fast_path`)
that never imports Typer; everything else (help, other commands, options the fast path does not
read exactly) goes to the Typer app in :mod:`kvsearch.cli.app`. Both write through
:mod:`kvsearch.cli.output`.
"""

from __future__ import annotations

import gc
import os
import sys

from kvsearch.cli.fast_path import COMMANDS, command_first, parse_search_args, run_search
from kvsearch.cli.output import prepare_stdout, print_version, silence_stdout, write_err


def main(argv: list[str] | None = None) -> int:
    """``kvsearch QUERY [options]`` on the fast path; everything else in the Typer app."""
    args = list(sys.argv[1:] if argv is None else argv)
    prepare_stdout()
    if args == ["--version"]:
        return print_version()
    from kvsearch.errors import ExitCode, KvsearchError, exit_code_for

    try:
        args = command_first(args)
    except KvsearchError as error:
        write_err(str(error))
        return int(exit_code_for(error))
    values = parse_search_args(args) if args and args[0] not in COMMANDS else None
    if values is None:
        from kvsearch.cli.app import main as full_cli

        gc.enable()  # long-running commands (index, tui) need the cycle collector
        return full_cli(args)
    try:
        return run_search(**values)
    except KvsearchError as error:
        write_err(str(error))
        return int(exit_code_for(error))
    except KeyboardInterrupt:
        write_err("interrupted")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        silence_stdout()
        return int(ExitCode.OK)
    except Exception as error:  # a bug: one line, never a traceback
        write_err(f"internal error: {type(error).__name__}: {error}")
        return int(ExitCode.INTERNAL)


def run() -> None:
    # A one-shot search lives for a fraction of a second and makes few reference cycles: the
    # cycle collector's passes over the objects that importing Whoosh creates are wasted there.
    gc.disable()
    code = main()
    if _one_liner_done():
        _exit_at_once(code)
    sys.exit(code)


def _one_liner_done() -> bool:
    """Whether this run was a one-liner search: the full CLI, whose commands may leave work for
    the interpreter's shutdown (threads, child processes, files to close), was never loaded."""
    return "kvsearch.cli.app" not in sys.modules


def _exit_at_once(code: int) -> None:
    """End a one-liner search without the interpreter's shutdown, which would free every module
    and object one by one (a share of a cold search's time): the process owns nothing the system
    does not release, and once its output is flushed, nothing is left to do."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()  # everything was written and flushed already; this is only a safeguard
        except (OSError, ValueError):  # a closed pipe or stream: what could be written was
            pass
    os._exit(code)
