"""The published index on disk, as readers see it: which generation is live, whether it is
whole and safe to open, and what built it.

Searchers need only this, not the indexer (and so not the parser): ``index/CURRENT`` names the
live ``gen-…`` folder; each generation holds these files beside Whoosh's own (and the build's
records, ``kvsearch.indexer.records``). Its manifest lists every file of the generation with its size
and CRC-32, so that a missing, truncated or altered file is found before Whoosh reads it.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import zlib
from pathlib import Path
from typing import Any

from kvsearch import __version__, analysis
from kvsearch.engine.schema import SCHEMA_VERSION
from kvsearch.engine.version import whoosh_version
from kvsearch.errors import IndexVersionError

MANIFEST = "manifest.json"
VOCABULARY = "vocabulary.json.gz"  # surface words and their frequency, for "bedoelde u …?"
CURRENT = "CURRENT"
#: In the index folder: proves that kvsearch made it, and holds the index's id.
INDEX_MARKER = ".kvsearch-index"
#: In each build and generation folder: the id of the index whose build made it. kvsearch
#: removes only folders that carry it, never a folder of the user's that happens to be named
#: ``gen-…`` or ``.build-…``.
OWNER_MARKER = ".kvsearch-owner"


def versions(chain: analysis.AnalyzerChain | None = None) -> dict[str, Any]:
    """What built an index: a reader refuses an index whose versions differ.

    ``chain`` is the analyzer chain; by default the one new builds use.
    """
    return {**_program_versions(), **(chain or analysis.building_chain()).info()}


@functools.cache
def _program_versions() -> dict[str, Any]:
    return {"kvsearch": __version__, "schema": SCHEMA_VERSION, "whoosh": whoosh_version()}


def live_generation(index_dir: Path) -> Path | None:
    """The published generation ``CURRENT`` names, or None when there is none (or ``CURRENT``
    is damaged: not a small text file naming a ``gen-…`` folder)."""
    name = current_name(index_dir)
    if name is None:
        return None
    path = index_dir / name
    return path if path.is_dir() and not path.is_symlink() else None


def current_name(index_dir: Path) -> str | None:
    """The generation name written in ``CURRENT``, or None when it is missing or not one."""
    try:
        with open(index_dir / CURRENT, "rb") as handle:
            raw = handle.read(256)
        name = raw.decode("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not name.startswith("gen-") or "/" in name or "\0" in name:
        return None
    return name


def generation_problem(generation: Path) -> str | None:
    """Why ``generation`` cannot be searched (its manifest is unreadable, or one of the files
    it lists is missing or of another size), or None when it looks whole.

    Cheap (a stat per file): file contents are checked against their CRC-32
    (``changed_files``) only by a build that carries them on, by a search that fails, and,
    for the small tables of contents, by a search that opens the generation."""
    manifest = read_manifest(generation)
    if manifest is None or not isinstance(manifest.get("versions"), dict):
        return f"{generation.name} has no readable {MANIFEST}"
    for name, (size, _crc) in listed_files(manifest).items():
        try:
            found = (generation / name).lstat()
        except OSError:
            return f"{generation.name}/{name} is missing"
        if not stat.S_ISREG(found.st_mode) or found.st_size != size:
            return f"{generation.name}/{name} is damaged (size {found.st_size} instead of {size})"
    return None


def listed_files(manifest: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """The generation's files as its manifest lists them: name -> (size, CRC-32). Empty for a
    manifest that lists none."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        return {}
    listed: dict[str, tuple[int, int]] = {}
    for name, value in files.items():
        if (
            isinstance(name, str)
            and "/" not in name
            and isinstance(value, list)
            and len(value) == 2
            and all(type(number) is int for number in value)
        ):
            listed[name] = (value[0], value[1])
    return listed


def file_checksum(path: Path) -> tuple[int, int]:
    """(size, CRC-32) of a file, read in large pieces (zlib releases the GIL for them)."""
    crc, size = 0, 0
    with open(path, "rb") as handle:
        while piece := handle.read(1 << 20):
            crc = zlib.crc32(piece, crc)
            size += len(piece)
    return size, crc


def changed_files(generation: Path, names: list[str], manifest: dict[str, Any] | None = None) -> list[str]:
    """Those of ``names`` whose content no longer matches the CRC-32 the manifest recorded
    (``manifest``, when the caller has read it already)."""
    listed = listed_files(manifest if manifest is not None else read_manifest(generation) or {})
    changed = []
    for name in names:
        expected = listed.get(name)
        try:
            if expected is not None and file_checksum(generation / name) != expected:
                changed.append(name)
        except OSError:
            changed.append(name)
    return changed


