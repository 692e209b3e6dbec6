"""Problem management in the store: raising, linking, the lifecycle, known errors."""

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.db import journal
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import Incident, Journal, Notice, Problem, ProblemIncident
from store.problems import known_errors, problems
from store.school import notices, people
from store.servicedesk import callers, incidents, servicedesk


def log(summary="Printer jams", requester="Sam Patel", **kw):
    kw.setdefault("location", "S12")
    kw.setdefault("category", "printer")
    return servicedesk.log_call(summary=summary, requester=requester, by="jsmith", **kw)


@pytest.fixture
def calls(school):
    """Three printer calls in S12 from three people, and a Wi-Fi call in the Library."""
    return [
        log(requester="Sam Patel", asset="LAP-0042"),
        log(requester="Ann Lee"),
        log(requester="Bo Chen"),
        log(summary="No Wi-Fi", requester="Sam Patel", location="LIB", category="wifi"),
    ]


def state():
    """Everything a refused change must leave as it was."""
    return (
        [row.__data__ for row in Problem.select().order_by(Problem.id)],
        [row.__data__ for row in ProblemIncident.select().order_by(ProblemIncident.id)],
        Journal.select().count(),
        Notice.select().count(),
    )


# Raising and reading


def test_a_problem_raised_from_calls_takes_their_rooms_kinds_and_devices(calls):
    prb = problems.raise_problem(
        "S12 printer keeps jamming", incidents=[c.number for c in calls[:3]], by="akhan"
    )
    assert prb.number == f"PRB-{prb.id:06d}"
    assert (prb.status, prb.status_word, prb.owner, prb.created_by) == (
        "open",
        "Open",
        "akhan",
        "akhan",
    )
    assert [c.number for c in prb.incidents] == [c.number for c in calls[:3]]
    assert {c.via for c in prb.incidents} == {"desk"}
    assert (prb.assets, prb.locations, prb.categories) == (("LAP-0042",), ("S12",), ("printer",))
    assert prb.affected == 3
    assert problems.problem(prb.number.lower()) == prb
    assert problems.problems_of_call(calls[0].number)[0].number == prb.number
    assert problems.problems_of_call(calls[3].number) == []
    assert [e.action for e in problems.history(prb.number)][:2] == ["raise", "link"]
    calls_journal = journal.history("incident", calls[0].id)
    assert calls_journal[-1].after == prb.number


def test_affected_counts_people_not_calls(calls):
    prb = problems.raise_problem("Printing", incidents=[calls[0].number], by="jsmith")
    second = log(requester="Sam Patel")
    prb = problems.link_incidents(prb.number, [second.number, calls[1].number], by="jsmith")
    assert len(prb.incidents) == 3
    assert prb.affected == 2
    assert problems.list_problems()[0].affected == 2
    assert problems.list_problems()[0].incidents == 3


def test_what_is_not_given_is_taken_from_the_calls(calls):
    prb = problems.raise_problem(
        "LAP-0042 printing", incidents=[calls[0].number], assets=["LAP-0042"], by="jsmith"
    )
    assert (prb.assets, prb.locations, prb.categories) == (("LAP-0042",), ("S12",), ("printer",))
    prb = problems.raise_problem(
        "Wi-Fi", incidents=[calls[3].number], locations=["IT1", "LIB"], by="jsmith"
    )
    assert (prb.assets, prb.locations, prb.categories) == ((), ("IT1", "LIB"), ("wifi",))


