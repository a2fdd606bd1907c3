"""``python -m kvsearch`` runs the command line."""

from kvsearch.cli import run

if __name__ == "__main__":
    run()
