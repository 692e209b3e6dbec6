"""The software library: titles and what they are for, where they are installed, the
standard builds, and licences counted against the seats bought."""

import datetime as dt

import pytest

from store.changes import changes
from store.configuration import assets, software
from store.db import journal
from store.db.errors import BadInput, NotAllowed, NotFound, Refused
from store.db.models import AuditEntry, Journal, Software, SoftwareInstall
from store.school import locations

TODAY = dt.date(2026, 3, 1)


def names(found):
    return [info.name for info in found]


def installs(name):
    [info] = [s for s in software.list_software() if s.name == name]
    return info.installs


@pytest.fixture
def library(school):
    """Three titles, and Computer room 1 with three desktops (one retired) in it."""
    software.add_software(
        "Audacity", version="3.4", purposes="Audio editing, podcasts", licence="free", by="jsmith"
    )
    software.add_software("Scratch", version="3", purposes=["coding"], by="jsmith")
    software.add_software(
        "Adobe Express",
        publisher="Adobe",
        purposes=["graphics", "video editing"],
        licence="per seat",
        seats=2,
        renews_on="31/03/2026",
        by="jsmith",
    )
    for n in (1, 2, 3):
        assets.add_asset(f"PC-IT1-{n}", kind="desktop", location="IT1", by="jsmith")
    assets.retire_asset("PC-IT1-3", "Dead power supply", by="jsmith")
    return school


def test_add_software_cleans_what_it_is_given(school):
    added = software.add_software(
        "  Audacity ",
        version="3.4",
        publisher="Muse Group",
        purposes="Audio editing, audio editing ,  Podcasts,,",
        licence="Per-Seat",
        seats=30,
        renews_on="01/09/2026",
        by="jsmith",
    )
    assert (added.title, added.version, added.name, added.publisher) == (
        "Audacity",
        "3.4",
        "Audacity 3.4",
        "Muse Group",
    )
    assert added.purposes == ("audio editing", "podcasts")
    assert (added.licence, added.seats, added.renews_on) == ("per_seat", 30, dt.date(2026, 9, 1))
    assert added.installs == 0
    row = Software.get(Software.title == "Audacity")
    [entry] = journal.history("software", row.id)
    assert (entry.who, entry.action, entry.after) == ("jsmith", "add", "Audacity 3.4")


REFUSALS = [
    ({"title": " "}, "The title is empty"),
    ({"licence": "pirated"}, "'pirated' is not a licence: choose from site, per_seat"),
    ({"licence": "per seat"}, "A per-seat licence needs the number of seats bought"),
    ({"seats": -1}, "Seats are a whole number, 0 or more"),
    ({"seats": "30"}, "Seats are a whole number"),
    ({"seats": True}, "Seats are a whole number"),
    ({"seats": 2.5}, "Seats are a whole number"),
    ({"renews_on": "31/02/2026"}, "The renewal date .31/02/2026. is not a date"),
    ({"purposes": ["x" * 41]}, "A purpose is too long"),
    ({"title": "Scratch", "version": "3"}, "Scratch 3 is already in the library"),
    ({"title": "Scratch", "version": ""}, None),  # another version of it is welcome
]


def test_add_software_refuses_what_is_wrong_and_adds_nothing(library):
    for fields, message in REFUSALS:
        args = {"title": "Kahoot", **fields}
        before = (Software.select().count(), Journal.select().count())
        if message is None:
            software.add_software(args.pop("title"), by="jsmith", **args)
            assert Software.select().count() == before[0] + 1
            continue
        with pytest.raises(BadInput, match=message):
            software.add_software(args.pop("title"), by="jsmith", **args)
        assert (Software.select().count(), Journal.select().count()) == before, fields


def test_list_software_is_by_title_and_finds_by_purpose(library):
    assert names(software.list_software()) == ["Adobe Express", "Audacity 3.4", "Scratch 3"]
    assert names(software.list_software("Audio")) == ["Audacity 3.4"]
    assert names(software.list_software("editing")) == ["Adobe Express", "Audacity 3.4"]
    assert names(software.list_software("coding")) == ["Scratch 3"]
    assert software.list_software("spreadsheets") == []


