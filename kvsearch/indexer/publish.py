"""Publishing a verified build atomically, and rolling back to the previous generation.

The build folder gets its manifest, vocabulary and records, is synced to disk and renamed to
its ``gen-…`` name; writing ``CURRENT`` (with ``os.replace``) is the commit point. Readers
follow ``CURRENT`` only, so they see the old generation or the new one, never a part."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import shutil
from pathlib import Path
from typing import Any

from kvsearch.indexer.context import BuildContext
from kvsearch.indexer.faults import checkpoint
from kvsearch.indexer.lock import private_files, writer_lock
from kvsearch.indexer.records import top_words
from kvsearch.indexer.report import now_iso
from kvsearch.indexer.spool import SPOOL
from kvsearch.storage import folder as indexfolder
from kvsearch.storage.folder import fsync_dir, write_atomic
from kvsearch.storage.generations import (
    CURRENT,
    MANIFEST,
    VOCABULARY,
    file_checksum,
    listed_files,
    live_generation,
    rollback_generation,
    versions,
)


def publish(context: BuildContext) -> None:
    """Finish the verified build folder (manifest, vocabulary, records), move it to its
    generation's name and make that generation live."""
    build, live, report, catalog, spool = context.build, context.live, context.report, context.catalog, context.spool
    index_path = context.options.index_path
    manifest = {
        "versions": versions(),
        "built": now_iso(),
        "corpus": str(context.options.corpus.resolve()),
        "replaces": live.name if live else None,
        "documents": report.documents,
        "passages": report.passages,
        "report": report.to_json(),
    }
    spool.close()
    os.remove(build / SPOOL)
    catalog.publish(build)
    _write_json(build / VOCABULARY, top_words(build))
    catalog.remove()
    manifest["files"] = _checksums(build, live, context.previous)
    _write_json(build / MANIFEST, manifest)
    _fsync_tree(build)
    os.rename(build, context.generation)
    fsync_dir(index_path)
    checkpoint("publishing")
    write_atomic(index_path / CURRENT, context.generation.name + "\n")  # the commit point


def rollback(index_dir: str | os.PathLike[str]) -> str:
    """Make the previous generation live again; returns its name.

    Raises:
        LockedError: a build is running.
        UsageError: there is no previous generation to go back to.
    """
    from kvsearch.errors import UsageError

    index_path = Path(index_dir)
    indexfolder.claim(index_path, create=False)
    with private_files(), writer_lock(index_path):
        target = rollback_generation(index_path, live_generation(index_path))
        if target is None:
            raise UsageError(f"no previous generation in {index_path} to roll back to")
        write_atomic(index_path / CURRENT, target.name + "\n")
        return target.name


def discard(*folders: Path) -> None:
    """Remove a failed build, so that its disk space is free again."""
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _fsync_tree(path: Path) -> None:
    for item in path.iterdir():
        if item.is_file():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
            indexfolder.safe_mode(item)
    indexfolder.safe_mode(path)
    fsync_dir(path)


def _checksums(build: Path, live: Path | None, live_manifest: dict[str, Any] | None) -> dict[str, list[int]]:
    """Size and CRC-32 of every file of the new generation but the manifest, for the manifest.
    Files hard-linked from the live generation keep the figures it recorded (the incremental
    build checks them against the files before it publishes)."""
    recorded = listed_files(live_manifest or {}) if live else {}
    files: dict[str, list[int]] = {}
    for item in sorted(build.iterdir(), key=lambda p: p.name):
        if item.name in (MANIFEST, indexfolder.OWNER_MARKER) or not item.is_file():
            continue
        known = recorded.get(item.name)
        if known and live and _same_file(item, live / item.name):
            files[item.name] = list(known)
        else:
            files[item.name] = list(file_checksum(item))
    return files


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _write_json(path: Path, data: Any) -> None:
    """JSON, gzip'd when the name ends in .gz (the manifest, and the vocabulary of up to
    60,000 words behind "bedoelde u"), written an object's members a piece at a time
    (``_dump_json``) rather than as one string, its bytes and their compressed copy."""
    with open(path, "wb") as raw:
        if path.suffix == ".gz":
            with gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0) as packed:
                _dump_json(data, packed)
        else:
            _dump_json(data, raw)


def _dump_json(data: Any, out: Any, members: int = 4096) -> None:
    """``json.dumps(data)`` (compact, UTF-8) written to ``out`` in pieces of ``members``
    members of an object: each piece is one ``json.dumps`` call, in C (a call per member cost
    seconds for the 500k word counts of a million passages)."""
    if not isinstance(data, dict) or not data:
        out.write(_compact_json(data).encode("utf-8"))
        return
    items = iter(data.items())
    separator = "{"
    while piece := dict(itertools.islice(items, members)):
        out.write((separator + _compact_json(piece)[1:-1]).encode("utf-8"))
        separator = ","
    out.write(b"}")


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
