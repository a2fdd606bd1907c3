"""Shared fixtures: the test corpus shipped in tests/data/corpus, the larger real corpus in
../shared/corpus when it is there, and indexes built from them once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = Path(os.environ.get("KVSEARCH_SHARED_CORPUS", ROOT.parent / "shared" / "corpus"))
SAMPLE_CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"
# A handful of the real documents per format and quirk, so that every clone tests the whole pipeline.
TEST_CORPUS = DATA / "corpus"
# Pipeline tests run on the most real documents at hand: the shared corpus when it is there.
REAL_CORPUS = SHARED_CORPUS if SHARED_CORPUS.is_dir() else TEST_CORPUS


def needs_shared_corpus() -> pytest.MarkDecorator:
    """The ``corpus`` marker: the test reads ../shared/corpus, so it is skipped when that is
    absent, and ``pytest -m "not corpus"`` leaves it out."""
    return pytest.mark.corpus


#: Fixtures that read the shared corpus: a test that asks for one (directly or through another
#: fixture) needs the corpus as much as a marked test does.
SHARED_CORPUS_FIXTURES = frozenset({"shared_corpus", "shared_index"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    absent = pytest.mark.skip(reason=f"shared corpus not found at {SHARED_CORPUS}")
    for item in items:
        if SHARED_CORPUS_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.corpus)
        if item.get_closest_marker("corpus") is not None and not SHARED_CORPUS.is_dir():
            item.add_marker(absent)


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return SHARED_CORPUS


def run_cli(
    *args: str, env: dict[str, str] | None = None, input: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real ``kvsearch`` command in a fresh process, as a shell user would."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kvsearch", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        cwd=cwd or ROOT,
        timeout=300,
    )


def json_lines(done: subprocess.CompletedProcess[str]) -> list[dict]:
    """The JSON lines a successful command printed."""
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def doc_ids(index: Path, query: str) -> set[str]:
    """The documents a search finds (up to 100 passages), none when it finds nothing."""
    found = run_cli("search", query, "--index", str(index), "--json", "--limit", "100")
    assert found.returncode in (0, 1), found.stderr
    return {hit["doc_id"] for hit in json_lines(found)} if found.returncode == 0 else set()


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Path:
    """An index of all of ../shared/corpus, built once by the real ``kvsearch index``."""
    index = tmp_path_factory.mktemp("shared") / "index"
    done = run_cli("index", "--corpus", str(shared_corpus), "--index", str(index))
    assert done.returncode in (0, 6), done.stderr
    return index


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the shipped sample corpus, built by the real ``kvsearch index``."""
    index = tmp_path_factory.mktemp("sample") / "index"
    done = run_cli("index", "--corpus", str(SAMPLE_CORPUS), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return index


@pytest.fixture(scope="session")
def test_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the test corpus, built once by the real ``kvsearch index``."""
    index = tmp_path_factory.mktemp("test-corpus") / "index"
    done = run_cli("index", "--corpus", str(TEST_CORPUS), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return index


@pytest.fixture(scope="session")
def real_index(request: pytest.FixtureRequest) -> Path:
    """An index of ``REAL_CORPUS``: the shared corpus's when it is there, else the test corpus's."""
    return request.getfixturevalue("shared_index" if SHARED_CORPUS.is_dir() else "test_index")


@contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on a new ``folder`` (a real full disk), unmounted after;
    the test skips, saying why, where mounting is not allowed."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
