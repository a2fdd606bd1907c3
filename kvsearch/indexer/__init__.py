"""Build the index: corpus → documents → one Whoosh document per passage, published atomically.

On disk (``index/``)::

    .kvsearch-index         marks the folder as a kvsearch index, with its id (kvsearch.storage.folder)
    CURRENT                 name of the live generation (replaced atomically with os.replace)
    gen-<time>-<pid>/       a complete, verified index; never modified after publishing
    .build-<time>-<pid>/    a build in progress; removed on failure, or by the next build
    .lock, .lock.info       one writer at a time (flock, released by the kernel on death)

The live generation and the one before it (for ``--rollback``) are kept; older ones are
removed only when a new generation is published, and only folders stamped with this index's
id (``.kvsearch-owner``) are ever removed.

Each generation holds ``manifest.json`` (versions, counts) and ``records.sqlite``: per source
file its size, mtime, SHA-256 and a summary of its parsed document (so that the next build
re-parses only what changed), per document a hash of what was indexed (so that only changed
documents are replaced), and the word counts behind "bedoelde u …?". A build parses in
parallel processes and spools the parsed documents to a file; what it knows of every file,
document and word is in SQLite (``records``), so memory does not grow with the corpus.
Whoosh never sees a directory a reader may open: readers follow ``CURRENT`` only.

The modules, in the order a build uses them: ``build`` (the orchestration, ``build_index``),
``context`` (its options and state), ``lock``, ``faults`` (stop requests, crash-test points),
``base`` (the generation to start from), ``incremental`` (what changed), ``spool``,
``records``, ``passages`` (a document's index fields), ``write``, ``verify``, ``publish``
(and ``rollback``), ``report`` and ``status``. Whoosh itself is reached only through
``kvsearch.engine``.
"""
