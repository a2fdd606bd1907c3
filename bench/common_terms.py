"""The common index terms whose adjacent pairs the index keeps (``kvsearch/analysis/data/common_terms.txt``).

    python bench/common_terms.py --corpus ../shared/corpus [--count 100] [--out FILE]

Counts, over every passage of the corpus, in how many of its text fields (title, question,
answer) each index term of the shipped analyzer occurs, and writes the ``--count`` most
frequent, alphabetically. Run it on the shared corpus of real Kamervragen: the list must not
follow one generated corpus's quirks. An index records the list it was built with, so a
changed list takes effect at the next full build (``docs/performance.md`` says why 100).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kvsearch import analysis  # noqa: E402
from kvsearch.analysis.common_pairs import COMMON_TERMS_PATH, PAIR_SEPARATOR  # noqa: E402
from kvsearch.indexer.passages import passage_records  # noqa: E402
from kvsearch.ingest.corpus import load_corpus  # noqa: E402

TEXT_FIELDS = ("title", "question", "answer")


def field_frequencies(corpus: Path) -> Counter[str]:
    """Per index term, the number of text fields of passages that hold it."""
    counts: Counter[str] = Counter()
    for document in load_corpus(corpus).documents:
        for record in passage_records(document):
            for name in TEXT_FIELDS:
                counts.update(analysis.index_positions(record[name])[0].keys())
    return counts


def commonest(counts: Counter[str], count: int) -> list[str]:
    """The ``count`` most frequent terms (ties by the term itself, so the list is reproducible)."""
    usable = [(n, term) for term, n in counts.items() if PAIR_SEPARATOR not in term]
    ranked = sorted(usable, key=lambda item: (-item[0], item[1]))
    return sorted(term for _, term in ranked[:count])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--out", type=Path, default=COMMON_TERMS_PATH)
    args = parser.parse_args()
    terms = commonest(field_frequencies(args.corpus), args.count)
    header = [
        "# The commonest index terms of Kamervragen, whose adjacent pairs the index keeps.",
        f"# Made by bench/common_terms.py --count {args.count} from the shared corpus; one term a line.",
    ]
    args.out.write_text("\n".join([*header, *terms]) + "\n", encoding="utf-8")
    print(f"{len(terms)} terms written to {args.out}")


if __name__ == "__main__":
    main()
