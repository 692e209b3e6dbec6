"""A call's service level clocks (store/service_levels/clocks.py), from its journal, on
the school's hours: the cases GLPI and osTicket get wrong, on both databases."""

import datetime as dt

import pytest

from store.db import journal
from store.db.models import Incident
from store.school import calendar
from store.service_levels import clocks, hours, targets
from store.servicedesk import incidents, servicedesk
from tests.test_school_hours import add_autumn_term, local

HOUR = 3600
DAY = targets.SCHOOL_DAY


@pytest.fixture
def autumn(school):
    add_autumn_term()
    return school


@pytest.fixture
def now(monkeypatch):
    """The time the store thinks it is, set by the test: [moment]."""
    moment = [local(2026, 10, 19, 9, 0)]
    monkeypatch.setattr(journal, "now", lambda: moment[0])
    return moment


def log(impact=3, urgency=3, summary="The printer jams"):
    return servicedesk.log_call(
        summary=summary,
        requester="Sam Lee",
        location="LIB",
        impact=impact,
        urgency=urgency,
        by="jsmith",
    )


def row(call) -> Incident:
    return Incident.get_by_id(call.id)


def test_a_p3_logged_at_1620_on_the_friday_before_half_term_is_not_due_in_the_holiday(autumn, now):
    now[0] = local(2026, 10, 23, 16, 20)
    call = log(impact=2, urgency=2)  # P3: respond in 4 h, resolve in 3 school days
    assert call.priority == 3
    # Ten minutes that Friday, half term and the INSET Monday closed: 3h50 on Tuesday.
    assert call.respond_due_at == local(2026, 11, 3, 11, 50)
    assert call.due_at == local(2026, 11, 5, 16, 20)  # ten minutes + 3 days less ten minutes
    assert clocks.aim_words(call.due_at, now[0]) == "by Thursday 5 November"


def test_inset_days_count_when_the_school_says_so(autumn, now):
    now[0] = local(2026, 10, 23, 16, 20)
    hours.set_cover(inset_open=True, by="jsmith")
    call = log(impact=2, urgency=2)
    assert call.respond_due_at == local(2026, 11, 2, 11, 50)  # the INSET Monday counts
    hours.set_cover(inset_open=False, by="jsmith")
    again = log(impact=2, urgency=2)
    assert again.respond_due_at == local(2026, 11, 3, 11, 50)  # and now it does not


def test_a_p1_at_0755_starts_its_clock_at_eight(autumn, now):
    now[0] = local(2026, 10, 19, 7, 55)
    call = log(impact=1, urgency=1)
    assert call.priority == 1
    assert call.respond_due_at == local(2026, 10, 19, 8, 30)
    assert call.due_at == local(2026, 10, 19, 12, 0)
    targets.set_target("P1", clock="real", by="jsmith")  # a P1 counted every hour
    real = log(impact=1, urgency=1)
    assert real.respond_due_at == local(2026, 10, 19, 8, 25)
    assert real.due_at == local(2026, 10, 19, 11, 55)


def test_a_hold_across_a_weekend_pauses_the_clock_in_school_hours(autumn, now):
    now[0] = local(2026, 10, 15, 9, 0)  # Thursday
    call = log(impact=2, urgency=2)  # P3: 3 school days
    incidents.take(call.number, by="jsmith")
    now[0] = local(2026, 10, 16, 15, 30)  # Friday: 1 day 6.5 h used
    held = incidents.hold(call.number, "Waiting for the toner from the supplier", by="jsmith")
    assert held.due_at is None  # paused: nothing is due while it waits
    now[0] = local(2026, 10, 19, 10, 0)  # Monday: 1.5 h of Monday spent on hold
    back = incidents.start(call.number, by="jsmith")
    used = 7.5 * HOUR + 7.5 * HOUR  # Thursday from 09:00, Friday to 15:30
    assert clocks.measure(row(call)).resolve_secs == used
    left = 3 * DAY - used
    assert back.due_at == clocks.school_clock(now[0]).add(now[0], int(left))
    assert back.due_at == local(2026, 10, 20, 12, 0)  # 6.5 h on Monday, 4 h on Tuesday
    now[0] = local(2026, 10, 20, 11, 0)
    done = incidents.resolve(call.number, kind="fix", text="New toner", by="jsmith")
    assert done.resolve_met is True and done.resolve_secs == used + 6.5 * HOUR + 3 * HOUR
    assert done.due_at is None


