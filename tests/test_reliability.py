"""The nightly rebuild under stress, for real: kill -9 mid-build, two builds at once, searches
during a rebuild, a full disk, a vanished corpus. Each test runs the real ``kvsearch index``
in its own process against real documents."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kvsearch.storage.generations import CURRENT
from tests.conftest import REAL_CORPUS, ROOT, SAMPLE_CORPUS, TEST_CORPUS, run_cli, small_tmpfs

QUERIES = ["ambtenaren", "stikstof OR waterstof", "partij:PVV", "Israël"]


def snapshot(index: Path) -> dict[str, list[str]]:
    """What searches return: the passage ids of a few queries."""
    out = {}
    for query in QUERIES:
        done = run_cli(query, "--index", str(index), "--json", "--limit", "50")
        assert done.returncode == 0, done.stderr
        out[query] = [json.loads(line)["passage_id"] for line in done.stdout.splitlines()]
    return out


def popen_index(corpus: Path, index: Path, fault: str = "", *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "KVSEARCH_FAULT": fault}
    return subprocess.Popen(
        [sys.executable, "-m", "kvsearch", "index", "--corpus", str(corpus), "--index", str(index), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The real documents, copied, and their index, built once for the tests of this module:
    each test works on copies of both, which take milliseconds where a build takes seconds.
    The copies keep the files' times, so the index knows every document as unchanged."""
    root = tmp_path_factory.mktemp("built")
    corpus = root / "corpus"
    shutil.copytree(REAL_CORPUS, corpus)
    for path in corpus.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    index = root / "index"
    done = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return corpus, index


@pytest.fixture()
def corpus(tmp_path: Path, built: tuple[Path, Path]) -> Path:
    """A writable copy of the real documents (text files and PDFs)."""
    return Path(shutil.copytree(built[0], tmp_path / "corpus"))


@pytest.fixture()
def live_index(tmp_path: Path, corpus: Path, built: tuple[Path, Path]) -> Path:
    """An index of ``corpus``, as ``kvsearch index`` left it."""
    return Path(shutil.copytree(built[1], tmp_path / "index", symlinks=True))


def leftovers(index: Path) -> list[str]:
    current = (index / CURRENT).read_text().strip()
    return sorted(
        p.name
        for p in index.iterdir()
        if p.name.startswith(".build-") or (p.name.startswith("gen-") and p.name != current)
    )


@pytest.mark.slow
@pytest.mark.parametrize("point", ["reading", "writing", "publishing"])
def test_kill_9_loses_nothing(point: str, corpus: Path, live_index: Path) -> None:
    before = snapshot(live_index)
    generation = (live_index / CURRENT).read_text()
    (corpus / "seed" / "ah-tk-20232024-1064.md").write_text(
        (SAMPLE_CORPUS / "ah-tk-20232024-1064.md").read_text(encoding="utf-8") + "\nExtra zin over stikstof.\n",
        encoding="utf-8",
    )
    killed = popen_index(corpus, live_index, f"{point}:kill", "--full")
    killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL
    assert (live_index / CURRENT).read_text() == generation
    assert snapshot(live_index) == before
    if point != "reading":
        assert leftovers(live_index)  # the half-built generation is still on disk …
    done = run_cli("index", "--corpus", str(corpus), "--index", str(live_index))
    assert done.returncode == 0, done.stderr
    assert (live_index / CURRENT).read_text() != generation
    kept = [p.name for p in live_index.iterdir() if p.name.startswith((".build-", "gen-"))]
    assert len(kept) == 2 and not any(name.startswith(".build-") for name in kept)  # … and gone now
    assert run_cli("stikstof ambtenaren", "--index", str(live_index)).returncode == 0


