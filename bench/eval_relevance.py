#!/usr/bin/env python3
"""Measure search quality on the hand-made relevance set, shipped analyzer vs baselines.

    python bench/eval_relevance.py [--corpus ../shared/corpus] [--set tests/data/relevance.json]
                                     [--variants shipped,nostem,stem_nocompound,kp] [--details]

For the shipped analyzer chain and every baseline chain defined here (``CHAINS``) one index is
built from the corpus into a temporary folder by kvsearch's own ``build_index``, and every query of the set is run
through ``kvsearch.search`` (limit 10), exactly as the CLI does. A query counts as found at
rank r when the passage the set names is the r-th hit. Printed per variant and query kind:
hit@1, hit@5 and MRR@10 (reciprocal rank, 0 when not in the top 10), then overall.

Also printed: the analyzer's throughput (tokens/s over the indexed passage text, caches cold)
and its share of indexing time, from ``build_index`` with the shipped analyzer against the
same build with a trivial whitespace analyzer in the same run (after a warm-up build, best of
two each; parsing the PDFs and writing the index are the rest).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import snowballstemmer  # noqa: E402

from kvsearch import analysis  # noqa: E402
from kvsearch.analysis import compounds, lexicon  # noqa: E402
from kvsearch.indexer.build import build_index  # noqa: E402
from kvsearch.searcher import search  # noqa: E402

DEFAULT_SET = ROOT / "tests" / "data" / "relevance.json"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
BASELINES = ("nostem", "stem_nocompound", "kp")


def _unchanged(word: str) -> str:
    return word


class WhitespaceChain(analysis.AnalyzerChain):
    """Lowercased runs of non-space: a trivial analyzer, only to measure what analysis costs."""

    def __init__(self) -> None:
        super().__init__(
            "whitespace",
            stem=_unchanged,
            stemmer="None",
            split=False,
            separable=False,
            word_pattern=re.compile(r"\S+"),
            description="lowercased whitespace runs",
        )

    def raw_word_terms(self, raw: str, query: bool) -> tuple[str, ...]:
        return (raw.lower(),)


#: The chains compared: the shipped one and the baselines. An index records its chain's id;
#: searching it needs the chain registered in this process, which building it does.
CHAINS: dict[str, analysis.AnalyzerChain] = {
    chain.id: chain
    for chain in (
        analysis.SHIPPED,
        analysis.AnalyzerChain(
            "nostem",
            stem=_unchanged,
            stemmer="None",
            split=False,
            separable=False,
            description="fold and hyphens only",
        ),
        analysis.AnalyzerChain(
            "stem_nocompound",
            stem=analysis.stem,
            stemmer=analysis.STEMMER_NAME,
            split=False,
            description="dutch_porter + overrides, no de-gluing or compounds",
        ),
        analysis.AnalyzerChain(
            "kp",
            stem=analysis.make_stem(snowballstemmer.stemmer("dutch")),
            stemmer="dutch",
            description="shipped with Snowball dutch (Kraaij-Pohlmann)",
        ),
        WhitespaceChain(),
    )
}
LIMIT = 10


@dataclass
class Scores:
    """Ranks (1-based, None = not in the top 10) of the expected passage, per query kind."""

    ranks: dict[str, list[int | None]] = field(default_factory=dict)

    def add(self, kind: str, rank: int | None) -> None:
        self.ranks.setdefault(kind, []).append(rank)

    def metrics(self, kind: str | None = None) -> dict[str, float]:
        ranks = [r for k, rs in self.ranks.items() if kind in (None, k) for r in rs]
        n = max(1, len(ranks))
        return {
            "n": len(ranks),
            "hit@1": sum(1 for r in ranks if r == 1) / n,
            "hit@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
            "mrr@10": sum(1 / r for r in ranks if r is not None and r <= LIMIT) / n,
        }


def load_set(path: Path = DEFAULT_SET) -> list[dict[str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["queries"]


def clear_caches() -> None:
    """Empty the analyzer's per-word caches, so every build starts cold."""
    analysis.fold.cache_clear()
    compounds.expand.cache_clear()
    for chain in CHAINS.values():
        chain.word_terms.cache_clear()  # type: ignore[attr-defined]
        getattr(chain.stem, "cache_clear", lambda: None)()  # the Snowball stemmers cache, the identity does not


def build_with(chain_id: str, corpus: Path, index: Path) -> None:
    """A full ``build_index`` of ``corpus`` into ``index`` with the chain ``chain_id``."""
    with analysis.building_with(CHAINS[chain_id]):
        build_index(corpus, index, full=True)


def build(corpus: Path, index: Path, variant: str) -> float:
    """Build ``index`` from ``corpus`` with the chain ``variant``; return the seconds it took."""
    clear_caches()
    started = time.perf_counter()
    build_with(variant, corpus, index)
    return time.perf_counter() - started


