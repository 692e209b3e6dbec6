"""The store behind the kiosk: notices, the exit PIN, limits, reports and checking a call."""

import datetime as dt

import pytest

from store.db import config, journal
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import Attempt, Incident, Journal, Note, Setting
from store.school import kiosks, notices
from store.servicedesk import callers, incidents, servicedesk

REPORT = {
    "summary": "Laptop won't charge",
    "requester": "Sam Patel",
    "role": "pupil",
    "group": "9C",
    "location": "LIB",
    "category": "laptop",
}


def test_notices_show_at_their_room_and_everywhere(school):
    later = journal.now() + dt.timedelta(hours=2)
    room = notices.add_notice(
        "Wi-Fi is down in the Library, we're on it", location="lib", until=later, by="jsmith"
    )
    everyone = notices.add_notice("Printers are slow today", by="jsmith")
    notices.add_notice("Science lab 12 projector is being replaced", location="S12", by="jsmith")
    assert [n.id for n in notices.current_notices("LIB")] == [room.id, everyone.id]
    assert [n.id for n in notices.current_notices(None)] == [everyone.id]
    assert notices.current_notices("LIB", now=later + dt.timedelta(seconds=1))[0].id == everyone.id
    notices.withdraw_notice(everyone.id, by="jsmith")
    assert [n.id for n in notices.current_notices("LIB")] == [room.id]
    with pytest.raises(Refused, match="no longer showing"):
        notices.withdraw_notice(everyone.id, by="jsmith")
    assert [e.action for e in journal.history("notice", everyone.id)] == ["post", "withdraw"]


@pytest.mark.parametrize(
    "text, extra, message",
    [
        ("", {}, "The notice is empty"),
        ("x" * 201, {}, "the most is 200"),
        ("ok", {"location": "MARS"}, "no location 'MARS'"),
        ("ok", {"until": dt.datetime(2000, 1, 1)}, "already passed"),
        ("ok", {"until": dt.datetime(2999, 1, 1)}, "a year at the most"),
    ],
)
def test_bad_notices_are_refused(school, text, extra, message):
    with pytest.raises(BadInput, match=message):
        notices.add_notice(text, by="jsmith", **extra)
    assert notices.list_notices(include_old=True) == []


def test_the_pin_is_stored_hashed_and_checked(school):
    assert not kiosks.pin_is_set()
    assert not kiosks.check_pin("482913", kiosk="library")  # no PIN set: nobody leaves
    kiosks.set_pin("482913", by="jsmith")
    stored = Setting.get(Setting.key == kiosks.PIN_KEY).value
    assert "482913" not in stored and stored.startswith("scrypt$")
    assert kiosks.check_pin("482913", kiosk="library")
    assert not kiosks.check_pin("482914", kiosk="library")
    assert not kiosks.check_pin("[@click=app.quit]", kiosk="library")
    assert Attempt.select().where(Attempt.kind == "pin").count() == 3


def test_the_pins_hash_names_its_cost_so_raising_it_locks_nobody_out(school, monkeypatch):
    import hashlib

    kiosks.set_pin("482913", by="jsmith")
    stored = Setting.get(Setting.key == kiosks.PIN_KEY).value
    scheme, cost, salt, digest = stored.split("$")
    assert (scheme, cost) == ("scrypt", "n=16384,r=8,p=1") and len(bytes.fromhex(salt)) == 16
    assert len(bytes.fromhex(digest)) == 32
    # A hash made before costs were stored (scrypt$salt$digest) still lets its PIN in.
    old = hashlib.scrypt(b"482913", salt=b"s" * 16, n=2**14, r=8, p=1, dklen=32).hex()
    Setting.update(value=f"scrypt${(b's' * 16).hex()}${old}").execute()
    assert kiosks.check_pin("482913", kiosk="library")
    # Raise the cost: the PIN set before still works; one set now is stored dearer.
    Setting.update(value=stored).execute()
    monkeypatch.setattr(kiosks, "SCRYPT", {"n": 2**15, "r": 8, "p": 1})
    assert kiosks.check_pin("482913", kiosk="library")
    kiosks.set_pin("604217", by="jsmith")
    raised = Setting.get(Setting.key == kiosks.PIN_KEY).value
    assert raised.split("$")[1] == "n=32768,r=8,p=1"
    assert kiosks.check_pin("604217", kiosk="library")
    # A hash edited to cost the machine, or malformed, lets nobody in and raises nothing.
    for bad in (
        raised.replace("n=32768", "n=1048576"),
        raised.replace("n=32768", "n=1000"),
        raised.replace("n=32768,r=8,p=1", "n=x"),
        "scrypt$zz$zz",
        "md5$abc",
        "",
    ):
        Setting.update(value=bad).execute()
        assert not kiosks.check_pin("604217", kiosk="library")