def test_a_priority_change_mid_pause_keeps_the_pause_and_the_time_used(autumn, now):
    now[0] = local(2026, 10, 19, 9, 0)  # Monday
    call = log(impact=3, urgency=3)  # P5: 10 school days
    assert call.priority == 5
    incidents.take(call.number, by="jsmith")
    now[0] = local(2026, 10, 19, 11, 0)
    incidents.hold(call.number, "Waiting for the caller to bring it in", by="jsmith")
    now[0] = local(2026, 10, 20, 9, 0)
    changed = incidents.set_priority(call.number, impact=1, urgency=2, by="jsmith")  # P2
    assert changed.priority == 2 and changed.due_at is None  # still on hold, still paused
    now[0] = local(2026, 10, 21, 9, 0)
    back = incidents.start(call.number, by="jsmith")
    # 2 h used before the hold; P2 resolves in one school day: 6.5 h left from 09:00.
    assert clocks.measure(row(call)).resolve_secs == 2 * HOUR
    assert back.due_at == local(2026, 10, 21, 15, 30)


def test_a_reopen_after_the_holiday_runs_the_clock_on_from_where_it_stopped(autumn, now):
    now[0] = local(2026, 10, 22, 9, 0)  # Thursday before half term
    call = log(impact=2, urgency=2)  # P3
    incidents.take(call.number, by="jsmith")
    now[0] = local(2026, 10, 22, 13, 0)
    done = incidents.resolve(call.number, kind="fix", text="Cleared the jam", by="jsmith")
    assert done.resolve_secs == 4 * HOUR and done.resolve_met is True
    now[0] = local(2026, 11, 3, 9, 0)  # after half term and the INSET day
    reopened = servicedesk.not_fixed(call.number, comment="It jams again", by="jsmith")
    assert reopened.resolve_secs is None and reopened.resolve_met is None
    # 3 days less the 4 h used, from 09:00 on Tuesday 3 November.
    assert reopened.due_at == clocks.school_clock(now[0]).add(now[0], 3 * DAY - 4 * HOUR)
    assert reopened.due_at == local(2026, 11, 5, 13, 30)  # 7.5 h, 8.5 h, then 5.5 h


def test_the_result_is_frozen_when_the_clock_stops(autumn, now):
    now[0] = local(2026, 10, 19, 9, 0)
    call = log(impact=2, urgency=2)
    incidents.take(call.number, by="jsmith")
    now[0] = local(2026, 10, 19, 10, 0)
    done = incidents.resolve(call.number, kind="fix", text="Cleared", by="jsmith")
    assert (done.respond_met, done.resolve_met, done.resolve_secs) == (True, True, 3600)
    # A holiday added afterwards over the day, and tighter targets: history stays.
    calendar.add_event(
        "holiday", "Snow day", dt.date(2026, 10, 19), dt.date(2026, 10, 19), by="jsmith"
    )
    targets.set_target("P3", respond="1m", resolve="2m", by="jsmith")
    servicedesk.confirm_fixed(call.number, by="jsmith")
    closed = servicedesk.find_call(call.number)
    assert (closed.respond_met, closed.resolve_met, closed.resolve_secs) == (True, True, 3600)


def test_a_late_response_is_marked_and_the_first_public_note_stops_its_clock(autumn, now):
    now[0] = local(2026, 10, 19, 9, 0)
    call = log(impact=1, urgency=1)  # P1: respond in 30 min
    now[0] = local(2026, 10, 19, 9, 45)
    answered = incidents.add_note(call.number, "Coming now", public=True, by="jsmith")
    assert answered.respond_met is False
    assert row(call).respond_secs == 45 * 60
    private = log(impact=1, urgency=1)
    incidents.add_note(private.number, "Looked at the logs", public=False, by="jsmith")
    assert servicedesk.find_call(private.number).respond_met is None  # not seen by the caller


def test_left_and_words(autumn, now):
    assert clocks.left_words(25 * 60) == "25m"
    assert clocks.left_words(3 * HOUR + 600) == "3h10"
    assert clocks.left_words(2 * DAY) == "2d"
    assert clocks.left_words(-90 * 60) == "1h30 late"
    friday = local(2026, 10, 16, 15, 0)
    assert clocks.left(local(2026, 10, 19, 9, 0), friday) == 2.5 * HOUR  # over the weekend
    assert clocks.left(friday, local(2026, 10, 19, 9, 0)) == -2.5 * HOUR
    assert clocks.aim_words(local(2026, 10, 16, 15, 0), local(2026, 10, 16, 9, 0)) == (
        "by the end of today"
    )
    assert clocks.aim_words(local(2026, 10, 19, 10, 0), friday) == "by Monday morning"
    assert clocks.aim_words(local(2026, 10, 17, 14, 0), friday) == "by tomorrow afternoon"