def test_a_problem_may_be_raised_with_no_calls_and_scope_given(school):
    prb = problems.raise_problem(
        "Disk filling", by="jsmith", locations=["lib"], categories=["Printer"], major=True
    )
    assert (prb.locations, prb.categories, prb.major, prb.incidents) == (
        ("LIB",),
        ("printer",),
        True,
        (),
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"title": ""}, BadInput, "title"),
        ({"title": "x" * 121}, BadInput, "title"),
        ({"title": "ok", "incidents": ["INC-999999"]}, NotFound, "INC-999999"),
        ({"title": "ok", "incidents": ["nonsense"]}, BadInput, "log number"),
        ({"title": "ok", "incidents": ["PRB-000001"]}, BadInput, "incident"),
        ({"title": "ok", "incidents": ["INC-1", "inc-000001"]}, BadInput, "twice"),
        ({"title": "ok", "locations": ["NOWHERE"]}, BadInput, "NOWHERE"),
        ({"title": "ok", "categories": ["toaster"]}, BadInput, "toaster"),
        ({"title": "ok", "assets": ["LAP-9999"]}, BadInput, "LAP-9999"),
        ({"title": "ok", "via": "pigeon"}, BadInput, "pigeon"),
        ({"title": "ok", "by": "nobody"}, Refused, "nobody"),
    ],
)
def test_raising_refuses_bad_input_and_changes_nothing(calls, kwargs, error, words):
    kwargs.setdefault("by", "jsmith")
    before = state()
    with pytest.raises(error, match=words):
        problems.raise_problem(**kwargs)
    assert state() == before


def test_people_text_is_kept_as_typed_and_controls_removed(school):
    prb = problems.raise_problem(
        "[bold]x[/] \x1b[31mred\x00", description="[@click=app.quit]", by="jsmith"
    )
    assert prb.title == "[bold]x[/] [31mred"
    assert prb.description == "[@click=app.quit]"


def test_an_origin_is_raised_once_until_closed(school):
    first = problems.raise_problem("Disk", origin="metric:1", by="system")
    assert first.created_by == "system" and first.owner is None
    assert problems.open_with_origin("metric:1") == first
    with pytest.raises(Refused, match=first.number):
        problems.raise_problem("Disk again", origin="metric:1", by="system")
    problems.close(first.number, reason="Bought a bigger disk", by="jsmith")
    assert problems.open_with_origin("metric:1") is None
    second = problems.raise_problem("Disk again", origin="metric:1", by="system")
    with pytest.raises(Refused, match=second.number):
        problems.reopen(first.number, "It filled again", by="jsmith")


# Links


def test_linking_twice_or_to_a_closed_problem_is_refused(calls):
    prb = problems.raise_problem("Printing", incidents=[calls[0].number], by="jsmith")
    other = problems.raise_problem("Other", by="jsmith")
    before = state()
    with pytest.raises(Refused, match="already linked to " + prb.number):
        problems.link_incidents(prb.number, [calls[1].number, calls[0].number], by="jsmith")
    with pytest.raises(Refused, match="unlink it there first"):
        problems.link_incidents(other.number, [calls[0].number], by="jsmith")
    with pytest.raises(BadInput, match="Say which calls"):
        problems.link_incidents(prb.number, [], by="jsmith")
    with pytest.raises(NotFound, match="PRB-000099"):
        problems.link_incidents("PRB-000099", [calls[1].number], by="jsmith")
    assert state() == before  # all or nothing: calls[1] was not linked either
    problems.close(other.number, reason="Duplicate", by="jsmith")
    with pytest.raises(Refused, match="closed"):
        problems.link_incidents(other.number, [calls[1].number], by="jsmith")


def test_a_call_of_a_closed_problem_may_join_a_new_one(calls):
    old = problems.raise_problem("Old", incidents=[calls[0].number], by="jsmith")
    problems.close(old.number, reason="Wrong cause", by="jsmith")
    new = problems.raise_problem("New", incidents=[calls[0].number], by="jsmith")
    assert [c.number for c in new.incidents] == [calls[0].number]


def test_unlink(calls):
    prb = problems.raise_problem("Printing", incidents=[c.number for c in calls[:2]], by="jsmith")
    prb = problems.unlink_incident(prb.number, calls[0].number, by="akhan")
    assert [c.number for c in prb.incidents] == [calls[1].number]
    with pytest.raises(Refused, match="not linked"):
        problems.unlink_incident(prb.number, calls[0].number, by="akhan")
    assert journal.history("incident", calls[0].id)[-1].action == "unlink problem"


