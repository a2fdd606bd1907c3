"""The ``kvsearch`` command: a thin layer over the public API.

Each command resolves its inputs, makes one library call and prints the result. Results go
to stdout, everything else (progress, warnings, errors) to stderr. A :class:`KvsearchError`
becomes one line on stderr and its exit code; nothing prints a traceback.

Exit codes: 0 hits found / index published, 1 no hits (or no such id), 2 bad usage or query,
3 no usable index, 4 corpus missing, 5 publishing refused by a guard, 6 published with skipped
files (fetch: documents to try again), 69 the publications service could not be reached or
answered wrongly, 70 internal error, 73 cannot write the index or the output, 75 another build
(or fetch) is running.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

import kvsearch
from kvsearch import render
from kvsearch.cli.fast_path import COMMANDS, run_search
from kvsearch.cli.output import (
    print_version,
    stdout_closed,
    terminal_style,
    write_err,
    write_out,
    write_readable,
)
from kvsearch.errors import ExitCode, KvsearchError, UsageError, exit_code_for

# "\b" keeps Click from rewrapping the paragraph after it: the table stays a table.
QUERY_HELP = """\
Query language (all words must match, in question, answer or subject; a word also finds its
other forms: ambtenaar finds ambtenaren):

\b
  neutraliteit ambtenaren          both words
  "uw Kamer"                       exact phrase
  stikstof OR waterstof            either word (also: OF)
  asiel NOT opvang, asiel -opvang  without a word (also: NIET)
  ambtena*                         prefix (at least 3 letters)
  (jeugdzorg OR ggz) wachttijden   grouping
  partij:PVV  indiener:Erkens  minister:Helder  ministerie:VWS
  jaar:2024  vergaderjaar:2023-2024  datum:2024-01..2024-06  nr:1064
  status:onbeantwoord  soort:mededeling

A compound also finds its parts written near each other: asielopvang finds "opvang van
asielzoekers". A question of more than six words is read as natural language: passages with
the most of its words come first; quotes, operators and symbols in it are plain text.
"""

app = typer.Typer(
    name="kvsearch",
    help="Search Dutch parliamentary written questions (Kamervragen) and the government's answers.",
    add_completion=True,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)

CORPUS_DEFAULT = "corpus"
#: Where ``show`` wraps its text when it does not go to a terminal.
SHOW_WIDTH = 100
INDEX_DEFAULT = "index"

CorpusOption = Annotated[
    Path, typer.Option("--corpus", envvar="KVSEARCH_CORPUS", help="Corpus folder [env KVSEARCH_CORPUS].")
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing on success (cron); problems still go to stderr.")
]
IndexOption = Annotated[
    Path,
    typer.Option("--index", envvar="KVSEARCH_INDEX", help="Index folder [env KVSEARCH_INDEX].", show_default=True),
]


_STAMP = False  # index command under cron: every line on stderr gets a timestamp


def _version_option(value: bool) -> None:
    if value:
        raise typer.Exit(print_version())


@app.callback()
def _common_options(
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_version_option, help="Print the version and exit."),
    ] = False,
) -> None:
    """Search Dutch parliamentary written questions (Kamervragen) and the government's answers."""


def _err(text: str) -> None:
    _Progress.clear_line()  # a warning or an error never ends up behind a progress line
    write_err(text, time.strftime("%Y-%m-%dT%H:%M:%S ") if _STAMP else "")


# --------------------------------------------------------------------------------------------
# search


