r"""Generate a large, realistic Kamervragen corpus for benchmarks, deterministically.

Why: index, search and TUI have to be measured at the size of the real archive (about a
million passages, 1995–2026), while the shared corpus has 112 documents. Copies of those
(bench/bench_index.py) repeat the same 13,000 words, so every index structure stays small and
every cache warm. This generator keeps what real documents look like — text, layouts,
metadata — but lets the vocabulary grow the way a real archive's does.

* **Text** comes from the real questions and answers in ``../shared/corpus``, parsed at run
  time with the project's parser and never copied into the repository. Sentences are
  recombined per document, most of them from one real "source" document, so that a document
  keeps a topic. Inside a sentence, names, acronyms, nouns and numbers are slots; a share is
  replaced by new words from unbounded inventories: names and places from Dutch name parts,
  compounds of two real nouns of the corpus ("zorg" + "verzekeraar"), acronyms, numbers, days
  and years. Each inventory is indexed by one number drawn from a Pareto distribution: low
  indices (common inventions) recur, the tail appears once. That makes the number of distinct
  words follow Heaps' law (V ≈ K·n^β, β ≈ 0.55) instead of stopping at the source's vocabulary.
* **Layouts**, in roughly real shares: Markdown like ``seed/`` (``###``/``####``/no heading
  marks, a paragraph split by a page break) and like ``converted/*.md`` (PDF-to-Markdown:
  ``[1 ]`` footnote marks, ``h tk …`` page footers, ``-----``); text extracted from PDF like
  ``limburg-2024/*-pdf.txt`` (glued page furniture, lost line breaks, line-end hyphens, glued
  footnote numbers) and from DOCX (``AH 604``/``2024Z…`` headers, numbered or unnumbered
  questions, bare ``Antwoord``); clean PDF text like ``converted/*.txt``, sometimes flattened
  onto one line; and real PDF files, drawn with PDFium through pypdfium2's raw API (official
  page layout, footnotes, footers). Unanswered sets, oral questions and "Mededeling" notices
  (delayed answers, with or without the questions) are included.
* **Metadata**: parliamentary years 1995–2026 (more documents in recent years), Aanhangsel
  numbers, Kamerleden with the party of their time, the cabinet of the day with its ministers,
  staatssecretarissen and portfolios, dates inside the year, combined question groups
  ("Vraag 3, 4 en 5" … "Antwoord 3, 4 en 5") and single ones, 1–15 questions per document.
* **Exact size**: documents are planned first (kind, layout, question groups) until their
  passages add up to exactly the number asked for; the test parses the result.
* **Determinism**: each document has its own ``random.Random`` seeded from (seed, number),
  so files do not depend on the number of worker processes; PDF dates and ids are fixed.
* **New documents later** ("1 % new"): ids, Aanhangsel numbers and Kamer references are a
  one-to-one function of the document number alone. A second call with ``first_number`` = the
  first call's ``next_number`` (any seed) adds documents that collide with none of the first
  call's, also in the same output folder (folders hold document numbers ``k*1000+1…``).

Usage::

    python bench/generate.py --passages 1000000 --out /tmp/kv-1m
    python bench/generate.py --passages 10000 --out /tmp/kv-1m --seed 2 --first-number N

Its speed, memory and the vocabulary it grows are in docs/performance.md ("The generated corpus").
"""

from __future__ import annotations

import argparse
import bisect
import ctypes
import hashlib
import io
import itertools
import math
import multiprocessing
import os
import random
import re
import sys
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "corpus"
FILES_PER_FOLDER = 1000
#: Plain word lists the generator draws people from (one file per list, described where read).
DATA = Path(__file__).with_name("data")


class Choice:
    """A weighted choice with precomputed cumulative weights (``random.choices`` rebuilds them
    on every call, which showed in profiles)."""

    def __init__(self, weights: dict) -> None:
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# --------------------------------------------------------------------------------------------
# Kinds of document, layouts, sizes

ANSWERED = "antwoord"  # questions with answers
QUESTIONS = "vragen"  # written questions not answered yet (kv-tk-…)
ORAL = "mondeling"  # oral questions: published as their subject only, one passage
NOTICE = "mededeling"  # a delay notice alone: no passages
NOTICE_QUESTIONS = "mededeling+vragen"  # the questions, then a delay notice instead of answers

KIND_WEIGHTS = {ANSWERED: 76.0, QUESTIONS: 17.0, ORAL: 2.0, NOTICE_QUESTIONS: 2.5, NOTICE: 2.5}

#: Layouts per kind, where the real corpus has that kind, in roughly its shares.
LAYOUT_WEIGHTS = {
    ANSWERED: {
        "md-clean": 10,
        "md-pdf2md": 22,
        "txt-pdf": 30,
        "txt-docx": 24,
        "txt-clean": 9,
        "txt-flat": 2.8,
        "pdf": 2.2,
    },
    QUESTIONS: {"txt-pdf": 53, "txt-docx": 40, "txt-clean": 5, "pdf": 2},
    ORAL: {"txt-pdf": 92, "pdf": 8},
    NOTICE_QUESTIONS: {"txt-pdf": 77, "txt-clean": 15, "pdf": 8},
    NOTICE: {"txt-docx": 100},
}
EXTENSIONS = {"md-clean": "md", "md-pdf2md": "md", "pdf": "pdf"}  # the rest: txt

_KIND = Choice(KIND_WEIGHTS)
_LAYOUT = {kind: Choice(weights) for kind, weights in LAYOUT_WEIGHTS.items()}
#: Questions per document, 1..15, shaped like the real corpus (median 8, a few short ones).
_QUESTION_COUNT = Choice(dict(enumerate([4, 4, 3, 4, 8, 9, 10, 9, 9, 7, 5, 5, 5, 4, 4], start=1)))
GROUP_CHANCE = 0.07  # a question starts a group answered together ("Antwoord 3, 4 en 5")
_GROUP_SIZE = Choice({2: 60, 3: 25, 4: 10, 5: 5})
_ASKER_COUNT = Choice({1: 65, 2: 22, 3: 9, 4: 4})
_EXTRA_OFFICES = Choice({0: 80, 1: 15, 2: 5})
_ANSWER_PARAGRAPHS = Choice({1: 48, 2: 33, 3: 19})
_PARAGRAPH_SENTENCES = Choice({1: 15, 2: 24, 3: 26, 4: 20, 5: 15})
_ANSWER_HEADING = Choice({"plain": 85, "op": 5, "dash": 5, "list": 5})

# --------------------------------------------------------------------------------------------
# Years, numbers, references: one-to-one with the document number

FIRST_YEAR, LAST_YEAR = 1995, 2025  # parliamentary years 1995–1996 … 2025–2026
FIRST_KV_YEAR = 2008  # unanswered questions (kv-tk-…) are generated from this year on
MAX_NUMBER_IN_YEAR = 44_999  # Kamer references have five digits: 10000 + 2 * number + parity


def _year_weight(start: int) -> int:
    """More documents in recent years, as in the real archive."""
    return 2 if start < 2000 else 3 if start < 2010 else 4 if start < 2020 else 5


def _wheel() -> tuple[list[int], list[int]]:
    slots = sorted(
        ((j + 0.5) / _year_weight(y), y) for y in range(FIRST_YEAR, LAST_YEAR + 1) for j in range(_year_weight(y))
    )
    years = [y for _, y in slots]
    seen: Counter[int] = Counter()
    ranks = []
    for y in years:
        ranks.append(seen[y])
        seen[y] += 1
    return years, ranks


_WHEEL_YEARS, _WHEEL_RANKS = _wheel()


def official_number(number: int) -> tuple[int, int]:
    """(first calendar year of the parliamentary year, Aanhangsel number) of document ``number``.

    A bijection: consecutive document numbers go round a wheel of years in which recent years
    have more slots, so any range of numbers spreads over all years, and no two numbers share
    a (year, Aanhangsel number).
    """
    if number < 1:
        raise ValueError("document numbers start at 1")
    cycle, slot = divmod(number - 1, len(_WHEEL_YEARS))
    year = _WHEEL_YEARS[slot]
    return year, cycle * _year_weight(year) + _WHEEL_RANKS[slot] + 1