def test_scope_replaces_only_what_is_given(calls):
    prb = problems.raise_problem("Printing", incidents=[calls[0].number], by="jsmith")
    prb = problems.set_scope(prb.number, locations=["LIB", "S12"], by="jsmith")
    assert (prb.locations, prb.categories, prb.assets) == (
        ("LIB", "S12"),
        ("printer",),
        ("LAP-0042",),
    )
    prb = problems.set_scope(prb.number, categories=[], assets=[], by="jsmith")
    assert (prb.locations, prb.categories, prb.assets) == (("LIB", "S12"), (), ())
    actions = [(e.action, e.before) for e in problems.history(prb.number)]
    assert ("no longer affects", "printer") in actions


def test_part_of_refuses_circles_itself_and_closed(school):
    a, b, c = (problems.raise_problem(t, by="jsmith") for t in "abc")
    problems.set_parent(b.number, a.number, by="jsmith")
    problems.set_parent(c.number, b.number, by="jsmith")
    assert problems.problem(a.number).children == (b.number,)
    before = state()
    with pytest.raises(Refused, match="circle"):
        problems.set_parent(a.number, c.number, by="jsmith")
    with pytest.raises(Refused, match="itself"):
        problems.set_parent(a.number, a.number, by="jsmith")
    with pytest.raises(NotFound):
        problems.set_parent(a.number, "PRB-000404", by="jsmith")
    assert state() == before
    problems.set_parent(c.number, None, by="jsmith")
    assert problems.problem(c.number).parent is None


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=12))
def test_no_sequence_of_part_of_makes_a_circle(school, moves):
    """Whatever is asked, following parents from any problem always ends."""
    Problem.update(parent=None).execute()
    ids = [p.id for p in problems.list_problems("all")[:5]]
    while len(ids) < 5:
        ids.append(problems.raise_problem(f"p{len(ids)}", by="jsmith").id)
    for child, parent in moves:
        with contextlib.suppress(Refused):
            problems.set_parent(ids[child], ids[parent], by="jsmith")
    for start in ids:
        seen, step = set(), Problem.get_by_id(start)
        while step.parent_id is not None:
            assert step.id not in seen
            seen.add(step.id)
            step = Problem.get_by_id(step.parent_id)


# The lifecycle


def test_the_whole_lifecycle(calls):
    prb = problems.raise_problem("Printing", incidents=[calls[0].number], by="system")
    prb = problems.investigate(prb.number, by="akhan")
    assert (prb.status, prb.owner) == ("investigating", "akhan")
    with pytest.raises(Refused, match="not open"):
        problems.investigate(prb.number, by="akhan")
    prb = problems.record_cause(prb.number, root_cause="Worn fuser", by="akhan")
    prb = known_errors.publish(prb.number, workaround="Print in the Library", by="akhan")
    assert (prb.status, prb.workaround, prb.public) == (
        "known_error",
        "Print in the Library",
        False,
    )
    with pytest.raises(NotFound, match="no change RFC-000003"):
        problems.start_fix(prb.number, change="RFC-000003", by="akhan")
    from store.changes import changes

    rfc = changes.raise_change("Replace the S12 printer's fuser", by="akhan")
    prb = problems.start_fix(prb.number, change=rfc.number, by="akhan")
    assert (prb.status, prb.change_id) == ("fix_in_progress", rfc.id)
    assert changes.change(rfc.number).problems == (prb.number,)
    with pytest.raises(Refused, match="already has a fix"):
        problems.start_fix(prb.number, by="akhan")
    prb = problems.resolve(prb.number, by="jsmith")
    assert (prb.status, prb.resolver) == ("resolved", "jsmith")
    assert prb.resolved_at is not None
    with pytest.raises(Refused, match="reopen it"):
        problems.link_incidents(prb.number, [calls[1].number], by="jsmith")
    prb = problems.close(prb.number, by="jsmith")
    assert prb.status == "closed" and prb.closed_at is not None
    with pytest.raises(Refused, match="already closed"):
        problems.close(prb.number, by="jsmith")
    prb = problems.reopen(prb.number, "The jams are back", by="akhan")
    assert (prb.status, prb.closed_at, prb.resolved_at) == ("investigating", None, None)
    with pytest.raises(Refused, match="still open"):
        problems.reopen(prb.number, "again", by="akhan")


