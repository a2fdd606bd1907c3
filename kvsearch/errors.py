"""One exception hierarchy and the exit codes it maps to: exit codes are part of the API.

Stdlib only. The CLI turns a :class:`KvsearchError` into one line on stderr and
``exit_code_for(error)``; nothing else in kvsearch decides exit codes.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, as documented in the README."""

    OK = 0
    """Search: at least one hit. Index: a new generation was published."""
    NO_HITS = 1
    """Search found nothing (as grep); show and similar: no document or passage with that id."""
    USAGE = 2
    """Bad usage, a bad query or an unreadable input file given on the command line."""
    NO_INDEX = 3
    """No index, or an index kvsearch cannot use (other version, unreadable): rebuild it."""
    CORPUS = 4
    """Corpus folder missing or unreadable: nothing published, the old index stays live."""
    REFUSED = 5
    """A guard refused to publish the new index (e.g. the corpus shrank); the old one stays live."""
    PARTIAL = 6
    """Published, but some files were skipped (see the warnings)."""
    SERVICE = 69
    """Fetch: the publications service could not be reached or answered wrongly (EX_UNAVAILABLE)."""
    INTERNAL = 70
    """A bug: reported in one line, never a bare traceback."""
    CANT_WRITE = 73
    """Cannot write the index (disk full, read-only, permissions; the old index stays live), or the output."""
    LOCKED = 75
    """Another index build holds the lock (EX_TEMPFAIL)."""
    INTERRUPTED = 130
    """Stopped by Ctrl+C or a signal, after cleaning up."""


class KvsearchError(Exception):
    """Base of every error kvsearch reports to a user: its message is one readable line."""

    exit_code: ExitCode = ExitCode.INTERNAL


class UsageError(KvsearchError):
    exit_code = ExitCode.USAGE


class NotFoundError(KvsearchError):
    """No document or passage with a well-formed id: nothing found, as a search without hits."""

    exit_code = ExitCode.NO_HITS


class OutputError(KvsearchError):
    """Standard output cannot take the result (closed, disk full)."""

    exit_code = ExitCode.CANT_WRITE


class SourceError(KvsearchError):
    """A corpus file cannot be read or decoded; the build skips it and goes on."""

    exit_code = ExitCode.USAGE


class ParseError(KvsearchError):
    """A file was read but is not a Kamervragen document kvsearch understands."""

    exit_code = ExitCode.USAGE


class QuerySyntaxError(KvsearchError):
    exit_code = ExitCode.USAGE


class CorpusError(KvsearchError):
    exit_code = ExitCode.CORPUS


class IndexMissingError(KvsearchError):
    exit_code = ExitCode.NO_INDEX


class IndexVersionError(KvsearchError):
    exit_code = ExitCode.NO_INDEX


class PublishRefusedError(KvsearchError):
    exit_code = ExitCode.REFUSED


class IndexWriteError(KvsearchError):
    exit_code = ExitCode.CANT_WRITE


class LockedError(KvsearchError):
    exit_code = ExitCode.LOCKED


class ServiceError(KvsearchError):
    """The publications service could not be reached, or sent something that is not an answer."""

    exit_code = ExitCode.SERVICE


class CorpusWriteError(KvsearchError):
    """A fetched document cannot be written into the corpus folder."""

    exit_code = ExitCode.CANT_WRITE


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code a CLI run ends with after ``error``."""
    if isinstance(error, KvsearchError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    return ExitCode.INTERNAL