def evaluate(
    index: Path, queries: list[dict[str, str]]
) -> tuple[Scores, list[tuple[dict[str, str], int | None, list[str]]]]:
    scores = Scores()
    rows = []
    for item in queries:
        # As a reader sees the hits (the terminal listing, the TUI): a page with fewer passages
        # that have every word goes on with those that have most of them.
        result = search(item["query"], index_dir=index, limit=LIMIT, fill=True)
        found = [hit.passage_id for hit in result.hits]
        rank = found.index(item["passage"]) + 1 if item["passage"] in found else None
        scores.add(item["kind"], rank)
        rows.append((item, rank, found))
    return scores, rows


def check_passages(index: Path, queries: list[dict[str, str]]) -> list[str]:
    """Expected passage ids that are not in the index (a broken set)."""
    from kvsearch.searcher import open_searcher

    with open_searcher(index) as (searcher, _info):
        ids = {stored["passage_id"] for stored in searcher.all_stored_fields()}
    return [q["passage"] for q in queries if q["passage"] not in ids]


def analyzer_throughput(index: Path) -> tuple[int, float]:
    """Tokens and seconds to analyse every indexed text field once, caches cold."""
    from kvsearch.searcher import open_searcher

    with open_searcher(index) as (searcher, _info):
        texts = [s.get(f, "") for s in searcher.all_stored_fields() for f in ("title", "question", "answer")]
    clear_caches()
    lexicon.lexicon_lookup()  # loaded once per process, also by a build
    started = time.perf_counter()
    tokens = sum(len(analysis.analyze(t)) for t in texts)
    return tokens, time.perf_counter() - started


def kinds_of(queries: list[dict[str, str]]) -> list[str]:
    """The set's query kinds in the order they first appear: each set names its own."""
    return list(dict.fromkeys(q["kind"] for q in queries))


def table(results: dict[str, Scores], kinds: list[str]) -> str:
    lines = [
        "| variant | kind | n | hit@1 | hit@5 | MRR@10 |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for variant, scores in results.items():
        for kind in (*kinds, None):
            m = scores.metrics(kind)
            if not m["n"]:
                continue
            name = f"**{kind or 'all'}**" if kind is None else kind
            lines.append(f"| {variant} | {name} | {m['n']} | {m['hit@1']:.2f} | {m['hit@5']:.2f} | {m['mrr@10']:.3f} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--set", type=Path, default=DEFAULT_SET)
    ap.add_argument("--variants", default=",".join(("shipped", *BASELINES)))
    ap.add_argument("--details", action="store_true", help="print every query's rank per variant")
    args = ap.parse_args()
    queries = load_set(args.set)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    results: dict[str, Scores] = {}
    rows_by_variant = {}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kvsearch-eval-") as tmp:
        if "shipped" in variants:
            # Timing: a first build pays for imports and a cold disk cache, so one untimed
            # warm-up build, then the whitespace and the shipped analyzer twice each (best of 2).
            build(args.corpus, Path(tmp) / "warm-up", "whitespace")
            for round_ in range(2):
                for variant in ("whitespace", "shipped"):
                    took = build(args.corpus, Path(tmp) / f"time-{variant}-{round_}", variant)
                    seconds[variant] = min(seconds.get(variant, took), took)
        for variant in variants:
            index = Path(tmp) / variant
            took = build(args.corpus, index, variant)
            seconds.setdefault(variant, took)
            if variant == "shipped":
                missing = check_passages(index, queries)
                if missing:
                    print(f"passages not in the index: {', '.join(missing)}", file=sys.stderr)
                    return 2
            if variant in variants:
                results[variant], rows_by_variant[variant] = evaluate(index, queries)
        if "shipped" in variants:
            tokens, analyse_seconds = analyzer_throughput(Path(tmp) / "shipped")
    kinds = kinds_of(queries)
    print(f"{len(queries)} queries: " + ", ".join(f"{k} {sum(1 for q in queries if q['kind'] == k)}" for k in kinds))
    print()
    print(table(results, kinds))
    if "shipped" in variants:
        shipped, trivial = seconds["shipped"], seconds["whitespace"]
        print()
        print(
            f"analyzer throughput (shipped, cold caches): {tokens:,} tokens in {analyse_seconds:.2f} s"
            f" = {tokens / analyse_seconds:,.0f} tokens/s"
        )
        print(
            f"build_index: shipped {shipped:.2f} s, whitespace analyzer {trivial:.2f} s; "
            f"ratio {shipped / trivial:.2f}; analysis share of indexing time {(shipped - trivial) / shipped:.0%} "
            f"(by difference; the whitespace analyzer makes other terms, so Whoosh's share differs too)"
        )
        print(
            f"analysing every indexed text once takes {analyse_seconds / shipped:.0%} of the shipped build_index time"
        )
        print(
            "build_index per variant: " + ", ".join(f"{v} {s:.2f} s" for v, s in seconds.items() if v != "whitespace")
        )
    if args.details:
        print()
        for i, item in enumerate(queries):
            ranks = " ".join(f"{v}={rows_by_variant[v][i][1] or '-'}" for v in variants)
            top = rows_by_variant[variants[0]][i][2][:3]
            print(f"[{item['kind']}] {item['query'][:70]!r} → {item['passage']}: {ranks}  top: {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
