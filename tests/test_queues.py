"""The desk's queues in the store: views, counts, sorting, filters, paging, search."""

import datetime as dt

import pytest

from store.configuration import history as asset_history
from store.db import journal
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import Incident
from store.school import notices
from store.service_levels import targets
from store.servicedesk import incidents, queues, servicedesk
from store.servicedesk.queues import Filters


def log(summary="Printer jams", **extra):
    fields = {"requester": "Sam Patel", "location": "LIB", "category": "printer", "by": "jsmith"}
    return servicedesk.log_call(summary=summary, **{**fields, **extra})


@pytest.fixture
def desk(school):
    """A handful of calls in every state."""
    made = {
        "new": log("Projector flickers", category="projector", location="S12"),
        "mine": log("Laptop will not charge", category="laptop", asset="LAP-0042"),
        "theirs": log("Wi-Fi drops in IT1", category="wifi", location="IT1", channel="phone"),
        "held": log("Board pen missing", category="projector"),
        "done": log("Printer out of toner"),
        "closed": log("Email bounces", category="email"),
    }
    incidents.take(made["mine"].number, by="jsmith")
    incidents.take(made["theirs"].number, by="akhan")
    incidents.take(made["held"].number, by="jsmith")
    incidents.hold(made["held"].number, "Waiting for a pen", by="jsmith")
    incidents.resolve(made["done"].number, kind="fix", text="New toner", by="jsmith")
    incidents.resolve(made["closed"].number, kind="fix", text="Fixed", by="jsmith")
    servicedesk.confirm_fixed(made["closed"].number, by="jsmith")
    return {name: call.number for name, call in made.items()}


def numbers(calls):
    return [call.number for call in calls]


def test_each_view_and_its_count(desk):
    assert queues.counts("jsmith") == {
        "open": 4,
        "mine": 2,
        "unassigned": 1,
        "on_hold": 1,
        "resolved": 1,
    }
    assert set(numbers(queues.page("open", me="jsmith"))) == {
        desk["new"],
        desk["mine"],
        desk["theirs"],
        desk["held"],
    }
    assert set(numbers(queues.page("mine", me="jsmith"))) == {desk["mine"], desk["held"]}
    assert numbers(queues.page("unassigned", me="jsmith")) == [desk["new"]]
    assert numbers(queues.page("on_hold", me="jsmith")) == [desk["held"]]
    assert numbers(queues.page("resolved", me="jsmith")) == [desk["done"]]
    assert set(numbers(queues.page("mine", me="akhan"))) == {desk["theirs"]}


def test_open_calls_come_by_priority_then_age_and_sort_by_any_column(desk):
    default = queues.page("open", me="jsmith")
    assert [c.priority for c in default] == sorted(c.priority for c in default)
    by_summary = queues.page("open", me="jsmith", sort="summary")
    assert [c.summary for c in by_summary] == sorted(c.summary for c in by_summary)
    backwards = queues.page("open", me="jsmith", sort="summary", descending=True)
    assert numbers(backwards) == numbers(by_summary)[::-1]
    Incident.update(logged_at=dt.datetime(2020, 1, 1)).where(
        Incident.id == int(desk["theirs"].split("-")[1])
    ).execute()
    assert queues.page("open", me="jsmith", sort="age", descending=True)[0].number == desk["theirs"]
    assert queues.page("open", me="jsmith", sort="age")[-1].number == desk["theirs"]
    for column in queues.SORTS:
        assert len(queues.page("open", me="jsmith", sort=column)) == 4
    with pytest.raises(BadInput, match="sorted by"):
        queues.page("open", me="jsmith", sort="[@click=app.quit]")


