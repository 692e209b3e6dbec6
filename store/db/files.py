"""Who may open a SQLite database: its group (`db_group`, default fitsdesk), never
everyone. It holds pupils' names.

    from store.db import files as db_files
    db_files.share(Path("/var/lib/fitsdesk/fitsdesk.db"), "fitsdesk")   # what was done
    db_files.findings(Path("/var/lib/fitsdesk/fitsdesk.db"), "fitsdesk") # what is wrong

The file and its -wal and -shm files become mode 0660 and the folder 2770 (setgid, so
the files SQLite makes later get the group too), owned by the group. A folder that
holds anything but the database's own files is left as it is, but for closing it to
others. Where the group does not exist, the files are only closed to others, and the
sentence says how to share them.
"""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

OWN_SUFFIXES = ("", "-wal", "-shm", "-journal")
"""The database file and the files SQLite keeps beside it."""


def _files(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in OWN_SUFFIXES if Path(f"{path}{suffix}").exists()]


def _dedicated(folder: Path, path: Path) -> bool:
    """Whether the folder holds only this database's files (so its mode is ours to set):
    the database, the files SQLite keeps beside it, its backups folder, and databases a
    restore set aside (store.continuity.backups)."""
    own = {f"{path.name}{suffix}" for suffix in OWN_SUFFIXES} | {"backups"}
    aside = f"{path.stem}-replaced-"
    try:
        return all(e.name in own or e.name.startswith(aside) for e in folder.iterdir())
    except OSError:
        return False


def _gid(group: str) -> int | None:
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        return None


def _mode(path: Path) -> str:
    return f"{stat.S_IMODE(path.stat().st_mode):04o}"


def _public(folder: Path) -> bool:
    """Whether the folder is everyone's by design (/tmp, /var/tmp: sticky or writable by
    all): closing it to others would break the machine for every other account."""
    mode = folder.stat().st_mode
    return bool(mode & stat.S_ISVTX or mode & stat.S_IWOTH)


def share(path: Path, group: str) -> list[str]:
    """Give the database to `group` with no access for others; sentences saying what was
    done, and what could not be (a file owned by someone else, say). A folder that is
    everyone's, such as /tmp, is never changed: only the database's files are."""
    path = Path(path)
    folder = path.parent
    gid = _gid(group)
    said: list[str] = []
    if _public(folder):
        try:
            for item in _files(path):
                if gid is not None:
                    os.chown(item, -1, gid)
                os.chmod(item, 0o660 if gid is not None else 0o600)
        except PermissionError:
            pass  # someone else's file: doctor says so (findings)
        return [
            f"{folder} is a folder everyone uses, so it was left as it is and only the "
            "database's files were closed to others: keep a school's database in a folder "
            "of its own, such as /var/lib/fitsdesk."
        ]
    try:
        if gid is not None:
            for item in _files(path):
                os.chown(item, -1, gid)
                os.chmod(item, 0o660)
            if _dedicated(folder, path):
                os.chown(folder, -1, gid)
                os.chmod(folder, 0o2770)
                said.append(
                    f"{folder} and the database in it belong to the group {group} "
                    f"(folder 2770, file 0660): its members can use it, nobody else."
                )
            else:
                os.chmod(folder, stat.S_IMODE(folder.stat().st_mode) & ~0o007)
                said.append(
                    f"The database belongs to the group {group} (0660), nobody else can use "
                    f"it; {folder} holds other files too, so it was only closed to others: "
                    "the group needs to be able to write in it (SQLite keeps its -wal file "
                    "beside the database)."
                )
        else:
            for item in _files(path):
                os.chmod(item, stat.S_IMODE(item.stat().st_mode) & ~0o007)
            os.chmod(folder, stat.S_IMODE(folder.stat().st_mode) & ~0o007)
            said.append(
                f"There is no group {group}, so the database is closed to others and shared "
                f"with nobody. To share it with technicians: sudo groupadd {group}, add each "
                f"of them (sudo usermod -aG {group} LOGIN), then run fitsdesk init again."
            )
    except PermissionError:
        owner = _owner(path if path.exists() else folder)
        said.append(
            f"The database's permissions were left as they are: {owner} owns it, so run "
            "fitsdesk init as that account (or root) to share it with the group "
            f"{group} and close it to others."
        )
    return said


def _owner(path: Path) -> str:
    import pwd

    uid = path.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def sharing(path: Path, group: str) -> str:
    """Who may use the database, in a sentence, when nothing is wrong with it."""
    if _gid(group) is None:
        return (
            f"There is no group {group}, so only {_owner(Path(path))} can use {path}; to "
            f"share it: sudo groupadd {group}, add each technician, then fitsdesk init again."
        )
    return f"{path} is shared with the group {group} and closed to others."


def findings(path: Path, group: str) -> list[str]:
    """What is wrong with who may open the database, one sentence each with its fix."""
    path = Path(path)
    folder = path.parent
    found: list[str] = []
    if not path.exists():
        return [f"There is no database file at {path}: make it with fitsdesk init."]
    for item in [*_files(path), folder]:
        mode = stat.S_IMODE(item.stat().st_mode)
        if mode & 0o007:
            found.append(
                f"{item} can be used by anyone on this machine (mode {mode:04o}), and it "
                "holds pupils' names: run fitsdesk init to close it to others."
            )
    gid = _gid(group)
    if gid is not None:
        for item in _files(path):
            if item.stat().st_gid != gid:
                found.append(
                    f"{item} does not belong to the group {group}: run fitsdesk init as its "
                    "owner to give it to the group."
                )
            elif not item.stat().st_mode & stat.S_IWGRP:
                found.append(
                    f"The group {group} cannot write {item} (mode {_mode(item)}): run "
                    "fitsdesk init as its owner."
                )
    if not os.access(path, os.R_OK | os.W_OK):
        found.append(
            f"This account cannot write {path}: ask its owner ({_owner(path)}) to add you to "
            f"the group {group}."
        )
    elif not os.access(folder, os.W_OK | os.X_OK):
        found.append(
            f"This account cannot write in {folder}, where SQLite keeps the -wal and -shm "
            f"files: run fitsdesk init as {_owner(folder)} to share the folder with {group}."
        )
    return found
