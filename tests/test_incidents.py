"""Incident management: each technician action, and each move the lifecycle refuses."""

import pytest

from store.db import journal
from store.db.errors import BadInput, NotAllowed, NotFound, Refused
from store.db.models import Incident, Journal, Note
from store.school import people
from store.servicedesk import incidents, servicedesk


@pytest.fixture
def call(school):
    return servicedesk.log_call(
        summary="Laptop won't charge",
        requester="Sam Patel",
        location="LIB",
        category="laptop",
        by="jsmith",
    )


def snapshot(number):
    row = Incident.get_by_id(int(number.split("-")[1]))
    return row.__data__, Journal.select().count(), Note.select().count()


def test_take_start_hold_resume_resolve(call):
    taken = incidents.take(call.number, by="akhan")
    assert (taken.status, taken.assignee, taken.assignee_name) == ("assigned", "akhan", "Amir Khan")
    assert taken.responded_at is not None
    started = incidents.start(call.number, by="akhan")
    assert started.status == "in_progress"
    held = incidents.hold(call.number, "Waiting for a power pack", by="akhan")
    assert (held.status, held.hold_reason) == ("on_hold", "Waiting for a power pack")
    resumed = incidents.start(call.number, by="akhan")
    assert (resumed.status, resumed.hold_reason) == ("in_progress", "")
    done = incidents.resolve(call.number, kind="workaround", text="Lent a spare", by="akhan")
    assert (done.status, done.resolution_kind, done.resolution_text) == (
        "resolved",
        "workaround",
        "Lent a spare",
    )
    assert done.responded_at == taken.responded_at  # the first response stays the first


def test_every_change_is_journalled_with_before_and_after(call):
    incidents.take(call.number, by="akhan")
    incidents.hold(call.number, "Part ordered", by="akhan")
    entries = journal.history("incident", call.id)
    moves = [(e.who, e.action, e.field, e.before, e.after) for e in entries]
    assert ("akhan", "assign", "assignee", None, "akhan") in moves
    assert ("akhan", "assign", "status", "logged", "assigned") in moves
    assert ("akhan", "hold", "status", "assigned", "on_hold") in moves
    assert ("akhan", "hold", "hold_reason", "", "Part ordered") in moves


def test_assign_to_someone_else_and_reassign(call):
    assert incidents.assign(call.number, "akhan", by="jsmith").assignee == "akhan"
    incidents.start(call.number, by="akhan")
    moved = incidents.assign(call.number, "jsmith", by="jsmith")
    assert (moved.assignee, moved.status) == ("jsmith", "assigned")
    with pytest.raises(Refused, match="already assigned to jsmith"):
        incidents.assign(call.number, "jsmith", by="jsmith")
    entries = [e for e in journal.history("incident", call.id) if e.field == "assignee"]
    assert [(e.before, e.after) for e in entries] == [(None, "akhan"), ("akhan", "jsmith")]


def test_starting_an_unassigned_call_takes_it(call):
    started = incidents.start(call.number, by="akhan")
    assert (started.status, started.assignee) == ("in_progress", "akhan")


def test_starting_someone_elses_call_is_refused(call):
    incidents.take(call.number, by="akhan")
    with pytest.raises(Refused, match="assigned to akhan: take it first"):
        incidents.start(call.number, by="jsmith")


def test_notes_public_and_private(call):
    incidents.add_note(call.number, "Checked the charger", public=False, by="akhan")
    result = incidents.add_note(call.number, "We have ordered a new one", public=True, by="akhan")
    assert [(n.author, n.public, n.text) for n in result.notes] == [
        ("akhan", False, "Checked the charger"),
        ("akhan", True, "We have ordered a new one"),
    ]
    assert result.responded_at is not None  # a public note is a response to the caller


