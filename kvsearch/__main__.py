"""``python -m kvsearch`` runs the command line."""

from kvsearch.oneliner import run

if __name__ == "__main__":
    run()