def test_resolving_needs_a_root_cause_and_closing_early_a_reason(school):
    prb = problems.raise_problem("Printing", by="jsmith")
    before = state()
    with pytest.raises(Refused, match="root cause"):
        problems.resolve(prb.number, by="jsmith")
    with pytest.raises(Refused, match="say why"):
        problems.close(prb.number, by="jsmith")
    with pytest.raises(BadInput, match="reason"):
        problems.reopen(prb.number, "", by="jsmith")
    assert state() == before
    prb = problems.close(prb.number, reason="Not a problem after all", by="jsmith")
    said = [(e.action, e.field, e.after) for e in problems.history(prb.number)]
    assert ("close", "reason", "Not a problem after all") in said


def test_a_change_made_elsewhere_is_refused(school):
    prb = problems.raise_problem("Printing", by="jsmith")
    problems.edit(prb.number, title="Printing in S12", by="akhan")
    with pytest.raises(Refused, match="just changed"):
        problems.investigate(prb.number, by="jsmith", seen_version=prb.version)
    assert problems.problem(prb.number).status == "open"


def test_owner_and_roles(school):
    prb = problems.raise_problem("Printing", by="jsmith")
    prb = problems.set_owner(prb.number, "akhan", by="jsmith")
    assert prb.owner == "akhan"
    with pytest.raises(Refused, match="already owns"):
        problems.set_owner(prb.number, "akhan", by="jsmith")
    people.deactivate_technician("akhan", by="jsmith")
    with pytest.raises(Refused, match="akhan is not an active technician"):
        problems.set_resolver(prb.number, "akhan", by="jsmith")


def test_the_resolver_warning_names_the_calls_they_fixed(calls):
    incidents.resolve(calls[0].number, kind="fix", text="Cleared the jam", by="akhan")
    incidents.resolve(calls[1].number, kind="workaround", text="Used LIB", by="jsmith")
    prb = problems.raise_problem("Printing", incidents=[c.number for c in calls[:2]], by="jsmith")
    assert prb.warnings == ()
    prb = problems.set_resolver(prb.number, "akhan", by="jsmith")
    assert len(prb.warnings) == 1
    assert calls[0].number in prb.warnings[0] and calls[1].number not in prb.warnings[0]
    prb = problems.record_cause(prb.number, root_cause="Fuser", by="jsmith")
    prb = problems.resolve(prb.number, by="jsmith")  # recorded by a manager: akhan's still
    assert prb.resolver == "akhan" and calls[0].number in prb.warnings[0]
    problems.close(prb.number, by="jsmith")
    other = problems.raise_problem("Other", incidents=[calls[1].number], by="jsmith")
    other = problems.resolve(other.number, root_cause="x", by="jsmith")  # nobody named
    assert other.resolver == "jsmith" and calls[1].number in other.warnings[0]


def test_list_by_status_and_search(school):
    a = problems.raise_problem("Printer jams in S12", by="jsmith")
    b = problems.raise_problem("Wi-Fi drops 100% of the time", by="jsmith", major=True)
    problems.close(a.number, reason="dup", by="jsmith")
    assert [p.number for p in problems.list_problems()] == [b.number]
    assert [p.number for p in problems.list_problems("all")] == [b.number, a.number]
    assert [p.number for p in problems.list_problems("closed", search="PRINTER")] == [a.number]
    assert [p.number for p in problems.list_problems("all", search="100%")] == [b.number]
    assert problems.list_problems("all", search="_") == []  # a wildcard in LIKE, not here
    with pytest.raises(BadInput, match="not a problem status"):
        problems.list_problems("nonsense")


# Known errors


def publish_s12(calls, public_text="The S12 printer is broken: use the Library's."):
    prb = problems.raise_problem("S12 printer", incidents=[calls[1].number], by="jsmith")
    return known_errors.publish(
        prb.number, workaround="Send to LIB-PRN", public_text=public_text, by="jsmith"
    )