@app.command(epilog=QUERY_HELP)
def search(
    query: Annotated[
        list[str], typer.Argument(help="What to look for (see the query language below).", show_default=False)
    ],
    index: IndexOption = Path(INDEX_DEFAULT),
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="Number of hits to show.")] = 10,
    sort: Annotated[str, typer.Option(help="relevance or date (newest first).")] = "relevance",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line per hit.")] = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="One line per hit: 'compact', or a template like '{passage_id}\\t{date}\\t{title}'."
        ),
    ] = None,
    partij: Annotated[list[str] | None, typer.Option(help="Party of an asker (PVV, GL-PvdA, NSC …).")] = None,
    indiener: Annotated[list[str] | None, typer.Option(help="Name of an asker.")] = None,
    minister: Annotated[
        list[str] | None, typer.Option(help="Name of the answering minister or state secretary.")
    ] = None,
    ministerie: Annotated[list[str] | None, typer.Option(help="Ministry: VWS, BZK, JenV … or its full name.")] = None,
    jaar: Annotated[str | None, typer.Option(help="Calendar year of the answer (or question).")] = None,
    vergaderjaar: Annotated[str | None, typer.Option(help="Parliamentary year, e.g. 2023-2024.")] = None,
    since: Annotated[str | None, typer.Option(help="From this date on (2024, 2024-03, 2024-03-15).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to and including this date.")] = None,
    status: Annotated[str | None, typer.Option(help="beantwoord, onbeantwoord or uitgesteld.")] = None,
) -> None:
    """Search the index and print the best passages.

    Example: kvsearch "neutraliteit ambtenaren" --partij JA21
    """
    code = run_search(
        query,
        index,
        limit,
        sort,
        as_json,
        fmt,
        partij=partij,
        indiener=indiener,
        minister=minister,
        ministerie=ministerie,
        jaar=jaar,
        vergaderjaar=vergaderjaar,
        since=since,
        until=until,
        status=status,
    )
    if code:
        raise typer.Exit(code)


@app.command()
def similar(
    target: Annotated[
        str, typer.Argument(help="A passage id (ah-tk-20232024-1064#8), or - to read a question from standard input.")
    ],
    index: IndexOption = Path(INDEX_DEFAULT),
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000)] = 10,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List passages in other documents that answer much the same question, best first.

    Example: kvsearch similar ah-tk-20232024-1064#8      echo "Hoe neutraal zijn ambtenaren?" | kvsearch similar -
    """
    if target == "-":
        result = kvsearch.similar(index_dir=index, text=sys.stdin.read(), limit=limit)
    else:
        result = kvsearch.similar(index_dir=index, passage_id=target, limit=limit)
    if as_json:
        write_out(render.hits_as_json(result))
    else:
        write_readable(render.hits_as_text(result, terminal_style()))
    if not result.hits:
        _err("no similar passages found")
        raise typer.Exit(ExitCode.NO_HITS)


@app.command()
def show(
    doc_id: Annotated[
        str, typer.Argument(help="A document id (ah-tk-20232024-1064) or one passage (ah-tk-20232024-1064#8).")
    ],
    index: IndexOption = Path(INDEX_DEFAULT),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print a whole document, or one passage, from the index.

    Example: kvsearch show ah-tk-20232024-1064#8
    """
    hits = kvsearch.get_document(doc_id, index_dir=index)
    if as_json:
        write_out("\n".join(json.dumps(h.to_json(), ensure_ascii=False) for h in hits))
    else:
        # On a terminal write_readable wraps the text at its width, between words only.
        width = sys.maxsize if sys.stdout.isatty() else SHOW_WIDTH
        write_readable(render.passages_as_text(hits, terminal_style(), width=width, one_passage="#" in doc_id))


@app.command()
def stats(
    index: IndexOption = Path(INDEX_DEFAULT),
    as_json: Annotated[bool, typer.Option("--json")] = False,
    delays: Annotated[
        bool,
        typer.Option(
            "--delays",
            help="Days from question to answer per ministry and parliamentary year, from the documents' dates.",
        ),
    ] = False,
) -> None:
    """Print what is in the index: documents, passages, by year, ministry and party, and how it was built.

    Example: kvsearch stats
    """
    if delays:
        _print_delays(index, as_json)
        return
    data = kvsearch.index_stats(index_dir=index)
    if as_json:
        write_out(json.dumps(data, ensure_ascii=False, indent=2))
        return
    write_out(render.stats_as_text(data))


# --------------------------------------------------------------------------------------------
# index and parse


class _Progress:
    """Progress on a terminal (files, rate, ETA); silent otherwise."""

    #: Whether a progress line, with no newline after it, is on the terminal now.
    showing = False

    @classmethod
    def clear_line(cls) -> None:
        if cls.showing:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            cls.showing = False

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        eta = (total - done) / rate if rate else 0
        noun = "files" if stage == "parse" else "documents"
        # Marked before writing: an interrupt between the two must still clear the line.
        _Progress.showing = True
        sys.stderr.write(f"\r\x1b[K{stage}: {done}/{total} {noun}, {rate:.0f}/s, ETA {eta:.0f} s")
        sys.stderr.flush()
        if done == total:
            _Progress.clear_line()
            self.started = time.monotonic()


