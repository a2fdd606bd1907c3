"""``kvsearch QUERY``, the command run most, without Typer's start-up cost.

Importing Typer (with its vendored click and pydantic) costs more than opening the index and
searching it. This module reads the search command's options with plain Python and prints the
result; anything it does not handle exactly (help, an unknown option, a value it cannot read,
another command) goes to the full Typer CLI in :mod:`kvsearch.cli.app`, which gives the usual
messages (:func:`kvsearch.cli.main` decides). ``tests/test_cli.py`` checks that the options here
are the search command's options and that both paths print the same.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from kvsearch.cli.output import terminal_style, write_err, write_out, write_readable

#: Commands of the full CLI; any other first word starts a search.
COMMANDS = frozenset(
    {"search", "similar", "show", "stats", "status", "index", "fetch", "parse", "analyze", "tui", "watch", "overdue"}
)

#: Commands that read or write an index, so take ``--index`` (``watch``: each of its commands).
INDEX_COMMANDS = frozenset({"search", "similar", "show", "stats", "status", "index", "tui", "watch", "overdue"})

#: The search command's options: flag → (parameter, kind). Kinds: "flag" (no value), "int",
#: "str" (one value), "list" (repeatable). Must match ``kvsearch.cli.app.search`` (tested).
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


def command_first(args: list[str]) -> list[str]:
    """``args`` with an ``--index`` given before a command moved after the command's name, where
    the command reads it: ``kvsearch --index DIR stats`` is ``kvsearch stats --index DIR``.

    Without a command after it, ``--index`` belongs to a search (``kvsearch --index DIR QUERY``)
    and ``args`` are left as they are; with nothing after it, to the interactive search, as
    ``kvsearch`` alone (``kvsearch --index DIR``).

    Raises:
        UsageError: the command reads no index (``parse``, ``analyze``, ``fetch``), or is
            ``watch`` without one of its commands.
    """
    flag, has_value, value = args[0].partition("=") if args else ("", "", "")
    if flag != "--index":
        return args
    option = args[:1] if has_value else args[:2]
    rest = args[len(option) :]
    if not rest and (has_value or len(option) == 2):
        return ["tui", *option]
    if len(option) < 2 and not has_value or not rest or rest[0] not in COMMANDS:
        return args
    command = rest[0]
    if command not in INDEX_COMMANDS:
        from kvsearch.errors import UsageError

        raise UsageError(f"{command} reads no index: leave out --index")
    if command != "watch":
        return [command, *option, *rest[1:]]
    # watch's own commands (add, list …) take the option, not the group.
    if len(rest) < 2 or rest[1].startswith("-"):
        from kvsearch.errors import UsageError

        raise UsageError("give --index after watch's command: kvsearch watch add|list|remove|report --index DIR")
    return [*rest[:2], *option, *rest[2:]]


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
    # A reader's listing goes on with the passages that have most of the words when fewer than
    # a page have them all; JSON and --format give only what the query matches, for scripts.
    result = kvsearch.search(
        " ".join(query),
        index_dir=index,
        limit=limit,
        sort=sort,
        filters=filters,
        count=shows_total,
        once=True,
        fill=not (as_json or fmt),
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
            counted = f"{shown} hits"
            if result.close:
                counted = f"{result.total} with every word and {result.close} with most of them"
            sys.stderr.write(render.Style(False).dim(f"{counted} in {result.seconds * 1000:.0f} ms") + "\n")
    if not result.hits:
        message = f"no hits for {render.safe(' '.join(query))!r}"
        if result.suggestion:
            message += f"; bedoelde u: {render.safe(result.suggestion)}?"
        write_err(message)
        return int(ExitCode.NO_HITS)
    return int(ExitCode.OK)