@pytest.mark.slow
def test_two_builds_at_once_one_exits_75(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index2"
    first = popen_index(corpus, index, "reading:sleep:6")
    deadline = time.monotonic() + 30
    while not (index / ".lock.info").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    second = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert second.returncode == 75
    assert time.monotonic() - started < 5
    assert f"another index build is running (pid {first.pid}" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    first.communicate(timeout=300)
    assert first.returncode == 0


SEARCH_LOOP = """
import json, os, sys, time
import kvsearch
index, done, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
counts = {"searches": 0, "errors": [], "empty": 0}
started = time.monotonic()
# until the rebuilds are over (the file appears), and at least a few seconds
while time.monotonic() < started + 60 and not (os.path.exists(done) and time.monotonic() > started + seconds):
    try:
        result = kvsearch.search("ambtenaren", index_dir=index)
        counts["searches"] += 1
        counts["empty"] += result.total == 0
    except Exception as error:
        counts["errors"].append(repr(error))
print(json.dumps(counts))
"""


@pytest.mark.slow
def test_searches_during_rebuilds_always_answer(corpus: Path, live_index: Path, tmp_path: Path) -> None:
    rebuilt = tmp_path / "rebuilt"
    loop = subprocess.Popen(
        [sys.executable, "-c", SEARCH_LOOP, str(live_index), str(rebuilt), "5"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(2):
        done = run_cli("index", "--corpus", str(corpus), "--index", str(live_index), "--full")
        assert done.returncode == 0, done.stderr
    rebuilt.touch()
    out, err = loop.communicate(timeout=120)
    counts = json.loads(out)
    assert counts["searches"] > 20, err
    assert counts["errors"] == []
    assert counts["empty"] == 0


def test_interrupted_build_cleans_up(corpus: Path, live_index: Path) -> None:
    generation = (live_index / CURRENT).read_text()
    build = popen_index(corpus, live_index, "writing:sleep:20", "--full")
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".build-") for p in live_index.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=60)
    assert build.returncode == 130, err
    assert "interrupted" in err
    assert (live_index / CURRENT).read_text() == generation
    left = {p: sorted(f.name for f in (live_index / p).rglob("*")) for p in leftovers(live_index) if p.startswith(".")}
    assert not left, f"build folders left behind, with what they hold: {left}; stderr: {err[-500:]}"
    assert leftovers(live_index) == [p for p in leftovers(live_index) if p.startswith("gen-")]


def test_a_stop_while_a_writer_is_forked_stops_that_writer_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM landing just after a segment writer's fork, before the builder has listed the
    child: the child must be stopped and waited for with the build, not go on writing into the
    build folder while it is removed (which left a half-written segment behind)."""
    from kvsearch.engine import parallel_writer
    from kvsearch.indexer import write

    monkeypatch.setattr(write, "WRITE_JOBS", 2)
    monkeypatch.setattr(write, "PARALLEL_MIN_DOCUMENTS", 2)
    writer = _stopped_just_after_forking(parallel_writer._child, tmp_path / "index", monkeypatch)
    with pytest.raises(ChildProcessError):  # stopped and reaped by the builder, not left running
        os.waitpid(writer, os.WNOHANG)


def test_a_stop_while_a_parser_is_forked_stops_that_parser_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for the parser pool: SIGTERM just after a parser's fork, before the pool has
    listed it, must not leave that parser waiting for work that never comes."""
    import multiprocessing.pool

    from kvsearch.ingest import corpus

    monkeypatch.setattr(corpus, "PARSE_JOBS", 2)
    parser = _stopped_just_after_forking(multiprocessing.pool.worker, tmp_path / "index", monkeypatch)
    with pytest.raises(ChildProcessError):  # stopped and reaped with the pool, not left running
        os.waitpid(parser, os.WNOHANG)


def _stopped_just_after_forking(target: object, index: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A full build of the test corpus into ``index`` with ``kvsearch index``'s SIGTERM
    handler, which is sent SIGTERM just after the first fork of a process running ``target``:
    the build must stop. The pid of that process."""
    import multiprocessing.context

    from kvsearch.cli.app import _terminate
    from kvsearch.indexer.build import build_index

    start = multiprocessing.context.ForkProcess.start
    forked: list[int] = []

    def start_then_stop(process: multiprocessing.context.ForkProcess) -> None:
        wanted = process._target is target and not forked  # type: ignore[attr-defined]
        start(process)
        if wanted:
            forked.append(process.pid)
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", start_then_stop)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with pytest.raises(KeyboardInterrupt):
            build_index(TEST_CORPUS, index, full=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert len(forked) == 1
    return forked[0]


def test_a_child_forked_within_a_held_step_stops_on_its_own_signal() -> None:
    """The hold is its parent's: a parser forked within it and sent SIGTERM before its own
    start (as the pool's end does) must stop, not wait for a step that is not its own, which
    left the pool waiting for it for ever."""
    from kvsearch.cli.app import _terminate
    from kvsearch.indexer import faults

    previous = signal.signal(signal.SIGTERM, _terminate)  # kvsearch index's handler, inherited
    try:
        with faults.stops_held():
            child = os.fork()
            if child == 0:
                code = 0
                try:
                    os.kill(os.getpid(), signal.SIGTERM)
                    time.sleep(10)
                except KeyboardInterrupt:
                    code = 7
                finally:
                    os._exit(code)
    finally:
        signal.signal(signal.SIGTERM, previous)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 7  # stopped by its signal, not after the sleep


@pytest.mark.parametrize("phase", ["parse", "index"])
def test_stop_request_is_honoured_even_when_the_interrupt_is_lost(corpus: Path, live_index: Path, phase: str) -> None:
    """A signal handler's KeyboardInterrupt that lands in a finalizer is lost ("Exception
    ignored"); the stop it requested must still stop the build before it publishes."""
    import kvsearch

    generation = (live_index / CURRENT).read_text()
    seen: list[str] = []

    def progress(name: str, done: int, total: int) -> None:
        seen.append(name)
        if name == phase:
            kvsearch.request_stop()  # the flag only, as when the handler's exception is swallowed

    with pytest.raises(KeyboardInterrupt):
        kvsearch.build_index(corpus, live_index, full=True, progress=progress)
    assert phase in seen
    assert (live_index / CURRENT).read_text() == generation
    assert not any(p.name.startswith(".build-") for p in live_index.iterdir())
    assert json.loads((live_index / "last-build.json").read_text())["exit_code"] == 130
    kvsearch.build_index(corpus, live_index, full=True)  # the request does not outlive the build
    assert (live_index / CURRENT).read_text() != generation


def test_missing_or_emptied_corpus_publishes_nothing(corpus: Path, live_index: Path, tmp_path: Path) -> None:
    before = snapshot(live_index)
    missing = run_cli("index", "--corpus", str(tmp_path / "gone"), "--index", str(live_index))
    assert missing.returncode == 4
    assert "corpus folder not found" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    emptied = run_cli("index", "--corpus", str(empty), "--index", str(live_index))
    assert emptied.returncode == 5
    assert "no documents" in emptied.stderr
    assert snapshot(live_index) == before
    status = json.loads(run_cli("status", "--index", str(live_index), "--json").stdout)
    assert status["last_build"]["outcome"] == "refused" and status["last_build"]["exit_code"] == 5


@pytest.mark.slow
def test_shrink_guard_and_rollback(corpus: Path, live_index: Path) -> None:
    before = snapshot(live_index)
    shutil.rmtree(corpus / "limburg-2024")  # most of the corpus "unmounted"
    refused = run_cli("index", "--corpus", str(corpus), "--index", str(live_index))
    assert refused.returncode == 5
    assert "shrank" in refused.stderr and "--allow-shrink" in refused.stderr
    assert snapshot(live_index) == before
    allowed = run_cli("index", "--corpus", str(corpus), "--index", str(live_index), "--allow-shrink")
    assert allowed.returncode == 0
    assert run_cli("Oeigoeren", "--index", str(live_index)).returncode == 1  # only in limburg-2024
    back = run_cli("index", "--rollback", "--index", str(live_index))
    assert back.returncode == 0
    assert snapshot(live_index) == before


def stored_passages(index: Path) -> list[tuple[str, str, str, str]]:
    from kvsearch.searcher import open_searcher

    with open_searcher(index) as (searcher, _info):
        return sorted(
            (s["passage_id"], s["question"], s["answer"], json.dumps(s["document"], sort_keys=True))
            for s in searcher.all_stored_fields()
        )


def test_incremental_equals_full(corpus: Path, live_index: Path, tmp_path: Path) -> None:
    (corpus / "converted" / "ah-tk-20232024-1433.txt").unlink()
    shutil.copy(SAMPLE_CORPUS / "ah-tk-20232024-1064.md", corpus / "extra.md")
    changed = corpus / "limburg-2024" / "Het_werken_met_ambtenaren-pdf.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("woordvoerder", "zegsman"), encoding="utf-8")
    incremental = run_cli("index", "--corpus", str(corpus), "--index", str(live_index), "--json")
    report = json.loads(incremental.stdout)
    assert (report["added"], report["updated"], report["removed"]) == (1, 1, 1)
    full_index = tmp_path / "full"
    assert run_cli("index", "--corpus", str(corpus), "--index", str(full_index), "--full").returncode == 0
    assert stored_passages(live_index) == stored_passages(full_index)
    # What `kvsearch stats` counts, read from each document's first live passage: the changed
    # document's passages of the first build are deleted ones in the older segment.
    counted = [json.loads(run_cli("stats", "--index", str(i), "--json").stdout) for i in (live_index, full_index)]
    for key in ("documents", "passages", "by_year", "by_kind", "by_ministry", "by_party"):
        assert counted[0][key] == counted[1][key], key


def test_disk_full_keeps_the_live_index(tmp_path: Path, corpus: Path) -> None:
    with small_tmpfs(tmp_path / "disk", "1m") as disk:
        index = disk / "index"
        small = tmp_path / "small"
        small.mkdir()
        shutil.copy(SAMPLE_CORPUS / "ah-tk-20232024-1064.md", small)
        assert run_cli("index", "--corpus", str(small), "--index", str(index)).returncode == 0
        used_before = shutil.disk_usage(disk).used
        full = run_cli("index", "--corpus", str(corpus), "--index", str(index))
        assert full.returncode == 73, full.stderr
        assert "no space left on device" in full.stderr
        assert run_cli("neutraliteit ambtenaren", "--index", str(index)).returncode == 0
        assert not any(p.name.startswith(".build-") for p in index.iterdir())
        assert shutil.disk_usage(disk).used <= used_before + 64 * 1024