def _print_delays(index: Path, as_json: bool) -> None:
    """``stats --delays``: median, 90th percentile and share within three weeks per ministry and year."""
    found = kvsearch.answer_delays(index_dir=index)
    if as_json:
        write_out("\n".join(json.dumps(row.to_json(), ensure_ascii=False) for row in found.rows))
    else:
        write_out(render.delays_as_text(found.rows, found.undated))


@app.command("index")
def index_command(
    corpus: CorpusOption = Path(CORPUS_DEFAULT),
    index: IndexOption = Path(INDEX_DEFAULT),
    full: Annotated[
        bool, typer.Option("--full", help="Parse every file again instead of only the changed ones.")
    ] = False,
    allow_shrink: Annotated[
        bool, typer.Option("--allow-shrink", help="Publish even if the corpus lost more than 20 % of its documents.")
    ] = False,
    rollback: Annotated[
        bool, typer.Option("--rollback", help="Make the previous index generation live again.")
    ] = False,
    quiet: QuietOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the build report as JSON on stdout.")] = False,
) -> None:
    """Build or update the index from the corpus, and publish it atomically.

    Only added, changed and removed files are processed again. On a terminal it shows
    progress and a summary; under cron (--quiet, or no terminal) it prints nothing on success
    and one timestamped line per problem (after 10, one line counts the rest). Example:
    kvsearch index --corpus corpus
    """
    terminal = sys.stderr.isatty() and not quiet
    global _STAMP
    _STAMP = not terminal
    if rollback:
        name = kvsearch.rollback(index)
        if terminal:
            typer.echo(f"rolled back: {name} is live again", err=True)
        return
    for stop in (signal.SIGTERM, signal.SIGINT):  # clean up the half-built generation, then exit
        signal.signal(stop, _terminate)
    report = kvsearch.build_index(corpus, index, full=full, allow_shrink=allow_shrink, progress=_Progress(terminal))
    _print_problems(report)
    if as_json:
        write_out(json.dumps(report.to_json(), ensure_ascii=False))
    elif terminal:
        typer.echo(report.summary(), err=True)
    if report.newly_skipped:
        raise typer.Exit(ExitCode.PARTIAL)


VERGADERJAAR_HELP = "Parliamentary year(s) to fetch whole: 2023-2024, or a range 1995-1996..2025-2026."


@app.command("fetch")
def fetch_command(
    corpus: CorpusOption = Path(CORPUS_DEFAULT),
    since: Annotated[
        str | None, typer.Option("--since", help="Fetch what changed since this day (YYYY-MM-DD).")
    ] = None,
    vergaderjaar: Annotated[str | None, typer.Option("--vergaderjaar", help=VERGADERJAAR_HELP)] = None,
    sru_url: Annotated[
        str, typer.Option("--sru-url", envvar="KVSEARCH_SRU_URL", help="The SRU service [env KVSEARCH_SRU_URL].")
    ] = "https://repository.overheid.nl/sru",
    rate: Annotated[
        float, typer.Option("--rate", min=0.01, max=100, help="At most this many requests per second.")
    ] = 1.0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for an answer before trying again.")
    ] = 60.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, max=20, help="Further tries after a timeout, 429 or 5xx.")
    ] = 4,
    record: Annotated[
        Path | None,
        typer.Option("--record", help="Also save every answer of the service in this folder (test fixtures)."),
    ] = None,
    quiet: QuietOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON on stdout.")] = False,
) -> None:
    """Download new and changed Kamervragen (answers and unanswered questions of the Tweede
    Kamer) from the official publications service into the corpus folder.

    Only documents whose change stamp differs from the last run are downloaded; files land
    whole or not at all. Run `kvsearch index` afterwards. Exit 69 when the service cannot be
    reached or answers wrongly, 6 when some documents must be tried again next run.
    Example: kvsearch fetch --quiet && kvsearch index --quiet
    """
    from kvsearch.fetch import fetch

    if not sru_url.startswith(("https://", "http://")):
        raise UsageError(f"--sru-url needs an http(s) URL, not {sru_url!r}")
    terminal = sys.stderr.isatty() and not quiet
    global _STAMP
    _STAMP = not terminal
    report = fetch(
        corpus,
        since=_parse_day(since) if since else None,
        vergaderjaren=_parse_vergaderjaren(vergaderjaar) if vergaderjaar else None,
        sru_url=sru_url,
        rate=rate,
        timeout=timeout,
        retries=retries,
        progress=_Progress(terminal),
        record_dir=record,
    )
    for problem in report.problems:
        _err(problem)  # one line, made safe for a terminal by _err
    if as_json:
        write_out(json.dumps(report.to_json(), ensure_ascii=False))
    elif terminal:
        typer.echo(report.summary(), err=True)
    if report.retry_later:
        raise typer.Exit(ExitCode.PARTIAL)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since needs a day as YYYY-MM-DD, not {text!r}") from None


