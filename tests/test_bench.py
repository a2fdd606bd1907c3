"""The benchmark (bench/run.py) at a small size: that it runs end to end and writes the
JSON it promises. A smoke test only: nothing here depends on how fast anything was."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import indexed_passages
from tests.conftest import ROOT, SHARED_CORPUS, needs_shared_corpus

SYSTEMS = ("kvsearch", "whoosh_naive", "fts5")
PER_SYSTEM = ("build_s", "passages_per_s", "peak_mb", "index_mb", "warm_p50_ms", "warm_p95_ms", "cold_ms")


@pytest.mark.slow
@needs_shared_corpus()
def test_the_benchmark_runs_and_writes_its_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    command = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        "--passages",
        "400",
        "--out",
        str(out),
        "--source",
        str(SHARED_CORPUS),
        "--workdir",
        str(tmp_path / "work"),
        "--queries",
        "14",
        "--rounds",
        "1",
        "--cold-runs",
        "1",
        "--build-rounds",
        "2",
        "--incremental-rounds",
        "2",
        "--tui-words",
        "1",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())
    assert abs(results["passages"] - 400) <= 4  # the generator's ±1 %
    for system in SYSTEMS:
        for key in PER_SYSTEM:
            value = results[system][key]
            assert isinstance(value, (int, float)) and math.isfinite(value) and value > 0, (system, key, value)
        assert results[system]["queries_with_hits"] > 0, system
        assert not results[system]["query_errors"], results[system]["query_errors"]
    kv = results["kvsearch"]
    assert kv["incremental_1pct_s"] > 0 and kv["tui_keystroke_ms"] > 0
    # Each figure is the fastest of its rounds, and every round is recorded.
    for system in SYSTEMS:
        runs = results[system]["build_runs_s"]
        assert len(runs) == 2 and results[system]["build_s"] == min(runs), (system, runs)
    assert len(kv["incremental_1pct_runs_s"]) == 2 and kv["incremental_1pct_s"] == min(kv["incremental_1pct_runs_s"])
    # The work folder keeps the full build's index (a later run may reuse it), not an updated copy.
    assert indexed_passages(tmp_path / "work" / "index-kvsearch") == kv["passages"]
    assert set(results["ratios"]) >= {"kvsearch/whoosh_naive", "kvsearch/fts5"}
    assert results["ratios"]["kvsearch/whoosh_naive"]["cold_ms"] > 0
    # Every target is judged against the baseline it names, a p95 target per query kind.
    judged = results["targets"]
    for kind in kv["warm_p95_ms_by_kind"]:
        ratio = kv["warm_p95_ms_by_kind"][kind] / results["fts5"]["warm_p95_ms_by_kind"][kind]
        assert judged[f"warm_p95_ms[{kind}]/fts5"]["ratio"] == round(ratio, 3)
        assert judged[f"warm_p95_ms[{kind}]/fts5"]["met"] == (ratio <= 2.0)
    assert judged["cold_ms/fts5"]["ratio"] == round(kv["cold_ms"] / results["fts5"]["cold_ms"], 3)
    assert judged["passages_per_s/whoosh_naive"]["target"] == "≥ 3.5"
    assert {"warm_p50_ms/fts5", "index_mb/whoosh_naive", "incremental_1pct_share"} <= set(judged)
    assert "targets, as kvsearch / baseline:" in done.stdout and "written to" in done.stdout

    # The floor script (bench/floor.py) on the same index and queries: it records what
    # each search read and times decoding just that.
    floor_out, work = tmp_path / "floor.json", tmp_path / "work"
    command = [
        sys.executable,
        str(ROOT / "bench" / "floor.py"),
        "--index",
        str(work / "index-kvsearch"),
        "--passages",
        str(work / "passages.jsonl"),
        "--queries",
        "40",
        "--out",
        str(floor_out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    floor = json.loads(floor_out.read_text())
    rows = floor["queries"]
    assert len(rows) >= 30 and {row["kind"] for row in rows} >= {"word", "phrase", "long"}
    assert all(row["search_ms"] > 0 and row["whoosh_ms"] >= 0 and row["floor_ms"] >= 0 for row in rows)
    blocks = sum(row["blocks"] for row in rows)
    assert blocks > 0 and sum(row["headers"] for row in rows) >= blocks
    assert any(row["position_lists"] + row["position_blocks"] for row in rows if row["kind"] == "phrase")
    assert set(floor["summary"]) == {"search_ms", "whoosh_ms", "floor_ms"}

    # The comparison of two trees (bench/compare.py), here the same tree twice: same hits.
    command = [
        sys.executable,
        str(ROOT / "bench" / "compare.py"),
        str(ROOT),
        str(ROOT),
        "--index",
        str(work / "index-kvsearch"),
        "--passages",
        str(work / "passages.jsonl"),
        "--queries",
        "14",
        "--rounds",
        "1",
        "--uncounted",
        "--sort",
        "date",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[1].startswith("all") and "same hits for every query" in done.stdout
