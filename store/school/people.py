"""Technicians who work the queue, and the people who call the service desk.

    from store.school import people
    people.add_technician("jsmith", "Jo Smith", roles=["technician", "manager"], by="head")
    people.technician("jsmith")            # -> TechnicianInfo, or NotFound
    people.active_technician("jsmith", "committee")   # the row, or NotAllowed (audited)
    people.deactivate_technician("jsmith", by="head")

Only a manager adds, changes or deactivates technicians, except while the school has
no active manager at all: that is how a new database gets its first one
(docs/security.md). Callers are matched by name, role and group, so the same pupil
logging twice is one person; an email given later is added to them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from store.db import journal
from store.db.database import first_row, insert_row, read, write
from store.db.errors import BadInput, NotAllowed, NotFound, Refused
from store.db.identity import RESERVED, Acting
from store.db.models import ROLES, TECH_ROLES, Person, Technician, holds
from store.db.sanitise import CALLER_NAME, GROUP, LOGIN, PERSON_NAME, clean, clean_email, shown
from store.school import audit  # noqa: F401  (its hook keeps every role check's refusal)

_LOGIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$")


@dataclass(frozen=True)
class TechnicianInfo:
    """A technician as screens see them."""

    login: str
    full_name: str
    roles: tuple[str, ...]
    active: bool

    @property
    def first_name(self) -> str:
        """What a pupil is told: 'Jo has it'."""
        return self.full_name.split()[0] if self.full_name.split() else self.login

    def can(self, role: str) -> bool:
        """Whether this technician holds `role` (a manager can do a technician's work)."""
        return holds(",".join(self.roles), role)

    @property
    def working_for(self) -> str | None:
        """The manager at the keyboard when this desk was opened with --as."""
        return self.login.real if isinstance(self.login, Acting) else None


def _info(tech: Technician) -> TechnicianInfo:
    return TechnicianInfo(tech.login, tech.full_name, tuple(tech.roles.split(",")), tech.active)


def clean_login(value: object) -> str:
    """A login name as given, checked for the shape Unix accepts."""
    login = clean(value, LOGIN)
    if not _LOGIN.match(login):
        raise BadInput(
            f"'{login}' is not a login name: use letters, digits, '.', '_' or '-', "
            "at most 32 characters."
        )
    return login


def clean_roles(roles: Iterable[str]) -> tuple[str, ...]:
    """Roles checked against technician, manager and committee, in that order."""
    given = {str(role).strip().lower() for role in roles} or {"technician"}
    unknown = given - set(TECH_ROLES)
    if unknown:
        raise BadInput(
            f"'{shown(sorted(unknown)[0])}' is not a role: choose from {', '.join(TECH_ROLES)}."
        )
    return tuple(role for role in TECH_ROLES if role in given)


def manager_or_first(by: str, doing: str) -> None:
    """NotAllowed unless `by` is an active manager, or the school has no active manager
    yet (a new database: whoever sets it up is trusted to). Call inside a transaction."""
    managers = [
        row.login
        for row in Technician.select(Technician.login, Technician.roles).where(Technician.active)
        if holds(row.roles, "manager")
    ]
    if managers and str(by) not in managers:
        raise NotAllowed(
            f"Only a manager may {doing}, and {shown(by)} is not one.", who=by, action=doing
        )
    if managers and isinstance(by, Acting):
        raise NotAllowed(
            f"{by.real} is working as {by!s}: {doing} is for {by.real}'s own desk.",
            who=by,
            action=doing,
        )


def refuse_unless_manager(by: str, doing: str) -> None:
    """NotAllowed (and kept) unless `by` may take a manager's step now: for a front end
    to ask before it asks the person for more (a new PIN, say)."""
    with read():
        manager_or_first(by, doing)


def add_technician(
    login: str, full_name: str, *, roles: Iterable[str] = ("technician",), by: str
) -> TechnicianInfo:
    """Add a technician, or bring back a deactivated one with these details (managers
    only, once the school has one)."""
    login = clean_login(login)
    if login in RESERVED:
        raise BadInput(f"'{login}' is a name FITS Desk keeps for itself: it cannot act.")
    full_name = clean(full_name, PERSON_NAME)
    role_text = ",".join(clean_roles(roles))
    with write():
        manager_or_first(by, "add technicians")
        tech = Technician.get_or_none(Technician.login == login)
        if tech is None:
            tech = Technician.create(
                login=login, full_name=full_name, roles=role_text, created_at=journal.now()
            )
            journal.record(by, tech, "add", after=f"{full_name} ({role_text})")
            return _info(tech)
        if tech.active:
            raise BadInput(f"{login} is already a technician.")
        updates = {"full_name": full_name, "roles": role_text, "active": True}
        journal.changes(by, tech, "reactivate", updates)
        Technician.update(**updates).where(Technician.id == tech.id).execute()
        return _info(Technician.get_by_id(tech.id))


def set_roles(login: str, roles: Iterable[str], *, by: str) -> TechnicianInfo:
    """Give an active technician these roles in place of their own (managers only, and
    never taking the manager role from the last manager)."""
    login = clean_login(login)
    role_text = ",".join(clean_roles(roles))
    with write():
        manager_or_first(by, "change technicians' roles")
        tech = Technician.get_or_none(Technician.login == login)
        if tech is None or not tech.active:
            raise NotFound(f"There is no active technician '{login}'.")
        if tech.roles == role_text:
            raise Refused(f"{login} already has just those roles.")
        if holds(tech.roles, "manager") and not holds(role_text, "manager"):
            _keep_a_manager(tech)
        journal.changes(by, tech, "roles", {"roles": role_text})
        Technician.update(roles=role_text).where(Technician.id == tech.id).execute()
        return _info(Technician.get_by_id(tech.id))


def _keep_a_manager(leaving: Technician) -> None:
    others = Technician.select(Technician.roles).where(
        Technician.active & (Technician.id != leaving.id)
    )
    if not any(holds(row.roles, "manager") for row in others):
        raise Refused(
            f"{leaving.login} is the last manager: make someone else a manager first "
            "(fitsdesk tech roles LOGIN --role manager)."
        )


def deactivate_technician(login: str, *, by: str) -> TechnicianInfo:
    """Stop a technician using the desk; their history stays (managers only, and never
    the last active manager)."""
    login = clean_login(login)
    with write():
        manager_or_first(by, "deactivate technicians")
        tech = Technician.get_or_none(Technician.login == login)
        if tech is None:
            raise NotFound(f"There is no technician '{login}'.")
        if not tech.active:
            raise Refused(f"{login} is already deactivated.")
        if holds(tech.roles, "manager"):
            _keep_a_manager(tech)
        journal.changes(by, tech, "deactivate", {"active": False})
        Technician.update(active=False).where(Technician.id == tech.id).execute()
        return _info(Technician.get_by_id(tech.id))


def technician(login: str) -> TechnicianInfo:
    """A technician by login, active or not."""
    login = clean_login(login)
    with read():
        tech = Technician.get_or_none(Technician.login == login)
    if tech is None:
        raise NotFound(f"There is no technician '{login}'.")
    return _info(tech)


def list_technicians(include_inactive: bool = False) -> list[TechnicianInfo]:
    """Technicians by login."""
    with read():
        query = Technician.select().order_by(Technician.login)
        if not include_inactive:
            query = query.where(Technician.active)
        return [_info(tech) for tech in query]


def technician_row(login: object) -> Technician | None:
    """A technician's row by login, active or not, or None. Call inside a transaction."""
    return Technician.get_or_none(Technician.login == str(login))


def active_technician(login: object, role: str = "technician") -> Technician:
    """The row of an active technician who holds `role`, or NotAllowed saying why (kept
    in the audit trail). A login worked by a manager (`identity.Acting`) stays one on the
    row, so the journal rows it writes name both. Call inside a transaction."""
    acting = login if isinstance(login, Acting) else None
    try:
        login = clean_login(login)
    except BadInput:  # a kiosk or the system passing for a person
        raise NotAllowed(f"{shown(login)} is not an active technician.", who=shown(login)) from None
    tech = Technician.get_or_none(Technician.login == login)
    if tech is None or not tech.active:
        raise NotAllowed(f"{login} is not an active technician.", who=acting or login)
    if not holds(tech.roles, role):
        raise NotAllowed(f"{login} does not have the {role} role.", who=acting or login)
    if acting is not None:
        tech.login = acting
    return tech


def named_technician(login: object) -> Technician:
    """The row of the active technician someone names for a part (assignee, owner,
    implementer, peer reviewer), or Refused: naming is input, not a role check."""
    login = clean_login(login)
    tech = Technician.get_or_none(Technician.login == login)
    if tech is None or not tech.active:
        raise Refused(f"{login} is not an active technician.")
    return tech


def acting_as(login: str, *, real: str) -> str:
    """`login` worked by `real` at the keyboard (`identity.Acting`): only an active
    manager may, and only for an active technician. Working as yourself is yourself."""
    wanted = clean_login(login)
    if wanted == real:
        return real
    with read():
        me = technician_row(real)
        if me is None or not me.active or not holds(me.roles, "manager"):
            raise NotAllowed(
                f"Only a manager may work as someone else, and {shown(real)} is not one.",
                who=real,
                action=f"work as {wanted}",
            )
        named_technician(wanted)
    return Acting(wanted, real)


def caller(
    name: object, role: object, group: object = "", email: object = "", *, at: dt.datetime, by: str
) -> int:
    """The id of the person calling, found by name, role and group or added.
    Call inside a transaction."""
    name = clean(name, CALLER_NAME)
    role_text = str(role).strip().lower() if isinstance(role, str) else ""
    if role_text not in ROLES:
        raise BadInput(f"'{shown(role)}' is not a caller role: choose from {', '.join(ROLES)}.")
    group = clean(group, GROUP)
    email = clean_email(email)
    key = "|".join((" ".join(name.casefold().split()), role_text, group.casefold()))
    found = first_row(
        "person by key",
        lambda: Person.select(Person.id, Person.email).where(Person.match_key == ""),
        (key,),
    )
    if found is None:
        values = {
            "name": name,
            "role": role_text,
            "group_name": group,
            "email": email,
            "match_key": key,
            "created_at": at,
        }
        person_id = insert_row(Person, values, unless_there=True)
        if person_id is not None:
            journal.record(by, Person(id=person_id), "add", after=f"{name} ({role_text})", at=at)
            return person_id
        # Someone else added them a moment ago: use theirs.
        found = first_row("person by key", lambda: None, (key,))
    person_id, known_email = found
    if email and known_email != email:
        journal.record(
            by,
            Person(id=person_id),
            "update",
            field="email",
            before=known_email,
            after=email,
            at=at,
        )
        Person.update(email=email).where(Person.id == person_id).execute()
    return person_id
