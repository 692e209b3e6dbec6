"""The outbox (docs/mail.md): what a caller should hear is written with the change it tells of,
in the same transaction, and then claimed, handed over and marked sent exactly once.
Real databases; no part of the store is mocked (a database trigger makes a change fail)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import peewee as pw
import pytest

from store.db import config, database, journal
from store.db.errors import NotFound, Refused, Unavailable
from store.db.models import Incident, Journal, MailOut
from store.records import outbox
from store.servicedesk import incidents, servicedesk
from tests.conftest import ON_POSTGRES
from tests.mail_helpers import outbox_rows

ADA = "ada@oakfield.sch.uk"
MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)


def log(email: str = ADA, name: str = "Ada Byron"):
    return servicedesk.log_call(
        summary="Projector flickers", requester=name, role="staff", email=email, by="jsmith"
    )


def kinds() -> list[tuple[str, str]]:
    return [(row.kind, row.to_address) for row in outbox_rows()]


def status_of(message_id: int) -> str:
    return MailOut.get_by_id(message_id).status


def with_mail(**changes) -> None:
    """The school's settings in force, with some [mail] settings changed."""
    school = config.current()
    config.use(dataclasses.replace(school, mail=dataclasses.replace(school.mail, **changes)))


# When a message is written


def test_without_a_mail_address_nothing_is_written(school):
    call = log()
    incidents.add_note(call.number, "Ordered a lamp.", public=True, by="jsmith")
    incidents.resolve(call.number, kind="fix", text="New lamp.", by="jsmith")
    servicedesk.confirm_fixed(call.scan)
    assert outbox_rows() == []


def test_a_caller_without_an_address_is_sent_nothing(mail_on):
    call = log(email="")
    incidents.add_note(call.number, "Ordered a lamp.", public=True, by="jsmith")
    incidents.resolve(call.number, kind="fix", text="New lamp.", by="jsmith")
    assert outbox_rows() == []


def test_each_change_the_caller_should_hear_of_writes_one_message_of_its_kind(mail_on):
    call = log()
    incidents.add_note(call.number, "Checked the cable.", public=False, by="jsmith")
    incidents.take(call.number, by="akhan")
    incidents.start(call.number, by="akhan")
    incidents.add_note(call.number, "A new lamp is on order.", public=True, by="akhan")
    incidents.hold(call.number, "Waiting for the lamp", by="akhan")
    incidents.resolve(call.number, kind="workaround", text="Use the spare.", by="akhan")
    incidents.reopen(call.number, "Spare broke", by="akhan")
    incidents.resolve(call.number, kind="fix", text="New lamp fitted.", by="akhan")
    closed = servicedesk.close_unanswered(now=journal.now() + dt.timedelta(days=30))

    assert closed == [call.number]
    assert kinds() == [(kind, ADA) for kind in ("logged", "note", "resolved", "resolved", "closed")]
    rows = outbox_rows()
    assert "A new lamp is on order." in rows[1].body
    assert "A workaround: Use the spare." in rows[2].body
    assert "Fixed: New lamp fitted." in rows[3].body
    assert "did not hear back" in rows[4].body
    assert all(f"[{call.number}]" in row.subject for row in rows)
    assert {row.status for row in rows} == {"waiting"}
    assert len({row.message_id for row in rows}) == 5


def test_the_caller_confirming_writes_one_closed_message(mail_on):
    call = log()
    incidents.resolve(call.number, kind="fix", text="New lamp.", by="jsmith")
    servicedesk.confirm_fixed(call.scan, comment="Thanks!")
    assert [kind for kind, _to in kinds()] == ["logged", "resolved", "closed"]


def test_a_refused_change_writes_no_message(mail_on):
    call = log()
    incidents.add_note(call.number, "Looking at it.", public=True, by="jsmith")  # version moves
    for change in (
        lambda: incidents.add_note(
            call.number, "Stale.", public=True, by="jsmith", seen_version=call.version
        ),
        lambda: incidents.resolve(
            call.number, kind="fix", text="Stale.", by="jsmith", seen_version=call.version
        ),
        lambda: servicedesk.confirm_fixed(call.scan),  # not resolved yet
    ):
        with pytest.raises(Refused):
            change()
    assert [kind for kind, _to in kinds()] == ["logged", "note"]


