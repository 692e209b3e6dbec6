"""The people a benchmark acts as, made the way a school would: "bench" is the database's
first manager (so it may set the PIN and fill a demo), and the account running the
benchmark is a technician, so the desk it starts opens as itself (docs/security.md).

    from bench.staff import staffed
    staffed()          # after database.connect(url)
"""

from __future__ import annotations

from store.db import identity
from store.school import people


def staffed() -> None:
    """Make "bench" (a manager) and this process's account (a technician), if missing."""
    have = {tech.login for tech in people.list_technicians(include_inactive=True)}
    if "bench" not in have:
        people.add_technician("bench", "Bench Mark", roles=["manager"], by="bench")
    me = identity.login()
    if me not in have and me != "bench":
        people.add_technician(me, "Bench Runner", by="bench")