def test_filters_narrow_every_view_and_its_count(desk):
    assert numbers(queues.page("open", me="jsmith", filters=Filters(location="it1"))) == [
        desk["theirs"]
    ]
    assert numbers(queues.page("open", me="jsmith", filters=Filters(category="laptop"))) == [
        desk["mine"]
    ]
    assert numbers(queues.page("open", me="jsmith", filters=Filters(channel="phone"))) == [
        desk["theirs"]
    ]
    assert numbers(queues.page("open", me="jsmith", filters=Filters(asset="lap-0042"))) == [
        desk["mine"]
    ]
    high = queues.page("open", me="jsmith", filters=Filters(priority=2))
    assert {c.priority for c in high} == {2}
    assert queues.counts("jsmith", Filters(location="IT1"))["open"] == 1
    for bad in (Filters(priority=9), Filters(channel="pigeon"), Filters(location="[b]")):
        with pytest.raises(BadInput):
            queues.page("open", me="jsmith", filters=bad)


def test_pages_follow_each_other(school):
    for n in range(25):
        log(f"Fault {n}")
    first = queues.page("open", me="jsmith", limit=10)
    second = queues.page("open", me="jsmith", limit=10, offset=10)
    third = queues.page("open", me="jsmith", limit=10, offset=20)
    assert len(third) == 5
    assert len(set(numbers(first + second + third))) == 25
    for bad in ({"limit": 0}, {"limit": 5000}, {"offset": -1}):
        with pytest.raises(BadInput):
            queues.page("open", me="jsmith", **bad)
    with pytest.raises(BadInput, match="no view"):
        queues.page("everything", me="jsmith")
    with pytest.raises(BadInput, match="no technician"):
        queues.page("mine", me="ghost")


def test_search_finds_words_in_summary_description_notes_and_caller(desk):
    incidents.add_note(
        desk["held"], "Ordered a replacement from Promethean", public=False, by="jsmith"
    )
    log("Monitor dark", requester="Ada Lovelace", description="The cable looks chewed")
    assert numbers(queues.search("promethean")) == [desk["held"]]  # a note
    assert numbers(queues.search("chewed")) == numbers(queues.search("lovelace"))  # both
    assert desk["closed"] in numbers(queues.search("email"))  # any status
    assert desk["mine"] in numbers(queues.search("charg"))  # the start of a word
    assert numbers(queues.search("printer toner")) == [desk["done"]]  # every word
    assert queues.search("zebra") == []
    printers = queues.search("printer", filters=Filters(location="LIB"))
    assert printers and all(c.location == "LIB" for c in printers)


def test_search_ranks_the_best_match_first(school):
    log("Printer", description="Nothing else")
    best = log("Printer printer printer", description="The printer again")
    assert queues.search("printer")[0].number == best.number


@pytest.mark.parametrize(
    "nasty",
    [
        "",
        "   ",
        "\x00",
        "[@click=app.quit]",
        '"',
        "*",
        "AND OR",
        "NEAR(",
        "'; DROP TABLE incident; --",
        "x" * 300,
    ],
)
def test_search_takes_anything_typed(desk, nasty):
    try:
        queues.search(nasty)
    except BadInput as refusal:
        assert str(refusal)


def test_change_mark_moves_when_someone_else_changes_something(desk, db_url):
    import threading

    mark = queues.change_mark()

    def elsewhere():  # another connection, as another desk or a kiosk would be
        from store.db import database

        with database.db.connection_context():
            log("Logged from a kiosk")

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert queues.change_mark() != mark
    assert queues.newest_id() == max(Incident.select(Incident.id).tuples())[0]


def test_urgent_calls_since_a_number(school):
    before = queues.newest_id()
    log("Whole room has no network", category="network", impact="high", urgency="high")
    log("Mouse sticky", category="other")
    assert [c.summary for c in queues.urgent_since(before)] == ["Whole room has no network"]