def test_install_on_one_device_and_in_a_room(library):
    on_laptop = software.install("audacity", asset="lap-0042", by="akhan")
    assert on_laptop.installs == 1
    # in a room: a seat for each device in it that is still in use (the retired one is not)
    in_room = software.install("Audacity 3.4", room="it1", by="akhan")
    assert in_room.installs == 3
    row = Software.get(Software.title == "Audacity")
    where = [(e.action, e.after) for e in journal.history("software", row.id)]
    assert ("install", "LAP-0042") in where and ("install", "IT1") in where
    # a device moved into the room takes a seat there
    assets.add_asset("PC-IT1-4", kind="desktop", location="IT1", by="jsmith")
    assert installs("Audacity 3.4") == 4


def test_a_device_installed_on_and_in_a_room_with_it_is_one_seat(library):
    software.install("Adobe Express", room="IT1", by="akhan")
    assert installs("Adobe Express") == 2
    software.install("Adobe Express", asset="PC-IT1-1", by="akhan")
    assert installs("Adobe Express") == 2  # PC-IT1-1 is one device, using one seat
    assert software.licence_report(TODAY)[0].over == 0


def test_a_retired_device_gives_its_seat_back(library):
    software.install("Adobe Express", asset="LAP-0042", by="akhan")
    assert installs("Adobe Express") == 1
    assets.retire_asset("LAP-0042", "Stolen", by="jsmith")
    assert installs("Adobe Express") == 0


def test_install_refusals(library):
    software.install("Scratch", asset="LAP-0042", by="akhan")
    with pytest.raises(Refused, match="Scratch is already installed on LAP-0042"):
        software.install("Scratch 3", asset="LAP-0042", by="akhan")
    with pytest.raises(BadInput, match="Say where it is installed"):
        software.install("Scratch", by="akhan")
    with pytest.raises(BadInput, match="Say where it is installed"):
        software.install("Scratch", asset="LAP-0042", room="IT1", by="akhan")
    with pytest.raises(BadInput, match="No asset is tagged 'LAP-9999'"):
        software.install("Scratch", asset="LAP-9999", by="akhan")
    with pytest.raises(BadInput, match="ZZ9"):
        software.install("Scratch", room="ZZ9", by="akhan")
    with pytest.raises(NotFound, match="There is no software 'Minecraft'"):
        software.install("Minecraft", room="IT1", by="akhan")
    assert installs("Scratch 3") == 1


def test_a_title_with_two_versions_must_be_named_with_its_version(library):
    software.add_software("Scratch", version="4", by="jsmith")
    with pytest.raises(BadInput, match="Scratch is in the library as versions 3, 4: say which"):
        software.install("scratch", room="IT1", by="akhan")
    assert software.install("SCRATCH 4", room="IT1", by="akhan").installs == 2
    assert installs("Scratch 3") == 0


def test_uninstall(library):
    software.install("Scratch", asset="LAP-0042", by="akhan")
    software.install("Scratch", room="IT1", by="akhan")
    assert software.uninstall("Scratch", room="IT1", by="jsmith").installs == 1
    assert software.uninstall("Scratch", asset="LAP-0042", by="jsmith").installs == 0
    row = Software.get(Software.title == "Scratch")
    gone = [(e.who, e.action, e.before) for e in journal.history("software", row.id)]
    assert ("jsmith", "uninstall", "IT1") in gone and ("jsmith", "uninstall", "LAP-0042") in gone
    with pytest.raises(Refused, match="Scratch is not installed on LAP-0042"):
        software.uninstall("Scratch", asset="LAP-0042", by="jsmith")
    for where in ({}, {"asset": "LAP-0042", "room": "IT1"}):
        with pytest.raises(BadInput, match="Say where it is installed"):
            software.uninstall("Scratch", by="jsmith", **where)