def test_priority_change_recomputes_from_the_matrix(call):
    changed = incidents.set_priority(call.number, impact="high", urgency="high", by="jsmith")
    assert (changed.impact, changed.urgency, changed.priority) == (1, 1, 1)
    entries = journal.history("incident", call.id)
    assert ("priority", str(call.priority), "1") in [(e.field, e.before, e.after) for e in entries]


def test_resolving_needs_fix_or_workaround_and_words(call):
    with pytest.raises(Refused, match="fix or a workaround"):
        incidents.resolve(call.number, kind="magic", text="x", by="jsmith")
    with pytest.raises(BadInput, match="resolution is empty"):
        incidents.resolve(call.number, kind="fix", text="  ", by="jsmith")
    resolved = incidents.resolve(call.number, kind="fix", text="New charger", by="jsmith")
    assert resolved.assignee == "jsmith"  # whoever resolves a nobody's call owns it


@pytest.mark.parametrize(
    "action",
    [
        lambda n: incidents.take(n, by="akhan"),
        lambda n: incidents.assign(n, "akhan", by="jsmith"),
        lambda n: incidents.start(n, by="jsmith"),
        lambda n: incidents.hold(n, "x", by="jsmith"),
        lambda n: incidents.set_priority(n, impact="low", urgency="low", by="jsmith"),
        lambda n: incidents.resolve(n, kind="fix", text="again", by="jsmith"),
    ],
)
def test_a_closed_call_refuses_work_until_reopened(call, action):
    incidents.resolve(call.number, kind="fix", text="Done", by="jsmith")
    servicedesk.confirm_fixed(call.scan)
    before = snapshot(call.number)
    with pytest.raises(Refused):
        action(call.number)
    assert snapshot(call.number) == before


def test_reopen_a_closed_call_with_a_reason(call):
    incidents.resolve(call.number, kind="fix", text="Done", by="jsmith")
    servicedesk.confirm_fixed(call.scan)
    opened = incidents.reopen(call.number, "Same fault next day", by="jsmith")
    assert (opened.status, opened.reopen_count, opened.closed_at) == ("assigned", 1, None)
    assert opened.notes[-1].text == "Reopened: Same fault next day"
    assert not opened.notes[-1].public
    with pytest.raises(Refused, match="still open"):
        incidents.reopen(call.number, "again", by="jsmith")


def test_hold_needs_an_owner_and_a_reason(call):
    with pytest.raises(Refused, match="Nobody has"):
        incidents.hold(call.number, "Waiting", by="jsmith")
    incidents.take(call.number, by="jsmith")
    with pytest.raises(BadInput, match="reason is empty"):
        incidents.hold(call.number, "", by="jsmith")
    incidents.hold(call.number, "Waiting", by="jsmith")
    with pytest.raises(Refused, match="already on hold"):
        incidents.hold(call.number, "Waiting", by="jsmith")


def test_only_active_technicians_act(call):
    people.deactivate_technician("akhan", by="jsmith")
    with pytest.raises(Refused, match="akhan is not an active technician"):
        incidents.take(call.number, by="akhan")
    with pytest.raises(Refused, match="not an active technician"):
        incidents.assign(call.number, "akhan", by="jsmith")
    with pytest.raises(Refused, match="not an active technician"):
        incidents.add_note(call.number, "hi", public=True, by="pupil")
    with pytest.raises(NotAllowed, match=r"^\[@click=app.quit\] is not an active technician"):
        incidents.take(call.number, by="[@click=app.quit]")


def test_an_unknown_number_is_not_found(school):
    with pytest.raises(NotFound, match="No call matches INC-000999"):
        incidents.take("INC-000999", by="jsmith")


def test_acting_on_a_call_someone_just_changed_is_refused(call):
    seen = servicedesk.find_call(call.number)
    incidents.add_note(call.number, "I'm on it", public=False, by="akhan")
    before = snapshot(call.number)
    with pytest.raises(Refused, match="just changed by akhan: look at it again"):
        incidents.take(call.number, by="jsmith", seen_version=seen.version)
    assert snapshot(call.number) == before
    fresh = servicedesk.find_call(call.number)
    assert incidents.take(call.number, by="jsmith", seen_version=fresh.version).assignee == "jsmith"