def test_link_an_asset(desk):
    linked = incidents.link_asset(desk["new"], "lap-0042", by="jsmith")
    assert linked.asset == "LAP-0042"
    entry = journal.history("incident", linked.id)[-1]
    assert (entry.field, entry.before, entry.after) == ("asset", None, "LAP-0042")
    with pytest.raises(Refused, match="already about LAP-0042"):
        incidents.link_asset(desk["new"], "LAP-0042", by="jsmith")
    with pytest.raises(BadInput, match="No asset is tagged 'NOPE'"):
        incidents.link_asset(desk["new"], "NOPE", by="jsmith")
    assert incidents.link_asset(desk["new"], None, by="jsmith").asset is None
    with pytest.raises(Refused, match="closed"):
        incidents.link_asset(desk["closed"], "LAP-0042", by="jsmith")


def test_only_a_manager_gives_calls_to_others(desk):
    with pytest.raises(Refused, match="Only a manager"):
        incidents.assign(desk["new"], "jsmith", by="akhan")  # akhan is a technician
    assert incidents.assign(desk["new"], "akhan", by="akhan").assignee == "akhan"
    assert incidents.assign(desk["new"], "jsmith", by="jsmith").assignee == "jsmith"


def test_a_notice_can_be_edited_while_it_shows(school):
    notice = notices.add_notice("Wi-Fi is down", location="LIB", by="jsmith")
    later = journal.now() + dt.timedelta(hours=3)
    edited = notices.edit_notice(
        notice.id, text="Wi-Fi is back after lunch", until=later, by="akhan"
    )
    assert (edited.text, edited.until) == ("Wi-Fi is back after lunch", later)
    assert [e.field for e in journal.history("notice", notice.id)][-2:] == ["text", "until"]
    assert notices.edit_notice(notice.id, until=None, by="akhan").until is None
    with pytest.raises(BadInput):
        notices.edit_notice(notice.id, text="", by="akhan")
    with pytest.raises(NotFound):
        notices.edit_notice(99, text="x", by="akhan")
    notices.withdraw_notice(notice.id, by="akhan")
    with pytest.raises(Refused):
        notices.edit_notice(notice.id, text="again", by="akhan")


def test_an_assets_history_counts_its_last_twelve_months(desk):
    old = log("Old fault", asset="LAP-0042")
    Incident.update(logged_at=dt.datetime(2020, 1, 1)).where(Incident.id == old.id).execute()
    found = asset_history.history("lap-0042")
    assert found.asset.description == "Dell 3440"
    assert numbers(found.calls) == [desk["mine"], old.number]
    assert found.last_twelve_months == 1
    with pytest.raises(NotFound):
        asset_history.history("NOPE-1")


def test_a_filter_naming_nothing_is_said(desk):
    for filters, words in (
        (Filters(location="MARS"), "no location 'MARS'"),
        (Filters(category="lasers"), "no category 'lasers'"),
        (Filters(asset="NOPE-1"), "no device tagged 'NOPE-1'"),
    ):
        with pytest.raises(BadInput, match=words):
            queues.page("open", me="jsmith", filters=filters)
        with pytest.raises(BadInput, match=words):
            queues.counts("jsmith", filters)


# Service levels in the queue (docs/service_levels.md): November is GMT, so these naive UTC
# times are the school's own; with no terms imported every weekday is a school day.
MONDAY_9 = dt.datetime(2026, 11, 23, 9, 0)
H = 3600


@pytest.fixture
def at(school, monkeypatch):
    """The time the store thinks it is, set by the test: [moment]."""
    moment = [MONDAY_9]
    monkeypatch.setattr(journal, "now", lambda: moment[0])
    return moment


def test_the_due_sort_puts_the_soonest_first_and_calls_with_no_due_time_last(at):
    p3 = log("Mouse sticks", impact=2, urgency=2)  # fixed in 3 school days
    p1 = log("Network down", impact=1, urgency=1)  # fixed in 4 hours
    held = log("Pen missing", impact=1, urgency=1)
    incidents.take(held.number, by="jsmith")
    incidents.hold(held.number, "Waiting for a pen", by="jsmith")
    p2 = log("Board dead", impact=1, urgency=2)  # fixed in a school day
    assert (p1.priority, p2.priority, p3.priority) == (1, 2, 3)
    assert numbers(queues.page("open", me="jsmith", sort="due")) == [
        p1.number,
        p2.number,
        p3.number,
        held.number,
    ]
    backwards = queues.page("open", me="jsmith", sort="due", descending=True)
    assert numbers(backwards) == [p3.number, p2.number, p1.number, held.number]