# A change that fails after its message was queued: neither stays


@pytest.fixture
def refuse(db):
    """Make the database refuse an insert or update with a trigger, as a full disk or a
    constraint would; the triggers are gone after the test."""
    made: list[tuple[str, str]] = []

    def make(name: str, table: str, event: str, when: str = "1 = 1") -> None:
        if ON_POSTGRES:
            db.execute_sql(
                "CREATE OR REPLACE FUNCTION refused_by_test() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'check_violation'; "
                "END $$ LANGUAGE plpgsql"
            )
            db.execute_sql(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW "
                f"WHEN ({when}) EXECUTE FUNCTION refused_by_test()"
            )
        else:
            db.execute_sql(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {when} "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        made.append((name, table))

    yield make
    for name, table in made:
        db.execute_sql(
            f"DROP TRIGGER IF EXISTS {name} ON {table}" if ON_POSTGRES else f"DROP TRIGGER {name}"
        )
    if ON_POSTGRES and made:
        db.execute_sql("DROP FUNCTION IF EXISTS refused_by_test()")


def test_a_message_that_cannot_be_written_undoes_the_change_it_tells_of(mail_on, refuse):
    call = log()
    refuse("refuse_mail", "mail_out", "INSERT")
    with pytest.raises((pw.IntegrityError, Unavailable)):
        incidents.resolve(call.number, kind="fix", text="New lamp.", by="jsmith")
    after = servicedesk.find_call(call.number)
    assert (after.status, after.version) == ("logged", call.version)
    assert [kind for kind, _to in kinds()] == ["logged"]


def test_closing_unanswered_calls_is_all_or_nothing_with_their_messages(mail_on, refuse):
    first, second = log(), log("pat@example.com", "Pat Parent")
    for call in (first, second):
        incidents.resolve(call.number, kind="fix", text="Done.", by="jsmith")
    refuse("refuse_close", "incident", "UPDATE", f"NEW.id = {second.id} AND NEW.status = 'closed'")
    with pytest.raises((pw.IntegrityError, Unavailable)):
        servicedesk.close_unanswered(now=journal.now() + dt.timedelta(days=30))
    # The first call's "closed" message was queued before the second failed: both undone.
    assert servicedesk.find_call(first.number).status == "resolved"
    assert [kind for kind, _to in kinds()].count("closed") == 0


# Claimed, handed over, sent: once


@pytest.fixture
def waiting(mail_on) -> int:
    """One message waiting in the outbox: the caller's log number."""
    log()
    (row,) = outbox_rows()
    assert row.status == "waiting"
    return row.id


def test_a_claimed_message_is_not_claimed_again_until_its_claim_runs_out(waiting):
    now = journal.now()
    got = outbox.claim(now)
    assert (got.id, got.status, got.attempts) == (waiting, "sending", 1)
    assert outbox.claim(now) is None
    assert outbox.claim(now + outbox.CLAIM - SECOND) is None
    again = outbox.claim(now + outbox.CLAIM + SECOND)  # the first sender died before sending
    assert (again.id, again.attempts) == (waiting, 2)


def test_handed_over_then_sent_is_sent_once(waiting):
    now = journal.now()
    outbox.claim(now)
    outbox.handing_over(waiting)
    assert status_of(waiting) == "unsure"
    outbox.sent(waiting)
    row = MailOut.get_by_id(waiting)
    assert (row.status, row.last_error) == ("sent", "")
    assert row.sent_at is not None
    assert outbox.claim(now + dt.timedelta(days=365)) is None
    assert outbox.not_sent() == []
    assert outbox.failed(waiting, "late error", permanent=True) == "sent"  # too late to fail


def test_a_message_that_may_have_gone_is_never_claimed_again_on_its_own(waiting):
    now = journal.now()
    outbox.claim(now)
    outbox.handing_over(waiting)  # ... and the sender was killed here
    assert outbox.claim(now + dt.timedelta(days=365)) is None
    (shown,) = outbox.not_sent()
    assert (shown.id, shown.status_word) == (waiting, "May have gone")


def test_temporary_failures_wait_longer_each_time_then_fail(waiting):
    moment, waits = journal.now(), []
    while True:
        got = outbox.claim(moment)
        assert got is not None and got.id == waiting
        if outbox.failed(waiting, "451 4.3.0 Try again later", permanent=False, now=moment) == (
            "failed"
        ):
            break
        due = MailOut.get_by_id(waiting).next_try_at
        assert outbox.claim(due - SECOND) is None  # not before its time
        waits.append(due - moment)
        moment = due
    assert len(waits) >= 3
    assert waits == [m * MINUTE for m in outbox.BACKOFF_MINUTES[: len(waits)]]
    row = MailOut.get_by_id(waiting)
    assert (row.status, row.last_error) == ("failed", "451 4.3.0 Try again later")
    assert outbox.claim(moment + dt.timedelta(days=30)) is None


def test_every_listed_wait_is_waited_before_a_message_fails(waiting):
    moment, waits = journal.now(), 0
    while outbox.claim(moment) is not None:
        if outbox.failed(waiting, "451 busy", permanent=False, now=moment) == "failed":
            break
        waits += 1
        moment = MailOut.get_by_id(waiting).next_try_at
    assert waits == len(outbox.BACKOFF_MINUTES)


def test_a_permanent_failure_fails_at_once_and_is_not_tried_again(waiting):
    now = journal.now()
    outbox.claim(now)
    assert outbox.failed(waiting, "550 5.1.1 No such user\r\nX-Evil: 1", permanent=True) == "failed"
    row = MailOut.get_by_id(waiting)
    assert row.last_error == "550 5.1.1 No such user X-Evil: 1"
    assert outbox.claim(now + dt.timedelta(days=30)) is None


def test_a_technician_retries_and_cancels_and_it_is_journalled(waiting):
    now = journal.now()
    outbox.claim(now)
    outbox.failed(waiting, "550 no", permanent=True)
    again = outbox.retry(waiting, by="akhan")
    assert again.status == "waiting"
    assert outbox.claim(journal.now()).id == waiting
    outbox.handing_over(waiting)
    assert outbox.retry(waiting, by="akhan").status == "waiting"  # unsure: a person decided
    stopped = outbox.cancel(waiting, by="jsmith")
    assert (stopped.status, stopped.last_error) == ("cancelled", "Cancelled by jsmith.")
    assert waiting not in [m.id for m in outbox.not_sent()]
    assert outbox.retry(waiting, by="jsmith").status == "waiting"  # a cancel can be undone
    trail = [
        (j.who, j.action, j.before, j.after)
        for j in Journal.select()
        .where((Journal.record == "mail_out") & (Journal.record_id == waiting))
        .order_by(Journal.id)
    ]
    assert trail == [
        ("akhan", "retry", "failed", "waiting"),
        ("akhan", "retry", "unsure", "waiting"),
        ("jsmith", "cancel", "waiting", "cancelled"),
        ("jsmith", "retry", "cancelled", "waiting"),
    ]


def test_retry_and_cancel_are_refused_for_sent_messages_and_strangers(waiting):
    outbox.claim()
    outbox.handing_over(waiting)
    outbox.sent(waiting)
    for action in (outbox.retry, outbox.cancel):
        with pytest.raises(Refused, match="is sent"):
            action(waiting, by="jsmith")
    with pytest.raises(Refused, match="not an active technician"):
        outbox.retry(waiting, by="eve")
    with pytest.raises(NotFound):
        outbox.cancel(999_999, by="jsmith")
    log("pat@example.com", "Pat Parent")
    later = outbox_rows()[-1].id
    MailOut.update(next_try_at=journal.now() + dt.timedelta(hours=3)).where(
        MailOut.id == later
    ).execute()
    assert outbox.retry(later, by="jsmith").next_try_at <= journal.now()  # waiting: sooner
    assert status_of(waiting) == "sent"
    assert Journal.select().where(Journal.record == "mail_out").count() == 1


def test_more_than_the_hourly_number_to_one_address_is_held_until_a_technician_sends_it(mail_on):
    call = log()  # replies_per_hour is 5
    for n in range(5):
        incidents.add_note(call.number, f"Update {n}.", public=True, by="jsmith")
    log("pat@example.com", "Pat Parent")
    statuses = [(row.to_address, row.status) for row in outbox_rows()]
    assert statuses == [(ADA, "waiting")] * 5 + [(ADA, "held"), ("pat@example.com", "waiting")]
    held = outbox_rows()[5]
    assert "mail loop" in held.last_error
    assert outbox.retry(held.id, by="jsmith").status == "waiting"


# The school's templates


def test_the_schools_template_beside_the_config_is_used(mail_on, tmp_path):
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "logged.txt").write_text(
        "Subject: Logged: $summary\n\nDear $name, $school has logged $number.\n"
    )
    config.use(dataclasses.replace(config.current(), source=str(tmp_path / "config.toml")))
    log()
    (row,) = outbox_rows()
    assert row.subject == "[INC-000001] Logged: Projector flickers"
    assert row.body == "Dear Ada Byron, Oakfield School has logged INC-000001.\n"
    assert row.last_error == ""


