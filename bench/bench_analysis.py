#!/usr/bin/env python3
"""Benchmark kvsearch.analysis.analyze() over the shared corpus text.

    python bench/bench_analysis.py [--corpus ../shared/corpus] [--extra /tmp/pdftext] [--repeat 3]

Reads every .txt/.md file under the corpus folder (and --extra folders), then reports:
  * cold run: first pass, caches empty (includes loading the lexicon), tokens/s;
  * warm runs: the same text again with the per-word caches filled, tokens/s;
  * a cold-run profile split: share of time in stemming (stem), in splitting
    (decompounding + de-gluing: _expand) and in the rest (tokenising, folding, Token objects).
Speed is not asserted anywhere; this is for humans.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kvsearch import analysis  # noqa: E402
from kvsearch.analysis import compounds, lexicon  # noqa: E402


def _texts(folders: list[Path]) -> list[str]:
    out = []
    for folder in folders:
        if not folder.is_dir():
            print(f"skipping {folder}: not a folder", file=sys.stderr)
            continue
        for p in sorted(folder.rglob("*")):
            if p.suffix in (".txt", ".md") and p.is_file():
                out.append(p.read_text("utf-8", errors="replace"))
    return out


def _clear_caches() -> None:
    for fn in (analysis.fold, analysis.stem, analysis.SHIPPED.word_terms, compounds.expand):
        fn.cache_clear()  # type: ignore[attr-defined]
    _clear_lexicon()


def _clear_lexicon() -> None:
    lexicon.chunked_lexicon.cache_clear()
    lexicon.lexicon_words.cache_clear()


def _run(texts: list[str]) -> tuple[int, int, float]:
    t0 = time.perf_counter()
    words = tokens = 0
    for text in texts:
        toks = analysis.analyze(text)
        tokens += len(toks)
        words += len({t.position for t in toks})
    return words, tokens, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--extra", type=Path, action="append", default=[])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    texts = _texts([args.corpus, *args.extra])
    if not texts:
        print("no corpus text found", file=sys.stderr)
        return 1
    chars = sum(map(len, texts))
    print(f"{len(texts)} files, {chars:,} characters; analyzer {analysis.analyzer_info()}")

    _clear_caches()
    words, tokens, secs = _run(texts)
    print(
        f"cold: {words:,} words -> {tokens:,} tokens in {secs:.3f} s = "
        f"{tokens / secs:,.0f} tokens/s ({words / secs:,.0f} words/s)"
    )
    for i in range(args.repeat):
        words, tokens, secs = _run(texts)
        print(f"warm {i + 1}: {tokens / secs:,.0f} tokens/s ({words / secs:,.0f} words/s)")

    _clear_caches()
    t0 = time.perf_counter()
    lexicon.lexicon_words()  # loaded outside the profile; reported separately

    load = time.perf_counter() - t0
    prof = cProfile.Profile()
    prof.enable()
    _run(texts)
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    cum = {}
    for (_file, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if name in ("stem", "expand"):
            cum[name] = max(cum.get(name, 0.0), ct)
    stem_t = cum.get("stem", 0.0)
    split_t = cum.get("expand", 0.0)
    print(
        f"cold profile ({total:.3f} s under cProfile; lexicon load {load:.3f} s not included): "
        f"stemming {100 * stem_t / total:.0f} %, splitting (decompound + de-glue) "
        f"{100 * split_t / total:.0f} %, rest {100 * (total - stem_t - split_t) / total:.0f} %"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
