"""Parsing speed over a corpus: milliseconds per document, and the ratio to merely reading
and decoding the same files (the baseline, measured in the same run).

    python bench/bench_parse.py [CORPUS]      (default ../shared/corpus)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kvsearch.ingest.corpus import iter_corpus
from kvsearch.ingest.sources import read_source
from kvsearch.parsing.document import parse_document


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1].parent / "shared" / "corpus")
    files = [f.path for f in iter_corpus(root)]
    sources = []
    started = time.perf_counter()
    for path in files:
        try:
            sources.append(read_source(path))
        except Exception:
            pass
    reading = time.perf_counter() - started
    rounds = 3
    started = time.perf_counter()
    for _ in range(rounds):
        for source in sources:
            parse_document(source)
    parsing = (time.perf_counter() - started) / rounds
    print(f"{len(sources)} documents from {root}")
    print(f"read + decode (+ PDF text): {reading * 1000 / len(sources):7.2f} ms/document (baseline)")
    print(
        f"parse:                      {parsing * 1000 / len(sources):7.2f} ms/document "
        f"({parsing / reading:.2f}x the baseline)"
    )
    print(f"read + parse:               {(reading + parsing) * 1000 / len(sources):7.2f} ms/document")


if __name__ == "__main__":
    main()
