"""No sequence of actions reaches a state the FITS rules forbid (a hypothesis state machine).

The machine keeps its own small model of the lifecycle, written from docs/architecture.md
rather than from the store, and checks after every step that the store
agreed: an allowed move happened and was journalled, a forbidden one was
refused and changed nothing, and the record is always consistent.
"""

import datetime as dt

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from store.db import config
from store.db.errors import Refused
from store.db.models import OPEN, STATUSES, Incident, Journal
from store.servicedesk import incidents, servicedesk

TECHS = ("jsmith", "akhan")
LATER = dt.datetime(2099, 1, 1)


class Lifecycle(RuleBasedStateMachine):
    """One call, driven by technicians and its caller in any order."""

    @initialize()
    def log(self):
        self.call = servicedesk.log_call(
            summary="Laptop won't charge",
            requester="Sam",
            location="LIB",
            category="laptop",
            by="jsmith",
        )
        self.status, self.assignee = "logged", None

    def act(self, allowed, action, then=None):
        """Run `action`; it must succeed exactly when the model says `allowed`."""
        row_before = Incident.get_by_id(self.call.id).__data__
        journal_before = Journal.select().count()
        try:
            result = action()
        except Refused:
            assert not allowed, "the store refused a move the rules allow"
            assert Incident.get_by_id(self.call.id).__data__ == row_before
            assert Journal.select().count() == journal_before
            return
        assert allowed, "the store allowed a move the rules forbid"
        assert Journal.select().count() > journal_before
        if then:
            then()
        if result is not None and hasattr(result, "status"):
            assert result.status == self.status
            assert result.version > row_before["version"]

    @rule(tech=st.sampled_from(TECHS), from_colleague=st.booleans())
    def take(self, tech, from_colleague):
        # A colleague's call is taken only when the technician says so.
        allowed = (
            self.status in OPEN
            and self.assignee != tech
            and (self.assignee is None or from_colleague)
        )

        def then():
            self.status, self.assignee = "assigned", tech

        self.act(
            allowed,
            lambda: incidents.take(self.call.number, by=tech, from_colleague=from_colleague),
            then,
        )

    @rule(tech=st.sampled_from(TECHS))
    def start(self, tech):
        allowed = self.status in ("logged", "assigned", "on_hold") and self.assignee in (None, tech)

        def then():
            self.status, self.assignee = "in_progress", tech

        self.act(allowed, lambda: incidents.start(self.call.number, by=tech), then)

    @rule(tech=st.sampled_from(TECHS))
    def hold(self, tech):
        allowed = self.status in ("assigned", "in_progress") and self.assignee is not None

        def then():
            self.status = "on_hold"

        self.act(allowed, lambda: incidents.hold(self.call.number, "Waiting", by=tech), then)

    @rule(tech=st.sampled_from(TECHS), public=st.booleans())
    def note(self, tech, public):
        self.act(
            True, lambda: incidents.add_note(self.call.number, "Looked", public=public, by=tech)
        )

    @rule(tech=st.sampled_from(TECHS), impact=st.integers(1, 3), urgency=st.integers(1, 3))
    def prioritise(self, tech, impact, urgency):
        row = Incident.get_by_id(self.call.id)
        allowed = self.status in OPEN and (row.impact, row.urgency) != (impact, urgency)
        self.act(
            allowed,
            lambda: incidents.set_priority(
                self.call.number, impact=impact, urgency=urgency, by=tech
            ),
        )

    @rule(tech=st.sampled_from(TECHS), kind=st.sampled_from(("fix", "workaround")))
    def resolve(self, tech, kind):
        def then():
            self.status = "resolved"
            self.assignee = self.assignee or tech

        self.act(
            self.status in OPEN,
            lambda: incidents.resolve(self.call.number, kind=kind, text="Done", by=tech),
            then,
        )

    @rule(by_tech=st.booleans())
    def caller_says_fixed(self, by_tech):
        def then():
            self.status = "closed"

        self.act(
            self.status == "resolved",
            lambda: servicedesk.confirm_fixed(
                self.call.number if by_tech else self.call.scan, by="akhan" if by_tech else None
            ),
            then,
        )

    @rule()
    def caller_says_not_fixed(self):
        def then():
            self.status = "assigned" if self.assignee else "logged"

        self.act(
            self.status == "resolved",
            lambda: servicedesk.not_fixed(self.call.scan, comment="Still broken"),
            then,
        )

    @rule(tech=st.sampled_from(TECHS))
    def reopen(self, tech):
        def then():
            self.status = "assigned" if self.assignee else "logged"

        self.act(
            self.status in ("resolved", "closed"),
            lambda: incidents.reopen(self.call.number, "Back again", by=tech),
            then,
        )

    @rule()
    def time_passes(self):
        closed = servicedesk.close_unanswered(5, now=LATER)
        if self.status == "resolved":
            assert self.call.number in closed
            self.status = "closed"
        else:
            assert self.call.number not in closed

    @invariant()
    def the_record_is_consistent(self):
        if not hasattr(self, "call"):
            return
        row = Incident.get_by_id(self.call.id)
        assert row.status in STATUSES
        assert row.status == self.status
        assert (row.assignee.login if row.assignee else None) == self.assignee
        assert row.priority == config.current().priority(row.impact, row.urgency)
        if row.status == "logged":
            assert row.assignee is None
        if row.status in ("assigned", "in_progress", "on_hold"):
            assert row.assignee is not None
        if row.status == "on_hold":
            assert row.hold_reason
        else:
            assert not row.hold_reason
        if row.status in OPEN:
            assert row.resolved_at is None and row.resolution_kind is None
            assert row.closed_at is None and row.closed_how is None
        if row.status in ("resolved", "closed"):
            assert row.resolved_at is not None and row.resolution_kind in ("fix", "workaround")
            assert row.resolution_text
        if row.status == "resolved":
            assert row.closed_at is None
        if row.status == "closed":
            assert row.closed_at is not None and row.closed_how in ("confirmed", "unanswered")
        if row.responded_at is not None:
            assert row.responded_at >= row.logged_at


def test_no_sequence_of_actions_breaks_the_lifecycle(school):
    Lifecycle.TestCase.settings = settings(
        max_examples=50,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    Lifecycle.TestCase().runTest()