@pytest.mark.parametrize(
    "pin", ["", "12", "1234567890123", "abcd", "1111", "1234", "9876", "12 34", None, 1234]
)
def test_weak_or_malformed_pins_are_refused(school, pin):
    with pytest.raises(BadInput):
        kiosks.set_pin(pin, by="jsmith")


def test_wrong_pins_are_slowed_down_and_a_restart_does_not_reset_it(school):
    kiosks.set_pin("482913", by="jsmith")
    start = journal.now()
    for _ in range(3):
        kiosks.check_pin("000000", kiosk="library")
    assert kiosks.wait_seconds("library", "pin") > 0  # counted in the database
    assert kiosks.wait_seconds("library", "check") == 0  # a separate count
    assert kiosks.wait_seconds(None, "pin") == 0  # and per kiosk
    kiosks.check_pin("000000", kiosk="library")
    longer = kiosks.wait_seconds("library", "pin", now=start)
    assert longer >= 10
    assert kiosks.wait_seconds("library", "pin", now=start + dt.timedelta(minutes=11)) == 0


def test_a_kiosk_report_logs_a_call_at_the_kiosk(school):
    call, existing = callers.report_from_kiosk(kiosk="library", **REPORT)
    assert not existing
    assert (call.channel, call.kiosk, call.location) == ("kiosk", "library", "LIB")
    assert journal.history("incident", call.id)[0].who == "kiosk:library"


@pytest.fixture
def no_pause(school):
    """Reports one after another, the pause between them (tested on its own) taken away."""
    config.use(config.Config(kiosk_report_pause_seconds=0))
    return school


def test_reports_from_one_kiosk_wait_a_moment_between_them_and_lose_nothing(school):
    callers.report_from_kiosk(kiosk="library", **REPORT)
    with pytest.raises(Refused, match=r"Please wait 20 seconds, then press Send again"):
        callers.report_from_kiosk(kiosk="library", **REPORT)
    assert Incident.select().count() == 1
    callers.report_from_kiosk(kiosk=None, **REPORT)  # another kiosk has its own pause
    Attempt.update(at=journal.now() - dt.timedelta(seconds=21)).execute()
    callers.report_from_kiosk(kiosk="library", **REPORT)
    assert Incident.select().count() == 3


def test_a_second_report_of_a_device_is_a_call_of_its_own_linked_to_the_open_one(no_pause):
    first, _ = callers.report_from_kiosk(kiosk="library", asset="LAP-0042", **REPORT)
    again, existing = callers.report_from_kiosk(
        kiosk="library",
        asset="lap-0042",
        **{
            **REPORT,
            "requester": "Ada Byron",
            "summary": "Charger light is off",
            "answers": {"already_tried": "Another socket"},
        },
    )
    assert existing and again.id != first.id and again.check_code != first.check_code
    assert Incident.get_by_id(again.id).duplicate_of_id == first.id
    assert not Note.select().exists()  # nothing of Ada's is written on Sam's call
    assert again.requester == "Ada Byron" and again.answers["already_tried"] == "Another socket"
    # Neither sees the other's call with their own number and code.
    mine = callers.caller_view(again.scan, kiosk="library")
    assert mine.number == again.number and "Sam" not in str(mine)
    theirs = callers.caller_view(first.scan, kiosk="library")
    assert "Ada" not in str(theirs) and again.check_code not in str(theirs)
    with pytest.raises(NotFound):
        callers.caller_view(f"{first.number}-{again.check_code}", kiosk="library")
    seen = [(e.field, e.after) for e in journal.history("incident", first.id)]
    assert ("reported again", again.number) in seen


