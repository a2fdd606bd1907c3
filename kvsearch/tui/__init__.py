"""The interactive terminal UI (``kvsearch`` on a terminal, ``kvsearch tui``).

Imported only by the ``tui`` command, so the one-line search never pays for Textual.
"""

from kvsearch.tui.app import KvsearchApp

__all__ = ["KvsearchApp"]
