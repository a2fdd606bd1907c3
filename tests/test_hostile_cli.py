"""Hostile input to the command line: huge passages, ids that are not ids, output that cannot
be written or encoded, and ``--format`` templates that are wrong or absurd.

Each runs the real ``kvsearch`` in a fresh process against a real index on disk.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

#: Words on the one line of the huge answer. Every one of them is a match, so a snippet that
#: compares every matched word with every other takes far longer than this test allows.
HUGE_LINE_WORDS = 20_000
#: Seconds a search for a word of the huge line may take: a one-liner stays well under a second
#: on it; a snippet quadratic in the matched words takes many times this.
HUGE_LINE_SECONDS = 5.0

HUGE_DOCUMENT = """\
## Vragen gesteld door de leden der Kamer, met de daarop door de regering gegeven antwoorden

### 9990

Vragen van het lid **Jansen** (SP) aan de Minister van Binnenlandse Zaken en Koninkrijksrelaties over \
*een heel lange brief* (ingezonden 1 februari 2024).

Antwoord van Minister **De Vries** (Binnenlandse Zaken en Koninkrijksrelaties) (ontvangen 20 februari 2024).

#### Vraag 1

Hoeveel ambtenaren schreven deze brief?

#### Antwoord 1

"""


@pytest.fixture(scope="module")
def huge_line_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of one document whose answer is one line of HUGE_LINE_WORDS matched words."""
    corpus = tmp_path_factory.mktemp("huge") / "corpus"
    corpus.mkdir()
    line = " ".join(["ambtenaren"] * HUGE_LINE_WORDS)
    (corpus / "ah-tk-20232024-9990.md").write_text(HUGE_DOCUMENT + line + "\n", encoding="utf-8")
    index = corpus.parent / "index"
    done = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return index


