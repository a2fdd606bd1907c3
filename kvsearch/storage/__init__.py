"""The index folder on disk: which generation is live, whether it is whole, who owns what.

Readers (the searcher) and the writer (the indexer) share it; nothing here knows of Whoosh's files
beyond their names and checksums."""