def _parse_vergaderjaren(text: str) -> list[str]:
    """``2023-2024`` or ``1995-1996..2025-2026`` as the list of parliamentary years it names."""
    first, _, last = text.partition("..")
    starts = [_vergaderjaar_start(part, text) for part in (first, last or first)]
    if starts[1] < starts[0]:
        raise UsageError(f"--vergaderjaar range runs backwards: {text!r}")
    return [f"{year}-{year + 1}" for year in range(starts[0], starts[1] + 1)]


def _vergaderjaar_start(part: str, whole: str) -> int:
    years = part.split("-")
    if len(years) != 2 or not all(y.isdigit() and len(y) == 4 for y in years) or int(years[1]) != int(years[0]) + 1:
        raise UsageError(f"--vergaderjaar needs a parliamentary year like 2023-2024, not {whole!r}")
    return int(years[0])


#: Problems of a build printed in full on stderr; the rest are counted in one line (a corpus
#: of thousands of bad files must not flood a cron mail). All of them stay in the report.
PROBLEMS_SHOWN = 10


def _print_problems(report: kvsearch.BuildReport) -> None:
    """The build's problems on stderr: the first few in full, then one line counting the rest."""
    # Problems of files unchanged since the last build were told then (``known``).
    problems = [
        *(("skipped", p.line(), _reason(p.message)) for p in report.skipped if not p.known),
        *(("warning", p.line(), _reason(p.message)) for p in report.warnings if not p.known),
        *(("duplicate", p.line(), "") for p in report.duplicates if not p.known),
        *(("notice", notice, "") for notice in report.notices),
    ]
    for _, line, _ in problems[:PROBLEMS_SHOWN]:
        _err(line)
    hidden = problems[PROBLEMS_SHOWN:]
    if hidden:
        _err(f"… and {len(hidden):,} more: {_count_problems(hidden)} (all of them: kvsearch status --json)")


def _count_problems(problems: list[tuple[str, str, str]]) -> str:
    """ "9,985 skipped (9,980 empty file, 5 binary file), 5 duplicates": per kind, with the
    most common reasons of those that have one."""
    parts = []
    for kind in dict.fromkeys(kind for kind, _, _ in problems):
        reasons = Counter(reason for k, _, reason in problems if k == kind and reason)
        top = [f"{n:,} {reason}" for reason, n in reasons.most_common(3)]
        if sum(reasons.values()) > sum(n for _, n in reasons.most_common(3)):
            top.append("…")
        total = sum(1 for k, _, _ in problems if k == kind)
        noun = kind if total == 1 or kind == "skipped" else f"{kind}s"
        parts.append(f"{total:,} {noun}" + (f" ({', '.join(top)})" if top else ""))
    return ", ".join(parts)


def _reason(message: str) -> str:
    """What kind of problem a message names, without its details: "damaged PDF: …" -> "damaged PDF"."""
    return re.split(r": | \(|; ", message, maxsplit=1)[0]


def _terminate(signum: int, frame: object) -> None:
    # The request outlives an exception that lands in a finalizer and is lost; within a step
    # the build must not be stopped in, the step raises it at its end.
    if kvsearch.request_stop():
        raise KeyboardInterrupt