def test_resolving_the_main_call_resolves_its_duplicates_and_each_caller_confirms(no_pause):
    first, _ = callers.report_from_kiosk(kiosk="library", asset="LAP-0042", **REPORT)
    second, _ = callers.report_from_kiosk(kiosk="library", asset="LAP-0042", **REPORT)
    third, _ = callers.report_from_kiosk(kiosk="library", asset="LAP-0042", **REPORT)
    assert {Incident.get_by_id(c.id).duplicate_of_id for c in (second, third)} == {first.id}
    incidents.resolve(first.number, kind="fix", text="New charger", by="jsmith")
    for call in (first, second, third):
        row = Incident.get_by_id(call.id)
        assert (row.status, row.resolution_text) == ("resolved", "New charger")
    servicedesk.confirm_fixed(second.scan)
    assert Incident.get_by_id(second.id).status == "closed"
    assert Incident.get_by_id(third.id).status == "resolved"  # still theirs to say
    fourth, existing = callers.report_from_kiosk(kiosk="library", asset="LAP-0042", **REPORT)
    assert not existing and Incident.get_by_id(fourth.id).duplicate_of_id is None


def test_the_same_room_and_category_is_the_same_fault_and_many_reporters_raise_its_impact(
    no_pause,
):
    report = {**REPORT, "category": "software", "location": "LIB"}
    first, _ = callers.report_from_kiosk(kiosk="library", **report)
    impact = Incident.get_by_id(first.id).impact
    assert impact == 3
    _elsewhere, existing = callers.report_from_kiosk(
        kiosk="library", **{**report, "location": "S12"}
    )
    assert not existing
    for _again in range(2):
        _, existing = callers.report_from_kiosk(kiosk="library", **report)
        assert existing
    main = Incident.get_by_id(first.id)
    assert main.impact == 2 and main.priority == config.current().priority(2, main.urgency)
    assert ("impact", "2") in [(e.field, e.after) for e in journal.history("incident", first.id)]


def test_a_kiosk_may_send_only_so_many_reports_in_the_window(school):
    config.use(config.Config(kiosk_reports_per_window=2, kiosk_report_pause_seconds=0))
    callers.report_from_kiosk(kiosk="library", **REPORT)
    callers.report_from_kiosk(kiosk="library", asset="LAP-0042", **REPORT)
    before = (Incident.select().count(), Note.select().count())
    with pytest.raises(Refused, match="ask a member of staff"):
        callers.report_from_kiosk(kiosk="library", asset="LAP-0042", **REPORT)
    assert (Incident.select().count(), Note.select().count()) == before
    callers.report_from_kiosk(kiosk=None, **REPORT)  # another kiosk has its own limit
    Attempt.update(at=journal.now() - dt.timedelta(minutes=11)).execute()
    callers.report_from_kiosk(kiosk="library", **REPORT)  # the window has moved on


def test_a_technician_lets_a_full_kiosk_take_more_and_the_pause_still_holds(school):
    config.use(config.Config(kiosk_reports_per_window=2, kiosk_report_pause_seconds=20))
    for _ in range(2):
        callers.report_from_kiosk(kiosk="library", **REPORT)
        Attempt.update(at=journal.now() - dt.timedelta(seconds=30)).execute()  # pause over
    (library,) = callers.kiosk_reports()
    assert (library.kiosk.name, library.reports, library.limit, library.full) == (
        "library",
        2,
        2,
        True,
    )
    with pytest.raises(Refused, match="ask a member of staff"):
        callers.report_from_kiosk(kiosk="library", **REPORT)
    kiosks.lift_report_ceiling("library", by="akhan")
    (library,) = callers.kiosk_reports()
    assert library.reports == 0 and not library.full and library.lifted_at is not None
    callers.report_from_kiosk(kiosk="library", **REPORT)
    with pytest.raises(Refused, match="wait 20 seconds"):  # the pause is not lifted
        callers.report_from_kiosk(kiosk="library", **REPORT)
    entry = Journal.select().where(Journal.action == "lift report ceiling").get()
    assert entry.who == "akhan"
    with pytest.raises(NotFound):
        kiosks.lift_report_ceiling("hall", by="akhan")
    with pytest.raises(BadInput):
        kiosks.lift_report_ceiling("[b]x[/b]", by="akhan")


