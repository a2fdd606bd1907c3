"""Two versions of kvsearch's code on the same index and the bench's queries, taking turns.

    python bench/compare.py OLD_TREE NEW_TREE --index INDEX --passages WORKDIR/passages.jsonl
        [--rounds 2] [--uncounted] [--sort date] [--each]

``OLD_TREE`` and ``NEW_TREE`` are source checkouts (``git worktree add /tmp/old main``). Each
round runs one fresh process per tree, in turn, so that machine noise hits both alike; a
process searches each of the bench's 40 warm queries (drawn from ``passages.jsonl`` as
``run.py`` draws them) once untimed and five times timed, and keeps its fastest time. The
fastest over the rounds is reported per query, with the median and the slowest per kind,
and whether both trees returned the same hits.

``--uncounted`` searches as a one-liner writing to a pipe does (no count of the hits);
``--sort date`` newest first. Both trees must read the index's schema.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Run in a fresh process with the tree first on ``sys.path``: the timings of one tree.
WORKER = r"""
import json, sys, time
tree, index, queries, count, sort = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
sys.path.insert(0, tree)
import kvsearch
if not kvsearch.__file__.startswith(tree):
    raise SystemExit(f"kvsearch imported from {kvsearch.__file__}, not from {tree}")
timed = []
for text in queries:
    kvsearch.search(text, index_dir=index, limit=10, count=count, sort=sort)
    fastest = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        result = kvsearch.search(text, index_dir=index, limit=10, count=count, sort=sort)
        fastest = min(fastest, time.perf_counter() - started)
    timed.append([fastest * 1000, [hit.passage_id for hit in result.hits]])
print(json.dumps(timed))
"""


def run_tree(tree: Path, index: Path, texts: list[str], counted: bool, sort: str) -> list[Any]:
    # Bytecode may be cached, as for a user: without it every process would compile the tree.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(tree), str(index), json.dumps(texts), "1" if counted else "0", sort],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode:
        raise SystemExit(f"{tree}: {done.stderr.strip()[-500:]}")
    timed: list[Any] = json.loads(done.stdout)
    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", type=Path, help="Source tree of the code before.")
    parser.add_argument("new", type=Path, help="Source tree of the code after.")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--passages", type=Path, required=True, help="The bench's passages.jsonl.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--uncounted", action="store_true", help="Search without counting the hits.")
    parser.add_argument("--sort", choices=("relevance", "date"), default="relevance")
    parser.add_argument("--each", action="store_true", help="Also print each query's times.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench.run import make_queries
    from bench.systems import query_text

    specs = make_queries(args.passages, args.queries, args.seed)
    texts = [query_text("kvsearch", spec) for spec in specs]
    trees = [args.old.resolve(), args.new.resolve()]
    rounds: dict[Path, list[list[Any]]] = {tree: [] for tree in trees}
    for _ in range(args.rounds):
        for tree in trees:
            rounds[tree].append(run_tree(tree, args.index, texts, not args.uncounted, args.sort))

    fastest = {tree: [min(run[i][0] for run in rounds[tree]) for i in range(len(texts))] for tree in trees}
    hits = {tree: [rounds[tree][0][i][1] for i in range(len(texts))] for tree in trees}
    kinds = sorted({spec["kind"] for spec in specs})
    print(f"{'median / slowest (ms)':24}  {'old':>15}  {'new':>15}")
    for kind in ["all", *kinds]:
        picked = [i for i, spec in enumerate(specs) if kind in ("all", spec["kind"])]
        cells = []
        for tree in trees:
            times = [fastest[tree][i] for i in picked]
            cells.append(f"{statistics.median(times):6.1f} / {max(times):6.1f}")
        print(f"{kind:24}  {cells[0]:>15}  {cells[1]:>15}")
    if args.each:
        for i, text in enumerate(texts):
            print(f"{specs[i]['kind']:7} {fastest[trees[0]][i]:7.1f} {fastest[trees[1]][i]:7.1f}  {text[:60]}")
    differing = [texts[i] for i in range(len(texts)) if hits[trees[0]][i] != hits[trees[1]][i]]
    print("same hits for every query" if not differing else f"different hits for: {differing}")


if __name__ == "__main__":
    main()
