"""The live generation, opened once per process and kept while ``CURRENT`` names it.

Readers follow ``CURRENT`` to a complete generation and never take the build lock, so a
search during a rebuild sees the old index until the new one is published.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every annotation
# written as a string when the class is made, and a one-line search imports this module.

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from kvsearch import analysis
from kvsearch.engine.reader import SearchableIndex
from kvsearch.errors import IndexMissingError, IndexVersionError, KvsearchError
from kvsearch.searcher.fields import BM25_B, BM25_K1, TEXT_FIELDS
from kvsearch.storage.generations import (
    changed_files,
    check_trusted,
    generation_problem,
    listed_files,
    live_generation,
    read_manifest,
    searchable_generation,
    versions,
)


class IndexInfo(NamedTuple):
    """What ``kvsearch stats`` and ``status`` show about the live index."""

    path: str
    generation: str
    manifest: dict[str, Any]
    #: Set when the generation searched is not the one ``CURRENT`` names (it is damaged).
    notice: str | None = None


class _OpenIndex(NamedTuple):
    """A generation opened once and kept for the next search of this process."""

    generation: str
    searchable: SearchableIndex
    info: IndexInfo
    lock: threading.RLock


#: Opened generations by index folder. A TUI or a script searches many times; opening the index
#: (its table of contents, segment files and a pickled schema) each time costs more than a query.
_OPEN: dict[str, _OpenIndex] = {}
_OPEN_LOCK = threading.Lock()


def _no_index_message(path: Path) -> str:
    """Where the index was looked for, whole: a relative default like ``index`` means nothing
    when run from another folder."""
    import shlex  # only on this error path: the one-liner imports little

    where = path.absolute()
    return (
        f"no index in {where}; build it with: kvsearch index --index {shlex.quote(str(where))}"
        " (or name another index with --index or KVSEARCH_INDEX)"
    )


@contextmanager
def open_searcher(index_dir: str | os.PathLike[str]) -> Iterator[tuple[SearchableIndex, IndexInfo]]:
    """The live generation, opened for reading, for one search at a time.

    The opened index is kept for later calls while ``CURRENT`` names the same generation: a
    generation never changes once published, so only ``CURRENT`` is read again each time.

    Raises:
        IndexMissingError: there is no published index (says how to build one).
        IndexVersionError: the index was built by another kvsearch/analyzer version, or its
            folder can be written by other users (Whoosh unpickles data from it).
    """
    path = Path(index_dir)
    key = str(path)
    live = live_generation(path)
    kept = _OPEN.get(key)
    generation: Path | None
    if live is not None and kept is not None and kept.generation == live.name and kept.info.notice is None:
        generation, notice = live, None  # opened and found whole before: only CURRENT is read again
    else:
        generation, notice = searchable_generation(path)
    if generation is None:
        if live is not None:
            raise IndexMissingError(
                f"the index in {path} is damaged ({generation_problem(live)}) and no earlier generation is whole; "
                f"rebuild it with: kvsearch index --index {path}"
            )
        raise IndexMissingError(_no_index_message(path))
    with _OPEN_LOCK:
        opened = _OPEN.get(key)
        if opened is None or opened.generation != generation.name:
            if opened is not None:
                with opened.lock:  # a search still running in another thread finishes first
                    opened.searchable.close()
                del _OPEN[key]
            opened = _OPEN[key] = _open_generation(path, generation, notice)
    with opened.lock:
        try:
            yield opened.searchable, opened.info
        except (KvsearchError, KeyboardInterrupt):
            raise
        except Exception:
            # Whoosh raises many kinds on damaged data; only a file that no longer matches its
            # checksum makes it the index's fault rather than a bug.
            manifest = opened.info.manifest
            if damaged := changed_files(generation, list(listed_files(manifest)), manifest):
                raise _damaged(generation, damaged[0]) from None
            raise


def _open_generation(path: Path, generation: Path, notice: str | None = None) -> _OpenIndex:
    check_trusted(generation)
    manifest = read_manifest(generation) or {}
    built_by = manifest.get("versions")
    chain = analysis.recorded_chain(built_by)
    if chain is None or built_by != versions(chain):
        raise IndexVersionError(
            f"the index in {path} was built by another version of kvsearch "
            f"({_describe(built_by)}; this is {_describe(versions())}); rebuild it with: kvsearch index --full"
        )
    # Whoosh unpickles its tables of contents first; they are small, so they are held to their
    # checksums here, where checking a whole segment would cost more than a search.
    tables = [name for name in listed_files(manifest) if name.endswith(".toc")]
    if damaged := changed_files(generation, tables, manifest):
        raise _damaged(generation, damaged[0])
    try:
        index = SearchableIndex(generation, k1=BM25_K1, b={name: BM25_B[name] for name in TEXT_FIELDS})
    except Exception as error:  # Whoosh raises many kinds on a damaged index
        raise IndexMissingError(
            f"the index at {generation} is unreadable ({type(error).__name__}); rebuild it with: kvsearch index --full"
        ) from None
    info = IndexInfo(str(path), generation.name, manifest, notice)
    return _OpenIndex(generation.name, index, info, threading.RLock())


def _damaged(generation: Path, name: str) -> IndexMissingError:
    return IndexMissingError(
        f"the index at {generation} is damaged ({name} is not as it was written); "
        "rebuild it with: kvsearch index --full"
    )


def _describe(built: Any) -> str:
    if not isinstance(built, dict):
        return "unknown version"
    return f"kvsearch {built.get('kvsearch')}, schema {built.get('schema')}, analyzer {built.get('analyzer')}"