def usable_generations(index_dir: Path) -> list[Path]:
    """The generations that look whole (``generation_problem``), newest first."""
    try:
        found = [p for p in index_dir.iterdir() if p.name.startswith("gen-") and p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
    return sorted((p for p in found if generation_problem(p) is None), key=lambda p: p.name, reverse=True)


def rollback_generation(index_dir: Path, live: Path | None) -> Path | None:
    """The generation ``kvsearch index --rollback`` makes live: the one that was live before
    ``live`` was published (its manifest names it), else the newest older whole one, else the
    newest other whole one (after a rollback: the one rolled back from)."""
    others = [g for g in usable_generations(index_dir) if g != live]
    if live is None:
        return next(iter(others), None)
    replaced = (read_manifest(live) or {}).get("replaces")
    named = [g for g in others if g.name == replaced]
    older = [g for g in others if g.name < live.name]
    return next(iter(named or older or others), None)


def searchable_generation(index_dir: Path) -> tuple[Path | None, str | None]:
    """The generation a search should open, and a notice when it is not the one ``CURRENT``
    names: when ``CURRENT`` is damaged or names a missing or damaged generation, the newest
    whole one is searched instead, and the notice says so."""
    live = live_generation(index_dir)
    problem = generation_problem(live) if live else None
    if live and problem is None:
        return live, None
    fallback = next(iter(usable_generations(index_dir)), None)
    if fallback is None:
        return None, None
    if live is None:
        why = f"{index_dir / CURRENT} is missing or damaged"
    else:
        why = f"the live generation is damaged ({problem})"
    return fallback, f"{why}; searching {fallback.name}, the newest whole generation (kvsearch index repairs this)"


# --------------------------------------------------------------------------------------------
# Trust: Whoosh unpickles its table of contents, which runs code when read.


def check_trusted(generation: Path) -> None:
    """Refuse a generation that another user could have written: Whoosh unpickles data from
    it, and unpickling runs code. Every file in it (so every file Whoosh may open), the
    generation folder, the index folder, ``CURRENT`` and every folder above must belong to
    this user (or to root, for the folders above) and not be writable by others.

    Raises:
        IndexVersionError: naming the first file or folder that fails, and how to fix it.
    """
    uid = os.getuid()
    index_dir = generation.parent
    to_check: list[tuple[Path, bool]] = [(index_dir, True), (generation, True)]
    current = index_dir / CURRENT
    if current.exists():
        to_check.append((current, True))
    try:
        to_check += [(item, True) for item in generation.iterdir()]
    except OSError:
        pass
    to_check += [(folder, False) for folder in index_dir.resolve().parents]
    for path, strict in to_check:
        try:
            info = path.lstat()
        except OSError:
            continue
        if not _trusted(info, uid, strict):
            raise IndexVersionError(
                f"refusing to open the index: {path} can be written by other users, and an index holds "
                "pickled data that runs as code when read (chmod go-w and chown it, or rebuild the index yourself)"
            )


def _trusted(info: os.stat_result, uid: int, strict: bool) -> bool:
    """Whether nobody but ``uid`` (and root) can change what lies at a path."""
    if stat.S_ISLNK(info.st_mode):
        return not strict and info.st_uid in (0, uid)  # a folder above may be a link; index files not
    if strict:
        return info.st_uid == uid and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if info.st_uid not in (0, uid):
        return False
    if info.st_mode & stat.S_ISVTX:  # /tmp: others may write, but not rename what is ours
        return True
    if info.st_mode & stat.S_IWOTH:
        return False
    return not info.st_mode & stat.S_IWGRP or _private_group(info.st_gid, uid)


@functools.cache
def _private_group(gid: int, uid: int) -> bool:
    """A group that is the user's own and has no other members (user private groups, where
    folders are group-writable by default)."""
    import grp  # only for a group-writable folder: most searches never ask
    import pwd

    try:
        user = pwd.getpwuid(uid)
        group = grp.getgrgid(gid)
    except KeyError:
        return False
    return gid == user.pw_gid and set(group.gr_mem) <= {user.pw_name}


def read_manifest(generation: Path) -> dict[str, Any] | None:
    return read_json(generation / MANIFEST)


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a file of the index (gzip'd when its name ends in .gz), or None when
    it is missing or damaged."""
    try:
        raw = path.read_bytes()
        data = json.loads((zlib.decompress(raw, 31) if path.suffix == ".gz" else raw).decode("utf-8"))
    except (OSError, ValueError, zlib.error):
        return None
    return data if isinstance(data, dict) else None