def run_within(seconds: float, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI; fail the test if it has not finished after ``seconds``."""
    started = time.monotonic()
    try:
        return subprocess.run(
            [sys.executable, "-m", "kvsearch", *args],
            capture_output=True,
            text=True,
            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"},
            cwd=ROOT,
            timeout=seconds,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"kvsearch {' '.join(args)} still running after {time.monotonic() - started:.1f} s")


def test_a_huge_line_costs_what_its_snippet_shows(huge_line_index: Path) -> None:
    done = run_within(HUGE_LINE_SECONDS, "ambtenaren", "--index", str(huge_line_index))
    assert done.returncode == 0, done.stderr
    answer_line = next(line for line in done.stdout.splitlines() if line.startswith("   A: "))
    assert "ambtenaren" in answer_line and answer_line.endswith("…")
    assert len(answer_line) < 300


def test_json_keeps_every_highlight_of_a_huge_line(huge_line_index: Path) -> None:
    done = run_within(HUGE_LINE_SECONDS, "ambtenaren", "--index", str(huge_line_index), "--json")
    assert done.returncode == 0, done.stderr
    hit = json.loads(done.stdout.splitlines()[0])
    spans = hit["highlights"]["answer"]
    assert len(spans) == HUGE_LINE_WORDS
    assert {hit["answer"][start:end] for start, end in spans} == {"ambtenaren"}


# --------------------------------------------------------------------------------------------
# ids that are not ids, and ids that are not in the index


@pytest.mark.parametrize(
    ("command", "target", "what"),
    [
        ("show", "../../etc/passwd", "document id"),
        ("show", "ah-tk-20232024-1064/../x", "document id"),
        pytest.param("show", "a" * 5000, "document id", id="show-5000-letters"),
        ("similar", "../../etc/passwd#1", "passage id"),
        ("similar", "ah-tk-20232024-1064#8 OR 1", "passage id"),
        pytest.param("similar", "b" * 5000 + "#1", "passage id", id="similar-5000-letters"),
    ],
)
def test_what_is_not_an_id_is_a_usage_error(sample_index: Path, command: str, target: str, what: str) -> None:
    done = run_cli(command, target, "--index", str(sample_index))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"kvsearch: not a {what}: ")
    assert done.stderr.count("\n") == 1 and len(done.stderr) < 200
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("command", "target", "message"),
    [
        ("show", "ah-tk-20232024-9999", "no document 'ah-tk-20232024-9999' in the index"),
        ("show", "ah-tk-20232024-1064#99", "no passage 'ah-tk-20232024-1064#99' in the index"),
        ("similar", "ah-tk-20232024-9999#1", "no passage 'ah-tk-20232024-9999#1' in the index"),
    ],
)
def test_an_unknown_id_finds_nothing(sample_index: Path, command: str, target: str, message: str) -> None:
    done = run_cli(command, target, "--index", str(sample_index))
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"kvsearch: {message}") and done.stderr.count("\n") == 1


# --------------------------------------------------------------------------------------------
# output that cannot be written or encoded


def run_redirected(redirection: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI from a shell, its stdout redirected as a user would (``>&-``, ``> /dev/full``)."""
    return subprocess.run(
        ["bash", "-c", f'"$@" {redirection}', "bash", sys.executable, "-m", "kvsearch", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=ROOT,
        timeout=300,
    )


OUTPUT_COMMANDS = [
    ["ambtenaren"],
    ["search", "ambtenaren", "--json"],
    ["show", "ah-tk-20232024-1064"],
    ["show", "--help"],
]


@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=" ".join)
def test_a_closed_stdout_is_one_line_and_exit_73(sample_index: Path, command: list[str]) -> None:
    done = run_redirected(">&-", *command, "--index", str(sample_index))
    assert done.stderr == "kvsearch: cannot write output: standard output is closed\n"
    assert done.returncode == 73


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("command", OUTPUT_COMMANDS[:3], ids=" ".join)
def test_a_full_disk_under_stdout_is_one_line_and_exit_73(sample_index: Path, command: list[str]) -> None:
    done = run_redirected("> /dev/full", *command, "--index", str(sample_index))
    assert done.stderr == "kvsearch: cannot write output: No space left on device\n"
    assert done.returncode == 73


def test_a_pipe_closed_by_its_reader_stays_silent(sample_index: Path) -> None:
    reader_gone = subprocess.Popen(
        [sys.executable, "-m", "kvsearch", "ambtenaren", "--index", str(sample_index)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert reader_gone.stdout is not None and reader_gone.stderr is not None
    reader_gone.stdout.close()
    errors = reader_gone.stderr.read()
    assert reader_gone.wait(timeout=300) == 0
    assert errors == b""


def test_an_ascii_terminal_gets_every_hit_escaped(sample_index: Path) -> None:
    ascii_only = {"PYTHONIOENCODING": "ascii"}
    text = run_cli("één", "--index", str(sample_index), env=ascii_only)
    assert text.returncode == 0, text.stderr
    assert "\\u00e9\\u00e9n" in text.stdout and "internal error" not in text.stderr
    as_json = run_cli("één", "--index", str(sample_index), "--json", env=ascii_only)
    assert as_json.returncode == 0, as_json.stderr
    assert as_json.stdout.isascii()
    hits = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert any("één" in hit["question"] for hit in hits)
    assert "Minister van Financiën" in hits[0]["addressees"]


# --------------------------------------------------------------------------------------------
# --format templates


def run_with_memory_limit(*args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI with 1 GiB of address space, so that a runaway allocation fails, not the machine."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "kvsearch", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=ROOT,
        timeout=300,
        preexec_fn=limit,
    )


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{0}", "no field {0}"),
        ("{nosuchfield}", "no field {nosuchfield}"),
        ("{title.__class__}", "no field {title.__class__}"),
        ("{title:x}", "Unknown format code 'x'"),
        ("{title!z}", "unknown conversion !z"),
        ("{title", "expected '}'"),
        ("{title:>999999999}", "a width or precision over 1000"),
        ("{score:.5000f}", "a width or precision over 1000"),
    ],
)
def test_a_bad_format_template_is_a_usage_error(sample_index: Path, template: str, reason: str) -> None:
    done = run_with_memory_limit("ambtenaren", "--index", str(sample_index), "--format", template)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"kvsearch: bad --format template {template!r}: ")
    assert reason in done.stderr and done.stderr.count("\n") == 1
    assert done.stdout == ""


def test_a_bad_format_template_is_refused_without_hits_too(sample_index: Path) -> None:
    done = run_cli("qqqzzzxx", "--index", str(sample_index), "--format", "{nosuchfield}")
    assert done.returncode == 2 and "bad --format template" in done.stderr


def test_a_wide_but_sane_format_still_works(sample_index: Path) -> None:
    done = run_cli("ambtenaren", "--index", str(sample_index), "-n", "1", "--format", "{title:>1000}|{score:.2f}")
    assert done.returncode == 0, done.stderr
    line = done.stdout.rstrip("\n")
    assert len(line.split("|")[0]) == 1000 and line.split("|")[0].endswith("november 2023")