def test_a_refused_report_does_not_count(school):
    config.use(config.Config(kiosk_reports_per_window=1))
    with pytest.raises(BadInput):
        callers.report_from_kiosk(kiosk="library", **{**REPORT, "summary": ""})
    callers.report_from_kiosk(kiosk="library", **REPORT)


def test_the_caller_sees_everything_with_the_code(school):
    call, _ = callers.report_from_kiosk(kiosk="library", **REPORT)
    incidents.take(call.number, by="jsmith")
    incidents.add_note(call.number, "Private: charger port loose", public=False, by="jsmith")
    incidents.add_note(call.number, "We have ordered a new charger", public=True, by="jsmith")
    view = callers.caller_view(call.scan, kiosk="library")
    assert view.verified and view.technician == "Jo"
    assert view.latest_news == "We have ordered a new charger"
    assert view.plain_status == "A technician has it and will look at it soon."
    assert not view.can_answer
    assert view.what_we_did is None
    incidents.resolve(call.number, kind="fix", text="New charger", by="jsmith")
    view = callers.caller_view(call.scan, kiosk="library")
    assert view.can_answer and view.what_we_did == "New charger"


def test_a_number_alone_says_nothing_of_whether_it_exists_and_counts_as_a_guess(school):
    call, _ = callers.report_from_kiosk(kiosk="library", **REPORT)
    with pytest.raises(NotFound) as known:
        callers.caller_view(call.number, kiosk="library")
    with pytest.raises(NotFound) as unknown:
        callers.caller_view("INC-000999", kiosk="library")
    assert str(known.value) == str(unknown.value) == callers.NEEDS_CODE
    assert kiosks.wait_seconds(None, "check", target=call.number) == 0
    for _guess in range(2):
        with pytest.raises(NotFound):
            callers.caller_view(call.number, kiosk="library")
    assert kiosks.wait_seconds(None, "check", target=call.number) > 0


def test_guessing_one_number_slows_that_number_at_every_kiosk_and_no_other(no_pause):
    call, _ = callers.report_from_kiosk(kiosk="library", **REPORT)
    other, _ = callers.report_from_kiosk(kiosk="library", **REPORT)
    wrong = "AAAA" if call.check_code != "AAAA" else "BBBB"
    with pytest.raises(NotFound) as wrong_code:
        callers.caller_view(f"{call.number}-{wrong}", kiosk="library")
    with pytest.raises(NotFound) as unknown:
        callers.caller_view(f"INC-000999-{wrong}", kiosk="library")
    assert str(wrong_code.value) == str(unknown.value)
    for _guess in range(2):
        with pytest.raises(NotFound):
            callers.caller_view(f"{call.number}-{wrong}", kiosk="library")
    with pytest.raises(Refused, match=rf"Please wait \d+ seconds, then try {call.number}"):
        callers.caller_view(call.scan, kiosk="library")  # even the right code must wait
    with pytest.raises(Refused):
        callers.caller_view(call.scan, kiosk=None)  # and at another kiosk
    assert callers.caller_view(other.scan, kiosk="library").verified  # other numbers go on
    assert kiosks.wait_seconds("library", "pin") == 0


def test_junk_is_bad_input_not_a_guess(school):
    for junk in ("", "[@click=app.quit]x[/]", "\x1b[2J", "hello", "INC-" + "9" * 30):
        with pytest.raises(BadInput):
            callers.caller_view(junk, kiosk="library")
    assert kiosks.wait_seconds("library", "check") == 0


def test_answering_from_the_kiosk(school):
    call, _ = callers.report_from_kiosk(kiosk="library", **REPORT)
    incidents.resolve(call.number, kind="fix", text="New charger", by="jsmith")
    again = servicedesk.not_fixed(call.scan, comment="Still no light")
    assert again.status == "assigned"
    incidents.resolve(call.number, kind="fix", text="New socket", by="jsmith")
    assert servicedesk.confirm_fixed(call.scan).status == "closed"


def test_waits_are_said_as_a_pupil_reads_them():
    from store.db.sanitise import seconds

    assert (seconds(1), seconds(20)) == ("1 second", "20 seconds")
