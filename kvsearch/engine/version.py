"""The Whoosh version an index is written with: part of what a reader checks before it opens one."""

from __future__ import annotations


def whoosh_version() -> str:
    """Whoosh's version string, as recorded in a generation's manifest."""
    # Only the top-level package: its version needs none of the modules ``whoosh_import`` trims.
    import whoosh

    return ".".join(str(v) for v in whoosh.versionstring().split("."))
