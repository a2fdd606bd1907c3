"""Dutch text analysis: tokens, accent folding, stemming, the lexicon, compound splitting, and the
party and ministry names users type in filters.

Nothing here knows of Whoosh; :mod:`kvsearch.engine.schema` wraps the analyzer as a Whoosh tokenizer."""
