"""The watches file: saved searches by name, and what each matched at its last report.

A small JSON file beside the index (``index.watches.json`` for the index ``index``), or the
path in ``KVSEARCH_WATCHES``. It is readable and editable by hand: each watch is its query,
when it was added, when it was last reported and the passage ids that matched then. Every
change replaces the file whole (written aside, synced, renamed), so a crash or a full disk
leaves the previous version.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kvsearch.errors import OutputError, UsageError
from kvsearch.query import parse_query

FORMAT = 1
#: A watch's name also names its Atom file: letters, digits, ``-``, ``_`` and ``.``, not first.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: How many reported passages a watch keeps for its Atom feed, so a feed reader that looks
#: less often than the reports run still sees each passage.
FEED_ENTRIES = 100


@dataclass
class Watch:
    """A saved search and its report state."""

    name: str
    query: str
    added: str
    #: When the last report was written out; None before the first.
    reported: str | None = None
    #: Passage ids that matched at the last report (or when the watch was added).
    seen: list[str] = field(default_factory=list)
    #: The passages reported most recently, newest first: ``[passage_id, reported_at]``.
    recent: list[list[str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "added": self.added,
            "reported": self.reported,
            "seen": sorted(self.seen),
            "recent": self.recent,
        }


def watches_path(index_dir: str | os.PathLike[str]) -> Path:
    """``KVSEARCH_WATCHES``, or the file beside the index folder."""
    chosen = os.environ.get("KVSEARCH_WATCHES")
    if chosen:
        return Path(chosen)
    index = Path(os.path.abspath(index_dir))
    if not index.name:
        raise UsageError(f"no place beside the index {index} for its watches; name a file with KVSEARCH_WATCHES")
    return index.with_name(index.name + ".watches.json")


def now() -> str:
    """The current time as an Atom feed and the watches file write it (UTC, seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        shown = name if len(name) <= 60 else name[:60] + "…"
        raise UsageError(
            f"not a watch name: {shown!r} (letters, digits, '-', '_' and '.', at most 64, not starting with '.' or '-')"
        )
    return name


def name_for(query: str) -> str:
    """A watch name to offer for ``query`` (its words joined by ``-``), for a user to accept or change."""
    ascii_text = unicodedata.normalize("NFKD", query).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:64].rstrip("-")
    return name or "watch"


def check_query(text: str) -> str:
    """Refuse what a saved search cannot be: a bad query, or a pasted question."""
    parsed = parse_query(text)
    if parsed.natural:
        raise UsageError(
            f"a watch needs words and filters, not a question in sentences: {text[:60]!r} "
            "(a query of more than six words matches passages with any of them)"
        )
    return text


def load(path: Path) -> dict[str, Watch]:
    """The watches in ``path`` by name; none when the file does not exist.

    Raises:
        UsageError: the file is not a watches file (it names the file and what is wrong).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeError) as error:
        raise UsageError(f"{path}: cannot read the watches file: {getattr(error, 'strerror', None) or error}") from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise UsageError(f"{path}: not a watches file (bad JSON: {error})") from None
    entries = data.get("watches") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise UsageError(f'{path}: not a watches file (no "watches" object)')
    return {name: _watch(path, name, entry) for name, entry in entries.items()}


def _watch(path: Path, name: str, entry: Any) -> Watch:
    if not _NAME.fullmatch(name):
        raise UsageError(f"{path}: {name[:60]!r} is not a watch name (letters, digits, '-', '_' and '.')")
    if not isinstance(entry, dict) or not isinstance(entry.get("query"), str):
        raise UsageError(f"{path}: watch {name!r} has no query")
    seen = entry.get("seen") or []
    recent = entry.get("recent") or []
    if not isinstance(seen, list) or not all(isinstance(item, str) for item in seen):
        raise UsageError(f'{path}: watch {name!r}: "seen" must be a list of passage ids')
    if not isinstance(recent, list) or not all(
        isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item) for item in recent
    ):
        raise UsageError(f'{path}: watch {name!r}: "recent" must be a list of [passage id, time] pairs')
    reported = entry.get("reported")
    return Watch(
        name=name,
        query=entry["query"],
        added=str(entry.get("added") or ""),
        reported=reported if isinstance(reported, str) else None,
        seen=list(seen),
        recent=[list(item) for item in recent],
    )


def save(path: Path, watches: dict[str, Watch]) -> None:
    """Replace the watches file whole.

    Raises:
        OutputError: the file cannot be written (it names the file).
    """
    from kvsearch.storage.folder import write_atomic

    data = {"format": FORMAT, "watches": {name: watches[name].to_json() for name in sorted(watches)}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    except OSError as error:
        raise OutputError(f"{path}: cannot write the watches file: {error.strerror or error}") from None


def selected(watches: dict[str, Watch], names: list[str], path: Path) -> list[Watch]:
    """The watches named (all when none is), in name order.

    Raises:
        UsageError: a name is not a watch, or there are no watches at all.
    """
    if not watches:
        raise UsageError(f"no watches in {path}; add one with: kvsearch watch add NAME QUERY")
    unknown = [name for name in names if name not in watches]
    if unknown:
        raise UsageError(f"no watch named {unknown[0]!r} in {path} (watches: {', '.join(sorted(watches))})")
    return [watches[name] for name in sorted(set(names) or watches)]
