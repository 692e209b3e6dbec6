"""Technicians who work the queue, and the people who call the service desk.

    from store import people
    people.add_technician("jsmith", "Jo Smith", roles=["technician", "manager"], by="admin")
    people.technician("jsmith")            # -> TechnicianInfo, or NotFound
    people.deactivate_technician("jsmith", by="admin")

Callers are matched by name, role and group, so the same pupil logging twice
is one person; an email given later is added to them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from store import journal
from store.database import first_row, insert_row, read, write
from store.errors import BadInput, NotFound, Refused
from store.models import ROLES, TECH_ROLES, Person, Technician
from store.sanitise import GROUP, LOGIN, PERSON_NAME, clean, clean_email, shown

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
        return role in self.roles or (role == "technician" and "manager" in self.roles)


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


def add_technician(
    login: str, full_name: str, *, roles: Iterable[str] = ("technician",), by: str
) -> TechnicianInfo:
    """Add a technician, or bring back a deactivated one with these details."""
    login = clean_login(login)
    full_name = clean(full_name, PERSON_NAME)
    role_text = ",".join(clean_roles(roles))
    with write():
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


def deactivate_technician(login: str, *, by: str) -> TechnicianInfo:
    """Stop a technician using the desk; their history stays."""
    login = clean_login(login)
    with write():
        tech = Technician.get_or_none(Technician.login == login)
        if tech is None:
            raise NotFound(f"There is no technician '{login}'.")
        if not tech.active:
            raise Refused(f"{login} is already deactivated.")
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


def active_technician(login: object, role: str = "technician") -> Technician:
    """The row of an active technician who holds `role`, or Refused saying why.
    Call inside a transaction."""
    login = clean_login(login)
    tech = Technician.get_or_none(Technician.login == login)
    if tech is None or not tech.active:
        raise Refused(f"{login} is not an active technician.")
    if not _info(tech).can(role):
        raise Refused(f"{login} does not have the {role} role.")
    return tech


def caller(
    name: object, role: object, group: object = "", email: object = "", *, at: dt.datetime, by: str
) -> int:
    """The id of the person calling, found by name, role and group or added.
    Call inside a transaction."""
    name = clean(name, PERSON_NAME)
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
