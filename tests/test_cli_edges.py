"""The command line's edges: ``--version``, help, messages, wrapping and paging on a terminal,
progress beside warnings, shell completion. Terminal behaviour is tested on a real
pseudo-terminal, through the real ``kvsearch`` command."""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import signal
import struct
import subprocess
import sys
import termios
from pathlib import Path

import kvsearch
from tests.conftest import ROOT, run_cli


def run_on_terminal(
    *args: str, env: dict[str, str] | None = None, environ: dict[str, str] | None = None, columns: int = 80
) -> tuple[int, str, str]:
    """``kvsearch ARGS`` with stdout on a pseudo-terminal of ``columns`` columns and 24 lines:
    the exit code, what the terminal showed, and stderr. ``env`` adds to ``environ``, which
    stands in for this process's environment."""
    controller, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    full_env = {**(os.environ if environ is None else environ), "NO_COLOR": "1", "COLUMNS": str(columns), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "kvsearch", *args],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=full_env,
        cwd=ROOT,
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


# --------------------------------------------------------------------------------------------
# help and messages


def test_search_help_keeps_the_query_table_one_example_a_line() -> None:
    done = run_cli("search", "--help", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for example, meaning in (
        ('"uw Kamer"', "exact phrase"),
        ("stikstof OR waterstof", "either word (also: OF)"),
        ("ambtena*", "prefix (at least 3 letters)"),
        ("(jeugdzorg OR ggz) wachttijden", "grouping"),
    ):
        row = next((line for line in lines if example in line), "")
        assert row.strip().startswith(example) and row.rstrip().endswith(meaning), row
    columns = {line.index(m) for line in lines for m in ("both words", "exact phrase", "grouping") if m in line}
    assert len(columns) == 1, "the meanings line up in one column"
    assert max(len(line) for line in lines) <= 80


def test_no_index_names_the_absolute_path_and_how_to_name_another(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run_cli("ambtenaren", cwd=elsewhere, env={"KVSEARCH_INDEX": ""})
    assert done.returncode == 3
    absolute = elsewhere.resolve() / "index"
    assert done.stderr == (
        f"kvsearch: no index in {absolute}; build it with: kvsearch index --index {absolute}"
        " (or name another index with --index or KVSEARCH_INDEX)\n"
    )


# --------------------------------------------------------------------------------------------
# progress and warnings


def many_documents(folder: Path, count: int) -> Path:
    """A corpus of ``count`` different small documents, so that a build takes a while."""
    template = (ROOT / "tests/data/corpus/converted/ah-tk-20232024-1433.txt").read_text(encoding="utf-8")
    folder.mkdir()
    for number in range(count):
        (folder / f"ah-tk-20232024-{9000 + number}.txt").write_text(
            template.replace("1433", str(9000 + number)) + f"\nkenmerk {number}\n", encoding="utf-8"
        )
    return folder


def test_an_error_during_the_progress_line_starts_on_a_line_of_its_own(tmp_path: Path) -> None:
    corpus = many_documents(tmp_path / "corpus", 1500)
    controller, terminal = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kvsearch", "index", "--corpus", str(corpus), "--index", str(tmp_path / "index")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=ROOT,
    )
    os.close(terminal)
    shown = b""
    while b" files, " not in shown:  # the progress line is up: interrupt the build under it
        shown += os.read(controller, 4096)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 130
    shown = (shown + _read_all(controller).encode()).decode()
    assert "kvsearch: interrupted" in shown
    before = shown[: shown.index("kvsearch: interrupted")]
    assert before.endswith(("\r\x1b[K", "\n")), repr(before[-80:])


# --------------------------------------------------------------------------------------------
# shell completion


def complete_in_bash(line: str) -> list[str]:
    """What ``kvsearch``'s bash completion offers for the words of ``line`` (the last one being
    typed), asked the way the installed completion script asks."""
    words = line.split(" ")
    env = {"_KVSEARCH_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    done = run_cli(env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_completion_offers_commands_and_the_search_options_after_a_query() -> None:
    assert complete_in_bash("kvsearch sta") == ["stats", "status"]
    assert complete_in_bash("kvsearch show --js") == ["--json"]
    # ``kvsearch QUERY`` is a search: its options complete after the query, too
    assert complete_in_bash("kvsearch neutraliteit ambtenaren --par") == ["--partij"]
    assert complete_in_bash("kvsearch --index index --li") == ["--limit"]


def test_completion_can_be_shown_and_installed_for_the_shell_named(tmp_path: Path) -> None:
    # Named, the shell is taken as given, whatever shell runs the tests (or none: cron, setsid).
    shown = run_cli("--show-completion", "bash")
    assert shown.returncode == 0, shown.stderr
    assert "_KVSEARCH_COMPLETE=complete_bash" in shown.stdout
    zsh = run_cli("--show-completion", "zsh")
    assert zsh.returncode == 0, zsh.stderr
    assert "#compdef kvsearch" in zsh.stdout and "complete_bash" not in zsh.stdout
    installed = run_cli("--install-completion", "bash", env={"HOME": str(tmp_path)})
    assert installed.returncode == 0, installed.stderr
    assert "_KVSEARCH_COMPLETE" in (tmp_path / ".bash_completions" / "kvsearch.sh").read_text()


def test_completion_for_an_unknown_shell_is_a_usage_error() -> None:
    unknown = run_cli("--show-completion", "tcsh")
    assert unknown.returncode == 2
    assert unknown.stderr.count("\n") == 1 and "tcsh" in unknown.stderr


# --------------------------------------------------------------------------------------------
# wrapping and paging on a terminal

WIDE_QUERY = ("ambtenaren", "--limit", "10")
NO_PAGER = {"PAGER": "cat", "KVSEARCH_PAGER": "cat"}


def test_search_output_wraps_between_words_at_the_terminal_width(test_index: Path) -> None:
    piped = run_cli(*WIDE_QUERY, "--index", str(test_index))
    assert piped.returncode == 0, piped.stderr
    assert max(len(line) for line in piped.stdout.splitlines()) > 80  # there is something to wrap

    code, shown, _ = run_on_terminal(*WIDE_QUERY, "--index", str(test_index), env=NO_PAGER)
    assert code == 0
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert shown.split() == piped.stdout.split()  # the same words, none broken


def test_show_wraps_between_words_at_the_terminal_width(test_index: Path) -> None:
    first = json.loads(run_cli(*WIDE_QUERY, "--index", str(test_index), "--json").stdout.splitlines()[0])
    document = run_cli("show", first["doc_id"], "--index", str(test_index), "--json")
    texts = [json.loads(line)[field] for line in document.stdout.splitlines() for field in ("question", "answer")]

    code, shown, _ = run_on_terminal("show", first["doc_id"], "--index", str(test_index), env=NO_PAGER)
    assert code == 0
    assert max(len(line) for line in shown.splitlines()) <= 80
    words = set(shown.split())
    for text in texts:  # every word of the document's text is shown whole
        assert set(text.split()) <= words


def fake_pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager command that notes what it was given, and with which LESS, in a file."""
    record = tmp_path / "paged.json"
    script = tmp_path / "pager.py"
    script.write_text(
        "import json, os, sys\n"
        "text = sys.stdin.read()\n"
        f"open({str(record)!r}, 'w').write(json.dumps({{'LESS': os.environ.get('LESS'), 'text': text}}))\n"
        "sys.stdout.write(text)\n",
        encoding="utf-8",
    )
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}", record


def test_long_output_on_a_terminal_goes_through_the_pager_as_git_does(test_index: Path, tmp_path: Path) -> None:
    pager, record = fake_pager(tmp_path)
    plain = {**os.environ, "PAGER": pager}
    plain.pop("LESS", None)
    plain.pop("KVSEARCH_PAGER", None)

    code, shown, _ = run_on_terminal(*WIDE_QUERY, "--index", str(test_index), environ=plain)
    assert code == 0
    paged = json.loads(record.read_text())
    assert paged["LESS"] == "FRX"
    assert paged["text"].startswith("1. ") and paged["text"].replace("\n", "") in shown.replace("\n", "")
    record.unlink()

    # LESS as the user set it; KVSEARCH_PAGER before PAGER
    code, _, _ = run_on_terminal(*WIDE_QUERY, "--index", str(test_index), environ={**plain, "LESS": "-S"})
    assert code == 0 and json.loads(record.read_text())["LESS"] == "-S"
    record.unlink()
    code, _, _ = run_on_terminal(*WIDE_QUERY, "--index", str(test_index), environ={**plain, "KVSEARCH_PAGER": "cat"})
    assert code == 0 and not record.exists()

    # never for a pipe (or cron), --json, or what fits on the screen
    env = {"PAGER": pager, "KVSEARCH_PAGER": pager}
    assert run_cli(*WIDE_QUERY, "--index", str(test_index), env=env).returncode == 0  # a pipe, as under cron
    code, _, _ = run_on_terminal(*WIDE_QUERY, "--index", str(test_index), "--json", env=env)
    assert code == 0
    code, shown, _ = run_on_terminal("ambtenaren", "--limit", "1", "--index", str(test_index), env=env)
    assert code == 0 and shown.startswith("1. ")
    assert not record.exists()
