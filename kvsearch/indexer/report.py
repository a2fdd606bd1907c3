"""What a build did, as the user and ``kvsearch status`` see it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from kvsearch.ingest.corpus import Problem

#: ``progress(phase, done, total)``: called often while a build parses and writes.
ProgressFn = Callable[[str, int, int], None]


@dataclass
class BuildReport:
    """What a build did; ``summary()`` is the closing line a user sees."""

    generation: str = ""
    documents: int = 0
    passages: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = False

    def summary(self) -> str:
        return (
            f"indexed {self.documents} documents, {self.passages} passages "
            f"({self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{len(self.skipped)} skipped with errors, {len(self.duplicates)} duplicates) "
            f"in {self.seconds:.1f} s"
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("skipped", "warnings", "duplicates"):
            data[name] = [
                {"path": p.path, "message": p.message, **({"known": True} if p.known else {})}
                for p in getattr(self, name)
            ]
        return data

    @property
    def newly_skipped(self) -> bool:
        """Whether this build skipped a file no earlier build had reported (exit code 6)."""
        return any(not p.known for p in self.skipped)


def now_iso() -> str:
    """The local time, to the second, as the index's JSON files record it (lock holder, manifest,
    last build)."""
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")
