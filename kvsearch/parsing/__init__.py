"""From a document's text to a :class:`~kvsearch.models.Document`: metadata, and passages that each hold
one group of questions with its answer.

Nothing here knows of Whoosh."""