def test_builds_list_their_titles(library):
    titles = software.add_build(
        "Computing suite", ["Scratch", "audacity 3.4", "Scratch 3"], description="IT1", by="jsmith"
    )
    assert names(titles) == ["Audacity 3.4", "Scratch 3"]  # by title, each once
    assert software.build_titles("Computing suite") == titles
    with pytest.raises(BadInput, match="There is already a build called Computing suite"):
        software.add_build("Computing suite", ["Scratch"], by="jsmith")
    with pytest.raises(BadInput, match="A build needs at least one title"):
        software.add_build("Empty", [], by="jsmith")
    with pytest.raises(NotFound, match="There is no software 'Minecraft'"):
        software.add_build("Games", ["Scratch", "Minecraft"], by="jsmith")
    with pytest.raises(NotFound, match="There is no build called Games"):
        software.build_titles("Games")


def test_licence_report_puts_titles_over_their_seats_first_then_renewals_due(school):
    for n in range(1, 5):
        assets.add_asset(f"PC-{n}", kind="desktop", by="jsmith")

    def title(name, seats=None, renews=None, on=0, licence="per_seat"):
        software.add_software(
            name, licence=licence if seats is not None else "subscription", seats=seats,
            renews_on=renews, by="jsmith",
        )  # fmt: skip
        for n in range(1, on + 1):  # beyond the seats, as a manager with a reason
            software.install(name, asset=f"PC-{n}", over_licence="Trial", by="jsmith")

    title("Way over", seats=1, on=4)  # 3 over
    title("Just over", seats=2, on=3, renews=TODAY + dt.timedelta(days=400))  # 1 over
    title("At seats", seats=3, on=3)
    title("Renews in 60 days", renews=TODAY + dt.timedelta(days=60))
    title("Renews in 61 days", renews=TODAY + dt.timedelta(days=61))
    title("Lapsed last week", renews=TODAY - dt.timedelta(days=7))
    title("Renews in 10 days", seats=10, on=1, renews=TODAY + dt.timedelta(days=10))
    software.add_software("Free for all", licence="free", by="jsmith")  # nothing to report
    report = software.licence_report(TODAY)
    assert [(line.software.name, line.over, line.renewal_due) for line in report] == [
        ("Way over", 3, False),
        ("Just over", 1, False),
        ("Lapsed last week", 0, True),
        ("Renews in 10 days", 0, True),
        ("Renews in 60 days", 0, True),
        ("Renews in 61 days", 0, False),
        ("At seats", 0, False),
    ]


def test_detail_says_where_a_title_is_and_on_which_builds(school):
    software.add_software("Audacity", version="3.4", purposes="audio editing", by="jsmith")
    software.install("Audacity", room="LIB", by="jsmith")
    software.install("Audacity", asset="lap 0042", by="jsmith")
    software.add_build("Music suite", ["Audacity 3.4"], by="jsmith")
    found = software.detail("audacity")
    assert found.software.name == "Audacity 3.4"
    assert found.devices == ("LAP-0042",)
    assert found.rooms == (("LIB", 1),)
    assert found.builds == ("Music suite",)
    assert found.software.installs == 1  # the laptop is in the library: one seat, not two


def test_names_are_one_title_whatever_their_case(library):
    with pytest.raises(BadInput, match="already in the library"):
        software.add_software("scratch", version="3", by="jsmith")


def test_a_build_installed_in_a_room_records_each_title_once(library):
    software.add_build("Music suite", ["Audacity", "Scratch"], by="jsmith")
    assert software.list_builds() == [("Music suite", "", 2)]
    software.install("Scratch", room="IT1", by="akhan")
    rfc = standard_change()
    added = software.install_build("music SUITE", room="it1", change=rfc.number, by="akhan")
    assert [t.name for t in added] == ["Audacity 3.4"]  # Scratch was there already
    assert software.install_build("Music suite", room="IT1", change=rfc.number, by="akhan") == []
    with pytest.raises(NotFound, match="no build called Art suite"):
        software.install_build("Art suite", room="IT1", by="akhan")
    with pytest.raises(BadInput, match="Say where"):
        software.install_build("Music suite", by="akhan")


