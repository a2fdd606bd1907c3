"""What the live index holds: counts by year, kind, ministry and party, and how it was built."""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any

from kvsearch.searcher.open import open_searcher


def index_stats(*, index_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Counts by year, ministry, party and kind, and how and when the index was built."""
    with open_searcher(index_dir) as (index, info):
        documents: dict[str, dict[str, Any]] = {}
        for doc_id, metadata in index.documents():
            documents.setdefault(doc_id, metadata)
        passages = index.doc_count()
        by: dict[str, Counter[str]] = {name: Counter() for name in ("year", "kind", "ministry", "party")}
        for meta in documents.values():
            by["year"][meta.get("year") or "?"] += 1
            by["kind"][meta.get("kind") or "?"] += 1
            answerer = meta.get("answered_by") or {}
            if answerer.get("ministry"):
                by["ministry"][re.split(r"\s+[–—-]\s+", answerer["ministry"])[0]] += 1
            for party in {a.get("party") for a in meta.get("askers") or [] if a.get("party")}:
                by["party"][party] += 1
        manifest = info.manifest
        return {
            "index": info.path,
            "generation": info.generation,
            "built": manifest.get("built"),
            "versions": manifest.get("versions"),
            "corpus": manifest.get("corpus"),
            "documents": len(documents),
            "passages": passages,
            "by_year": dict(sorted(by["year"].items())),
            "by_kind": dict(by["kind"].most_common()),
            "by_ministry": dict(by["ministry"].most_common()),
            "by_party": dict(by["party"].most_common()),
        }