def test_a_public_known_error_puts_a_notice_on_its_rooms_kiosks(calls):
    prb = publish_s12(calls)
    assert prb.public and prb.status == "known_error"
    assert [n.text for n in notices.current_notices("S12")] == [prb.public_text]
    assert notices.current_notices("LIB") == []
    known_errors.unpublish(prb.number, by="jsmith")
    assert notices.current_notices("S12") == []
    assert problems.problem(prb.number).workaround == "Send to LIB-PRN"


def test_a_school_wide_known_error_shows_on_every_kiosk(school):
    prb = problems.raise_problem("Logins slow", categories=["login"], by="jsmith")
    known_errors.publish(
        prb.number, workaround="Wait", public_text="Logins are slow today", by="jsmith"
    )
    assert [n.text for n in notices.current_notices("LIB")] == ["Logins are slow today"]
    assert [k.number for k in known_errors.at_kiosk("IT1", "login")] == [prb.number]
    assert known_errors.at_kiosk("IT1", "printer") == []


def test_resolving_withdraws_the_notices(calls):
    prb = publish_s12(calls)
    problems.resolve(prb.number, root_cause="Fuser", by="akhan")
    assert notices.current_notices("S12") == []
    assert known_errors.at_kiosk("S12", "printer") == []


def test_at_kiosk_matches_room_and_kind(calls):
    prb = publish_s12(calls)
    assert [k.number for k in known_errors.at_kiosk("S12", "printer")] == [prb.number]
    assert [k.number for k in known_errors.at_kiosk("S12", "Printer")] == [prb.number]
    assert known_errors.at_kiosk("LIB", "printer") == []
    assert known_errors.at_kiosk("S12", "wifi") == []
    assert known_errors.at_kiosk(None, None) == []
    assert known_errors.at_kiosk("NOWHERE", "[bold]") == []


def test_a_private_known_error_is_for_technicians_only(calls):
    prb = problems.raise_problem("S12 printer", incidents=[calls[1].number], by="jsmith")
    known_errors.publish(prb.number, workaround="Send to LIB-PRN", by="jsmith")
    assert known_errors.at_kiosk("S12", "printer") == []
    assert notices.current_notices("S12") == []
    linked = known_errors.for_call(calls[1].number)
    matching = known_errors.for_call(calls[0].number)
    assert [(k.number, k.linked, k.workaround) for k in linked] == [
        (prb.number, True, "Send to LIB-PRN")
    ]
    assert [(k.number, k.linked) for k in matching] == [(prb.number, False)]
    assert known_errors.for_call(calls[3].number) == []
    assert known_errors.for_call("INC-999999") == []


def test_a_device_known_error_matches_calls_about_that_device(school):
    prb = problems.raise_problem("LAP-0042 battery", assets=["LAP-0042"], by="jsmith")
    known_errors.publish(prb.number, workaround="Keep it plugged in", by="jsmith")
    about = log(summary="Dead", asset="LAP-0042", location="IT1", category="laptop")
    other = log(summary="Dead", location="IT1", category="laptop")
    assert [k.number for k in known_errors.for_call(about.number)] == [prb.number]
    assert known_errors.for_call(other.number) == []


def test_add_me_logs_a_linked_call_and_counts_the_person(calls):
    prb = publish_s12(calls)
    call = callers.add_me(
        prb.number,
        summary="Printer",
        requester="Zed Ali",
        location="S12",
        category="printer",
        kiosk="library",
        channel="kiosk",
        by="kiosk:library",
    )
    assert call.scan.startswith(call.number) and len(call.check_code) == 4
    after = problems.problem(prb.number)
    assert [c.number for c in after.incidents][-1] == call.number
    assert after.incidents[-1].via == "kiosk"
    assert after.affected == prb.affected + 1
    assert known_errors.at_kiosk("S12", "printer")[0].affected == after.affected
    assert "Zed Ali" in known_errors.affected_people(prb.number)


def test_add_me_to_a_problem_no_longer_shown_logs_nothing(calls):
    prb = publish_s12(calls)
    problems.resolve(prb.number, root_cause="Fuser", by="akhan")
    before = state()
    with pytest.raises(Refused, match="no longer shown"):
        callers.add_me(prb.number, summary="Printer", requester="Zed", by="caller")
    assert state() == before


