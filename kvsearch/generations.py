"""The published index on disk, as readers see it: which generation is live and what built it.

Searchers need only this, not the indexer (and so not the parser): ``index/CURRENT`` names the
live ``gen-…`` folder; each generation holds these files beside Whoosh's own (and the build's
records, ``kvsearch.catalog``).
"""

from __future__ import annotations

import functools
import json
import zlib
from pathlib import Path
from typing import Any

from kvsearch import __version__, analysis
from kvsearch.schema import SCHEMA_VERSION

MANIFEST = "manifest.json"
VOCABULARY = "vocabulary.json.gz"  # surface words and their frequency, for "bedoelde u …?"
CURRENT = "CURRENT"


@functools.cache
def versions(variant: str = "shipped") -> dict[str, Any]:
    """What built an index: a reader refuses an index whose versions differ.

    ``variant`` is the analyzer chain (``analysis.VARIANTS``); only baselines record it.
    """
    import whoosh

    return {
        "kvsearch": __version__,
        "schema": SCHEMA_VERSION,
        "whoosh": ".".join(str(v) for v in whoosh.versionstring().split(".")),
        **analysis.analyzer_info(variant),
    }


def live_generation(index_dir: Path) -> Path | None:
    """The published generation ``CURRENT`` names, or None when there is none."""
    try:
        name = (index_dir / CURRENT).read_text().strip()
    except OSError:
        return None
    if not name.startswith("gen-") or "/" in name:
        return None
    path = index_dir / name
    return path if path.is_dir() else None


def read_manifest(generation: Path) -> dict[str, Any] | None:
    return read_json(generation / MANIFEST)


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a file of the index (gzip'd when its name ends in .gz), or None when
    it is missing or damaged."""
    try:
        raw = path.read_bytes()
        data = json.loads((zlib.decompress(raw, 31) if path.suffix == ".gz" else raw).decode("utf-8"))
    except (OSError, ValueError, zlib.error):
        return None
    return data if isinstance(data, dict) else None
