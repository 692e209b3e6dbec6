"""The service desk: every call logged with a number, found again, closed when the caller says."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.db import config, journal
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import Incident, Journal, Person
from store.db.sanitise import DESCRIPTION, PERSON_NAME, SUMMARY, clean
from store.records import calls
from store.servicedesk import incidents, servicedesk


def log(**extra):
    fields = {
        "summary": "Projector won't turn on",
        "requester": "Ms Ada Byron",
        "role": "staff",
        "location": "S12",
        "category": "projector",
        "by": "jsmith",
    }
    fields.update(extra)
    return servicedesk.log_call(**fields)


def test_a_call_gets_a_number_from_the_database_and_a_check_code(school):
    first, second = log(), log(summary="Second")
    assert first.number == f"INC-{first.id:06d}"
    assert second.id > first.id
    assert first.scan == f"{first.number}-{first.check_code}"
    assert first.status == "logged"
    assert first.check_code != second.check_code or first.id != second.id


def test_a_call_keeps_everything_the_caller_said(school):
    call = log(
        description="Bulb light flashes orange",
        answers={
            "trying_to_do": "Show a video",
            "happened_instead": "Nothing",
            "already_tried": "Turned it off and on",
            "last_worked": "Yesterday",
            "happened_before": "Once last term",
        },
        group="Science",
        email="ada@school.example",
        channel="phone",
        asset="lap-0042",
    )
    again = servicedesk.find_call(call.number)
    assert again.answers["already_tried"] == "Turned it off and on"
    assert again.requester_group == "Science"
    assert again.requester_email == "ada@school.example"
    assert again.channel == "phone"
    assert again.asset == "LAP-0042"
    assert again.location == "S12"
    assert again.category_label == "Projector or board"


def test_priority_comes_from_impact_and_urgency(school):
    assert log(category="projector").priority == 2  # medium impact x high urgency
    assert log(category="other").priority == 5
    assert log(category="other", impact="high", urgency="high").priority == 1
    config.use(config.Config(matrix=((5, 5, 5), (5, 5, 5), (5, 5, 5))))
    assert log(impact="high", urgency="high").priority == 5


def test_a_kiosk_call_is_placed_at_the_kiosk(school):
    call = log(kiosk="library", location=None, channel="kiosk", role="pupil", by="kiosk:library")
    assert (call.kiosk, call.location, call.channel) == ("library", "LIB", "kiosk")


def test_no_category_means_something_else(school):
    assert log(category=None).category == "other"


def test_the_same_caller_is_one_person_and_gains_an_email(school):
    log(requester="Sam Patel", role="pupil", group="9C")
    log(requester="  sam   PATEL ", role="pupil", group="9c", email="sam@home.example")
    log(requester="Sam Patel", role="pupil", group="10A")  # a different Sam
    sams = list(Person.select().where(Person.role == "pupil"))
    assert len(sams) == 2
    assert {p.email for p in sams} == {"sam@home.example", ""}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("summary", "", "The summary is empty"),
        ("summary", "\x00\x1b\u202e  ", "The summary is empty"),
        ("summary", "x" * 121, "too long: 121 characters, the most is 120"),
        ("description", "y" * 4001, "the most is 4000"),
        ("requester", "", "The caller's name is empty"),
        ("role", "teacher", "not a caller role"),
        ("location", "MARS", "There is no location 'MARS'"),
        ("location", "[bold]", "may only use letters"),
        ("category", "fireworks", "There is no category 'fireworks'"),
        ("asset", "NOPE-1", "No asset is tagged 'NOPE-1'"),
        ("channel", "pigeon", "not a channel"),
        ("impact", "enormous", "not an impact"),
        ("kiosk", "nowhere", "There is no kiosk"),
        ("email", "not-an-email", "does not look like an email"),
        ("answers", {"favourite_colour": "blue"}, "not one of the FITS questions"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(school, field, value, message):
    before = (Incident.select().count(), Journal.select().count(), Person.select().count())
    with pytest.raises(BadInput, match=message):
        log(**{field: value})
    assert (Incident.select().count(), Journal.select().count(), Person.select().count()) == before


def test_markup_and_escapes_are_stored_as_plain_text(school):
    call = log(summary="[@click=app.quit]x[/] \x1b[2J[blink]", requester="Bobby [red]Tables[/]")
    assert call.summary == "[@click=app.quit]x[/] [2J[blink]"
    assert call.requester == "Bobby [red]Tables[/]"


def test_logging_journals_who_and_when(school):
    call = log()
    entries = journal.history("incident", call.id)
    assert [(e.who, e.action, e.after) for e in entries] == [("jsmith", "log", "logged")]
    assert abs((entries[0].at - call.logged_at).total_seconds()) < 1


def test_find_by_number_or_scan_and_a_wrong_code_looks_like_no_call(school):
    call = log()
    assert servicedesk.find_call(str(call.id)).id == call.id
    assert servicedesk.find_call(call.scan.lower()).id == call.id
    wrong = "AAAA" if call.check_code != "AAAA" else "BBBB"
    with pytest.raises(NotFound) as wrong_code:
        servicedesk.find_call(f"{call.number}-{wrong}")
    with pytest.raises(NotFound) as unknown:
        servicedesk.find_call(f"INC-999999-{wrong}")
    assert str(wrong_code.value).replace(call.number, "N") == str(unknown.value).replace(
        "INC-999999", "N"
    )
    with pytest.raises(BadInput):
        servicedesk.find_call("not a number")


def test_the_open_queue_is_in_priority_then_age_order(school):
    low = log(category="other")
    high = log(category="projector")
    older_low = Incident.update(logged_at=dt.datetime(2020, 1, 1)).where(Incident.id == low.id)
    older_low.execute()
    later_high = log(category="projector")
    done = log(category="projector")
    incidents.resolve(done.number, kind="fix", text="Done", by="jsmith")
    queue = [c.id for c in servicedesk.list_calls()]
    assert queue == [high.id, later_high.id, low.id]
    assert [c.id for c in servicedesk.list_calls(limit=1)] == [high.id]
    assert [c.id for c in servicedesk.list_calls(status="resolved")] == [done.id]
    assert len(servicedesk.list_calls(status="all")) == 4


def test_the_queue_filters_by_assignee(school):
    mine, theirs, nobodys = log(), log(), log()
    incidents.take(mine.number, by="jsmith")
    incidents.take(theirs.number, by="akhan")
    assert [c.id for c in servicedesk.list_calls(assignee="jsmith")] == [mine.id]
    assert [c.id for c in servicedesk.list_calls(assignee="none")] == [nobodys.id]
    with pytest.raises(BadInput, match="no technician 'ghost'"):
        servicedesk.list_calls(assignee="ghost")
    with pytest.raises(BadInput, match="not a status"):
        servicedesk.list_calls(status="lost")
    with pytest.raises(BadInput, match="limit"):
        servicedesk.list_calls(limit=0)


def resolved_call():
    call = log()
    return incidents.resolve(call.number, kind="fix", text="New lamp", by="jsmith")


def test_the_caller_confirms_with_the_check_code_and_it_closes(school):
    call = resolved_call()
    with pytest.raises(Refused, match="check code"):
        servicedesk.confirm_fixed(call.number)
    closed = servicedesk.confirm_fixed(call.scan, comment="Thank you!")
    assert (closed.status, closed.closed_how) == ("closed", "confirmed")
    assert closed.closed_at is not None
    assert closed.notes[-1].author == "caller" and closed.notes[-1].public
    with pytest.raises(Refused, match="already closed"):
        servicedesk.confirm_fixed(call.scan)


def test_a_technician_can_record_the_callers_yes(school):
    call = resolved_call()
    closed = servicedesk.confirm_fixed(call.number, by="akhan")
    assert closed.status == "closed"
    assert journal.history("incident", call.id)[-1].who == "akhan"


def test_an_unresolved_call_cannot_be_closed(school):
    call = log()
    with pytest.raises(Refused, match="has not been resolved yet"):
        servicedesk.confirm_fixed(call.scan)
    assert servicedesk.find_call(call.number).status == "logged"


def test_not_fixed_reopens_with_what_the_caller_said(school):
    call = resolved_call()
    again = servicedesk.not_fixed(call.scan, comment="Still flickers")
    assert again.status == "assigned"  # back to the technician who had it
    assert again.reopen_count == 1
    assert again.resolution_kind is None and again.resolved_at is None
    assert again.notes[-1].text == "Not fixed: Still flickers"
    with pytest.raises(Refused, match="still being worked on"):
        servicedesk.not_fixed(call.scan)


def test_a_closed_call_cannot_be_called_not_fixed(school):
    call = resolved_call()
    servicedesk.confirm_fixed(call.scan)
    with pytest.raises(Refused, match="log a new call"):
        servicedesk.not_fixed(call.scan, comment="Broken again")


def test_unanswered_calls_close_after_the_set_school_days(school):
    old, recent, open_call = resolved_call(), resolved_call(), log()
    friday = dt.datetime(2026, 11, 20, 10, 0)
    Incident.update(resolved_at=friday).where(Incident.id == old.id).execute()
    Incident.update(resolved_at=dt.datetime(2026, 11, 23, 10, 0)).where(
        Incident.id == recent.id
    ).execute()
    # Five school days after Friday 10:00 is the next Friday 10:00, not Wednesday.
    assert servicedesk.close_unanswered(5, now=dt.datetime(2026, 11, 25, 12, 0)) == []
    closed = servicedesk.close_unanswered(5, now=dt.datetime(2026, 11, 27, 10, 0))
    assert closed == [old.number]
    result = servicedesk.find_call(old.number)
    assert (result.status, result.closed_how) == ("closed", "unanswered")
    assert servicedesk.find_call(recent.number).status == "resolved"
    assert servicedesk.find_call(open_call.number).status == "logged"
    assert journal.history("incident", old.id)[-1].who == "system"
    with pytest.raises(BadInput):
        servicedesk.close_unanswered(0)


def test_unanswered_uses_the_configured_days(school):
    call = resolved_call()
    config.use(config.Config(close_after_days=1))
    Incident.update(resolved_at=dt.datetime(2026, 11, 23, 9, 0)).where(
        Incident.id == call.id
    ).execute()
    assert servicedesk.close_unanswered(now=dt.datetime(2026, 11, 24, 9, 30)) == [call.number]


def test_a_call_is_plain_data(school):
    call = log()
    school.close()  # no database behind it now
    assert call.to_json()["number"] == call.number
    assert call.status_word == "Logged"
    school.connect()


def test_calls_base_query_names_everything_in_one_query(school):
    log()
    assert calls.base_query().count() == 1


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    summary=st.text(max_size=150), requester=st.text(max_size=90), description=st.text(max_size=300)
)
def test_whatever_is_typed_is_stored_cleanly_or_refused(school, summary, requester, description):
    before = Incident.select().count()
    try:
        call = log(summary=summary, requester=requester, description=description)
    except BadInput:
        assert Incident.select().count() == before
        return
    stored = servicedesk.find_call(call.number)
    assert stored.summary == clean(summary, SUMMARY)
    assert stored.requester == clean(requester, PERSON_NAME)
    assert stored.description == clean(description, DESCRIPTION)
    for text in (stored.summary, stored.requester, stored.description):
        assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text)


def test_calls_numbered_in_one_go_in_the_order_given(school):
    made = [
        servicedesk.log_call(summary=f"Call {n}", requester="Sam Patel", by="jsmith")
        for n in range(3)
    ]
    wanted = [made[2].number, "INC-999999", made[0].number, made[2].number.lower()]
    assert [c.summary for c in servicedesk.calls_numbered(wanted)] == ["Call 2", "Call 0"]
    assert servicedesk.calls_numbered([]) == []
