"""Dutch text analysis: words, accent folding, stemming, the lexicon, compound splitting, and the
party and ministry names users type in filters.

The way of a text through the analyzer chain, one module each: :mod:`.tokens` (where words are),
:mod:`.folding`, :mod:`.compounds` (with :mod:`.lexicon`, and :mod:`.people` whose names stay
whole), :mod:`.stemming`; :mod:`.chain` puts them together. Callers use what this package
exports (``from kvsearch import analysis``).
Nothing here knows of Whoosh; :mod:`kvsearch.engine.schema` wraps the chain as a Whoosh tokenizer.
"""

from kvsearch.analysis.chain import (
    ANALYZER_ID,
    CHAIN_KEY,
    SHIPPED,
    SHIPPED_ID,
    AnalyzerChain,
    analyze,
    analyzer_info,
    building_chain,
    building_with,
    chain_named,
    index_positions,
    index_terms_cache,
    keep_index_terms,
    query_parts,
    recorded_chain,
    register_chain,
    terms,
    use_known_index_terms,
    word_terms,
)
from kvsearch.analysis.folding import fold
from kvsearch.analysis.lexicon import lexicon_words
from kvsearch.analysis.stemming import FUNCTION_WORDS, STEMMER_NAME, make_stem, stem
from kvsearch.analysis.tokens import Token, spans_of_words, words

__all__ = [
    "ANALYZER_ID",
    "CHAIN_KEY",
    "FUNCTION_WORDS",
    "SHIPPED",
    "SHIPPED_ID",
    "STEMMER_NAME",
    "AnalyzerChain",
    "Token",
    "analyze",
    "analyzer_info",
    "building_chain",
    "building_with",
    "chain_named",
    "fold",
    "index_positions",
    "index_terms_cache",
    "keep_index_terms",
    "lexicon_words",
    "make_stem",
    "query_parts",
    "recorded_chain",
    "register_chain",
    "spans_of_words",
    "stem",
    "terms",
    "use_known_index_terms",
    "word_terms",
    "words",
]
