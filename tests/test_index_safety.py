"""What a build may touch, and how the index survives damage: kvsearch removes only what it
made, keeps the rollback generation until a new one is published, refuses an index others can
write before Whoosh unpickles anything, and heals a damaged index by itself. Every test runs
the real ``kvsearch`` in its own process against files on disk."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kvsearch.storage.generations import CURRENT, INDEX_MARKER, OWNER_MARKER
from tests.conftest import ROOT, SAMPLE_CORPUS, run_cli, small_tmpfs

SAMPLE = SAMPLE_CORPUS / "ah-tk-20232024-1064.md"
QUERY = "neutraliteit ambtenaren"


def write_corpus(folder: Path, numbers: range = range(1064, 1068)) -> Path:
    """Documents made from the shipped sample, one per Kamer number (ids differ, text is real)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SAMPLE.read_text(encoding="utf-8")
    for number in numbers:
        (folder / f"ah-tk-20232024-{number}.md").write_text(text.replace("### 1064", f"### {number}"), encoding="utf-8")
    return folder


def change_one(corpus: Path) -> None:
    first = corpus / "ah-tk-20232024-1064.md"
    extra = "\nAntwoord 10\n\nEen extra alinea over waterstof.\n"
    first.write_text(first.read_text(encoding="utf-8") + extra, encoding="utf-8")


def build(corpus: Path, index: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_cli("index", "--corpus", str(corpus), "--index", str(index), *extra, env=env)


def generations(index: Path) -> list[str]:
    return sorted(p.name for p in index.glob("gen-*"))


def live(index: Path) -> Path:
    return index / (index / CURRENT).read_text().strip()


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


def copy_keeping_links(source: Path, target: Path) -> None:
    """``source`` copied to ``target`` with the files' modes and times; files hard-linked to
    each other (generations share the segments a build did not change) are linked alike, so
    damage to one of them reaches every generation that holds it, as in the original."""
    copied: dict[tuple[int, int], Path] = {}
    folders = [source]
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True)
            folders.append(path)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        info = path.stat()
        if (info.st_dev, info.st_ino) in copied:
            os.link(copied[info.st_dev, info.st_ino], destination)
        else:
            shutil.copy2(path, destination)
            copied[info.st_dev, info.st_ino] = destination
    for folder in reversed(folders):  # after their files, which change a folder's time
        shutil.copystat(folder, target / folder.relative_to(source))


@pytest.fixture(scope="module")
def built_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A corpus and its index with two generations, built once for the module's tests."""
    root = tmp_path_factory.mktemp("two-generations")
    corpus, index = write_corpus(root / "corpus"), root / "index"
    assert build(corpus, index).returncode == 0
    change_one(corpus)
    done = build(corpus, index)
    assert done.returncode == 0, done.stderr
    assert len(generations(index)) == 2
    return corpus, index


@pytest.fixture()
def two_generations(tmp_path: Path, corpus: Path, built_twice: tuple[Path, Path]) -> Path:
    """An index of ``corpus`` with a live generation and the one before it: copies of the
    module's corpus and index, in this test's folder."""
    shutil.rmtree(corpus)
    copy_keeping_links(built_twice[0], corpus)
    index = tmp_path / "index"
    copy_keeping_links(built_twice[1], index)
    return index


# --------------------------------------------------------------------------------------------
# Only what kvsearch made is ever removed


