"""Swap and loan: a pupil hands in a broken laptop against their call and goes away with
a spare; when theirs comes back, the spare is returned.

    from store.configuration import loans
    loans.swap("INC-000042", handed_in="LAP-0042", spare="LAP-0099", by="jsmith")
    loans.out_on_loan()                  # what is out, and since when
    loans.return_spare("LAP-0099", by="jsmith")

Both devices, the loan and the call are changed in one transaction, and each
change is journalled; the call gets a private note saying what happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.configuration.assets import asset_row
from store.db import journal
from store.db.database import read, write
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import OPEN, Asset, Incident, Loan, Person
from store.db.numbers import log_number
from store.db.sanitise import PERSON_NAME, clean
from store.records import calls
from store.school import people


@dataclass(frozen=True)
class LoanInfo:
    """One loan of a spare."""

    id: int
    lent: str
    handed_in: str | None
    borrower: str
    incident: str | None
    lent_at: dt.datetime
    lent_by: str
    returned_at: dt.datetime | None = None
    returned_by: str | None = None


def _info(row: Loan) -> LoanInfo:
    lent = Asset.get_by_id(row.lent_id).tag
    handed = Asset.get_by_id(row.handed_in_id).tag if row.handed_in_id else None
    return LoanInfo(
        row.id,
        lent,
        handed,
        row.borrower,
        log_number(row.incident_id) if row.incident_id else None,
        row.lent_at,
        row.lent_by,
        row.returned_at,
        row.returned_by,
    )


def _set(row: Asset, who: str, action: str, status: str) -> None:
    journal.changes(who, row, action, {"status": status})
    Asset.update(status=status, version=row.version + 1).where(Asset.id == row.id).execute()


def _lend(
    spare: Asset, borrower: str, who: str, *, incident: Incident | None, handed_in: Asset | None
) -> Loan:
    if spare.status != "spare":
        raise Refused(f"{spare.tag} is not a spare (it is {spare.status.replace('_', ' ')}).")
    at = journal.now()
    loan = Loan.create(
        incident=incident,
        handed_in=handed_in,
        lent=spare,
        borrower=borrower,
        lent_at=at,
        lent_by=who,
    )
    _set(spare, who, "lend", "on_loan")
    journal.record(who, spare, "lend", field="borrower", after=borrower, at=at)
    return loan


def swap(
    reference: object, *, handed_in: str | None, spare: str, borrower: str | None = None, by: str
) -> LoanInfo:
    """Check `handed_in` in for repair against the call and lend `spare` to its caller
    (or to `borrower`), in one transaction. With no device handed in, it lends the spare
    against the call alone; a spare is always needed."""
    if not spare:
        raise BadInput("Scan the spare that is being lent.")
    try:
        lent = asset_row(spare)
        broken = asset_row(handed_in) if handed_in else None
    except NotFound as exc:
        raise BadInput(str(exc)) from None
    if broken is not None and broken.id == lent.id:
        raise BadInput("The spare and the device handed in are the same device.")
    with write():
        actor = people.active_technician(by)
        row = calls.for_change(reference)
        if row.status not in OPEN:
            raise Refused(f"{log_number(row.id)} is not open: reopen it first.")
        lent = Asset.get_by_id(lent.id)
        who = clean(borrower, PERSON_NAME) if borrower else Person.get_by_id(row.requester_id).name
        if broken is not None:
            broken = Asset.get_by_id(broken.id)
            if broken.status in ("in_repair", "retired", "on_loan"):
                raise Refused(
                    f"{broken.tag} is {broken.status.replace('_', ' ')}: it cannot "
                    "be handed in for repair."
                )
            _set(broken, actor.login, "hand in", "in_repair")
        loan = _lend(lent, who, actor.login, incident=row, handed_in=broken)
        text = (
            f"Checked in {broken.tag} for repair; lent spare {lent.tag} to {who}."
            if broken
            else f"Lent spare {lent.tag} to {who}."
        )
        calls.add_note(row, actor.login, text, public=False)
        if broken is not None and row.asset_id is None:
            journal.record(actor.login, row, "link asset", field="asset", after=broken.tag)
            calls.change(row, actor.login, "link asset", {"asset": broken.id})
        return _info(Loan.get_by_id(loan.id))  # before the commit: see servicedesk.log_call


def lend(spare: str, borrower: str, *, by: str) -> LoanInfo:
    """Lend a spare with no call behind it (a supply teacher's laptop for the day)."""
    who = clean(borrower, PERSON_NAME)
    lent = asset_row(spare)  # the device lent is what this is about: NotFound if unknown
    with write():
        actor = people.active_technician(by)
        loan = _lend(Asset.get_by_id(lent.id), who, actor.login, incident=None, handed_in=None)
        return _info(Loan.get_by_id(loan.id))  # before the commit: see servicedesk.log_call


def return_spare(spare: str, *, by: str) -> LoanInfo:
    """The spare comes back: it is a spare again, and the device handed in for it (if any)
    goes back into use with its owner."""
    lent = asset_row(spare)  # NotFound if no device has that tag
    with write():
        actor = people.active_technician(by)
        loan = (
            Loan.select()
            .where((Loan.lent == lent.id) & Loan.returned_at.is_null())
            .order_by(Loan.id.desc())
            .first()
        )
        if loan is None:
            raise Refused(f"{lent.tag} is not out on loan.")
        at = journal.now()
        Loan.update(returned_at=at, returned_by=actor.login).where(Loan.id == loan.id).execute()
        _set(Asset.get_by_id(lent.id), actor.login, "return", "spare")
        text = f"Spare {lent.tag} returned."
        if loan.handed_in_id:
            back = Asset.get_by_id(loan.handed_in_id)
            if back.status == "in_repair":
                _set(back, actor.login, "return", "in_use")
                text = f"Spare {lent.tag} returned; {back.tag} back with {loan.borrower}."
        if loan.incident_id:
            row = Incident.get_by_id(loan.incident_id)
            calls.add_note(row, actor.login, text, public=False)
        return _info(Loan.get_by_id(loan.id))  # before the commit: see servicedesk.log_call


def out_on_loan() -> list[LoanInfo]:
    """Every spare out now, the longest out first."""
    with read():
        query = Loan.select().where(Loan.returned_at.is_null()).order_by(Loan.lent_at, Loan.id)
        return [_info(row) for row in query]


def loans_of(asset_id: int) -> list[LoanInfo]:
    """Every loan a device was lent in, or handed in for, newest first."""
    with read():
        query = (
            Loan.select()
            .where((Loan.lent == asset_id) | (Loan.handed_in == asset_id))
            .order_by(Loan.lent_at.desc(), Loan.id.desc())
        )
        return [_info(row) for row in query]
