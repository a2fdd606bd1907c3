"""The generation a build starts from: the live one, or the newest whole one when the live one
is damaged; and which of its files no longer hold what was written."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from kvsearch.engine.index_files import is_index_file
from kvsearch.errors import IndexVersionError
from kvsearch.indexer.records import RECORDS
from kvsearch.storage import folder as indexfolder
from kvsearch.storage.generations import (
    CURRENT,
    changed_files,
    check_trusted,
    generation_problem,
    live_generation,
    usable_generations,
)


def base_generation(index_path: Path, index_id: str) -> tuple[Path | None, str | None]:
    """The generation a build starts from and keeps for rollback: the live one, or — when
    ``CURRENT`` is damaged or names a missing, damaged or untrusted generation — the newest
    whole generation this index made, with a notice saying so."""
    live = live_generation(index_path)
    problem = generation_problem(live) if live else None
    if live and problem is None:
        try:
            check_trusted(live)
            return live, None
        except IndexVersionError as error:
            problem = str(error)
    if live is None and not (index_path / CURRENT).exists():
        return None, None  # a new index
    fallback = next((g for g in usable_generations(index_path) if g != live and indexfolder.owned(g, index_id)), None)
    why = f"{index_path / CURRENT} is missing or damaged" if live is None else f"{live.name} is damaged ({problem})"
    if (index_path / CURRENT).is_dir():
        _move_aside(index_path / CURRENT)
    if fallback is None:
        return None, f"{why}; no whole generation is left to start from"
    return fallback, f"{why}; starting from {fallback.name}"


def _move_aside(path: Path) -> None:
    """Rename something that is in the way of kvsearch's own file, keeping it."""
    os.rename(path, path.with_name(f"{path.name}.damaged-{datetime.now().strftime('%Y%m%dT%H%M%S')}"))


def damaged_files(live: Path) -> list[str]:
    """The files of the live generation an incremental build carries on (Whoosh's, linked into
    the new generation, and the records) that no longer hold what was written."""
    names = sorted(p.name for p in live.iterdir() if is_index_file(p.name) or p.name == RECORDS)
    return changed_files(live, names)
