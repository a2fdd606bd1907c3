"""The index folder as a build sees it: whose it is, what in it kvsearch may remove.

A build writes into a folder the user names (``--index``), so it must never mistake the
user's files for its own. kvsearch claims a folder only when it creates it, when it is empty,
or when it already holds a kvsearch index; it then writes ``.kvsearch-index`` (with a random
id) into it. Every build folder it makes carries that id in ``.kvsearch-owner``, and only
folders that carry it are ever removed. System folders and the home folder are refused
outright, whatever they hold.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import uuid
from pathlib import Path

from kvsearch.errors import IndexMissingError, IndexWriteError, UsageError
from kvsearch.storage.generations import CURRENT, INDEX_MARKER, OWNER_MARKER, live_generation, read_manifest

#: Files kvsearch itself keeps in the index folder, and files a folder may hold and still count
#: as empty (a repository keeps an empty folder with ``.gitkeep``).
OWN_FILES = frozenset({".lock", ".lock.info", "last-build.json", "last-build.json.tmp", CURRENT, CURRENT + ".tmp"})
EMPTY_FOLDER_FILES = frozenset({".gitkeep"})

#: Never an index folder, whatever they hold: a build there would mix its files with the system's.
SYSTEM_FOLDERS = frozenset(
    Path(p)
    for p in (
        "/",
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/lib64",
        "/media",
        "/mnt",
        "/opt",
        "/proc",
        "/root",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/tmp",
        "/usr",
        "/var",
        "/Users",
        "/System",
    )
)


def claim(index_dir: Path, *, create: bool = True) -> None:
    """Make sure ``index_dir`` is a folder kvsearch may build in, creating it if ``create``.

    Call before taking the build lock (which writes ``.lock`` into the folder): a folder that
    is not kvsearch's must be refused before anything is written into it.

    Raises:
        UsageError: a system or home folder, not a folder, or a folder with other contents.
        IndexMissingError: there is no such folder and ``create`` is false.
        IndexWriteError: the folder cannot be created or read.
    """
    resolved = index_dir.resolve()
    if resolved in SYSTEM_FOLDERS or resolved in _home_and_above():
        raise UsageError(f"refusing to use {resolved} as the index folder: choose a folder of its own, e.g. ./index")
    if not index_dir.exists():
        if not create:
            raise IndexMissingError(f"no index in {resolved}")
        try:
            index_dir.mkdir(parents=True)
        except OSError as error:
            raise IndexWriteError(f"cannot create the index folder {resolved}: {error.strerror or error}") from None
        return
    if not index_dir.is_dir():
        raise UsageError(f"{resolved} is not a folder; --index needs a folder (kvsearch creates it)")
    try:
        usable = _is_ours(index_dir) or _is_empty(index_dir)
    except OSError as error:
        raise IndexWriteError(f"cannot read the index folder {resolved}: {error.strerror or error}") from None
    if not usable:
        raise UsageError(
            f"refusing to build in {resolved}: it holds other files and is not a kvsearch index; "
            "choose a new or empty folder with --index"
        )


def mark(index_dir: Path) -> str:
    """The index's id, written into ``.kvsearch-index`` first if it is not there yet (only
    while holding the build lock). Generations of an index built before the marker existed
    (they have a kvsearch manifest) are stamped as kvsearch's."""
    if index_dir.stat().st_uid == os.getuid():
        safe_mode(index_dir)
    marker = index_dir / INDEX_MARKER
    index_id = _read_id(marker)
    if index_id:
        return index_id
    index_id = uuid.uuid4().hex
    write_atomic(marker, json.dumps({"kvsearch_index": 1, "id": index_id}) + "\n")
    for folder in index_dir.glob("gen-*"):
        if _is_kvsearch_generation(folder):
            stamp(folder, index_id)
    return index_id


def stamp(folder: Path, index_id: str) -> None:
    """Mark ``folder`` (a build or generation) as made by the index ``index_id``."""
    write_atomic(folder / OWNER_MARKER, index_id + "\n")


def owned(folder: Path, index_id: str) -> bool:
    """Whether ``folder`` is a real folder that a build of this index made."""
    try:
        if folder.is_symlink() or not folder.is_dir():
            return False
        return (folder / OWNER_MARKER).read_text(encoding="utf-8").strip() == index_id
    except (OSError, UnicodeDecodeError):
        return False


def remove_builds(index_dir: Path, index_id: str, keep: set[str] | None = None) -> None:
    """Remove what builds of this index left behind: unfinished build folders, and — when
    ``keep`` is given — every generation not named in it. Folders without this index's stamp
    are left alone (an empty unfinished build folder, made just before a kill, goes too)."""
    for item in index_dir.iterdir():
        retired = keep is not None and item.name.startswith("gen-") and item.name not in keep
        if not (item.name.startswith(".build-") or retired):
            continue
        if owned(item, index_id):
            shutil.rmtree(item, ignore_errors=True)
        elif item.name.startswith(".build-") and not item.is_symlink() and item.is_dir():
            try:
                item.rmdir()  # only if empty
            except OSError:
                pass


def _is_ours(index_dir: Path) -> bool:
    """A kvsearch index: the marker, or (from before the marker) ``CURRENT`` naming a
    generation with a kvsearch manifest, or only kvsearch's own files."""
    if (index_dir / INDEX_MARKER).is_file():
        return True
    live = live_generation(index_dir)
    if live is not None and _is_kvsearch_generation(live):
        return True
    names = {p.name for p in index_dir.iterdir()}
    return bool(names) and names <= OWN_FILES | EMPTY_FOLDER_FILES and not any((index_dir / n).is_dir() for n in names)


def _is_empty(index_dir: Path) -> bool:
    return all(p.name in EMPTY_FOLDER_FILES for p in index_dir.iterdir())


def _is_kvsearch_generation(folder: Path) -> bool:
    manifest = read_manifest(folder)
    versions = manifest.get("versions") if manifest else None
    return isinstance(versions, dict) and "kvsearch" in versions and "schema" in versions


def _read_id(marker: Path) -> str | None:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    index_id = data.get("id") if isinstance(data, dict) else None
    return index_id if isinstance(index_id, str) and index_id.isalnum() else None


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` whole, or not at all (a temporary file, synced, renamed)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _home_and_above() -> set[Path]:
    """The user's home folder and every folder above it."""
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError, OSError):
        return set()
    return {home, *home.parents}


def safe_mode(path: Path) -> None:
    """Take the write bits for group and others off ``path`` (a build made under a lax umask)."""
    info = path.lstat()
    if not stat.S_ISLNK(info.st_mode) and info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        os.chmod(path, stat.S_IMODE(info.st_mode) & ~(stat.S_IWGRP | stat.S_IWOTH))
