#!/usr/bin/env python3
"""Build kvsearch/analysis/data/nl_lexicon.chunks from the OpenTaal Dutch word list.

Source: Debian package ``wdutch`` (OpenTaal word list, BSD / CC BY 3.0, see
kvsearch/analysis/data/LEXICON.md), file /usr/share/dict/nederlands:

    apt-get update && apt-get install -y wdutch
    python bench/build_lexicon.py            # or: --source FILE --version STRING

Every entry is folded exactly as kvsearch.analysis.fold() does at run time (lowercase,
no accents); entries that are not a single run of a-z letters (abbreviations with dots,
multi-word entries, digits) or are shorter than 2 letters are dropped. The output is a
sorted, de-duplicated word list in zlib-compressed chunks of 512 words (a search inflates
only the chunks it needs), byte-for-byte reproducible. Its first line is a '#' header naming source and version, which
kvsearch reports in analyzer_info()["lexicon"].
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kvsearch.analysis.folding import fold  # noqa: E402

DEFAULT_SOURCE = Path("/usr/share/dict/nederlands")
OUT = ROOT / "kvsearch" / "analysis" / "data" / "nl_lexicon.chunks"
_WORD = re.compile(r"[a-z]{2,}")


def _debian_version(package: str) -> str:
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


#: Small chunks: a first search looks up dozens of words (highlighting analyses every word of
#: the hits shown), and inflating a chunk costs in proportion to its size.
CHUNK_WORDS = 512


def chunked(header: str, words: list[str]) -> bytes:
    """The lexicon file: a header line, a JSON line of [first word, compressed length] per
    chunk, then the zlib-compressed chunks of sorted words, so that a search inflates only the
    chunk it needs (see kvsearch.analysis.lexicon._ChunkedWords)."""
    chunks = [words[i : i + CHUNK_WORDS] for i in range(0, len(words), CHUNK_WORDS)]
    packed = [zlib.compress("\n".join(chunk).encode("utf-8"), 9) for chunk in chunks]
    index = json.dumps(
        [[chunk[0], len(data)] for chunk, data in zip(chunks, packed, strict=True)], separators=(",", ":")
    )
    return (header + "\n" + index + "\n").encode("utf-8") + b"".join(packed)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--version", default=None, help="source version (default: dpkg wdutch)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    if not args.source.exists():
        print(f"{args.source} not found: apt-get install -y wdutch", file=sys.stderr)
        return 1
    version = args.version or _debian_version("wdutch")
    words = set()
    for line in args.source.read_text("utf-8").splitlines():
        w = fold(line.strip())
        if _WORD.fullmatch(w):
            words.add(w)
    header = f"# opentaal-wordlist (Debian wdutch {version}); BSD or CC BY 3.0; {len(words)} words"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(chunked(header, sorted(words)))
    print(f"{args.out}: {len(words)} words, {args.out.stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
