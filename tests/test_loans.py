"""Swap and loan: a broken device handed in against a call, a spare lent, and both put back."""

import datetime as dt

import pytest

from store.configuration import assets, loans
from store.db import journal
from store.db.errors import BadInput, FitsDeskError, NotFound, Refused
from store.db.models import Asset, Incident, Journal, Loan, Note
from store.servicedesk import incidents, servicedesk


@pytest.fixture
def desk(school):
    """The school, with two spares on the shelf and a call from Sam about a laptop."""
    assets.add_asset("LAP-0099", kind="laptop", status="spare", by="jsmith")
    assets.add_asset("LAP-0098", kind="laptop", status="spare", by="jsmith")
    assets.add_asset("LAP-0050", kind="laptop", assigned_to="Ann Lee", by="jsmith")
    return servicedesk.log_call(
        summary="Laptop won't charge", requester="Sam Patel", category="laptop", by="jsmith"
    )


def status(tag):
    return assets.asset(tag).status


def state():
    """Everything a refused swap must leave as it was."""
    return (
        sorted((a.tag, a.status, a.version) for a in assets.list_assets()),
        [row.__data__ for row in Incident.select().order_by(Incident.id)],
        Loan.select().count(),
        Note.select().count(),
        Journal.select().count(),
    )


def asset_moves(tag):
    row = Asset.get(Asset.tag == tag)
    return [(e.who, e.action, e.field, e.before, e.after) for e in journal.history("asset", row.id)]


def test_swap_checks_in_the_broken_one_and_lends_the_spare(desk):
    loan = loans.swap(desk.number, handed_in="lap-0042", spare="lap-0099", by="akhan")
    assert (loan.lent, loan.handed_in, loan.borrower, loan.incident) == (
        "LAP-0099",
        "LAP-0042",
        "Sam Patel",
        desk.number,
    )
    assert (loan.lent_by, loan.returned_at, loan.returned_by) == ("akhan", None, None)
    assert (status("LAP-0042"), status("LAP-0099")) == ("in_repair", "on_loan")
    assert loans.out_on_loan() == [loan]

    call = servicedesk.find_call(desk.number)
    assert call.asset == "LAP-0042"  # the call is now about the device handed in
    [note] = call.notes
    assert (note.author, note.public) == ("akhan", False)
    assert note.text == "Checked in LAP-0042 for repair; lent spare LAP-0099 to Sam Patel."

    assert ("akhan", "hand in", "status", "in_use", "in_repair") in asset_moves("LAP-0042")
    lent = asset_moves("LAP-0099")
    assert ("akhan", "lend", "status", "spare", "on_loan") in lent
    assert ("akhan", "lend", "borrower", None, "Sam Patel") in lent
    linked = [(e.action, e.field, e.after) for e in journal.history("incident", desk.id)]
    assert ("link asset", "asset", "LAP-0042") in linked
    assert assets.asset("LAP-0042").version == 2 and assets.asset("LAP-0099").version == 2


def test_swap_can_lend_to_someone_else_and_keeps_the_calls_own_device(desk):
    incidents.link_asset(desk.number, "LAP-0050", by="jsmith")
    loan = loans.swap(
        desk.scan, handed_in="LAP-0042", spare="LAP-0099", borrower=" Mr  Patel ", by="jsmith"
    )
    assert loan.borrower == "Mr Patel"
    assert servicedesk.find_call(desk.number).asset == "LAP-0050"  # not taken over


def test_swap_without_a_device_handed_in_only_lends(desk):
    loan = loans.swap(desk.number, handed_in=None, spare="LAP-0099", by="jsmith")
    assert (loan.lent, loan.handed_in) == ("LAP-0099", None)
    assert status("LAP-0042") == "in_use"
    call = servicedesk.find_call(desk.number)
    assert call.asset is None
    assert [n.text for n in call.notes] == ["Lent spare LAP-0099 to Sam Patel."]


