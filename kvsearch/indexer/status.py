"""``kvsearch status``: the live generation, the outcome of the last build (recorded by every
build, good or bad, in ``last-build.json``), and whether a build runs now."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from kvsearch.indexer.lock import running_build
from kvsearch.indexer.report import BuildReport, now_iso
from kvsearch.storage.folder import write_atomic
from kvsearch.storage.generations import live_generation, read_json, read_manifest, rollback_generation, versions

LAST_BUILD = "last-build.json"


def record_outcome(index_path: Path, report: BuildReport, error: BaseException | None, published: bool = True) -> None:
    """What the last build did, for ``kvsearch status`` (best effort: never masks ``error``)."""
    from kvsearch.errors import ExitCode, exit_code_for

    if error is None:
        code = ExitCode.PARTIAL if report.newly_skipped else ExitCode.OK
        outcome, message = ("published" if published else "unchanged"), report.summary()
    else:
        code = exit_code_for(error)
        outcome = {ExitCode.REFUSED: "refused", ExitCode.CORPUS: "refused"}.get(code, "failed")
        message = str(error) or type(error).__name__
    record = {
        "finished": now_iso(),
        "outcome": outcome,
        "exit_code": int(code),
        "message": message,
        "report": report.to_json(),
    }
    try:
        write_atomic(index_path / LAST_BUILD, json.dumps(record, ensure_ascii=False))
    except OSError:
        pass


def index_status(index_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The live generation, the outcome of the last build, and whether a build runs now."""
    index_path = Path(index_dir)
    live = live_generation(index_path)
    manifest = (read_manifest(live) if live else None) or {}
    status: dict[str, Any] = {
        "index": str(index_path),
        "generation": live.name if live else None,
        "built": manifest.get("built"),
        "versions": manifest.get("versions"),
        "compatible": manifest.get("versions") == versions() if live else None,
        "documents": manifest.get("documents"),
        "passages": manifest.get("passages"),
        "previous": [target.name] if (target := rollback_generation(index_path, live)) else [],
        "last_build": read_json(index_path / LAST_BUILD),
        "build_running": running_build(index_path),
    }
    return status
