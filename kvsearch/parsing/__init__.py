"""From a document's text to a :class:`~kvsearch.models.Document`: metadata, and passages that each hold
one group of questions with its answer.

One module per step, in the order :func:`parse_document` runs them: ``cleanup`` (lines without page
furniture and footnotes), ``header`` (metadata), ``blocks`` (cut at the headings), ``passages``
(questions grouped with their answers). Nothing here knows of Whoosh or reads a file."""

from kvsearch.parsing.dates import parliamentary_year
from kvsearch.parsing.document import parse_document
from kvsearch.parsing.headings import numbers_from_spec
from kvsearch.parsing.ids import official_id_of_file
from kvsearch.parsing.metadata import OfficialMetadata, official_metadata

__all__ = [
    "OfficialMetadata",
    "numbers_from_spec",
    "official_id_of_file",
    "official_metadata",
    "parliamentary_year",
    "parse_document",
]