def test_on_device_names_what_is_on_it_and_what_its_room_has(library):
    software.install("Audacity", asset="LAP-0042", by="akhan")
    room = assets.asset("LAP-0042").location
    software.install("Scratch", room=room, by="akhan")
    assert software.on_device("lap-0042") == [
        ("Audacity 3.4", "on this device"),
        ("Scratch 3", f"in room {room}"),
    ]


def standard_change(kind="standard", submit=True, title="Image IT1 with the standard build"):
    """A change to put a build on under: by default a standard change, scheduled."""
    start = journal.now() + dt.timedelta(minutes=10)
    rfc = changes.raise_change(
        title,
        kind=kind,
        reason="A new term's image",
        locations=["IT1"],
        implementation_plan="Image the room from the deployment server.",
        test_plan="Log in on two PCs.",
        backout_plan="Re-image with last term's build.",
        window=(start, start + dt.timedelta(hours=2)),
        implementer="jsmith",
        by="jsmith",
    )
    return changes.submit(rfc.number, by="jsmith") if submit else rfc


def written():
    """What an install writes: install rows and journal rows."""
    return SoftwareInstall.select().count(), Journal.select().count()


@pytest.fixture
def crowded(library):
    """Room IT2 with three laptops in it, beside IT1's two desktops in use; Adobe Express
    has two seats."""
    locations.add_location("IT2", "Computer room 2", by="jsmith")
    for n in (1, 2, 3):
        assets.add_asset(f"LAP-IT2-{n}", kind="laptop", location="IT2", by="jsmith")
    return library


def test_installing_beyond_the_seats_on_a_device_is_refused_with_the_numbers(crowded):
    software.install("Adobe Express", room="IT1", by="akhan")  # both seats
    before = written()
    with pytest.raises(Refused) as refused:
        software.install("Adobe Express", asset="LAP-0042", by="akhan")
    assert str(refused.value) == (
        "Adobe Express: 2 seats, 2 used; this adds 1 (only a manager may go over the seats, "
        "with a reason)."
    )
    assert written() == before and installs("Adobe Express") == 2


def test_installing_beyond_the_seats_in_a_room_counts_each_device_in_it(crowded):
    software.install("Adobe Express", asset="PC-IT1-1", by="akhan")
    before = written()
    with pytest.raises(Refused, match=r"^Adobe Express: 2 seats, 1 used; this adds 3 "):
        software.install("Adobe Express", room="IT2", by="akhan")
    assert written() == before
    # IT1's device already counted adds nothing: the room is its one other desktop
    assert software.install("Adobe Express", room="IT1", by="akhan").installs == 2
    # a device in a room that has the title is counted once, so it fits at full seats
    assert software.install("Adobe Express", asset="PC-IT1-2", by="akhan").installs == 2


def test_titles_without_seats_are_not_limited(crowded):
    software.add_software(
        "Microsoft 365", licence="subscription", renews_on="2027-01-01", by="jsmith"
    )
    for title in ("Audacity", "Scratch", "Microsoft 365"):  # free, site, subscription
        assert software.install(title, room="IT2", by="akhan").installs == 3
        assert software.install(title, room="IT1", by="akhan").installs == 5