def test_notes_take_markup_and_control_characters_as_text(call):
    result = incidents.add_note(
        call.number, "[@click=app.quit]x[/]\x1b]0;pwned\x07\nline 2", public=True, by="jsmith"
    )
    assert result.notes[-1].text == "[@click=app.quit]x[/]]0;pwned\nline 2"


def test_an_oversized_note_is_refused_and_nothing_is_written(call):
    before = snapshot(call.number)
    with pytest.raises(BadInput, match="the most is 4000"):
        incidents.add_note(call.number, "x" * 4001, public=True, by="jsmith")
    assert snapshot(call.number) == before


# Taking a colleague's call (docs/architecture.md: the journal names who)


def test_taking_a_colleagues_call_needs_saying_so_and_names_them(call):
    incidents.take(call.number, by="akhan")
    before = snapshot(call.number)
    with pytest.raises(incidents.ColleaguesCall) as refused:
        incidents.take(call.number, by="jsmith")
    assert str(refused.value) == (
        f"{call.number} is Amir Khan's: say you mean to take it from them."
    )
    assert (refused.value.colleague, refused.value.number) == ("Amir Khan", call.number)
    assert snapshot(call.number) == before  # nothing written
    taken = incidents.take(
        call.number, by="jsmith", from_colleague=True, seen_version=refused.value.version
    )
    assert taken.assignee == "jsmith"
    last = [e for e in journal.history("incident", call.id) if e.field == "assignee"][-1]
    assert (last.who, last.action, last.before, last.after) == (
        "jsmith",
        "take from colleague",
        "akhan",
        "jsmith",
    )


def test_taking_an_unassigned_or_own_call_stays_one_step(call):
    assert incidents.take(call.number, by="akhan", from_colleague=False).assignee == "akhan"
    with pytest.raises(Refused, match="already assigned to akhan"):
        incidents.take(call.number, by="akhan")
    entries = [e for e in journal.history("incident", call.id) if e.field == "assignee"]
    assert [(e.action, e.before, e.after) for e in entries] == [("assign", None, "akhan")]


# Reopening keeps the earlier resolution in the call's history


def test_a_reopened_call_keeps_its_earlier_resolutions(call):
    incidents.resolve(call.number, kind="fix", text="New [b]charger[/b]", by="akhan")
    servicedesk.confirm_fixed(call.scan)
    incidents.reopen(call.number, "Same fault next day", by="jsmith")
    incidents.resolve(call.number, kind="workaround", text="Lent a spare", by="jsmith")
    servicedesk.not_fixed(call.scan, comment="Still dead")
    shown = servicedesk.find_call(call.number)
    assert (shown.status, shown.resolution_text, shown.resolution_kind) == ("assigned", "", None)
    past = shown.past_resolutions
    assert [(p.kind, p.text, p.resolved_by, p.reopened_by) for p in past] == [
        ("fix", "New [b]charger[/b]", "akhan", "jsmith"),
        ("workaround", "Lent a spare", "jsmith", "caller"),
    ]
    assert all(p.resolved_at and p.resolved_at < p.reopened_at for p in past)
    data = shown.to_json(detail=True)
    assert data["resolution"] == ""
    assert [p["text"] for p in data["previous_resolutions"]] == [
        "New [b]charger[/b]",
        "Lent a spare",
    ]
    assert data["previous_resolutions"][0]["resolved_at"].endswith("+00:00")


def test_a_call_never_reopened_has_no_earlier_resolutions(call):
    incidents.resolve(call.number, kind="fix", text="New charger", by="akhan")
    shown = servicedesk.find_call(call.number)
    assert shown.past_resolutions == ()
    assert shown.to_json(detail=True)["previous_resolutions"] == []
