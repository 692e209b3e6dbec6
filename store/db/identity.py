"""Who is acting: the operating system's account for this process, never the environment.

    from store.db import identity; from store.school import people
    me = identity.login()                        # "jsmith": the passwd entry of the euid
    by = people.acting_as("akhan", real=me)      # a manager working as akhan, or NotAllowed
    by == "akhan", by.real == "jsmith"           # the journal names "jsmith as akhan"

`LOGNAME`, `USER`, `SUDO_USER` and `HOME` are the user's to set, so none of them
decides who acts: `login()` asks the password database for the effective uid, and a
process whose uid has no entry there acts as nobody (`NoAccount`), never as "unknown".

Store functions take the acting login as `by` and check its roles themselves
(docs/security.md lists each rule and where it lives). A manager who opens the desk
as a colleague passes an `Acting`: a login that also remembers who is at the keyboard,
so that every journal row names both and the judgement steps (votes, peer review,
emergency approval) refuse to be taken in someone else's name.
"""

from __future__ import annotations

import os
import pwd

from store.db.errors import FitsDeskError, NotAllowed


class NoAccount(FitsDeskError):
    """The process runs as a uid with no entry in the password database."""

    exit_code = 1


class Acting(str):
    """A technician's login, worked by someone else (`real`, a manager at the keyboard).
    It is equal to the login it stands for, so every rule about that technician holds."""

    real: str

    def __new__(cls, login: str, real: str) -> Acting:
        made = super().__new__(cls, login)
        made.real = real
        return made


def os_account() -> str:
    """The login name of this process's effective uid, from the password database."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        raise NoAccount(
            f"This process runs as uid {uid}, which has no account on this machine: "
            "FITS Desk acts only for a named account."
        ) from None


RESERVED = ("system", "caller", "committee")
"""Names the journal gives to FITS Desk itself, a caller and the change committee: an
account with one of them could pass for them, so it may not act."""


def login() -> str:
    """Who is acting in this process: the account of its effective uid."""
    name = os_account()
    if name in RESERVED:
        raise NoAccount(
            f"The account '{name}' has a name FITS Desk keeps for itself: use a personal account."
        )
    return name


def journal_name(by: str) -> str:
    """How the journal names whoever acts: "jsmith", or "head as jsmith"."""
    return f"{by.real} as {by!s}" if isinstance(by, Acting) else str(by)


def refuse_if_acting(by: str, doing: str) -> None:
    """A judgement that is a person's own (a vote, a peer review, an approval) cannot be
    given in someone else's name, even by a manager."""
    if isinstance(by, Acting):
        raise NotAllowed(
            f"{by.real} is working as {by!s}: {doing} is {by!s}'s own to give.",
            who=journal_name(by),
        )
