"""kvsearch: full-text search for Dutch parliamentary written questions and their answers."""

__version__ = "0.1.0"