@app.command()
def status(
    index: IndexOption = Path(INDEX_DEFAULT),
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable, for monitoring.")] = False,
) -> None:
    """Show the live index, the outcome of the last build and whether a build is running.

    Example: kvsearch status --json
    """
    data = kvsearch.index_status(index)
    if as_json:
        write_out(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        write_out(render.status_as_text(data))
    if not data["generation"]:
        raise typer.Exit(ExitCode.NO_INDEX)


@app.command()
def parse(
    paths: Annotated[list[Path], typer.Argument(help="Files (or folders) to parse.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per document (schema in the README).")
    ] = False,
) -> None:
    """Parse documents and print what kvsearch understands of them, without indexing.

    Example: kvsearch parse corpus/ah-tk-20232024-1064.md --json
    """
    from kvsearch.ingest.corpus import Problem, iter_corpus

    failed = False
    notices: list[str] = []
    for path in paths:
        items = [(f.path, f.relative) for f in iter_corpus(path, notices)] if path.is_dir() else [(path, str(path))]
        for file_path, display in items:
            try:
                document = kvsearch.parse_file(file_path, display=display)
            except KvsearchError as error:
                _err(Problem(display, str(error)).line())
                failed = True
                continue
            for warning in document.warnings:
                _err(Problem(display, warning).line())
            if as_json:
                write_out(json.dumps(document.to_json(), ensure_ascii=False))
            else:
                write_out(render.document_outline(document, terminal_style()))
    for notice in notices:
        _err(notice)
    if failed:
        raise typer.Exit(ExitCode.USAGE)


@app.command()
def analyze(
    text: Annotated[str, typer.Argument(help="The text to analyse.")],
    query: Annotated[bool, typer.Option("--query", help="Analyse as a query instead of as document text.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the terms the Dutch analyzer makes of a text, with their positions, and how a
    query expands each word: its term, the compound parts it also finds written apart, its
    near-synonyms, and the separable verb it is part of (springt … bij: bijspringen).

    Example: kvsearch analyze "verkiezingsuitslag van de ambtenaren"
    """
    from kvsearch.analysis import analyze as run
    from kvsearch.analysis.synonyms import expansions

    tokens = run(text, query=query)
    expanded = expansions(text)
    if as_json:
        write_out(
            json.dumps(
                {
                    "terms": [{"text": t.text, "position": t.position} for t in tokens],
                    "words": [
                        {
                            "word": e.word,
                            "term": e.term,
                            "index_terms": list(e.index_terms),
                            "compound_parts": list(e.compound_parts),
                            "synonyms": list(e.synonyms),
                            "verbs": list(e.verbs),
                        }
                        for e in expanded
                    ],
                },
                ensure_ascii=False,
            )
        )
        return
    lines = [f"{t.position:4d}  {render.safe(t.text):<24} {render.safe(text[t.start : t.end])}" for t in tokens]
    lines.append("")
    lines.append("as a query:")
    for e in expanded:
        found = [f"term {render.safe(e.term)}"]
        if e.compound_parts:
            found.append("parts " + " + ".join(render.safe(p) for p in e.compound_parts))
        if e.synonyms:
            found.append("synonyms " + ", ".join(render.safe(p) for p in e.synonyms))
        if e.verbs:
            found.append("verb " + ", ".join(render.safe(p) for p in e.verbs))
        lines.append(f"  {render.safe(e.word):<24} " + "; ".join(found))
    write_out("\n".join(lines))


@app.command()
def tui(
    query: Annotated[list[str] | None, typer.Argument(help="A query to start with.", show_default=False)] = None,
    index: IndexOption = Path(INDEX_DEFAULT),
) -> None:
    """Search interactively: results while you type, the passage beside them, filters by party,
    ministry and year (also: kvsearch with no arguments, on a terminal).

    Example: kvsearch tui "neutraliteit ambtenaren"
    """
    from kvsearch.tui.app import run  # Textual is imported only here: a one-liner stays fast

    code = run(index, " ".join(query or []))
    if code:
        raise typer.Exit(code)


# --------------------------------------------------------------------------------------------
# following topics and deadlines: watch, overdue (stats --delays is with stats)

watch_app = typer.Typer(
    help="Saved searches: what is new about a topic since the last report (for cron and feed readers).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
app.add_typer(watch_app, name="watch")


@watch_app.command("add")
def watch_add(
    name: Annotated[str, typer.Argument(help="A short name: letters, digits, '-', '_', '.'.", show_default=False)],
    query: Annotated[list[str], typer.Argument(help="Any query of the search language.", show_default=False)],
    index: IndexOption = Path(INDEX_DEFAULT),
) -> None:
    """Save a search; what it matches now counts as seen, reports show what comes after.

    Kept in INDEX.watches.json beside the index (or the file KVSEARCH_WATCHES names).

    Example: kvsearch watch add stikstof stikstof ministerie:LNV
    """
    watch, indexed = kvsearch.add_watch(name, " ".join(query), index_dir=index)
    if not indexed:
        _err(f"no index yet: the first report of {watch.name!r} shows everything it matches")


@watch_app.command("list")
def watch_list(
    index: IndexOption = Path(INDEX_DEFAULT),
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line per watch.")] = False,
) -> None:
    """List the saved searches and when each was last reported (exit 1 when there are none)."""
    watches = kvsearch.list_watches(index_dir=index)
    if as_json:
        lines = [
            {"name": w.name, "query": w.query, "added": w.added, "reported": w.reported, "matching": len(w.seen)}
            for w in watches
        ]
        write_out("\n".join(json.dumps(line, ensure_ascii=False) for line in lines))
    else:
        write_out(render.watches_as_text(watches))
    if not watches:
        raise typer.Exit(ExitCode.NO_HITS)


@watch_app.command("remove")
def watch_remove(
    name: Annotated[str, typer.Argument(help="The watch to forget.", show_default=False)],
    index: IndexOption = Path(INDEX_DEFAULT),
) -> None:
    """Forget a saved search and what it reported."""
    kvsearch.remove_watch(name, index_dir=index)


@watch_app.command("report")
def watch_report(
    names: Annotated[
        list[str] | None, typer.Argument(help="Watches to report (default: all).", show_default=False)
    ] = None,
    index: IndexOption = Path(INDEX_DEFAULT),
    since: Annotated[
        str,
        typer.Option(help="'last' (new since the last report) or a day YYYY-MM-DD (documents dated from then on)."),
    ] = "last",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line per new passage.")] = False,
    atom: Annotated[
        Path | None,
        typer.Option("--atom", help="Also write an Atom feed per watch: DIR/NAME.atom.", show_default=False),
    ] = None,
) -> None:
    """Print the passages that entered the index since the last report, grouped by watch.

    Exit 0 when there is something new, 1 when not (as grep), so cron mails only news:
    kvsearch fetch -q && kvsearch index -q && kvsearch watch report | mail -E -s kvsearch me

    The report is remembered only after it was written out whole; --since DAY is not remembered.
    A second report while one runs exits at once with 75.
    """
    day = None if since == "last" else _option_day(since, "--since needs 'last' or a day as YYYY-MM-DD")
    # One report at a time, from reading what each watch saw to remembering it: a second one
    # exits at once (75) rather than show the same news again.
    with kvsearch.watches_lock(index_dir=index):
        report = kvsearch.watch_report(names or [], index_dir=index, since=day)
        if as_json:
            write_out(render.watch_report_as_json(report.reports))
        else:
            write_readable(render.watch_report_as_text(report.reports, terminal_style()))
        if atom is not None:
            kvsearch.write_watch_feeds(report, atom, index_dir=index)
        kvsearch.remember_report(report)
    if not report.has_news:
        raise typer.Exit(ExitCode.NO_HITS)


def _option_day(text: str, wanted: str) -> date:
    """The day an option names, or a usage error that says what the option takes."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{wanted}, not {text!r}") from None


@app.command()
def overdue(
    index: IndexOption = Path(INDEX_DEFAULT),
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day to count on, YYYY-MM-DD (default: today).", show_default=False),
    ] = None,
    ministerie: Annotated[
        list[str] | None, typer.Option(help="Only questions to this ministry: VWS, BZK, JenV … or its full name.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line per question.")] = False,
) -> None:
    """List questions without an answer past their term (three weeks; six after a notice of
    delay), the longest waiting first. Exit 0 when some are overdue, 1 when none.

    Example: kvsearch overdue --as-of 2024-12-12 --ministerie VWS
    """
    day = date.today() if as_of is None else _option_day(as_of, "--as-of needs a day as YYYY-MM-DD")
    found = kvsearch.overdue_questions(index_dir=index, as_of=day, ministries=ministerie)
    if as_json:
        write_out("\n".join(json.dumps(item.to_json(), ensure_ascii=False) for item in found))
    else:
        write_readable(render.overdue_as_text(found, day.isoformat()))
    if not found:
        raise typer.Exit(ExitCode.NO_HITS)


# --------------------------------------------------------------------------------------------
# entry point


#: Options of ``kvsearch`` itself rather than of a search.
APP_OPTIONS = ("--help", "-h", "--version", "--install-completion", "--show-completion")
#: Set by the completion scripts that ``--install-completion`` installs (Typer's naming).
COMPLETE_VAR = "_KVSEARCH_COMPLETE"


def _is_search(first_word: str) -> bool:
    """Whether the words after ``kvsearch`` are a search (``kvsearch QUERY`` is short for it)."""
    return first_word not in COMMANDS and first_word.partition("=")[0] not in APP_OPTIONS


def _complete_searches_too() -> None:
    """Shell completion reads the words typed so far from the environment, not from argv:
    mark ``kvsearch QUERY --pa<Tab>`` as a search there too, so the search options complete."""
    for variable in ("COMP_WORDS", "_TYPER_COMPLETE_ARGS"):  # bash; zsh, fish and PowerShell
        words = os.environ.get(variable, "")
        typed = re.match(r"(\S+\s+)(\S+)\s", words)  # the program and a whole first word
        if typed and _is_search(typed.group(2)):
            os.environ[variable] = typed.group(1) + "search " + words[typed.end(1) :]
            if variable == "COMP_WORDS":
                os.environ["COMP_CWORD"] = str(int(os.environ.get("COMP_CWORD", "1")) + 1)


#: What ``--install-completion`` and ``--show-completion`` can write for (Typer's shells).
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _completion_for_a_named_shell(args: list[str]) -> list[str]:
    """Let ``--show-completion bash`` name its shell, and fall back to ``$SHELL``.

    Typer looks for the shell among the parent processes; run from cron, ``setsid`` or an
    editor there is none, and it wrote a script for no shell ("Shell  not supported.").
    Typer takes the shell as the option's value once its detection is switched off.
    """
    named = args[1] if len(args) > 1 and not args[1].startswith("-") else ""
    if named and named not in SHELLS:
        raise UsageError(f"{args[0]} {named}: not a shell kvsearch completes for ({', '.join(SHELLS)})")
    if not named:
        import shellingham  # Typer's own detection, asked first so that nothing changes where it works

        try:
            shellingham.detect_shell()
            return args
        except shellingham.ShellDetectionFailure:
            named = Path(os.environ.get("SHELL", "")).name
        if named not in SHELLS:
            raise UsageError(f"{args[0]}: cannot tell which shell this is; name it, as in: kvsearch {args[0]} bash")
        args = [args[0], named, *args[1:]]
    os.environ["_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"] = "1"
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; ``kvsearch QUERY`` is short for ``kvsearch search QUERY``."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if os.environ.get(COMPLETE_VAR):
            _complete_searches_too()
        elif not args:
            args = ["tui"] if sys.stdin.isatty() and sys.stdout.isatty() else ["--help"]
        elif args[0] in ("--install-completion", "--show-completion"):
            args = _completion_for_a_named_shell(args)
        elif _is_search(args[0]):
            args = ["search", *args]
        code = app(args=args, prog_name="kvsearch", standalone_mode=False)
        if isinstance(code, int) and code:
            if code == ExitCode.INTERRUPTED:  # Typer turns Ctrl+C / SIGTERM into Exit(130)
                _err("interrupted")
            return code  # typer.Exit with standalone_mode=False returns its code
    except KvsearchError as error:
        _err(str(error))
        return int(exit_code_for(error))
    except typer.Exit as done:
        return int(done.exit_code)
    except KeyboardInterrupt:
        _err("interrupted")
        return int(ExitCode.INTERRUPTED)
    except Exception as error:  # usage errors and bugs: one line, never a traceback
        if isinstance(error, OSError) and stdout_closed():  # Click printing help, say
            _err(f"cannot write output: {error.strerror or error}")
            return int(ExitCode.CANT_WRITE)
        # Click's exceptions (Typer vendors its own copy of click) say what was wrong.
        if hasattr(error, "format_message"):
            _err(error.format_message())
            return int(ExitCode.USAGE)
        if type(error).__name__ == "Abort":  # click's name for Ctrl+C / SIGTERM
            _err("interrupted")
            return int(ExitCode.INTERRUPTED)
        _err(f"internal error: {type(error).__name__}: {error}")
        return int(ExitCode.INTERNAL)
    return int(ExitCode.OK)