@pytest.mark.parametrize(
    ("handed_in", "spare", "error", "message"),
    [
        ("LAP-0050", "LAP-0042", Refused, r"LAP-0042 is not a spare \(it is in use\)"),
        ("LAP-0099", "lap-0099", BadInput, "the same device"),
        ("LAP-0042", "LAP-9999", BadInput, "No asset is tagged 'LAP-9999'"),
        ("LAP-9999", "LAP-0099", BadInput, "No asset is tagged 'LAP-9999'"),
        ("LAP-0042", "", BadInput, "Scan the spare"),
        ("LAP-0098", "LAP-0099", None, None),  # a spare may be handed in: then lend another
    ],
)
def test_swap_refusals_change_nothing(desk, handed_in, spare, error, message):
    if error is None:
        loans.swap(desk.number, handed_in=handed_in, spare=spare, by="jsmith")
        assert status(handed_in) == "in_repair"
        return
    before = state()
    with pytest.raises(error, match=message):
        loans.swap(desk.number, handed_in=handed_in, spare=spare, by="jsmith")
    assert state() == before  # the hand-in (LAP-0050 in repair) was rolled back too


def test_swap_refuses_a_closed_call_an_unknown_call_and_a_stranger(desk):
    incidents.resolve(desk.number, kind="fix", text="New charger", by="jsmith")
    servicedesk.confirm_fixed(desk.number, by="jsmith")
    before = state()
    with pytest.raises(Refused, match=f"{desk.number} is not open: reopen it first"):
        loans.swap(desk.number, handed_in="LAP-0042", spare="LAP-0099", by="jsmith")
    with pytest.raises(NotFound, match="INC-009999"):
        loans.swap("INC-009999", handed_in="LAP-0042", spare="LAP-0099", by="jsmith")
    with pytest.raises(FitsDeskError, match="not an active technician"):
        loans.swap(desk.number, handed_in="LAP-0042", spare="LAP-0099", by="pupil1")
    assert state() == before


def test_swap_refuses_a_device_already_in_repair_or_retired(desk):
    first = servicedesk.log_call(summary="Another", requester="Ann Lee", by="jsmith")
    loans.swap(first.number, handed_in="LAP-0042", spare="LAP-0098", by="jsmith")
    before = state()
    with pytest.raises(Refused, match="LAP-0042 is in repair: it cannot be handed in"):
        loans.swap(desk.number, handed_in="LAP-0042", spare="LAP-0099", by="jsmith")
    assert state() == before
    assets.retire_asset("LAP-0050", "Sold", by="jsmith")
    with pytest.raises(Refused, match="LAP-0050 is retired"):
        loans.swap(desk.number, handed_in="LAP-0050", spare="LAP-0099", by="jsmith")
    assert status("LAP-0099") == "spare"


def test_return_spare_puts_both_devices_back(desk):
    loans.swap(desk.number, handed_in="LAP-0042", spare="LAP-0099", by="akhan")
    back = loans.return_spare("lap-0099", by="jsmith")
    assert (back.lent, back.returned_by) == ("LAP-0099", "jsmith")
    assert back.returned_at is not None and back.returned_at >= back.lent_at
    assert (status("LAP-0042"), status("LAP-0099")) == ("in_use", "spare")
    assert loans.out_on_loan() == []
    notes = [(n.author, n.public, n.text) for n in servicedesk.find_call(desk.number).notes]
    assert notes[-1] == ("jsmith", False, "Spare LAP-0099 returned; LAP-0042 back with Sam Patel.")
    assert ("jsmith", "return", "status", "on_loan", "spare") in asset_moves("LAP-0099")
    assert ("jsmith", "return", "status", "in_repair", "in_use") in asset_moves("LAP-0042")
    with pytest.raises(Refused, match="LAP-0099 is not out on loan"):
        loans.return_spare("LAP-0099", by="jsmith")
    # and it can go out again
    assert loans.lend("LAP-0099", "Supply teacher", by="jsmith").borrower == "Supply teacher"


def test_return_spare_leaves_a_device_written_off_in_repair_retired(desk):
    loans.swap(desk.number, handed_in="LAP-0042", spare="LAP-0099", by="akhan")
    assets.retire_asset("LAP-0042", "Motherboard gone", by="jsmith")
    loans.return_spare("LAP-0099", by="jsmith")
    assert (status("LAP-0042"), status("LAP-0099")) == ("retired", "spare")
    assert servicedesk.find_call(desk.number).notes[-1].text == "Spare LAP-0099 returned."