def test_publishing_refuses_bad_words_and_late_states(calls):
    prb = problems.raise_problem("S12 printer", by="jsmith")
    with pytest.raises(BadInput, match="workaround"):
        known_errors.publish(prb.number, workaround="  ", by="jsmith")
    with pytest.raises(BadInput, match="kiosk"):
        known_errors.publish(prb.number, workaround="x", public_text="y" * 201, by="jsmith")
    problems.start_fix(prb.number, by="jsmith")
    with pytest.raises(Refused, match="cannot become a known error"):
        known_errors.publish(prb.number, workaround="x", by="jsmith")
    assert notices.current_notices("S12") == []


def test_republishing_replaces_the_notice(calls):
    prb = publish_s12(calls)
    known_errors.publish(prb.number, workaround="x", public_text="Fixed words", by="jsmith")
    assert [n.text for n in notices.current_notices("S12")] == ["Fixed words"]


def test_what_raised_a_problem_is_said_in_words(school):
    from store.problems import capacity

    disk = capacity.add_metric("Backup NAS", capacity=8000, unit="GB", by="jsmith")
    said = {
        f"metric:{disk.id}": "the capacity forecast for Backup NAS",
        "metric:9999": "a capacity forecast",
        "repeat:LAP-0042:laptop": "a trend: repeat Laptop or Chromebook faults on LAP-0042",
        "spike:LIB:wifi:2026-03-10T09:00": (
            "a trend: a spike of Wi-Fi or internet calls in LIB (2026-03-10T09:00)"
        ),
        "rising:printer": "a trend: Printer calls rising week on week",
        "[bold]odd:thing": "[bold]odd:thing",
    }
    for origin, words in said.items():
        assert problems.raise_problem("x", origin=origin, by="system").origin_words == words
    assert problems.raise_problem("by hand", by="jsmith").origin_words == ""


# Resolving a problem resolves its open calls (docs/problems.md)


def test_resolving_a_problem_resolves_its_open_calls_and_asks_each_caller(mail_on):
    from store.db.models import MailOut
    from store.records import outbox  # noqa: F401  (the outbox the callers hear from)

    first = log(requester="Sam Patel", email="sam@oakfield.sch.uk")
    second = log(requester="Ann Lee")
    done = log(requester="Bo Chen")
    copy = log(requester="Di Roe")  # the same fault again: a duplicate of the first
    callers.link_duplicate(Incident.get_by_id(copy.id), Incident.get_by_id(first.id), by="caller")
    incidents.take(second.number, by="akhan")
    incidents.resolve(done.number, kind="fix", text="Cleared the jam", by="akhan")
    prb = problems.raise_problem(
        "S12 printer", incidents=[first.number, second.number, done.number], by="jsmith"
    )
    assert incidents.calls_resolved_with(prb.number) == [first.number, second.number, copy.number]
    mailed = MailOut.select().count()

    prb, resolved = incidents.resolve_problem(prb.number, root_cause="A worn fuser", by="jsmith")

    assert prb.status == "resolved" and prb.root_cause == "A worn fuser"
    assert resolved == [first.number, second.number, copy.number]
    for number, assignee in ((first, "jsmith"), (second, "akhan"), (copy, "jsmith")):
        shown = servicedesk.find_call(number.number)
        assert (shown.status, shown.resolution_kind, shown.assignee) == (
            "resolved",
            "fix",
            assignee,
        )
        assert shown.resolution_text == incidents.PROBLEM_FIXED  # never the root cause
        moves = [(e.action, e.field, e.after) for e in journal.history("incident", shown.id)]
        assert ("resolve with problem", "status", "resolved") in moves
    assert ("resolve with problem", "problem", prb.number) in [
        (e.action, e.field, e.after) for e in journal.history("incident", first.id)
    ]
    assert servicedesk.find_call(done.number).resolution_text == "Cleared the jam"
    assert {c.status for c in prb.incidents} == {"resolved"}
    assert prb.warnings == ()  # resolving with the problem is not "resolved its incidents"
    mail = list(MailOut.select().where(MailOut.id > mailed))
    assert [(m.kind, m.to_address) for m in mail] == [("resolved", "sam@oakfield.sch.uk")]
    assert "Fixed: We found what was causing this fault" in mail[0].body
    assert "worn fuser" not in mail[0].body
    # each caller confirms on their own call, as after any resolve
    assert callers.caller_view(first.scan, kiosk="library").can_answer
    assert servicedesk.confirm_fixed(second.scan).status == "closed"