def test_the_time_left_to_answer_then_to_resolve_turns_near_then_late(at):
    call = log("Printer jams", impact=2, urgency=2)  # P3: answer in 4 h, resolve in 3 days
    at[0] = MONDAY_9 + dt.timedelta(hours=1)
    due = queues.due_states([call], at[0])[call.number]
    assert due == queues.Due(respond=3 * H, resolve=int(24.5 * H))
    assert due.first == ("respond", 3 * H)
    at[0] = MONDAY_9 + dt.timedelta(hours=3, minutes=5)  # 77% of the four hours used
    assert queues.due_states([call], at[0])[call.number].state == "near"
    at[0] = MONDAY_9 + dt.timedelta(hours=4, minutes=30)
    due = queues.due_states([call], at[0])[call.number]
    assert (due.respond, due.state, due.first) == (-1800, "late", ("respond", -1800))
    call = incidents.take(call.number, by="jsmith")  # answered, late: the fix is still in time
    due = queues.due_states([call], at[0])[call.number]
    assert due == queues.Due(resolve=21 * H)
    call = incidents.hold(call.number, "Waiting for a part", by="jsmith")
    assert queues.due_states([call], at[0])[call.number] == queues.Due(on_hold=True)
    call = incidents.start(call.number, by="jsmith")
    call = incidents.resolve(call.number, kind="fix", text="New part", by="jsmith")
    assert queues.due_states([call], at[0])[call.number] == queues.Due()


def test_a_call_due_at_closing_is_late_that_evening_and_a_real_clock_counts_every_hour(at):
    at[0] = MONDAY_9.replace(hour=12, minute=30)
    p1 = incidents.take(log("Server down", impact=1, urgency=1).number, by="jsmith")
    assert p1.due_at == MONDAY_9.replace(hour=16, minute=30)
    evening = MONDAY_9.replace(hour=17)
    assert queues.due_states([p1], evening)[p1.number] == queues.Due(resolve=-1, state="late")
    targets.set_target("P1", clock="real", by="jsmith")
    at[0] = evening
    real = incidents.take(log("Email down", impact=1, urgency=1).number, by="jsmith")
    assert real.due_at == evening + dt.timedelta(hours=4)
    later = evening + dt.timedelta(hours=3, minutes=30)
    assert queues.due_states([real], later)[real.number] == queues.Due(resolve=1800, state="near")


def test_breaches_are_found_once_each_in_the_span_they_fell_in(at):
    p1 = log("Network down", impact=1, urgency=1)  # answer by 09:30, resolve by 13:00
    held = log("Projector dead", impact=1, urgency=1)
    incidents.take(held.number, by="jsmith")
    incidents.hold(held.number, "Waiting for a bulb", by="jsmith")
    done = log("Wi-Fi slow", impact=1, urgency=1)
    incidents.resolve(done.number, kind="fix", text="Rebooted", by="jsmith")

    def found(start, end):
        return [(call.number, what) for call, what in queues.breached_since(start, end)]

    def time(hours, minutes=0):
        return MONDAY_9.replace(hour=hours, minute=minutes)

    assert found(time(9), time(9, 29)) == []
    assert found(time(9, 29), time(9, 30)) == [(p1.number, "respond")]
    assert found(time(9, 30), time(9, 31)) == []
    at[0] = time(9, 40)
    incidents.take(p1.number, by="jsmith")
    assert found(time(9, 0), time(13, 0)) == [(p1.number, "resolve")]  # answered: late once
    assert found(time(13, 0), time(13, 0)) == []