def test_a_manager_may_go_beyond_the_seats_with_a_reason_and_a_technician_may_not(crowded):
    before = written()
    numbers = r"akhan is not one \(Adobe Express: 2 seats, 0 used; this adds 3\)"
    with pytest.raises(NotAllowed, match=rf"^Only a manager may install beyond .* {numbers}"):
        software.install("Adobe Express", room="IT2", over_licence="Exam week", by="akhan")
    assert written() == before
    kept = AuditEntry.get(AuditEntry.who == "akhan")  # the security audit trail has it
    assert kept.action == "install beyond the seats bought" and "this adds 3" in kept.detail
    info = software.install(
        "Adobe Express", room="IT2", over_licence="  Extra seats ordered: PO 4471 ", by="jsmith"
    )
    assert info.installs == 3 and software.licence_report(TODAY)[0].over == 1
    [row] = SoftwareInstall.select()
    assert row.over_licence == "Extra seats ordered: PO 4471"
    entries = journal.history("software", row.software_id)
    assert ("jsmith", "over licence", "IT2", "Extra seats ordered: PO 4471") in [
        (e.who, e.action, e.field, e.after) for e in entries
    ]
    # within the seats a reason is not needed, nor kept
    software.uninstall("Adobe Express", room="IT2", by="jsmith")
    software.install("Adobe Express", asset="PC-IT1-1", over_licence="Just in case", by="akhan")
    assert [r.over_licence for r in SoftwareInstall.select()] == [""]


def test_a_build_goes_on_only_under_a_standard_change_scheduled_or_implemented(crowded):
    software.add_build("Computing", ["Scratch", "Audacity"], by="jsmith")
    normal = standard_change(kind="normal", submit=False, title="Image IT1 the long way")
    planning = standard_change(submit=False, title="Image IT1 next term")
    before = written()
    with pytest.raises(BadInput, match="Say which standard change"):
        software.install_build("Computing", room="IT1", by="akhan")
    with pytest.raises(NotFound, match="There is no change RFC-000099"):
        software.install_build("Computing", room="IT1", change="RFC-000099", by="akhan")
    with pytest.raises(BadInput, match="'tomorrow' is not a change number"):
        software.install_build("Computing", room="IT1", change="tomorrow", by="akhan")
    with pytest.raises(Refused, match=f"{normal.number} is a normal change: a standard build"):
        software.install_build("Computing", room="IT1", change=normal.number, by="akhan")
    with pytest.raises(
        Refused, match=rf"{planning.number} is planning: .* scheduled or implemented"
    ):
        software.install_build("Computing", room="IT1", change=planning.number, by="akhan")
    assert written() == before

    rfc = standard_change()
    added = software.install_build("Computing", room="IT1", change=rfc.number, by="akhan")
    assert [t.name for t in added] == ["Audacity 3.4", "Scratch 3"]
    assert {r.change_id for r in SoftwareInstall.select()} == {rfc.id}
    assert changes.change(rfc.number).installed == ("Audacity 3.4 in IT1", "Scratch 3 in IT1")
    changes.implement(rfc.number, by="jsmith")  # implemented: still open to the register
    added = software.install_build("Computing", asset="LAP-0042", change=rfc.number, by="akhan")
    assert len(added) == 2
    assert "Scratch 3 on LAP-0042" in changes.change(rfc.number).to_json()["installed"]
    changes.update_register(rfc.number, by="jsmith")  # registered: the register is done
    with pytest.raises(Refused, match=r"is registered: .* scheduled or implemented"):
        software.install_build("Computing", room="IT2", change=rfc.number, by="akhan")


def test_a_build_beyond_a_title_s_seats_is_refused_whole_unless_a_manager_allows_it(crowded):
    software.add_build("Design", ["Scratch", "Adobe Express"], by="jsmith")
    rfc = standard_change()
    before = written()
    with pytest.raises(Refused, match=r"^Adobe Express: 2 seats, 0 used; this adds 3 \(only"):
        software.install_build("Design", room="IT2", change=rfc.number, by="akhan")
    with pytest.raises(NotAllowed, match="Only a manager"):
        software.install_build(
            "Design", room="IT2", change=rfc.number, over_licence="Art exam", by="akhan"
        )
    assert written() == before  # not even Scratch, which has no seats to run out of
    added = software.install_build(
        "Design", room="IT2", change=rfc.number, over_licence="Art exam", by="jsmith"
    )
    assert [t.name for t in added] == ["Adobe Express", "Scratch 3"]
    reasons = {r.software.title: r.over_licence for r in SoftwareInstall.select()}
    assert reasons == {"Adobe Express": "Art exam", "Scratch": ""}
    assert Journal.select().where(Journal.action == "over licence").get().who == "jsmith"