@pytest.mark.parametrize(
    "broken",
    [
        "No subject line here.\n",
        "Subject: [$number] $summary\n\nHello $nmae.\n",
        "Subject: $summary\n\nCosts $5.\n",
        b"Subject: x\n\n\xff\xfe not UTF-8\n",
    ],
)
@pytest.mark.parametrize("where", ["beside the config", "[mail] templates"])
def test_a_broken_school_template_falls_back_to_the_built_in_one_saying_why(
    mail_on, tmp_path, broken, where
):
    folder = tmp_path / "mail" if where == "beside the config" else tmp_path / "templates"
    folder.mkdir()
    path = folder / "resolved.txt"
    path.write_bytes(broken if isinstance(broken, bytes) else broken.encode())
    if where == "beside the config":
        config.use(dataclasses.replace(config.current(), source=str(tmp_path / "config.toml")))
    else:
        with_mail(templates=str(folder))
    call = log()
    incidents.resolve(call.number, kind="fix", text="New lamp.", by="jsmith")

    row = outbox_rows()[-1]
    assert (row.kind, row.status) == ("resolved", "waiting")
    assert row.subject == f"[{call.number}] Is it fixed? Projector flickers"
    assert "Are you happy it is fixed? Reply yes or no." in row.body
    assert str(path) in row.last_error
    assert row.last_error.endswith("The built-in template was used.")
    assert outbox_rows()[0].last_error == ""  # the school's other kinds were fine


# Two senders at once


def test_two_senders_never_claim_the_same_message(mail_on, db_url):
    with_mail(replies_per_hour=1000)
    for n in range(40):
        log(f"caller{n}@oakfield.sch.uk", f"Caller {n}")
    assert len(outbox_rows()) == 40
    database.db.close()
    start = threading.Barrier(2)
    claimed: list[list[int]] = [[], []]
    errors: list[str] = []

    def sender(mine: list[int]) -> None:
        try:
            start.wait()
            while (got := outbox.claim()) is not None:
                mine.append(got.id)
                outbox.handing_over(got.id)
                outbox.sent(got.id)
        except Exception as exc:  # any error here is a failure of the test
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            database.db.close()

    threads = [threading.Thread(target=sender, args=(mine,)) for mine in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert not set(claimed[0]) & set(claimed[1])
    assert sorted(claimed[0] + claimed[1]) == [row.id for row in outbox_rows()]
    assert {row.status for row in outbox_rows()} == {"sent"}
    assert {row.attempts for row in outbox_rows()} == {1}
    assert Incident.select().count() == 40