def test_a_folder_of_the_users_files_is_refused_and_left_alone(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "mine"
    (folder / "gen-2023-photos").mkdir(parents=True)
    (folder / "gen-2023-photos" / "holiday.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    (folder / ".build-notes").mkdir()
    (folder / ".build-notes" / "todo.txt").write_text("keep me")
    before = tree(folder)
    done = build(corpus, folder)
    assert done.returncode == 2, done.stderr
    assert str(folder) in done.stderr and "not a kvsearch index" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert tree(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == [".build-notes", "gen-2023-photos"]


def test_folders_the_user_puts_into_an_index_survive_builds(two_generations: Path, corpus: Path) -> None:
    index = two_generations
    for name in ("gen-0-mine", ".build-mine"):
        (index / name).mkdir()
        (index / name / "data.txt").write_text(name)
    for _ in range(2):
        change_one(corpus)
        assert build(corpus, index).returncode == 0
    assert (index / "gen-0-mine" / "data.txt").read_text() == "gen-0-mine"
    assert (index / ".build-mine" / "data.txt").read_text() == ".build-mine"
    ours = [g for g in generations(index) if g != "gen-0-mine"]
    assert len(ours) == 2 and all((index / g / OWNER_MARKER).is_file() for g in ours)


def test_an_empty_folder_and_a_new_one_become_indexes(tmp_path: Path, corpus: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".gitkeep").touch()
    for folder in (empty, tmp_path / "new" / "deeper"):
        done = build(corpus, folder)
        assert done.returncode == 0, done.stderr
        assert (folder / INDEX_MARKER).is_file()
        assert run_cli(QUERY, "--index", str(folder)).returncode == 0
    assert (empty / ".gitkeep").exists()


def test_an_index_from_before_the_marker_is_adopted(two_generations: Path, corpus: Path) -> None:
    index = two_generations
    (index / INDEX_MARKER).unlink()
    for generation in generations(index):
        (index / generation / OWNER_MARKER).unlink()
    change_one(corpus)
    done = build(corpus, index)
    assert done.returncode == 0, done.stderr
    assert len(generations(index)) == 2  # the oldest was recognised as kvsearch's and retired


@pytest.mark.parametrize("target", ["/", "HOME", "/usr"])
def test_system_and_home_folders_are_refused(tmp_path: Path, corpus: Path, target: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    folder = str(home) if target == "HOME" else target
    before = sorted(os.listdir(folder))
    done = build(corpus, Path(folder), env={"HOME": str(home)})
    assert done.returncode == 2, done.stderr
    assert "refusing to use" in done.stderr
    assert sorted(os.listdir(folder)) == before


@pytest.mark.parametrize("kind", ["search", "build"])
def test_a_file_as_index_is_a_usage_error(tmp_path: Path, corpus: Path, kind: str) -> None:
    done = build(corpus, Path("/dev/null")) if kind == "build" else run_cli(QUERY, "--index", "/dev/null")
    assert done.returncode == (2 if kind == "build" else 3), done.stderr
    assert "/dev/null" in done.stderr and "internal error" not in done.stderr


# --------------------------------------------------------------------------------------------
# The rollback generation is retired only when a new one is published


def refused_build(corpus: Path, index: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    assert build(empty, index).returncode == 5


def interrupted_build(corpus: Path, index: Path, tmp_path: Path) -> None:
    change_one(corpus)
    env = {**os.environ, "KVSEARCH_FAULT": "publishing:kill"}
    killed = subprocess.run(
        [sys.executable, "-m", "kvsearch", "index", "--corpus", str(corpus), "--index", str(index)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9


def unchanged_build(corpus: Path, index: Path, tmp_path: Path) -> None:
    assert build(corpus, index).returncode == 0


def missing_corpus_build(corpus: Path, index: Path, tmp_path: Path) -> None:
    assert build(tmp_path / "nowhere", index).returncode == 4


@pytest.mark.parametrize("event", [unchanged_build, refused_build, interrupted_build, missing_corpus_build])
def test_rollback_survives_a_build_that_publishes_nothing(
    two_generations: Path, corpus: Path, tmp_path: Path, event: Callable[[Path, Path, Path], None]
) -> None:
    index = two_generations
    before = live(index).name
    previous = [g for g in generations(index) if g != before]
    event(corpus, index, tmp_path)
    assert live(index).name == before
    status = json.loads(run_cli("status", "--index", str(index), "--json").stdout)
    assert status["previous"] == previous
    back = run_cli("index", "--rollback", "--index", str(index))
    assert back.returncode == 0, back.stderr
    assert live(index).name == previous[0]
    assert run_cli(QUERY, "--index", str(index)).returncode == 0


def test_an_unchanged_build_leaves_the_index_as_it_was(two_generations: Path, corpus: Path) -> None:
    index = two_generations
    before = {g: tree(index / g) for g in generations(index)}
    current = (index / CURRENT).read_bytes()
    assert build(corpus, index).returncode == 0
    assert {g: tree(index / g) for g in generations(index)} == before
    assert (index / CURRENT).read_bytes() == current


# --------------------------------------------------------------------------------------------
# No code runs from an index that others can write


class _Planted:
    """A pickle that, when loaded, creates a file: proof that code ran."""

    def __init__(self, proof: Path) -> None:
        self.proof = proof

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (os.system, (f"touch {self.proof}",))


@pytest.mark.parametrize("where", ["toc", "segment", "generation", "current"])
def test_a_file_others_can_write_is_refused_before_unpickling(tmp_path: Path, corpus: Path, where: str) -> None:
    index = tmp_path / "index"
    assert build(corpus, index).returncode == 0
    generation = live(index)
    toc = next(generation.glob("_MAIN_*.toc"))
    proof = tmp_path / "code-ran"
    target = {
        "toc": toc,
        "segment": next(generation.glob("*.seg")),
        "generation": generation,
        "current": index / CURRENT,
    }[where]
    if where == "toc":  # same size as before: a manifest check of sizes alone would pass it
        planted = pickle.dumps(_Planted(proof))
        toc.write_bytes(planted + b"\0" * (toc.stat().st_size - len(planted)))
    target.chmod(stat.S_IMODE(target.stat().st_mode) | stat.S_IWOTH)
    done = run_cli(QUERY, "--index", str(index))
    assert done.returncode == 3, done.stderr
    assert str(target) in done.stderr and "written by other users" in done.stderr
    assert not proof.exists()


def test_a_folder_above_the_index_that_others_can_write_is_refused(tmp_path: Path, corpus: Path) -> None:
    above = tmp_path / "shared-folder"
    above.mkdir()
    index = above / "index"
    assert build(corpus, index).returncode == 0
    above.chmod(0o777)
    done = run_cli(QUERY, "--index", str(index))
    assert done.returncode == 3 and str(above) in done.stderr, done.stderr
    above.chmod(0o1777)  # sticky, as /tmp: others cannot rename what is ours
    assert run_cli(QUERY, "--index", str(index)).returncode == 0


def test_a_build_under_umask_000_publishes_an_index_searches_accept(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "index"
    env = {**os.environ, "NO_COLOR": "1"}
    command = f"umask 000; exec {sys.executable} -m kvsearch index --corpus {corpus} --index {index}"
    done = subprocess.run(["sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loose = [p for p in [index, *index.rglob("*")] if p.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH)]
    assert loose == []
    assert run_cli(QUERY, "--index", str(index)).returncode == 0


# --------------------------------------------------------------------------------------------
# A damaged index heals


def break_current_missing(index: Path) -> None:
    (index / CURRENT).write_text("gen-20000101T000000-1\n")


def break_current_bytes(index: Path) -> None:
    (index / CURRENT).write_bytes(b"gen-\xff\xfe\x00\n")


def break_current_folder(index: Path) -> None:
    (index / CURRENT).unlink()
    (index / CURRENT).mkdir()
    (index / CURRENT / "note.txt").write_text("somebody's")


def own_segment(index: Path) -> Path:
    """A segment only the live generation has (the others are hard links shared with the
    generation before it)."""
    return next(p for p in live(index).glob("*.seg") if p.stat().st_nlink == 1)


def break_truncated_segment(index: Path) -> None:
    segment = own_segment(index)
    with open(segment, "r+b") as handle:
        handle.truncate(segment.stat().st_size // 2)


def break_shared_segment(index: Path) -> None:
    """Damage both generations at once: a segment they share, truncated."""
    segment = next(p for p in live(index).glob("*.seg") if p.stat().st_nlink > 1)
    with open(segment, "r+b") as handle:
        handle.truncate(segment.stat().st_size // 2)


def break_deleted_segment(index: Path) -> None:
    own_segment(index).unlink()


def break_manifest(index: Path) -> None:
    (live(index) / "manifest.json").write_text("{not json")


@pytest.mark.parametrize(
    "damage",
    [
        break_current_missing,
        break_current_bytes,
        break_current_folder,
        break_truncated_segment,
        break_deleted_segment,
        break_manifest,
        break_shared_segment,
    ],
)
def test_searches_fall_back_and_the_next_build_heals(two_generations: Path, corpus: Path, damage) -> None:
    index = two_generations
    older, newer = generations(index)
    damage(index)
    searched = run_cli(QUERY, "--index", str(index))
    if damage is break_shared_segment:  # no whole generation is left: say so, and how to rebuild
        assert searched.returncode == 3, searched.stderr
        assert "damaged" in searched.stderr and "kvsearch index" in searched.stderr
    else:
        assert searched.returncode == 0, searched.stderr
        # it says which generation it searched: the live one when only CURRENT is damaged
        expected = newer if "current" in damage.__name__ else older
        assert expected in searched.stderr and "damaged" in searched.stderr
    healed = build(corpus, index)
    assert healed.returncode == 0, healed.stderr
    assert "damaged" in healed.stderr
    after = run_cli(QUERY, "--index", str(index), "--json")
    assert after.returncode == 0 and after.stderr == "", after.stderr
    assert (index / CURRENT).is_file()
    if damage is break_current_folder:  # somebody's folder is moved aside, never deleted
        aside = [p for p in index.iterdir() if p.name.startswith(CURRENT + ".damaged-")]
        assert len(aside) == 1 and (aside[0] / "note.txt").read_text() == "somebody's"
    rebuilt = run_cli("index", "--corpus", str(corpus), "--index", str(index), "--full")
    assert rebuilt.returncode == 0 and "damaged" not in rebuilt.stderr, rebuilt.stderr


def test_flipped_bytes_are_found_and_the_next_build_rebuilds(two_generations: Path, corpus: Path) -> None:
    index = two_generations
    segment = max(live(index).glob("*.seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    for at in range(len(data) // 4, len(data), 211):
        data[at] ^= 0x5A
    segment.write_bytes(bytes(data))
    searched = run_cli("ambtenaren OR waterstof OR neutraliteit", "--index", str(index), "--limit", "50")
    assert searched.returncode in (0, 3), searched.stderr
    assert "internal error" not in searched.stderr
    change_one(corpus)
    healed = build(corpus, index)
    assert healed.returncode == 0, healed.stderr
    assert "checksum" in healed.stderr and "in full" in healed.stderr
    report = json.loads((index / "last-build.json").read_text())["report"]
    assert report["full"] is True
    after = run_cli("ambtenaren OR waterstof OR neutraliteit", "--index", str(index), "--limit", "50", "--json")
    assert after.returncode == 0 and after.stderr == "", after.stderr
    assert len(after.stdout.splitlines()) > 4


#: A ``LONG_BINPUT`` to memo slot 100,000,000: 1.6 GB claimed by the C unpickler, unguarded.
_PUT_FAR_AWAY = pickle.LONG_BINPUT + (100_000_000).to_bytes(4, "little")


def test_a_damaged_memo_index_fails_at_once_without_claiming_memory(two_generations: Path) -> None:
    """A byte flipped into a ``LONG_BINPUT`` opcode names a memo slot hundreds of millions
    along; CPython's C unpickler grows and zeroes its memo array to reach it before anything
    fails. Here the directory pickle at a segment's end is replaced by one that puts its first
    object at slot 100,000,000 (1.6 GB of memo): the search must refuse it at once."""
    segment = max(live(two_generations).glob("*.seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    directory_at = int.from_bytes(data[:8], "big")
    bomb = pickle.PROTO + b"\x05" + pickle.NONE + _PUT_FAR_AWAY + pickle.STOP
    data[directory_at : directory_at + len(bomb)] = bomb
    segment.write_bytes(bytes(data))
    _refused_at_once(two_generations, QUERY)


def test_a_damaged_value_of_a_word_pair_fails_at_once_without_claiming_memory(tmp_path: Path) -> None:
    """The same in a posting block: the weights a word pair keeps for a phrase are pickled,
    and in a block of one or two postings not deflated, so no checksum stands before the
    unpickler. Every such pickle of the index is replaced by one of the same length that puts
    its first object at slot 100,000,000."""
    corpus, index = write_corpus(tmp_path / "corpus", range(1064, 1065)), tmp_path / "index"
    assert build(corpus, index).returncode == 0
    phrase = '"het kabinet"'  # one passage: its pair's list is one block of one posting
    assert run_cli(phrase, "--index", str(index)).returncode == 0
    replaced = 0
    for segment in live(index).glob("*.seg"):
        data = bytearray(segment.read_bytes())
        at = data.find(b"\x80\x05C")  # protocol 5, SHORT_BINBYTES: the pair weights
        while at >= 0:
            size = data[at + 3] + 6
            if data[at + size - 2 : at + size] == b"\x94." and size >= 14:  # MEMOIZE, STOP
                bomb = pickle.PROTO + b"\x05" + pickle.NONE + _PUT_FAR_AWAY
                filler = size - len(bomb) - 1  # opcodes that leave the stack as it is
                bomb += b"K\x000" * (filler % 2) + b"N0" * (filler // 2 - filler % 2) + pickle.STOP
                data[at : at + size] = bomb
                replaced += 1
            at = data.find(b"\x80\x05C", at + 1)
        segment.write_bytes(bytes(data))
    assert replaced
    _refused_at_once(index, phrase)


def _refused_at_once(index: Path, query: str) -> None:
    """``kvsearch QUERY`` on the damaged ``index`` ends with the one-line rebuild hint, and
    its peak memory shows that the unpickler did not claim what the damage asked for."""
    out, err = index.parent / "out.txt", index.parent / "err.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "kvsearch", query, "--index", str(index)],
            stdout=stdout,
            stderr=stderr,
            env={**os.environ, "NO_COLOR": "1"},
        )
        _, status, usage = os.wait4(child.pid, 0)
    message = err.read_text()
    assert os.waitstatus_to_exitcode(status) == 3, message
    assert str(index) in message and "rebuild" in message and len(message.splitlines()) == 1, message
    # Kilobytes on Linux. A child forked from a large test worker may count the worker's pages
    # it shared before it ran kvsearch: the bound is what that, not the memo, can reach.
    peak_mb = usage.ru_maxrss / 1024
    assert peak_mb < 1000, f"the search's peak memory was {peak_mb:.0f} MB"


def test_a_damaged_table_of_contents_is_named_before_it_is_unpickled(two_generations: Path) -> None:
    toc = next(live(two_generations).glob("*.toc"))
    data = bytearray(toc.read_bytes())
    data[len(data) // 2] ^= 0x5A
    toc.write_bytes(bytes(data))
    searched = run_cli(QUERY, "--index", str(two_generations))
    assert searched.returncode == 3, searched.stderr
    assert f"damaged ({toc.name} is not as it was written)" in searched.stderr
    assert len(searched.stderr.splitlines()) == 1


def _flip_one_byte(index: Path) -> None:
    segment = max(live(index).glob("*.seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0x5A
    segment.write_bytes(bytes(data))


def _out_of_memory(*args: object, **kwargs: object) -> None:
    raise MemoryError


def test_running_out_of_memory_on_a_damaged_live_generation_rebuilds_in_full(
    two_generations: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flipped length field can make reading the live files ask for more memory than there
    is. With the checksums saying the files are damaged, that is damage: the build starts again
    in full instead of failing as an internal error."""
    from kvsearch.indexer import build as building

    index = two_generations
    _flip_one_byte(index)
    monkeypatch.setattr(building, "count_live", _out_of_memory)  # reading the damaged segment
    change_one(corpus)
    report = building.build_index(corpus, index)
    assert report.full
    assert any("checksum" in notice and "in full" in notice for notice in report.notices), report.notices
    assert run_cli("waterstof", "--index", str(index)).returncode == 0


def test_running_out_of_memory_on_a_whole_live_generation_is_not_called_damage(
    two_generations: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kvsearch.indexer import build as building

    index = two_generations
    before = live(index)
    monkeypatch.setattr(building, "count_live", _out_of_memory)
    change_one(corpus)
    with pytest.raises(MemoryError):
        building.build_index(corpus, index)
    assert live(index) == before


# --------------------------------------------------------------------------------------------
# File-system faults get their class: 73 "cannot write", never 70


NOBODY = 65534


def as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
    command = [
        "setpriv",
        f"--reuid={NOBODY}",
        f"--regid={NOBODY}",
        "--clear-groups",
        sys.executable,
        "-m",
        "kvsearch",
        *args,
    ]
    env = {**os.environ, "NO_COLOR": "1", "HOME": "/nonexistent"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture()
def open_folder() -> Iterator[Path]:
    """A folder another user can reach (pytest's own tmp folders are private to root)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("running as another user needs root and setpriv")
    can_run = subprocess.run(
        [
            "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            sys.executable,
            "-c",
            "import kvsearch",
        ],
        cwd=ROOT,
        capture_output=True,
    )
    if can_run.returncode != 0:
        pytest.skip("another user cannot run kvsearch from this checkout (its folder is private)")
    folder = Path(f"/tmp/kvsearch-safety-{os.getpid()}")
    folder.mkdir(mode=0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_an_index_folder_that_cannot_be_written_is_73(open_folder: Path) -> None:
    corpus = write_corpus(open_folder / "corpus")
    index = open_folder / "index"
    assert build(corpus, index).returncode == 0  # root's index: nobody cannot write it
    done = as_nobody("index", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 73, done.stderr
    assert "cannot write" in done.stderr and "internal error" not in done.stderr
    parent = open_folder / "locked"
    parent.mkdir(mode=0o755)
    done = as_nobody("index", "--corpus", str(corpus), "--index", str(parent / "index"))
    assert done.returncode == 73, done.stderr
    assert "cannot create the index folder" in done.stderr


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "disk", "512k") as disk:
        yield disk


def test_a_read_only_mount_is_73_and_searches_go_on(small_disk: Path, corpus: Path) -> None:
    index = small_disk / "index"
    assert build(write_corpus(small_disk.parent / "one", range(1064, 1065)), index).returncode == 0
    remount = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True)
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remount.stderr.decode().strip()}")
    done = build(corpus, index)
    assert done.returncode == 73, done.stderr
    assert "read-only" in done.stderr.lower()
    assert run_cli(QUERY, "--index", str(index)).returncode == 0


def test_a_full_disk_while_taking_the_lock_is_73(small_disk: Path, corpus: Path) -> None:
    index = small_disk / "index"
    assert build(write_corpus(small_disk.parent / "one", range(1064, 1065)), index).returncode == 0
    (index / ".lock.info").unlink()  # taking the lock must write it again, on a full disk
    filler = small_disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        for size in (65536, 4096, 512, 1):  # to the last byte
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError:
                pass
    done = build(corpus, index)
    assert done.returncode == 73, done.stderr
    assert "no space left on device" in done.stderr
    filler.unlink()
    assert run_cli(QUERY, "--index", str(index)).returncode == 0


# --------------------------------------------------------------------------------------------
# A problem is told once


def test_problems_of_unchanged_files_are_told_once(tmp_path: Path, corpus: Path) -> None:
    (corpus / "empty.md").write_text("")
    (corpus / "again.md").write_text((corpus / "ah-tk-20232024-1065.md").read_text(encoding="utf-8"))
    index = tmp_path / "index"
    first = build(corpus, index)
    assert first.returncode == 6, first.stderr
    assert "empty.md" in first.stderr and "again.md" in first.stderr
    change_one(corpus)  # another file changes: the two above do not
    second = build(corpus, index)
    assert second.returncode == 0, second.stderr
    assert "empty.md" not in second.stderr and "again.md" not in second.stderr
    report = json.loads(run_cli("status", "--index", str(index), "--json").stdout)["last_build"]["report"]
    assert [p["path"] for p in report["skipped"]] == ["empty.md"] and report["skipped"][0]["known"]
    (corpus / "empty.md").write_text("   \n")  # changed, still bad: told again
    third = build(corpus, index)
    assert third.returncode == 6 and "empty.md" in third.stderr, third.stderr


@pytest.mark.asyncio
async def test_the_tui_says_when_it_searches_an_older_generation(two_generations: Path) -> None:
    from textual.widgets import Static

    from kvsearch.tui import KvsearchApp

    index = two_generations
    break_deleted_segment(index)
    app = KvsearchApp(index_dir=index, query="ambtenaren", show_timing=False, watch_seconds=3600)
    async with app.run_test(size=(160, 40)) as pilot:
        deadline = time.monotonic() + 60  # a loaded machine is slow; the app's own state decides
        while not (app.answered and app.answered == app.request and app.current is not None):
            assert time.monotonic() < deadline, "no search result"
            await pilot.pause(0.05)
        await pilot.pause()
        status = str(app.query_one("#status", Static).render())
        assert "damaged" in status and generations(index)[0] in status, status


def test_rollback_of_an_index_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere"
    done = run_cli("index", "--rollback", "--index", str(nowhere))
    assert done.returncode == 3, done.stderr
    assert "no index" in done.stderr and not nowhere.exists()