def test_return_spare_refuses_unknown_tags_and_devices_never_lent(desk):
    with pytest.raises(NotFound, match="No asset is tagged 'LAP-9999'"):
        loans.return_spare("LAP-9999", by="jsmith")
    with pytest.raises(Refused, match="LAP-0042 is not out on loan"):
        loans.return_spare("LAP-0042", by="jsmith")


def test_lend_with_no_call(desk):
    loan = loans.lend("lap-0098", "  Supply teacher\tin S12 ", by="akhan")
    assert (loan.lent, loan.handed_in, loan.incident) == ("LAP-0098", None, None)
    assert loan.borrower == "Supply teacher in S12"
    assert status("LAP-0098") == "on_loan"
    with pytest.raises(Refused, match=r"LAP-0098 is not a spare \(it is on loan\)"):
        loans.lend("LAP-0098", "Someone else", by="akhan")
    with pytest.raises(Refused, match=r"LAP-0042 is not a spare \(it is in use\)"):
        loans.lend("LAP-0042", "Someone else", by="akhan")
    with pytest.raises(BadInput, match="The name is empty"):
        loans.lend("LAP-0099", " ", by="akhan")
    assert status("LAP-0099") == "spare"
    assert len(loans.out_on_loan()) == 1
    back = loans.return_spare("LAP-0098", by="akhan")
    assert back.returned_by == "akhan" and status("LAP-0098") == "spare"


def test_out_on_loan_is_the_longest_out_first_and_only_what_is_out(desk):
    for tag in ("LAP-0060", "LAP-0061", "LAP-0062"):
        assets.add_asset(tag, kind="laptop", status="spare", by="jsmith")
    first = loans.lend("LAP-0060", "Ann", by="jsmith")
    second = loans.lend("LAP-0061", "Bea", by="jsmith")
    third = loans.lend("LAP-0062", "Cal", by="jsmith")
    back = loans.lend("LAP-0099", "Dee", by="jsmith")
    days = {first.id: 1, second.id: 10, third.id: 5, back.id: 30}
    for loan_id, ago in days.items():
        when = journal.now() - dt.timedelta(days=ago)
        Loan.update(lent_at=when).where(Loan.id == loan_id).execute()
    loans.return_spare("LAP-0099", by="jsmith")
    assert [loan.borrower for loan in loans.out_on_loan()] == ["Bea", "Cal", "Ann"]


def test_loans_of_a_device_as_lent_and_as_handed_in_newest_first(desk):
    device = Asset.get(Asset.tag == "LAP-0042").id
    spare = Asset.get(Asset.tag == "LAP-0099").id
    first = loans.swap(desk.number, handed_in="LAP-0042", spare="LAP-0099", by="jsmith")
    loans.return_spare("LAP-0099", by="jsmith")
    second = loans.lend("LAP-0099", "Ann Lee", by="jsmith")
    assert [loan.id for loan in loans.loans_of(spare)] == [second.id, first.id]
    [only] = loans.loans_of(device)
    assert (only.id, only.handed_in, only.returned_by) == (first.id, "LAP-0042", "jsmith")
    assert loans.loans_of(Asset.get(Asset.tag == "LAP-0050").id) == []


def test_a_device_on_loan_leaves_loan_only_by_coming_back(desk):
    loans.swap(desk.number, handed_in="LAP-0042", spare="LAP-0099", by="jsmith")
    before = state()
    with pytest.raises(Refused, match="LAP-0099 is out on loan"):
        assets.retire_asset("LAP-0099", "Lost", by="jsmith")
    for word in ("retired", "spare", "in use", "in repair"):
        with pytest.raises(Refused, match="LAP-0099 is out on loan: return it first"):
            assets.update_asset("LAP-0099", status=word, by="jsmith")
    assert state() == before
    assert [loan.lent for loan in loans.out_on_loan()] == ["LAP-0099"]
    # what is not the status can still be changed while it is out
    assert assets.update_asset("LAP-0099", serial="5CG1", by="jsmith").status == "on_loan"
