"""What a build was asked to do (``BuildOptions``) and what one build works with while it runs
(``BuildContext``), handed to each step instead of long parameter lists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvsearch.indexer.records import Catalog
from kvsearch.indexer.report import BuildReport, ProgressFn
from kvsearch.indexer.spool import Spool


@dataclass(frozen=True)
class BuildOptions:
    """A build's request: which corpus, which index (and its id), and how."""

    corpus: Path
    index_path: Path
    index_id: str
    #: Parse every file again, and write a new index rather than update the live one.
    full: bool = False
    #: Publish even when far fewer documents than the live index holds (or none) remain.
    allow_shrink: bool = False
    #: Progress reports; the build stops here when a stop was requested (``faults.stoppable``).
    progress: ProgressFn | None = None


@dataclass
class BuildContext:
    """One build in progress: its folder, the generation it becomes, the one it starts from,
    and the catalog, spool and report it fills."""

    options: BuildOptions
    report: BuildReport
    #: The ``.build-…`` folder being written, renamed to ``generation`` when it is published.
    build: Path
    generation: Path
    #: The generation this build starts from (and keeps for rollback), with its manifest.
    live: Path | None
    previous: dict[str, Any] | None
    catalog: Catalog
    spool: Spool
    #: ``time.monotonic()`` when the build began, for the report's seconds.
    started: float

    @property
    def progress(self) -> ProgressFn | None:
        return self.options.progress