def test_the_callers_words_can_be_given_and_calls_kept_open(calls):
    prb = problems.raise_problem("Printing", incidents=[calls[0].number], by="jsmith")
    for fix, words in ((" ", "is empty"), ("x" * 4001, "4000")):
        with pytest.raises(BadInput, match=f"What the callers are told .*{words}"):
            incidents.resolve_problem(prb.number, root_cause="Fuser", fix=fix, by="jsmith")
    assert problems.problem(prb.number).status == "open"  # nothing written
    prb, resolved = incidents.resolve_problem(
        prb.number, root_cause="Fuser", fix="The printer has a [b]new\x1b part[/b].", by="jsmith"
    )
    said = servicedesk.find_call(calls[0].number).resolution_text
    assert said == "The printer has a [b]new part[/b]."
    other = problems.raise_problem("Wi-Fi", incidents=[calls[3].number], by="jsmith")
    other, resolved = incidents.resolve_problem(
        other.number, root_cause="AP", keep_calls_open=True, by="jsmith"
    )
    assert (other.status, resolved) == ("resolved", [])
    assert servicedesk.find_call(calls[3].number).status == "logged"


def test_a_refused_problem_resolve_resolves_no_call(calls):
    prb = problems.raise_problem("Printing", incidents=[calls[0].number], by="jsmith")
    people.deactivate_technician("akhan", by="jsmith")
    before = state(), Incident.get_by_id(calls[0].id).__data__
    with pytest.raises(Refused, match="root cause"):
        incidents.resolve_problem(prb.number, by="jsmith")
    with pytest.raises(Refused, match="not an active technician"):
        incidents.resolve_problem(prb.number, root_cause="Fuser", by="akhan")
    with pytest.raises(Refused, match="just changed"):
        incidents.resolve_problem(prb.number, root_cause="x", by="jsmith", seen_version=0)
    assert (state(), Incident.get_by_id(calls[0].id).__data__) == before


# The root cause and workaround keep their history (docs/problems.md)


def test_a_new_cause_or_workaround_keeps_the_earlier_ones(calls):
    prb = problems.raise_problem("Printing", incidents=[calls[0].number], by="jsmith")
    problems.record_cause(prb.number, root_cause="Damp paper", by="akhan")
    known_errors.publish(
        prb.number, workaround="Use LIB-PRN", root_cause="Worn [b]fuser[/b]", by="jsmith"
    )
    known_errors.publish(prb.number, workaround="Use IT1-PRN", by="akhan")
    prb, _ = incidents.resolve_problem(prb.number, root_cause="A bad fuser batch", by="jsmith")
    assert prb.root_cause == "A bad fuser batch"
    assert [(w.text, w.who) for w in prb.root_cause_history] == [
        ("Damp paper", "akhan"),
        ("Worn [b]fuser[/b]", "jsmith"),
        ("A bad fuser batch", "jsmith"),
    ]
    assert [w.text for w in prb.earlier_root_causes] == ["Worn [b]fuser[/b]", "Damp paper"]
    assert [w.text for w in prb.earlier_workarounds] == ["Use LIB-PRN"]
    kept = [(e.before, e.after) for e in problems.history(prb.number) if e.field == "root_cause"]
    assert kept == [
        ("", "Damp paper"),
        ("Damp paper", "Worn [b]fuser[/b]"),
        ("Worn [b]fuser[/b]", "A bad fuser batch"),
    ]
    data = prb.to_json()
    assert [w["text"] for w in data["workaround_history"]] == ["Use LIB-PRN", "Use IT1-PRN"]
    assert data["root_cause_history"][0]["by"] == "akhan"
    assert data["root_cause_history"][0]["at"].endswith("+00:00")