def max_document_number() -> int:
    """The highest document number whose Kamer reference still has five digits."""
    cycles = min(MAX_NUMBER_IN_YEAR // _year_weight(y) for y in range(FIRST_YEAR, LAST_YEAR + 1))
    return cycles * len(_WHEEL_YEARS)


def prinsjesdag(year: int) -> date:
    """Third Tuesday of September, where the parliamentary year starts (as kvsearch.parsing.document)."""
    first = date(year, 9, 1)
    return first.replace(day=1 + (1 - first.weekday()) % 7 + 14)


def kamer_reference(start: int, nr: int, submitted: date) -> str:
    """Kamer reference "2024Z12345": unique because a calendar year overlaps two parliamentary years, of
    different parity, and ``nr`` is unique within one."""
    return f"{submitted.year}Z{10000 + 2 * nr + start % 2:05d}"


# --------------------------------------------------------------------------------------------
# People: Kamerleden by party and period, cabinets with their members

#: "Party: Name from-to, …" — a member counts for parliamentary years from <= start < to.
MEMBERS = (DATA / "members.txt").read_text(encoding="utf-8")

#: Cabinets from their first day: "MP" Minister-President, "M" Minister van, "MV" Minister
#: voor, "S" Staatssecretaris van; then the portfolio and the name.
CABINETS = (DATA / "cabinets.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Office:
    """A member of the government as a document addresses them."""

    role: str  # "Minister-President", "Minister", "Staatssecretaris"
    preposition: str  # "van" or "voor"
    portfolio: str
    name: str

    def addressed(self) -> str:
        if self.role == "Minister-President":
            return "Minister-President"
        return f"{self.role} {self.preposition} {self.portfolio}"


def _parse_members() -> list[tuple[str, str, int, int]]:
    members = []
    for entry in re.split(r"\n(?! )", MEMBERS.strip()):
        party, _, names = entry.partition(":")
        for item in " ".join(names.split()).split(", "):
            name, _, years = item.rpartition(" ")
            start, end = years.split("-")
            members.append((name, party.strip(), int(start), int(end)))
    return members


def _parse_cabinets() -> list[tuple[date, list[Office]]]:
    roles = {
        "MP": ("Minister-President", "van"),
        "M": ("Minister", "van"),
        "MV": ("Minister", "voor"),
        "S": ("Staatssecretaris", "van"),
    }
    cabinets: list[tuple[date, list[Office]]] = []
    for line in CABINETS.strip().splitlines():
        if line[:1].isdigit():
            cabinets.append((date.fromisoformat(line.split()[0]), []))
            continue
        code, _, rest = line.partition(" ")
        portfolio, _, name = rest.partition(": ")
        cabinets[-1][1].append(Office(*roles[code], portfolio, name))
    return cabinets


MEMBER_LIST = _parse_members()
CABINET_LIST = _parse_cabinets()


@lru_cache(maxsize=64)
def members_in(start: int) -> tuple[tuple[str, str], ...]:
    """(name, party) of the Kamerleden of parliamentary year ``start``–``start + 1``."""
    return tuple((n, p) for n, p, a, b in MEMBER_LIST if a <= start < b)


def cabinet_on(day: date) -> list[Office]:
    starts = [start for start, _ in CABINET_LIST]
    return CABINET_LIST[max(0, bisect.bisect(starts, day) - 1)][1]


# --------------------------------------------------------------------------------------------
# Inventions: the words a real archive has and the 112 source documents do not

#: First and last parts of Dutch surnames and place names (Hoog+kamp, Wester+veen+stra).
NAME_FIRST = """Aal Achter Beek Berg Bier Blok Boer Bos Brand Breuk Brink Broek Bruin Buit Dam Dek Diep
Dijk Dorp Drie Eek Elder Elzen Es Feen Gaast Geer Gerrit Groen Groot Haar Hage Ham Hart Heem Heer
Hek Helder Hen Heuvel Hof Hoek Hoge Holt Hoog Horst Hout Huis Jan Kamp Kerk Klaas Klein Kloos Koe
Kolk Kool Kort Kraai Kruis Laar Lange Leeu Lin Loo Maas Meer Mid Molen Mulder Noord Nij Oost Oude
Over Pieter Plas Poel Rade Riet Rijs Roo Ruiter Schaap Scheer Schoon Sloot Smit Sneek Stad Steen
Sterk Stok Strijk Ter Top Tuin Veen Veld Ven Vink Vliet Vos Vree Vrie Wal Water Weide Welle Wester
Wijk Wil Wind Wit Wolf Zand Zee Zuid Zwart Zwol""".split()
NAME_LAST = """berg beek bergen bosch broek brug dijk dorp drecht ema ens gaard gen haar ham hart heem
heide hof hoek holt horst hout hoven huis huizen inga ing kamp kerk kotte laar land lo loo man mans
meer mond olde ooi poel rade rode sma sen sloot stad stede stein sterk stra straten terp ting um
veen veld ven vliet voort waard water weg wier wijk wold woude zand zijl zicht zoom""".split()
ACRONYM_LETTERS = "NVKSBMGHTAROPDECILWUFJZYXQ"
_LINKED = ("ing", "heid", "schap", "teit", "tie", "sie", "dom")  # take a linking s: veiligheidsplan

#: How often a slot of each kind gets a new word instead of its original ("year": years after
#: the document's own are always replaced), and the scale of each inventory.
REPLACE = {"name": 0.7, "acro": 0.5, "comp": 0.5, "num": 0.7, "year": 0.5, "day": 0.7}
SCALE = {"name": 1200.0, "acro": 400.0, "comp": 4000.0}
#: index = scale · (u^-alpha − 1): Zipf-like with exponent 1 + 1/alpha, so the number of
#: distinct inventions after m draws grows like m^(alpha / (1 + alpha)) ≈ m^0.56.
PARETO_ALPHA = 1.25


class Inventor:
    """New words for slots, from unbounded inventories.

    Index ``k`` of an inventory always gives the same word, in every process; indices are
    drawn from a Pareto distribution: low ones (common inventions) recur, the tail is rare.
    """

    CACHE = 400_000  # compounds remembered per process (low indices recur most)

    def __init__(self, modifiers: list[str], heads: list[str]) -> None:
        self.modifiers = modifiers
        self.heads = heads
        self.compounds: dict[int, str] = {}

    @staticmethod
    def index(rng: random.Random, scale: float) -> int:
        return int(scale * ((1.0 - rng.random()) ** -PARETO_ALPHA - 1.0))

    @staticmethod
    def name(k: int) -> str:
        k, first = divmod(k, len(NAME_FIRST))
        k, last = divmod(k, len(NAME_LAST))
        middle = NAME_LAST[(k - 1) % len(NAME_LAST)] if k else ""
        return NAME_FIRST[first] + middle + NAME_LAST[last]

    @staticmethod
    def acronym(k: int) -> str:
        k = 26 * 26 + k % (26**5 - 26 * 26)  # three to five letters
        letters = []
        while k:
            k, r = divmod(k, 26)
            letters.append(ACRONYM_LETTERS[r])
        return "".join(letters)

    def modifier(self, k: int) -> str:
        mods = self.modifiers
        if k < len(mods):
            return mods[k]
        high, low = divmod(k, len(mods))
        first = mods[(high - 1) % len(mods)]
        return first + ("s" if first.endswith(_LINKED) else "") + mods[low]

    def compound(self, k: int) -> str:
        """Compound ``k``: modifier and head from a diagonal walk over the frequency-ranked
        nouns, so low ``k`` pair common nouns. One index per word keeps the growth of distinct
        compounds under the Pareto law; a new modifier for the sentence's own head would make
        each head its own inventory, and the growth almost linear."""
        d = (math.isqrt(8 * k + 1) - 1) // 2
        i = k - d * (d + 1) // 2
        j = d - i
        head = self.heads[j % len(self.heads)]
        mod = self.modifier(i)
        if head in mod or mod in head:
            head = self.heads[(j + 1) % len(self.heads)]
        return mod + ("s" if mod.endswith(_LINKED) else "") + head

    def word(self, slot: tuple, rng: random.Random, doc: DocState) -> str:
        """The word for a slot that was picked for replacement."""
        kind = slot[0]
        random_ = rng.random
        if kind == "num":
            digits = len(slot[1])
            return str(10 ** (digits - 1) + int(random_() * 9 * 10 ** (digits - 1)))
        if kind == "year":
            if random_() >= REPLACE["year"] and int(slot[1]) <= doc.start + 1:
                return slot[1]
            return str(doc.start - int(random_() * 6))
        if kind == "day":
            return str(1 + int(random_() * 28))
        if kind == "name":
            if random_() < 0.5:
                return doc.entities[int(random_() * len(doc.entities))]
            return self.name(self.index(rng, SCALE["name"]))
        if kind == "acro":
            return self.acronym(self.index(rng, SCALE["acro"]))
        k = self.index(rng, SCALE["comp"])
        found = self.compounds.get(k)
        if found is None:
            found = self.compound(k)
            if len(self.compounds) < self.CACHE:
                self.compounds[k] = found
        return found


@dataclass
class DocState:
    """What the sentences of one document share: its year and the names it is about."""

    start: int
    entities: list[str]


# --------------------------------------------------------------------------------------------
# The source model: sentence templates from the real corpus

#: A plain sentence, or (literals, slots) with one literal more than slots. A slot is
#: (kind, original word, chance of being replaced).
Template = str | tuple

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+")
_TOKEN_OR_MARK = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
_SENTENCE_END = re.compile(
    r"(?<=[.?!])\s+(?=[A-Z«‘“\"(])|(?<=[.?!][»”\"’)])\s+(?=[A-Z«‘“\"(])"
    r"|(?<=[a-z)][?!])(?=[A-Z])|(?<=[a-z]{2}\.)(?=[A-Z][a-z])"  # PDF text lost the space: "kwamen?Hoe"
)
#: Sentences that would look like structure to the parser, or carry URLs and ids.
_BAD_SENTENCE = re.compile(
    r"https?:|www\.|@|\(ingezonden|ah-tk|kv-tk|\bh tk\b|\b(?:Vraag|Vragen|Antwoord|Antwoorden|VRAAG)\s+\d"
    r"|^(?:Vraag|Vragen|Antwoord|Antwoorden|Mededeling)\b|\S{41,}|[\x00-\x08\x0b-\x1f]"
    r"|[Vv]ra(?:ag|gen) van (?:het lid|de leden)|Mondelinge vragen|(?:Antwoord|Mededeling) van "
)
_Z_REFERENCE = re.compile(r"\s*\(?\b\d{4}Z\s?\d{5}\b\)?")
#: Function words that PDF extraction glues to a neighbour ("zijngemeld").
GLUE = frozenset(
    """de het een en van in op te voor met aan bij uit over door naar als dat die dit is zijn
    wordt werd of om tot ook niet er ze wij we hij zij uw deze dan maar nog wel zo al kan moet
    heeft hebben worden zoals zal zou kunnen moeten mag mogen wil willen steeds geen alle
    welke waar wanneer hoe wat wie omdat sinds tussen binnen onder tegen via per na""".split()
)
#: Words that follow a noun ("de mening van", "het kabinet heeft") and not an adjective.
AFTER_NOUN = frozenset(
    """van voor in op met aan bij over is wordt werd en of dat die te om naar tot uit door heeft
    hebben zijn kan zal zou moet als waarin waarbij niet ook nog""".split()
)
STOP_NOUNS = frozenset(
    """deze dit die dat zich hier daar iets niets wat heel zeer meer minder veel weinig andere
    eerste tweede derde laatste eigen hele eens gaat klopt voorkomt bijzonder publiek slacht""".split()
)


@dataclass
class SourceDoc:
    """The templates of one real document: a generated document borrows its topic."""

    openers: list[Template] = field(default_factory=list)
    questions: list[Template] = field(default_factory=list)
    statements: list[Template] = field(default_factory=list)
    answers: list[Template] = field(default_factory=list)


@dataclass
class Model:
    """Everything taken from the real corpus; built once per process."""

    docs: list[SourceDoc]
    openers: list[Template]
    questions: list[Template]
    statements: list[Template]
    answers: list[Template]
    short_answers: list[Template]
    titles: list[Template]
    footnotes: list[Template]
    modifiers: list[str]
    heads: list[str]
    source_files: int


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _lexicon() -> frozenset[str]:
    """The project's Dutch word list (folded word forms)."""
    from kvsearch.analysis import lexicon_words

    return lexicon_words()


def _glue_point(word: str, lexicon: frozenset[str], nouns: frozenset[str]) -> int:
    """Where PDF extraction glued two words into ``word`` ("diplomatiekebelangen",
    "actieszou", "toegankelijkkrijgen"), or 0. Real compounds ("regenboogbeleid") stay: a glue
    point needs a function word, an inflected adjective, a participle or no noun at all."""
    w = _fold(word)
    if len(w) < 4 or not w.isalpha() or w in lexicon:
        return 0
    for i in range(2, len(w) - 1):
        a, b = w[:i], w[i:]
        if a not in lexicon or b not in lexicon:
            continue
        if (a in GLUE and b in GLUE) or (len(w) >= 6 and (a in GLUE or b in GLUE)):
            return i
        if len(a) >= 4 and len(b) >= 4 and a not in nouns and b not in nouns:
            return i
        if len(a) >= 4 and a.endswith("e") and a[:-1] in lexicon and len(b) >= 4:
            return i
        if len(a) >= 4 and b not in nouns and re.fullmatch(r"(?:ge|be|ver|ont)\w{3,}[dt]", b):
            return i
    return 0


def _unglue(text: str, lexicon: frozenset[str], nouns: frozenset[str]) -> str:
    """Undo PDF extraction damage in the source text before it is recombined (layouts add
    their own): glued words ("zijngemeld", "VerenigdeNaties"), kept line-end hyphens
    ("leerkli-maat", "zorgverzeke- raars"), glued footnote marks ("Algerije4,")."""

    def split(match: re.Match[str]) -> str:
        word = match.group(0)
        i = _glue_point(word, lexicon, nouns)
        return f"{word[:i]} {word[i:]}" if i else word

    def hyphen(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if _fold(left + right) in lexicon and (_fold(left) not in lexicon or _fold(right) not in lexicon):
            return left + right
        return match.group(0)

    def camel(match: re.Match[str]) -> str:
        left = _fold(match.group(1))
        glued = left in GLUE or (len(left) >= 4 and left.endswith("e") and left[:-1] in lexicon)
        return match.group(1) + (" " if glued else "") + match.group(2)

    text = re.sub(r"(?<=[a-zé])\d{1,2}(?=[\s,.;:?!)]|$)", "", text)
    text = re.sub(r"\b([A-Za-zÀ-ÿ]*[a-zà-ÿ])- ?([a-zà-ÿ]+)\b", hyphen, text)
    text = re.sub(r"\b([A-Za-zÀ-ÿ]*[a-zà-ÿ])([A-Z][a-zà-ÿ]+|[A-Z]{2,}\b)", camel, text)
    text = re.sub(r"(?<=[a-z])([,;])(?=[a-z])", r"\1 ", text)  # "Zo ja,vindt u"
    return re.sub(r"\b[A-Za-zÀ-ÿ]{6,}\b", split, text)


def _sentences(text: str) -> list[str]:
    out = []
    for paragraph in text.split("\n\n"):
        for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
            sentence = sentence.strip()
            words = sentence.count(" ") + 1
            if (
                3 <= words <= 70
                and not _BAD_SENTENCE.search(sentence)
                and (sentence[0].isupper() or sentence[0] in "«‘“\"'")
            ):
                out.append(sentence)
    return out


class _Stats:
    """Corpus counts that decide what is a slot: rare capitalised words are names; nouns (seen
    as "de/het X van", "het X is", "de X.") are slots and the parts of new compounds."""

    def __init__(self, texts: list[str], lexicon: frozenset[str]) -> None:
        self.caps: Counter[str] = Counter()
        nouns: Counter[str] = Counter()
        after_het: Counter[str] = Counter()
        for text in texts:
            tokens = _TOKEN_OR_MARK.findall(text)
            self.caps.update(t for t in tokens[1:] if t[0].isupper())
            for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False):
                if (
                    a in ("de", "het", "De", "Het")
                    and b.isalpha()
                    and b.islower()
                    and 4 <= len(b) <= 14
                    and (c in AFTER_NOUN or not c[0].isalnum())
                ):
                    nouns[b] += 1
                    after_het[b] += a in ("het", "Het")
        good = [
            w
            for w, _ in nouns.most_common()
            if w in lexicon
            and w not in STOP_NOUNS
            and w not in GLUE
            and w not in AFTER_NOUN
            and not (w.endswith("e") and w[:-1] in lexicon)  # "de nieuwe": an adjective
            and not w.endswith(("ende", "ijk", "ig", "isch", "baar", "aal"))
            and not (w.endswith("en") and 2 * after_het[w] >= nouns[w])  # "het verbeteren": a verb
        ]
        self.nouns = frozenset(good)
        #: Compound parts, most frequent first (low inventory indices pair common nouns).
        self.heads = [w for w in good if len(w) >= 5]
        self.modifiers = [w for w in good if 4 <= len(w) <= 10]

    def has_head(self, word: str) -> bool:
        return any(word[i:] in self.nouns for i in range(3, len(word) - 3))


def _template(sentence: str, stats: _Stats) -> Template:
    literals: list[str] = []
    slots: list[tuple] = []
    last = 0
    tokens = list(_TOKEN.finditer(sentence))
    for i, match in enumerate(tokens):
        w = match.group(0)
        kind = None
        if w.isdigit():
            if len(w) == 4 and w[:2] in ("19", "20"):
                kind = "year"
            elif len(w) <= 2 and i + 1 < len(tokens) and tokens[i + 1].group(0) in MONTHS:
                kind = "day"
            elif len(w) >= 2:
                kind = "num"
        elif i == 0:
            pass
        elif w[0].isupper():
            if w.isupper() and 2 <= len(w) <= 6 and stats.caps[w] <= 3:
                kind = "acro"
            elif (
                stats.caps[w] <= 3
                and len(w) >= 4
                and w.isalpha()
                and w[1:].islower()
                and not w.endswith(("se", "sche", "ese"))  # Armeense, Turkse: adjectives
            ):
                kind = "name"
        elif len(w) >= 6 and w.isalpha() and (w in stats.nouns or (len(w) >= 9 and stats.has_head(w))):
            kind = "comp"
        if kind:
            literals.append(sentence[last : match.start()])
            slots.append((kind, w, 1.0 if kind == "year" else REPLACE[kind]))
            last = match.end()
    if not slots:
        return sentence
    literals.append(sentence[last:])
    return tuple(literals), tuple(slots)


_MODELS: dict[str, Model] = {}


def build_model(source: Path) -> Model:
    """Parse the real corpus with the project's parser and turn it into sentence templates.

    Cached per process (the test calls :func:`generate` several times).
    """
    key = str(Path(source).resolve())
    if key in _MODELS:
        return _MODELS[key]
    from kvsearch.errors import KvsearchError
    from kvsearch.ingest.corpus import iter_corpus, parse_file

    if not Path(source).is_dir():
        raise FileNotFoundError(f"source corpus not found: {source}")
    lexicon = _lexicon()
    documents = []
    seen: set[str] = set()
    files = 0
    for item in iter_corpus(source):
        try:
            document = parse_file(item.path)
        except KvsearchError:
            continue
        files += 1
        if document.doc_id not in seen:  # the same document from PDF and DOCX: once
            seen.add(document.doc_id)
            documents.append(document)
    if not documents:
        raise ValueError(f"no documents found in {source}")

    stats = _Stats([t for d in documents for p in d.passages for t in (p.question, p.answer)], lexicon)

    def clean(text: str) -> str:
        return _unglue(text, lexicon, stats.nouns)

    docs = []
    short: list[Template] = []
    titles: list[Template] = []
    notes: list[Template] = []
    for document in documents:
        doc = SourceDoc()
        for index, passage in enumerate(document.passages):
            if not passage.questions:
                continue  # an oral question: its "question" is the header
            for number, sentence in enumerate(_sentences(clean(passage.question))):
                if index == 0 and number == 0 and sentence.endswith("?") and sentence.count(" ") >= 5:
                    doc.openers.append(_template(sentence, stats))
                elif sentence.endswith("?"):
                    doc.questions.append(_template(sentence, stats))
                else:
                    doc.statements.append(_template(sentence, stats))
            answer = clean(passage.answer)
            doc.answers += [_template(s, stats) for s in _sentences(answer) if not s.endswith("?")]
            answer = " ".join(answer.split())
            if answer and answer.count(" ") < 12 and answer[0].isupper() and not _BAD_SENTENCE.search(answer):
                short.append(_template(answer, stats))
            for note in passage.notes:
                text = clean(" ".join(note.split(" ", 1)[-1].split()))
                if text[:1].isalpha() and len(text) < 400 and not re.search(r"ah-tk|kv-tk|h tk|\d{4}Z", text):
                    notes.append(_template(text, stats))
        if document.title:
            title = _Z_REFERENCE.sub("", " ".join(document.title.split())).strip().rstrip(".")
            if title and "ingezonden" not in title and not re.search(r"ah-tk|kv-tk|\d{4}Z", title):
                titles.append(_template(clean(title), stats))
        if doc.openers or doc.questions or doc.answers:
            docs.append(doc)

    def pool(name: str) -> list[Template]:
        return [t for d in docs for t in getattr(d, name)]

    model = Model(
        docs=docs,
        openers=pool("openers"),
        questions=pool("questions"),
        statements=pool("statements"),
        answers=pool("answers"),
        short_answers=short or ["Ja."],
        titles=titles,
        footnotes=notes or ["Kamerstuk 36 410, nr. 31"],
        modifiers=stats.modifiers,
        heads=stats.heads,
        source_files=files,
    )
    if not (model.openers and model.questions and model.statements and model.answers and model.titles):
        raise ValueError(f"too little text in {source} to recombine")
    _MODELS[key] = model
    return model


# --------------------------------------------------------------------------------------------
# Planning: kind, layout and question groups of every document, until the passages add up


@dataclass(frozen=True)
class Plan:
    number: int
    kind: str
    layout: str
    groups: tuple[tuple[int, ...], ...]  # question numbers per passage (answered: per answer)

    @property
    def passages(self) -> int:
        """Passages the parser makes of this document."""
        return {NOTICE: 0, ORAL: 1}.get(self.kind, len(self.groups))


def _doc_rng(seed: int, number: int, stream: int) -> random.Random:
    """A document's own random stream, independent of every other document and process:
    stream 0 plans it, 1 writes its content, 2 lays it out."""
    return random.Random((seed * 4_000_000_000 + number) * 4 + stream)


def plan_documents(passages: int, seed: int, first_number: int) -> Iterator[Plan]:
    """Plans of consecutive documents whose passages add up to exactly ``passages``."""
    remaining = passages
    number = first_number
    while remaining > 0:
        if number > max_document_number():
            raise ValueError(f"more documents than the numbering allows (at most {max_document_number()})")
        rng = _doc_rng(seed, number, 0)
        kind = _KIND(rng)
        if kind in (QUESTIONS, ORAL) and official_number(number)[0] < FIRST_KV_YEAR:
            kind = ANSWERED
        layout = _LAYOUT[kind](rng)
        questions = _QUESTION_COUNT(rng)
        groups: list[tuple[int, ...]] = []
        if kind == ORAL:
            groups = [()]
        elif kind != NOTICE:
            q = 1
            while q <= questions:
                size = 1
                if kind == ANSWERED and q < questions and rng.random() < GROUP_CHANCE:
                    size = min(_GROUP_SIZE(rng), questions - q + 1)
                groups.append(tuple(range(q, q + size)))
                q += size
            groups = groups[:remaining]
        plan = Plan(number, kind, layout, tuple(groups))
        remaining -= plan.passages
        number += 1
        yield plan


# --------------------------------------------------------------------------------------------
# Composition: the logical content of one document

REF, REF_END = "\x01", "\x02"  # a footnote reference in composed text: REF + number + REF_END
_REF_RE = re.compile("\x01(\\d+)\x02")

NOTICE_REASONS = [
    "de benodigde afstemming meer tijd behoeft",
    "de interdepartementale afstemming nog niet is afgerond",
    "nog niet alle benodigde informatie beschikbaar is",
    "de beantwoording afstemming vergt met andere departementen",
    "de gevraagde gegevens nog worden verzameld",
    "afstemming met de betrokken uitvoeringsorganisaties meer tijd vraagt",
]
#: (name, domain, section) of news sites that footnotes cite.
NEWS_SOURCES = [
    ("NOS", "nos.nl", "artikel"),
    ("De Volkskrant", "volkskrant.nl", "nieuws-achtergrond"),
    ("NRC", "nrc.nl", "nieuws"),
    ("Trouw", "trouw.nl", "politiek"),
    ("Algemeen Dagblad", "ad.nl", "binnenland"),
    ("De Telegraaf", "telegraaf.nl", "nieuws"),
    ("Het Financieele Dagblad", "fd.nl", "economie"),
    ("RTL Nieuws", "rtl.nl", "nieuws"),
    ("Omroep Brabant", "omroepbrabant.nl", "nieuws"),
    ("Dagblad van het Noorden", "dvhn.nl", "groningen"),
    ("Follow the Money", "ftm.nl", "artikelen"),
    ("Binnenlands Bestuur", "binnenlandsbestuur.nl", "bestuur"),
]


def dutch_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass
class Content:
    """The logical document, which every layout renders in its own way."""

    plan: Plan
    start: int  # first year of the parliamentary year
    nr: int  # Aanhangsel number
    doc_id: str
    reference: str
    askers: list[tuple[str, str]]
    offices: list[Office]
    answerer: Office | None
    submitted: date
    answered: date | None
    title: str
    see_also: list[int]
    questions: dict[int, list[str]]  # question number -> paragraphs
    answers: list[list[str]]  # per group -> paragraphs
    notes: list[str]
    notice: str | None

    @property
    def years(self) -> str:
        return f"{self.start}–{self.start + 1}"

    def words_text(self) -> str:
        """The text a reader sees, for counting distinct words."""
        parts = [self.title, *(name for name, _ in self.askers), *self.notes]
        parts += [p for paragraphs in self.questions.values() for p in paragraphs]
        parts += [p for paragraphs in self.answers for p in paragraphs]
        if self.notice:
            parts.append(self.notice)
        return _REF_RE.sub("", "\n".join(parts))


class Composer:
    """Builds the :class:`Content` of a plan from the model, with the document's own random stream."""

    def __init__(self, model: Model, seed: int) -> None:
        self.model = model
        self.seed = seed
        self.inventor = Inventor(model.modifiers, model.heads)

    def fill(self, template: Template, rng: random.Random, doc: DocState) -> str:
        """The sentence with each slot kept or replaced (the hot path: keep it lean)."""
        if type(template) is str:
            return template
        literals, slots = template
        word = self.inventor.word
        random_ = rng.random
        out = [literals[0]]
        for i, slot in enumerate(slots, 1):
            out.append(slot[1] if random_() >= slot[2] else word(slot, rng, doc))
            out.append(literals[i])
        return "".join(out)

    def pick(self, rng: random.Random, own: list[Template], pool: list[Template], doc: DocState) -> str:
        """A sentence from the source document (its topic) or from the whole corpus."""
        chosen = own if own and rng.random() < 0.6 else pool
        return self.fill(chosen[int(rng.random() * len(chosen))], rng, doc)

    def compose(self, plan: Plan) -> Content:
        rng = _doc_rng(self.seed, plan.number, 1)
        model = self.model
        start, nr = official_number(plan.number)
        first, last = prinsjesdag(start), prinsjesdag(start + 1) - timedelta(days=1)
        submitted = first + timedelta(days=rng.randrange((last - first).days - 20))
        answered = None
        if plan.kind in (ANSWERED, NOTICE, NOTICE_QUESTIONS):
            answered = min(submitted + timedelta(days=rng.randrange(14, 100)), last)
        reference = kamer_reference(start, nr, submitted)
        doc_id = f"kv-tk-{reference}" if plan.kind in (QUESTIONS, ORAL) else f"ah-tk-{start}{start + 1}-{nr}"

        members = members_in(start)
        askers = rng.sample(members, min(_ASKER_COUNT(rng), len(members)))
        offices = self._offices(rng, cabinet_on(submitted))
        doc = DocState(start, [Inventor.name(Inventor.index(rng, SCALE["name"])) for _ in range(2)])
        source = model.docs[rng.randrange(len(model.docs))]
        title = self._title(rng, doc)

        notes: list[str] = []
        questions: dict[int, list[str]] = {}
        for n in (n for group in plan.groups for n in group):
            paragraphs = [self._question(rng, source, doc, first=n == 1)]
            if rng.random() < 0.12:
                paragraphs.append(self._question(rng, source, doc, first=False))
            if (n == 1 and rng.random() < 0.5) or rng.random() < 0.06:
                notes.append(self._footnote(rng, doc, submitted))
                paragraphs[0] += f"{REF}{len(notes)}{REF_END}"
            questions[n] = paragraphs
        answers: list[list[str]] = []
        if plan.kind == ANSWERED:
            for _ in plan.groups:
                paragraphs = self._answer(rng, source, doc)
                if rng.random() < 0.06:
                    notes.append(self._footnote(rng, doc, submitted))
                    paragraphs[-1] += f"{REF}{len(notes)}{REF_END}"
                answers.append(paragraphs)
        notice = None
        if plan.kind in (NOTICE, NOTICE_QUESTIONS):
            notice = self._notice(rng, askers, offices, title, reference, submitted)
        see_also = []
        if nr > 1 and rng.random() < 0.1:
            see_also = sorted(rng.sample(range(1, nr), min(nr - 1, rng.choice((1, 1, 2)))))
        return Content(
            plan=plan,
            start=start,
            nr=nr,
            doc_id=doc_id,
            reference=reference,
            askers=askers,
            offices=offices,
            answerer=offices[0] if answered else None,
            submitted=submitted,
            answered=answered,
            title=title,
            see_also=see_also,
            questions=questions,
            answers=answers,
            notes=notes,
            notice=notice,
        )

    @staticmethod
    def _offices(rng: random.Random, cabinet: list[Office]) -> list[Office]:
        """Who is asked: a minister (mostly), a staatssecretaris or the Minister-President, and
        sometimes more ministers; the first one answers."""
        ministers = [o for o in cabinet if o.role == "Minister"]
        secretaries = [o for o in cabinet if o.role == "Staatssecretaris"]
        r = rng.random()
        offices = [rng.choice(secretaries) if r < 0.25 else cabinet[0] if r < 0.28 else rng.choice(ministers)]
        for _ in range(_EXTRA_OFFICES(rng)):
            other = rng.choice(ministers)
            if other not in offices:
                offices.append(other)
        return offices

    def _title(self, rng: random.Random, doc: DocState) -> str:
        """A real subject, or "het bericht «…»" around a short sentence."""
        model = self.model
        if rng.random() < 0.5:
            pool = model.statements if rng.random() < 0.5 else model.answers
            for _ in range(8):
                text = self.fill(pool[int(rng.random() * len(pool))], rng, doc).rstrip(".")
                if text.count(" ") < 14 and "«" not in text and "»" not in text and not _Z_REFERENCE.search(text):
                    return f"het bericht «{text}»"
        return self.fill(model.titles[int(rng.random() * len(model.titles))], rng, doc)

    def _question(self, rng: random.Random, source: SourceDoc, doc: DocState, first: bool) -> str:
        model = self.model
        if first and rng.random() < 0.75:
            return self.pick(rng, source.openers, model.openers, doc)
        parts = []
        if rng.random() < 0.3:
            parts.append(self.pick(rng, source.statements, model.statements, doc))
        parts.append(self.pick(rng, source.questions, model.questions, doc))
        if rng.random() < 0.25:
            parts.append(self.pick(rng, source.questions, model.questions, doc))
        return " ".join(parts)

    def _answer(self, rng: random.Random, source: SourceDoc, doc: DocState) -> list[str]:
        model = self.model
        if rng.random() < 0.08:
            return [self.fill(model.short_answers[int(rng.random() * len(model.short_answers))], rng, doc)]
        return [
            " ".join(self.pick(rng, source.answers, model.answers, doc) for _ in range(_PARAGRAPH_SENTENCES(rng)))
            for _ in range(_ANSWER_PARAGRAPHS(rng))
        ]

    def _footnote(self, rng: random.Random, doc: DocState, day: date) -> str:
        """A real footnote with new numbers and names, or a news article with its URL."""
        model = self.model
        if rng.random() < 0.6:
            return self.fill(model.footnotes[rng.randrange(len(model.footnotes))], rng, doc)
        name, domain, section = rng.choice(NEWS_SOURCES)
        published = day - timedelta(days=rng.randrange(1, 10))
        words = self.fill(model.statements[rng.randrange(len(model.statements))], rng, doc).split()[:7]
        headline = " ".join(words).rstrip(".,;:?")
        slug = "-".join(_fold(w) for w in _TOKEN.findall(headline))[:60]
        url = f"https://www.{domain}/{section}/{rng.randrange(10**6, 10**7)}-{slug}"
        return f"{name}, {dutch_date(published)}, «{headline}», {url}"

    @staticmethod
    def _notice(
        rng: random.Random,
        askers: list[tuple[str, str]],
        offices: list[Office],
        title: str,
        reference: str,
        submitted: date,
    ) -> str:
        """The text of a delay notice, in the two wordings the real ones use."""
        who = askers_text(askers)
        reason = rng.choice(NOTICE_REASONS)
        if rng.random() < 0.5:
            return (
                f"De vragen van {who} over {title} ({reference}) kunnen niet binnen de gebruikelijke "
                f"termijn worden beantwoord, omdat {reason}. Ik zal uw Kamer zo spoedig mogelijk de "
                "antwoorden op de vragen doen toekomen."
            )
        verb = "heeft" if len(askers) == 1 else "hebben"
        return (
            f"Op {submitted.day} {MONTHS[submitted.month - 1]} jl. {verb} {who} schriftelijke vragen "
            f"gesteld aan de {offices[0].addressed()} over {title}. Omdat {reason}, kunnen de vragen "
            "niet binnen de gebruikelijke termijn van drie weken worden beantwoord. Ik zal de Kamer zo "
            "spoedig mogelijk de antwoorden op de vragen doen toekomen."
        )


# --------------------------------------------------------------------------------------------
# Header lines and body headings, shared by the layouts


def _join_dutch(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def askers_text(askers: list[tuple[str, str]], bold: bool = False) -> str:
    """Who asked: "het lid X (P)", "de leden X en Y (beiden P)", "de leden X (P), Y (Q) en Z (R)"."""
    names = [f"**{name}**" if bold else name for name, _ in askers]
    if len(askers) == 1:
        return f"het lid {names[0]} ({askers[0][1]})"
    if len({party for _, party in askers}) == 1:
        together = "beiden" if len(askers) == 2 else "allen"
        return f"de leden {_join_dutch(names)} ({together} {askers[0][1]})"
    return "de leden " + _join_dutch([f"{name} ({party})" for name, (_, party) in zip(names, askers, strict=True)])


def addressees_text(offices: list[Office], lower: bool = False) -> str:
    """Who is asked: "de Minister-President en de Ministers van A en van B" (DOCX: "de minister van A")."""
    groups: list[str] = []
    if any(o.role == "Minister-President" for o in offices):
        groups.append("de Minister-President")
    for role, plural in (("Minister", "Ministers"), ("Staatssecretaris", "Staatssecretarissen")):
        same = [o for o in offices if o.role == role]
        if same:
            word = plural if len(same) > 1 else role
            portfolios = _join_dutch([f"{o.preposition} {o.portfolio}" for o in same])
            groups.append(f"de {word.lower() if lower else word} {portfolios}")
    return _join_dutch(groups)


def questions_line(c: Content, *, bold: bool = False, italic: str = "", lower: bool = False, dated: bool = True) -> str:
    """The header line: "Vragen van het lid … aan de Minister van … over … (ingezonden 3 mei 2024)."""
    oral = "Mondelinge vragen" if c.plan.kind == ORAL else "Vragen"
    asked = f"{askers_text(c.askers, bold)} aan {addressees_text(c.offices, lower)}"
    line = f"{oral} van {asked} over {italic}{c.title}{italic}"
    return f"{line} (ingezonden {dutch_date(c.submitted)})." if dated else line


def answer_line(c: Content, *, bold: bool = False, lower: bool = False, period: bool = True) -> str:
    """The answer line: "Antwoord van Minister X (Portefeuille), mede namens … (ontvangen 5 juni 2024)."""
    office = c.answerer
    assert office is not None and c.answered is not None
    what = "Mededeling" if c.plan.kind in (NOTICE, NOTICE_QUESTIONS) else "Antwoord"
    role = office.role.lower() if lower and office.role != "Minister-President" else office.role
    name = f"**{office.name}**" if bold else office.name
    also = ""
    if len(c.offices) > 1:
        also = ", mede namens " + _join_dutch([f"de {o.addressed()}" for o in c.offices[1:]])
    line = f"{what} van {role} {name} ({office.portfolio}){also} (ontvangen {dutch_date(c.answered)})"
    return line + "." if period else line


def see_also_lines(c: Content) -> list[str]:
    return [f"Zie ook Aanhangsel Handelingen, vergaderjaar {c.years}, nr. {n}." for n in c.see_also]


def _question_heading(numbers: tuple[int, ...], style: dict) -> str:
    if len(numbers) >= 3 and style["range"]:
        if numbers[0] % 2:
            return f"Vragen {numbers[0]} tot en met {numbers[-1]}"
        return f"Vraag {numbers[0]} t/m {numbers[-1]}"
    label = _join_dutch([str(n) for n in numbers])
    if len(numbers) >= 4 and style["quirk"]:
        label = label.replace(f", {numbers[-2]} en", f" {numbers[-2]} en")  # "Vraag 7, 8, 9 10 en 11"
    return f"Vraag {label}"


def _answer_heading(numbers: tuple[int, ...], style: dict) -> str:
    kind = style["answer"]
    if kind == "op" and len(numbers) == 1:
        return f"Antwoord op vraag {numbers[0]}"
    if kind == "dash" and len(numbers) > 1:
        return f"Antwoord vraag {numbers[0]}-{numbers[-1]}:"
    if kind == "list" and len(numbers) > 1:
        return "Antwoord vragen " + ",".join(map(str, numbers[:-1])) + f" en {numbers[-1]}"
    return f"Antwoord {_join_dutch([str(n) for n in numbers])}"


def body_items(c: Content, rng: random.Random, plain: bool = False) -> list[tuple[str, str]]:
    """Headings ("h") and paragraphs ("p") of the body, in document order.

    ``plain``: only "Vraag <numbers>" and "Antwoord <numbers>" headings (a flattened text is
    split up again only at those).
    """
    style = {
        "combined": rng.random() < 0.6,  # one "Vraag 3, 4 en 5" heading, or one per question
        "range": rng.random() < 0.3,  # "Vragen 3 tot en met 5" for three or more
        "quirk": rng.random() < 0.1,  # "Vraag 7, 8, 9 10 en 11": a lost comma
        "answer": "plain" if plain else _ANSWER_HEADING(rng),
    }
    items: list[tuple[str, str]] = []
    if c.plan.kind == ORAL:
        return items
    for index, group in enumerate(c.plan.groups):
        if c.plan.kind == ANSWERED and len(group) > 1 and style["combined"]:
            items.append(("h", _question_heading(group, style)))
            items += [("p", p) for n in group for p in c.questions[n]]
        else:
            for n in group:
                items.append(("h", f"Vraag {n}"))
                items += [("p", p) for p in c.questions[n]]
        if c.plan.kind == ANSWERED:
            items.append(("h", _answer_heading(group, style)))
            items += [("p", p) for p in c.answers[index]]
    if c.plan.kind == NOTICE_QUESTIONS:
        items += [("h", "Mededeling"), ("p", c.notice or "")]
    return items


# --------------------------------------------------------------------------------------------
# Lines and pages: wrapping, hyphenation, footnotes at the foot of their page, footers

_VOWELS = frozenset("aeiouyàáäèéëïíóöüú")
#: A wrapped line must not start like something the parser reads as structure: a number
#: (footnote, numbered question), a heading, page furniture, Markdown.
_RISKY_START = re.compile(
    r"\d|(?:Vraag|Vragen|VRAAG|Antwoord|Antwoorden|ANTWOORD|Mededeling|Tweede Kamer|Vergaderjaar|ISSN|"
    r"Aanhangsel|regering|ah-tk|kv-tk|h tk|[’']s-Gravenhage|Mondelinge)\b|[#*_\-]"
)


def _hyphen_point(word: str, room: int) -> int:
    """Where to break ``word`` (vowel | consonant vowel) so that the first part and its hyphen
    fit in ``room`` characters; 0 if nowhere."""
    best = 0
    for i in range(3, min(len(word) - 3, room - 1)):
        if word[i - 1] in _VOWELS and word[i] not in _VOWELS and word[i + 1] in _VOWELS:
            best = i
    return best


@lru_cache(maxsize=32)
def _line_pattern(width: int) -> re.Pattern[str]:
    """Greedy line filling done by the regex engine: as many words as fit (a longer word alone)."""
    return re.compile(rf"\S.{{0,{width - 1}}}(?= |$)|\S+")


def wrap(text: str, width: int, rng: random.Random | None = None, hyphenate: float = 0.0) -> list[str]:
    """Lines of at most ``width`` characters; a share ``hyphenate`` of long words that do not
    fit are split with a hyphen at the line end."""
    lines = _line_pattern(width).findall(" ".join(text.split()))
    if rng is not None and hyphenate:
        random_ = rng.random
        for i in range(len(lines) - 1):
            word, _, rest = lines[i + 1].partition(" ")
            if len(word) >= 9 and random_() < hyphenate and word.isalpha() and word.islower():
                cut = _hyphen_point(word, width - len(lines[i]) - 1)
                if cut:
                    lines[i] = f"{lines[i]} {word[:cut]}-"
                    lines[i + 1] = f"{word[cut:]} {rest}" if rest else word[cut:]
    risky = _RISKY_START.match
    for i in range(1, len(lines)):
        if risky(lines[i]):  # move the previous line's last word down, or join the lines
            head, _, last = lines[i - 1].rpartition(" ")
            if head and not risky(last) and not last.endswith("-"):
                lines[i - 1], lines[i] = head, f"{last} {lines[i]}"
            else:
                lines[i - 1] += " " + lines[i]
                lines[i] = ""
    return [line for line in lines if line]


@dataclass
class PageStyle:
    """How a layout puts text on pages."""

    width: int
    lines_per_page: int
    ref: str  # footnote reference in the text, "{n}" is the number
    note: str  # start of a footnote at the foot of the page
    hyphenate: float  # share of long words hyphenated at a line end
    glue_paragraphs: float = 0.0  # share of paragraphs whose line breaks the extraction lost
    blank_before_notes: bool = False


def paginate(
    c: Content,
    rng: random.Random,
    head: list[str],
    items: list[tuple[str, str]],
    style: PageStyle,
    footer: Callable[[int], list[str]],
) -> list[list[str]]:
    """Lay headings and paragraphs out on pages; the footnotes a page refers to go to its foot,
    then the footer (``footer(page_number)``)."""
    pages: list[list[str]] = []
    page: list[str] = list(head)
    notes_here: list[int] = []

    def flush() -> None:
        nonlocal page, notes_here
        if notes_here and style.blank_before_notes:
            page += ["", ""]
        for n in notes_here:
            page += wrap(style.note.format(n=n) + c.notes[n - 1], style.width)
        page += footer(len(pages) + 1)
        pages.append(page)
        page, notes_here = [], []

    for kind, text in items:
        if kind == "h":
            if len(page) + 3 > style.lines_per_page:
                flush()
            page.append(text)
            continue
        lines = wrap(text, style.width, rng, style.hyphenate)
        if len(lines) > 1 and style.glue_paragraphs and rng.random() < style.glue_paragraphs:
            lines = ["".join(lines)]
        for line in lines:
            if REF in line:
                notes_here += [int(n) for n in _REF_RE.findall(line)]
                line = _REF_RE.sub(lambda m: style.ref.format(n=m.group(1)), line)
            page.append(line)
            if len(page) + 2 * len(notes_here) >= style.lines_per_page:
                flush()
    if page or not pages:
        flush()
    return pages


def _official_head(c: Content, width: int, glued: bool = False) -> list[str]:
    """The first page's header of the official PDF (``glued``: as limburg-2024 extracted it)."""
    chamber = "Tweede Kamer der Staten-Generaal" + ("2" if glued else " 2")
    if c.plan.kind in (QUESTIONS, ORAL):
        head = [chamber, f"Vergaderjaar {c.years} Vragen gesteld door de leden der Kamer", " ", c.reference]
    else:
        head = [
            chamber,
            f"Vergaderjaar {c.years} Aanhangsel van de Handelingen",
            "Vragen gesteld door de leden der Kamer, met de daarop door de",
            "regering gegeven antwoorden",
            str(c.nr),
        ]
    head += wrap(questions_line(c), width)
    if c.answered:
        head += wrap(" ".join([answer_line(c), *see_also_lines(c)]), width)
    return head


def _official_footer(c: Content, glued: bool = False) -> Callable[[int], list[str]]:
    place = f"’s-Gravenhage {(c.answered or c.submitted).year}"
    series = "Vragen" if c.plan.kind in (QUESTIONS, ORAL) else "Aanhangsel"

    def footer(page: int) -> list[str]:
        if page > 1:
            return [f"Tweede Kamer, vergaderjaar {c.years}, {series} {page}"]
        if c.plan.kind in (QUESTIONS, ORAL):
            lines = [f"kv-tk-{c.reference}", f"{place} Tweede Kamer, vergaderjaar {c.years}, Vragen 1"]
        elif glued:
            lines = [c.doc_id, f"ISSN 0921 - 7398{place}Tweede Kamer, vergaderjaar {c.years}, Aanhangsel 1"]
        else:
            lines = [c.doc_id, "ISSN 0921 - 7398", f"{place} Tweede Kamer, vergaderjaar {c.years}, Aanhangsel 1"]
        return ([" ", "  "] if glued else []) + lines

    return footer


# --------------------------------------------------------------------------------------------
# Layouts: each returns the file's text (bytes for PDF)


def official_pages(c: Content, rng: random.Random, plain: bool = False) -> list[list[str]]:
    """Pages as the official PDF has them: for PDF files, their clean text and the flat text."""
    style = PageStyle(width=86, lines_per_page=52, ref="{n}", note="{n} ", hyphenate=0.25)
    return paginate(c, rng, _official_head(c, style.width), body_items(c, rng, plain), style, _official_footer(c))


def render_txt_clean(c: Content, rng: random.Random) -> str:
    """Clean PDF text, as converted/ah-tk-20232024-1433.txt."""
    return "\n".join(line for page in official_pages(c, rng) for line in page) + "\n"


def render_txt_flat(c: Content, rng: random.Random) -> str:
    """PDF text flattened onto one line, as converted/ah-tk-20142015-698.txt."""
    pages = official_pages(c, rng, plain=True)
    return " ".join(line for page in pages for line in page).replace("  ", " ") + "\n"


def render_txt_pdf(c: Content, rng: random.Random) -> str:
    """Text extracted from a PDF as in limburg-2024: glued furniture and footnote numbers,
    paragraphs whose line breaks were lost ("zijngemeld", "leerkli-maat")."""
    style = PageStyle(width=82, lines_per_page=50, ref="{n}", note="{n}", hyphenate=0.3, glue_paragraphs=0.35)
    head = _official_head(c, style.width, glued=True)
    pages = paginate(c, rng, head, body_items(c, rng), style, _official_footer(c, glued=True))
    return "\n".join(line for page in pages for line in page) + "\n"


def render_md_pdf2md(c: Content, rng: random.Random) -> str:
    """PDF-to-Markdown output as converted/*.md: "[1 ]" footnote marks, "h tk" footers, "-----"."""
    style = PageStyle(width=78, lines_per_page=48, ref="[{n} ]", note="{n} ", hyphenate=0.15, blank_before_notes=True)
    asked = wrap(questions_line(c), style.width)
    if rng.random() < 0.3 and len(asked) > 2:  # the subject in italics, line by line
        asked = asked[:1] + [f"_{line}_" for line in asked[1:]]
    head = [
        "# 2",
        "",
        f"#### Vergaderjaar {c.years} Aanhangsel van de Handelingen",
        "",
        "**Vragen gesteld door de leden der Kamer, met de daarop door de**",
        "**regering gegeven antwoorden**",
        "",
        f"### {c.nr}",
        "",
        *asked,
        "",
        *wrap(" ".join([answer_line(c), *see_also_lines(c)]), style.width),
        "",
    ]
    footer_id = f"h tk {c.start}{c.start + 1} {c.nr}"
    pages = paginate(c, rng, head, body_items(c, rng), style, lambda _: ["", "", footer_id, "", "", "-----", ""])
    out: list[str] = []
    for line in (line for page in pages for line in page):
        if out and out[-1] and line.startswith(("Vraag ", "Vragen ", "Antwoord")):
            out.append("")  # headings are set off by a blank line
        out.append(line)
    return "\n".join(out).rstrip("-\n ") + "\n"


def render_md_clean(c: Content, rng: random.Random) -> str:
    """Cleaned Markdown as seed/: one line per paragraph, heading marks that vary, sometimes a
    paragraph split mid-sentence where a page broke."""
    marks = rng.choice(("### ", "#### ", ""))
    out = [
        "",
        "",
        "## Vragen gesteld door de leden der Kamer, met de daarop door de regering gegeven antwoorden",
        "",
        f"### {c.nr}",
        "",
        questions_line(c, bold=True, italic="*"),
        "",
        " ".join([answer_line(c, bold=True), *see_also_lines(c)]),
        "",
    ]
    split_done = rng.random() < 0.5
    for kind, text in body_items(c, rng):
        text = _REF_RE.sub("", text)
        if kind == "h":
            mark = marks if rng.random() < 0.9 else rng.choice(("### ", "#### ", ""))
            out += [f"{mark}{text}", ""]
            continue
        words = text.split(" ")
        if not split_done and len(words) > 40:
            cut = next((i for i in range(len(words) // 2, len(words) - 5) if words[i][:1].islower()), 0)
            if cut:
                out += [" ".join(words[:cut]), "", " ".join(words[cut:]), ""]
                split_done = True
                continue
        out += [text, ""]
    return "\n".join(out)


def render_txt_docx(c: Content, rng: random.Random) -> str:
    """Text saved from the DOCX files as in limburg-2024: unanswered questions one paragraph
    each; answers and notices under "AH <nr>" and the Kamer reference."""
    kind = c.plan.kind
    if kind == QUESTIONS:
        submitted = f"(ingezonden {dutch_date(c.submitted)})"
        out = [c.reference, "", submitted, "", questions_line(c, lower=True, dated=False), ""]
        for n in (n for group in c.plan.groups for n in group):
            out += [_REF_RE.sub(lambda m: f" {m.group(1)})", " ".join(c.questions[n])), ""]
        if c.notes:
            out += [" ", "", *(f"{i}) {note}" for i, note in enumerate(c.notes, 1)), ""]
        return "\n".join(out) + "\n"
    out = [f"AH {c.nr}", c.reference, answer_line(c, lower=True, period=False)]
    out += [line.rstrip(".").replace("–", "-") for line in see_also_lines(c)]
    out.append("")
    if kind == NOTICE:
        return "\n".join([*out, c.notice or "", "", ""]) + "\n"
    numbered = rng.random() < 0.5  # "1" above each question, or "Vraag 1"
    for index, group in enumerate(c.plan.groups):
        for n in group:
            out += [str(n) if numbered else f"Vraag {n}", *(_REF_RE.sub("", p) for p in c.questions[n]), ""]
        out.append("Antwoord")
        for paragraph in c.answers[index]:
            out += [_REF_RE.sub("", paragraph), ""]
    return "\n".join(out) + "\n"


_PDF_CHARS: dict[str, str] = {}


def _pdf_safe(text: str) -> str:
    """Characters outside WinAnsi (the standard fonts' encoding) as official PDFs extract them:
    "ć" as "c´", "ş" as "s¸" (kvsearch puts those accents back), others without accent."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        if ch not in _PDF_CHARS:
            try:
                ch.encode("cp1252")
                _PDF_CHARS[ch] = ch
            except UnicodeEncodeError:
                base = unicodedata.normalize("NFD", ch)
                mark = {"\u0301": "´", "\u0327": "¸"}.get(base[1:2], "")
                _PDF_CHARS[ch] = base[0] + mark if base[0].encode("cp1252", "ignore") else "?"
        out.append(_PDF_CHARS[ch])
    return "".join(out)


def render_pdf(c: Content, rng: random.Random) -> bytes:
    """A real PDF in the official layout: one text object per line in a standard font."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    try:
        font = raw.FPDFText_LoadStandardFont(pdf.raw, b"Helvetica")
        for lines in official_pages(c, rng):
            page = pdf.new_page(595, 842)
            y = 790.0
            for line in lines:
                size = 7.5 if y < 300 and re.match(r"\d{1,2} ", line) else 9.5  # footnotes smaller
                text = ctypes.create_string_buffer((_pdf_safe(line) + "\x00").encode("utf-16-le"))
                obj = raw.FPDFPageObj_CreateTextObj(pdf.raw, font, size)
                raw.FPDFText_SetText(obj, ctypes.cast(text, ctypes.POINTER(raw.FPDF_WCHAR)))
                raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 70, y)
                raw.FPDFPage_InsertObject(page.raw, obj)
                y -= size * 1.45
            raw.FPDFPage_GenerateContent(page.raw)
            page.close()
        buffer = io.BytesIO()
        pdf.save(buffer)
    finally:
        pdf.close()
    data = buffer.getvalue()
    # PDFium stamps the clock time and a random file id: fix both, keeping their lengths so
    # that the cross-reference offsets stay valid.
    stamp = (c.answered or c.submitted).strftime("%Y%m%d").encode() + b"120000"
    data = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:" + stamp, data)
    file_id = hashlib.md5(c.doc_id.encode()).hexdigest().upper().encode()
    return re.sub(rb"/ID\[<[0-9A-F]{32}><[0-9A-F]{32}>\]", b"/ID[<" + file_id + b"><" + file_id + b">]", data)


RENDERERS: dict[str, Callable[[Content, random.Random], str | bytes]] = {
    "md-clean": render_md_clean,
    "md-pdf2md": render_md_pdf2md,
    "txt-pdf": render_txt_pdf,
    "txt-docx": render_txt_docx,
    "txt-clean": render_txt_clean,
    "txt-flat": render_txt_flat,
    "pdf": render_pdf,
}


def file_name(c: Content, layout: str) -> str:
    """Names like the real corpus's: ids, title slugs (limburg-2024) or uuids (official-pdf)."""
    if layout == "pdf":
        return f"{uuid.UUID(bytes=hashlib.md5(f'kvsearch-bench-{c.plan.number}'.encode()).digest())}.pdf"
    if layout in ("txt-pdf", "txt-docx"):
        slug = re.sub(r"\W+", "_", _fold(c.title)).strip("_")[:40]
        return f"{c.plan.number:07d}_{slug}-{layout[4:]}.txt"
    return f"{c.doc_id}.{EXTENSIONS.get(layout, 'txt')}"


def render(c: Content, rng: random.Random) -> tuple[str, str, str | bytes]:
    """(layout used, file name, content) of one document."""
    layout = c.plan.layout
    content = RENDERERS[layout](c, rng)
    if layout == "txt-flat" and len(content) < 3200:
        layout = "txt-clean"  # the parser only unflattens long texts (real flattened ones are)
        content = RENDERERS[layout](c, rng)
    return layout, file_name(c, layout), content


# --------------------------------------------------------------------------------------------
# Driver

_WORD = re.compile(r"\w+")
_worker: dict = {"seen": set()}  # per process: the composer, and the words already reported


def _init_worker(source: str, seed: int) -> None:
    """For the spawn start method; forked workers inherit the parent's composer."""
    _worker["composer"] = Composer(build_model(Path(source)), seed)
    _worker["seen"] = set()


def _write_folder(task: tuple[Path, list[Plan]]) -> dict:
    """Write one folder of documents; report counts and the words this process had not seen
    (so that the parent's vocabulary is exact without every folder sending all its words)."""
    folder, plans = task
    composer: Composer = _worker["composer"]
    seen: set[str] = _worker["seen"]
    folder.mkdir(parents=True, exist_ok=True)
    layouts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    files: Counter[str] = Counter()
    words = 0
    new: list[str] = []
    for plan in plans:
        content = composer.compose(plan)
        layout, name, data = render(content, _doc_rng(composer.seed, plan.number, 2))
        if isinstance(data, bytes):
            (folder / name).write_bytes(data)
        else:
            with open(folder / name, "w", encoding="utf-8", newline="\n") as f:
                f.write(data)
        layouts[layout] += 1
        kinds[plan.kind] += 1
        files[name.rsplit(".", 1)[1]] += 1
        tokens = _WORD.findall(content.words_text().lower())
        words += len(tokens)
        fresh = set(tokens) - seen
        if fresh:
            seen |= fresh
            new += sorted(fresh)
    return {
        "documents": len(plans),
        "passages": sum(p.passages for p in plans),
        "layouts": layouts,
        "kinds": kinds,
        "files": files,
        "words": words,
        "new_words": new,
    }


def _folders(out: Path, plans: Iterator[Plan]) -> Iterator[tuple[Path, list[Plan]]]:
    """Plans grouped by output folder: document numbers k*1000+1 … (k+1)*1000 in folder k."""
    batch: list[Plan] = []
    folder = 0
    for plan in plans:
        here = (plan.number - 1) // FILES_PER_FOLDER
        if batch and here != folder:
            yield out / f"{folder:04d}", batch
            batch = []
        folder = here
        batch.append(plan)
    if batch:
        yield out / f"{folder:04d}", batch


def generate(
    source: Path, out: Path, passages: int, *, seed: int = 1, first_number: int = 1, workers: int | None = None
) -> dict:
    """Write a corpus of exactly ``passages`` passages (as the project's parser counts them) to
    ``out``, in subfolders of at most 1000 files, and return a summary.

    Documents are numbered from ``first_number``; their ids, Aanhangsel numbers and Kamer
    references depend on that number alone, so a later call with
    ``first_number=summary["next_number"]`` (and any seed) adds new documents that collide with
    none of these. ``seed`` varies the text, people, kinds and layouts. The same arguments give
    byte-identical files whatever ``workers`` (processes; default: all CPUs) is.
    """
    started = time.perf_counter()
    source, out = Path(source), Path(out)
    if passages < 0:
        raise ValueError("passages must be >= 0")
    model = build_model(source)  # in the parent: forked workers inherit it
    _worker["composer"] = Composer(model, seed)
    _worker["seen"] = set()
    out.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1

    totals = Counter()
    layouts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    files: Counter[str] = Counter()
    vocabulary: set[str] = set()
    growth: list[tuple[int, int, int]] = []
    next_number = first_number

    def tasks() -> Iterator[tuple[Path, list[Plan]]]:
        nonlocal next_number
        for folder, plans in _folders(out, plan_documents(passages, seed, first_number)):
            next_number = plans[-1].number + 1
            yield folder, plans

    def merge(result: dict) -> None:
        totals.update({key: result[key] for key in ("documents", "passages", "words")})
        layouts.update(result["layouts"])
        kinds.update(result["kinds"])
        files.update(result["files"])
        vocabulary.update(result["new_words"])
        growth.append((totals["passages"], totals["words"], len(vocabulary)))

    pending = tasks()
    first = list(itertools.islice(pending, 2))
    pending = itertools.chain(first, pending)
    if workers <= 1 or len(first) < 2:  # one folder: a pool would not pay
        for task in pending:
            merge(_write_folder(task))
    else:
        if "fork" in multiprocessing.get_all_start_methods():
            pool = multiprocessing.get_context("fork").Pool(workers)
        else:
            pool = multiprocessing.get_context("spawn").Pool(
                workers, initializer=_init_worker, initargs=(str(source), seed)
            )
        with pool:
            for result in pool.imap(_write_folder, pending):
                merge(result)
    seconds = time.perf_counter() - started
    return {
        "documents": totals["documents"],
        "passages": totals["passages"],
        "files": dict(sorted(files.items())),
        "layouts": dict(sorted(layouts.items())),
        "kinds": dict(sorted(kinds.items())),
        "words": totals["words"],
        "distinct_words": len(vocabulary),
        "growth": growth,  # (passages, words, distinct words) after each folder
        "first_number": first_number,
        "next_number": next_number,
        "seed": seed,
        "source_files": model.source_files,
        "seconds": round(seconds, 2),
    }


def format_summary(summary: dict) -> str:
    documents = summary["documents"] or 1
    lines = [
        f"{summary['documents']:,} documents, {summary['passages']:,} passages in {summary['seconds']} s "
        f"({summary['passages'] / max(summary['seconds'], 1e-9):,.0f} passages/s)",
        "files: " + ", ".join(f"{k} {v:,} ({v / documents:.1%})" for k, v in summary["files"].items()),
        "layouts: " + ", ".join(f"{k} {v:,} ({v / documents:.1%})" for k, v in summary["layouts"].items()),
        "kinds: " + ", ".join(f"{k} {v:,}" for k, v in summary["kinds"].items()),
        f"words: {summary['words']:,}, distinct: {summary['distinct_words']:,}",
        f"documents {summary['first_number']}..{summary['next_number'] - 1}; "
        f"new documents later: --first-number {summary['next_number']}",
    ]
    growth = summary["growth"]
    if len(growth) > 1:
        lines.append("vocabulary growth (passages: words -> distinct words):")
        marks = (10**4, 3 * 10**4, 10**5, 3 * 10**5, 10**6)
        points = [next((g for g in growth if g[0] >= mark), growth[-1]) for mark in marks]
        for passages, words, distinct in sorted(set(points)):
            lines.append(f"  {passages:>10,}: {words:>12,} -> {distinct:>9,}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--passages", type=int, required=True, help="passages to generate (exactly)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created)")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the real corpus to learn from")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first-number", type=int, default=1, help="number of the first document")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all CPUs)")
    args = parser.parse_args(argv)
    summary = generate(
        args.source, args.out, args.passages, seed=args.seed, first_number=args.first_number, workers=args.workers
    )
    print(format_summary(summary))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # kvsearch from this checkout, installed or not
    main()
