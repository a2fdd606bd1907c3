"""Search speed: a cold one-liner (a fresh process, as a shell user pays it) and a warm query,
each as a ratio to a baseline measured in the same run.

Cold baseline: starting Python and importing nothing (``python -c pass``).
Warm baseline: one single-term Whoosh lookup on the same open index.

    python bench/bench_search.py INDEX_DIR [QUERY]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

QUERIES = [
    "neutraliteit ambtenaren",
    "stikstof OR waterstof",
    '"uw Kamer"',
    "ambtena*",
    "partij:PVV asiel",
    "jeugdzorg wachttijden ministerie:VWS",
]


def timed(command: list[str], repeat: int = 7) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    index = sys.argv[1]
    queries = sys.argv[2:] or QUERIES
    python = sys.executable
    base = timed([python, "-c", "pass"])
    cold = timed([python, "-m", "kvsearch", queries[0], "--index", index])
    print(
        f"cold one-liner '{queries[0]}': {cold * 1000:.0f} ms  "
        f"({cold / base:.1f}x python startup, {base * 1000:.0f} ms)"
    )

    from whoosh.query import Term

    import kvsearch
    from kvsearch.searcher import open_searcher

    with open_searcher(index) as (searcher, _info):
        started = time.perf_counter()
        for _ in range(50):
            searcher.whoosh.search(Term("answer", "ambtenar"), limit=10)
        term = (time.perf_counter() - started) / 50
    for query in queries:
        kvsearch.search(query, index_dir=index)  # warm caches
        samples = []
        for _ in range(10):
            started = time.perf_counter()
            kvsearch.search(query, index_dir=index)
            samples.append(time.perf_counter() - started)
        warm = statistics.median(samples)
        print(f"warm '{query}': {warm * 1000:.1f} ms  ({warm / term:.1f}x a single-term lookup, {term * 1000:.2f} ms)")


if __name__ == "__main__":
    main()
