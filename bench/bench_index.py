"""Index build speed on a large synthetic corpus, as ratios measured in the same run.

The large corpus is the shared corpus's text documents copied COPIES times, each copy with its
own official id (a footer line) so that nothing is de-duplicated. Figures:

* full build (``--full``) — the baseline;
* incremental build with nothing changed (what a quiet night costs);
* incremental build after adding 1 % new documents (a normal night);
* incremental build after touching every file (mtime changed, content not: hashing cost);
* the analyzer's share of the full build.

    python bench/bench_index.py [--copies 20] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from kvsearch import analysis
from kvsearch.indexer.build import build_index


def make_corpus(source: Path, target: Path, copies: int) -> int:
    files = sorted(p for p in source.rglob("*") if p.suffix in (".md", ".txt") and p.name != "README.md")
    count = 0
    for copy in range(copies):
        for number, path in enumerate(files):
            text = path.read_text(encoding="utf-8", errors="replace")
            # Each copy its own Kamer numbers too, or copies would be recognised as duplicates.
            text = re.sub(r"\b20(\d\d)Z ?(\d{5})\b", lambda m, copy=copy: f"2{copy:03d}Z{m.group(2)}", text)
            out = target / f"copy{copy:03d}" / path.name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(f"ah-tk-20992100-{copy * 1000 + number + 1}\n{text}", encoding="utf-8")
            count += 1
    return count


def timed(label: str, corpus: Path, index: Path, **options: bool) -> float:
    started = time.perf_counter()
    report = build_index(corpus, index, allow_shrink=True, **options)
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:7.2f} s   {report.documents} documents, {report.passages} passages")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        documents = make_corpus(args.corpus, corpus, args.copies)
        print(f"large corpus: {documents} files ({args.copies} copies of the shared text documents)")

        spent = [0.0]
        original = analysis.index_positions

        def measured(text: str, variant: str = "shipped") -> tuple[dict[str, list[int]], int]:
            started = time.perf_counter()
            try:
                return original(text, variant)
            finally:
                spent[0] += time.perf_counter() - started

        analysis.index_positions = measured  # type: ignore[assignment]
        full = timed("full build (baseline)", corpus, index, full=True)
        analysis.index_positions = original  # type: ignore[assignment]
        noop = timed("incremental, nothing changed", corpus, index)
        extra = corpus / "new"
        extra.mkdir()
        sources = sorted(corpus.rglob("*.txt"))[: max(1, documents // 100)]
        for number, path in enumerate(sources):
            text = path.read_text(encoding="utf-8").split("\n", 1)[1]
            text = re.sub(r"\b2\d\d\dZ ?(\d{5})\b", lambda m, number=number: f"2999Z{number:05d}", text)
            (extra / f"new{number}.txt").write_text(f"ah-tk-20992100-{900000 + number}\n{text}", encoding="utf-8")
        nightly = timed(f"incremental, {len(sources)} new documents (1 %)", corpus, index)
        now = time.time()
        for path in corpus.rglob("*.*"):
            os.utime(path, (now, now))
        touched = timed("incremental, every file touched (hashing)", corpus, index)
        print()
        print(f"incremental, nothing changed: {noop / full:.2f}x the full build")
        print(f"nightly run with 1 % new:     {nightly / full:.2f}x the full build")
        print(f"every file touched:           {touched / full:.2f}x the full build")
        print(f"analyzer share of the full build: {spent[0] / full:.0%} ({spent[0]:.1f} s)")
        shutil.rmtree(index, ignore_errors=True)


if __name__ == "__main__":
    main()
