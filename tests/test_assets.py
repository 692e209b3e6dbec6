"""The asset register: what people type made into what is stored, adding, finding, changing,
moving, retiring and joining devices, and a device's history with its repeat faults."""

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.configuration import assets, loans
from store.configuration import history as asset_history
from store.db import config, journal
from store.db.errors import BadInput, NotFound, Refused
from store.db.models import Asset, Incident, Journal
from store.servicedesk import servicedesk

QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def moves(tag):
    """The journal of one device as (who, action, field, before, after)."""
    row = Asset.get(Asset.tag == tag)
    return [(e.who, e.action, e.field, e.before, e.after) for e in journal.history("asset", row.id)]


def log(tag, category="laptop", days_ago=0, summary="It is broken again"):
    """A call about `tag`, logged `days_ago` days ago."""
    call = servicedesk.log_call(
        summary=summary, requester="Sam Patel", category=category, asset=tag, by="jsmith"
    )
    if days_ago:
        when = journal.now() - dt.timedelta(days=days_ago)
        Incident.update(logged_at=when).where(Incident.id == call.id).execute()
    return call


# -- what people type


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("laptop", "laptop"),
        ("  Laptop ", "laptop"),
        ("Interactive panel", "panel"),
        ("interactive-panel", "panel"),
        ("PANEL", "panel"),
        ("access_point", "access_point"),
        ("Access point", "access_point"),
        ("WAP", "access_point"),
        ("ap", "access_point"),
        ("psu", "power_supply"),
        ("Charger", "power_supply"),
        ("power-supply", "power_supply"),
        ("Chromebook", "chromebook"),
    ],
)
def test_clean_kind_takes_short_names_and_words(typed, kind):
    assert assets.clean_kind(typed) == kind


@pytest.mark.parametrize("typed", ["toaster", "", None, "laptops", "lap top"])
def test_clean_kind_refuses_what_is_not_a_kind_and_lists_the_kinds(typed):
    with pytest.raises(BadInput, match="is not a kind of device: choose from laptop, chromebook"):
        assets.clean_kind(typed)


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("in_use", "in_use"),
        ("In use", "in_use"),
        ("In repair", "in_repair"),
        ("in-repair", "in_repair"),
        ("ON_LOAN", "on_loan"),
        ("Spare", "spare"),
        (" retired ", "retired"),
    ],
)
def test_clean_status_takes_short_names_and_words(typed, status):
    assert assets.clean_status(typed) == status


@pytest.mark.parametrize("typed", ["broken", "", None, "lost"])
def test_clean_status_refuses_unknown_words(typed):
    with pytest.raises(BadInput, match="is not a status: choose from in use, spare"):
        assets.clean_status(typed)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2024-09-01", dt.date(2024, 9, 1)),
        ("01/09/2024", dt.date(2024, 9, 1)),  # day first, as schools write it
        ("1/9/2024", dt.date(2024, 9, 1)),
        (" 29/02/2024 ", dt.date(2024, 2, 29)),
        (dt.date(2025, 3, 31), dt.date(2025, 3, 31)),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_clean_date_reads_iso_and_day_first(typed, day):
    assert assets.clean_date(typed, "warranty end") == day


@pytest.mark.parametrize(
    "typed", ["2024-02-30", "31/02/2024", "13/13/2024", "09/01/24", "2024/09/01", "next week", 5]
)
def test_clean_date_refuses_impossible_or_unknown_dates_naming_the_field(typed):
    with pytest.raises(BadInput, match=r"The warranty end '.*' is not a date: write 2024-09-01"):
        assets.clean_date(typed, "warranty end")


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£649", 64900),
        ("649.00", 64900),
        ("1,299.99", 129999),
        ("£ 12.5", 1250),
        ("0.05", 5),
        ("  7 ", 700),
        (649, 64900),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_clean_cost_gives_whole_pence(typed, pence):
    assert assets.clean_cost(typed) == pence


@pytest.mark.parametrize("typed", ["-5", "12.345", "abc", "£", "1e3", "12.3.4", "$5", "12345678"])
def test_clean_cost_refuses_what_is_not_a_cost(typed):
    with pytest.raises(BadInput, match=r"is not a cost: write it like 649\.00"):
        assets.clean_cost(typed)


@given(st.integers(min_value=0, max_value=999_999_999))
def test_clean_cost_round_trips_what_the_register_shows(pence):
    shown = assets.AssetInfo("X", "other", "", None, cost_pence=pence).cost  # '£1,299.99'
    assert assets.clean_cost(shown) == pence
    assert assets.clean_cost(f"{pence / 100:.2f}") == pence  # as the export writes it


@given(st.one_of(st.text(max_size=30), st.floats(allow_nan=True), st.integers()))
def test_clean_cost_only_ever_says_bad_input(value):
    try:
        pence = assets.clean_cost(value)
    except BadInput as refusal:
        assert str(refusal).endswith("write it like 649.00.")
    else:
        assert pence is None or (isinstance(pence, int) and 0 <= pence < 10**9)


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("LAP-0042", "LAP-0042"),
        ("lap-0042", "LAP-0042"),
        ("  lap 0042 ", "LAP-0042"),
        ("lap\t 0042", "LAP-0042"),
        ("ipad/3.1", "IPAD/3.1"),
    ],
)
def test_clean_tag_is_upper_case_with_dashes_for_spaces(typed, tag):
    assert assets.clean_tag(typed) == tag


@pytest.mark.parametrize("typed", ["", "   ", "LAP#1", "-LAP", "Laptop (Dell)", 42, None, "É1"])
def test_clean_tag_refuses_what_cannot_be_a_tag(typed):
    with pytest.raises(BadInput, match="asset tag"):
        assets.clean_tag(typed)


def test_clean_tag_refuses_a_tag_that_grows_too_long_in_upper_case():
    # 'ß' is one letter typed but 'SS' in upper case: 30 typed would be 60 stored, and the
    # column holds 40 (PostgreSQL refuses the row with a database error, not a sentence).
    with pytest.raises(BadInput, match="too long"):
        assets.clean_tag("ß" * 30)


TAG_TEXT = st.lists(
    st.sampled_from([*"aAzZ09-_./ #\t\n\x00ßſﬀéİ\u202e\u200b", "LAP", "0042", "ß" * 20]),
    max_size=25,
).map("".join)


@given(st.one_of(st.text(max_size=60), TAG_TEXT, st.integers(), st.none()))
def test_clean_tag_only_says_bad_input_and_gives_label_ready_tags(value):
    try:
        tag = assets.clean_tag(value)
    except BadInput as refusal:
        assert "asset tag" in str(refusal)
        return
    assert 1 <= len(tag) <= 40
    assert tag == tag.upper()
    assert re.fullmatch(r"[A-Z0-9][A-Z0-9._/-]*", tag)
    # Upper-case letters, digits and . / - are all in the QR code's alphanumeric mode;
    # '_' is the one character a tag may have outside it (see the report).
    assert set(tag) <= QR_ALPHANUMERIC | {"_"}
    assert assets.clean_tag(tag) == tag  # cleaning a clean tag changes nothing


# -- adding and reading


def test_add_asset_stores_every_field_cleaned(school):
    added = assets.add_asset(
        " lap 0099 ",
        kind="Laptop",
        make="Dell",
        model="Latitude 3440",
        serial="7HX2Q",
        location="s12",
        assigned_to="Ms Jones",
        purchased_on="01/09/2024",
        cost="£649.00",
        supplier="Dell UK",
        warranty_end="2027-08-31",
        notes="Spare battery in the drawer",
        by="jsmith",
    )
    again = assets.asset("lap-0099")
    assert added == again
    assert (again.tag, again.kind, again.location, again.location_name) == (
        "LAP-0099",
        "laptop",
        "S12",
        "Science lab 12",
    )
    assert again.name == "Dell Latitude 3440"
    assert (again.purchased_on, again.warranty_end) == (dt.date(2024, 9, 1), dt.date(2027, 8, 31))
    assert (again.cost_pence, again.cost) == (64900, "£649.00")
    assert (again.assigned_to, again.supplier, again.serial) == ("Ms Jones", "Dell UK", "7HX2Q")
    assert (again.status, again.version, again.part_of, again.parts) == ("in_use", 1, None, ())
    assert moves("LAP-0099") == [("jsmith", "add", None, None, "LAP-0099 laptop")]


def test_a_device_is_named_by_make_and_model_else_description_else_kind(school):
    assets.add_asset("PAN-1", kind="panel", by="jsmith")
    assets.add_asset("PAN-2", kind="panel", description="Promethean in S12", by="jsmith")
    assets.add_asset("PAN-3", kind="panel", make="Promethean", by="jsmith")
    names = [assets.asset(tag).name for tag in ("PAN-1", "PAN-2", "PAN-3")]
    assert names == ["Interactive panel", "Promethean in S12", "Promethean"]


ADD_REFUSALS = [
    ({"tag": "lap-0042"}, "There is already an asset tagged 'LAP-0042'"),
    ({"location": "ZZ9"}, "ZZ9"),
    ({"part_of": "NOPE-1"}, "No asset is tagged 'NOPE-1'"),
    ({"kind": "toaster"}, "not a kind of device"),
    ({"cost": "lots"}, "not a cost"),
    ({"purchased_on": "31/02/2024"}, "The purchase date .31/02/2024. is not a date"),
    ({"status": "lost"}, "not a status"),
    ({"colour": "red"}, "An asset has no field 'colour'"),
    ({"make": "x" * 121}, "too long"),
]


def test_add_asset_refuses_bad_input_and_writes_nothing(school):
    before = (Asset.select().count(), Journal.select().count())
    for fields, message in ADD_REFUSALS:  # one database for all: each must leave it as it was
        args = {"tag": "LAP-0100", "kind": "laptop", **fields}
        with pytest.raises(BadInput, match=message):
            assets.add_asset(args.pop("tag"), by="jsmith", **args)
        assert (Asset.select().count(), Journal.select().count()) == before, fields


def test_an_unknown_tag_is_not_found_by_name(school):
    with pytest.raises(NotFound, match="No asset is tagged 'LAP-9999'"):
        assets.asset("lap-9999")


def test_add_asset_as_a_part_shows_on_both_devices(school):
    assets.add_asset("PSU-0042", kind="charger", part_of="lap-0042", by="jsmith")
    assert assets.asset("PSU-0042").part_of == "LAP-0042"
    assert assets.asset("LAP-0042").parts == ("PSU-0042",)


# -- finding


@pytest.fixture
def register(school):
    assets.add_asset(
        "CB-0001", kind="chromebook", make="Acer", model="Spin 511", location="S12", by="jsmith"
    )
    assets.add_asset(
        "CB-0002", kind="chromebook", make="Acer", model="Spin 511", serial="NXA9ZZ", by="jsmith"
    )
    assets.add_asset("PAN-0001", kind="panel", make="Promethean", location="S12", by="jsmith")
    assets.add_asset(
        "LAP-0007", kind="laptop", assigned_to="Ms Okafor", status="In repair", by="jsmith"
    )
    assets.add_asset("PRN-0001", kind="printer", description="Staff room colour", by="jsmith")
    return school


def tags(found):
    return [device.tag for device in found]


def test_list_assets_is_every_device_by_tag(register):
    assert tags(assets.list_assets()) == [
        "CB-0001",
        "CB-0002",
        "LAP-0007",
        "LAP-0042",
        "PAN-0001",
        "PRN-0001",
    ]


SEARCHES = [
    ("acer", ["CB-0001", "CB-0002"]),  # make, any case
    ("SPIN", ["CB-0001", "CB-0002"]),  # model
    ("nxa9", ["CB-0002"]),  # serial
    ("okafor", ["LAP-0007"]),  # who has it
    ("colour", ["PRN-0001"]),  # description
    ("lap-00", ["LAP-0007", "LAP-0042"]),  # tag, typed in lower case
    ("nothing like it", []),
]


def test_list_assets_searches_tag_make_model_serial_description_and_holder(register):
    for search, found in SEARCHES:
        assert tags(assets.list_assets(search)) == found, search


def test_list_assets_search_takes_wildcards_as_plain_characters(register):
    # Nothing on the register has '%' or '_' in it, so nothing matches.
    for search in ("%", "_", "a%c", "Sp_n", "%%"):
        assert assets.list_assets(search) == [], search
    assets.update_asset("CB-0002", notes="x", serial="NX_100%", by="jsmith")
    assert tags(assets.list_assets("x_100%")) == ["CB-0002"]


def test_list_assets_filters_by_location_kind_and_status(register):
    assert tags(assets.list_assets(location="s12")) == ["CB-0001", "PAN-0001"]
    assert tags(assets.list_assets(kind="Chromebook")) == ["CB-0001", "CB-0002"]
    assert tags(assets.list_assets(kind="Interactive panel")) == ["PAN-0001"]
    assert tags(assets.list_assets(status="In repair")) == ["LAP-0007"]
    assert tags(assets.list_assets("acer", location="S12", kind="chromebook")) == ["CB-0001"]
    assert assets.list_assets(location="IT1") == []
    placed = assets.list_assets(location="S12")[0]
    assert (placed.location, placed.location_name) == ("S12", "Science lab 12")


def test_list_assets_pages_with_limit_and_offset(register):
    assert tags(assets.list_assets(limit=2)) == ["CB-0001", "CB-0002"]
    assert tags(assets.list_assets(limit=2, offset=2)) == ["LAP-0007", "LAP-0042"]
    assert tags(assets.list_assets(limit=2, offset=6)) == []


def test_list_assets_refuses_an_unknown_kind_or_status(register):
    with pytest.raises(BadInput, match="not a kind"):
        assets.list_assets(kind="toaster")
    with pytest.raises(BadInput, match="not a status"):
        assets.list_assets(status="lost")


# -- changing


def test_update_asset_changes_and_journals_only_what_moved(school):
    before = assets.asset("LAP-0042")
    after = assets.update_asset(
        "lap-0042",
        description="Dell 3440",  # unchanged: not journalled
        make="Dell",
        serial="7HX2Q",
        cost="649",
        warranty_end="31/08/2027",
        by="akhan",
    )
    assert (after.make, after.serial, after.cost_pence) == ("Dell", "7HX2Q", 64900)
    assert after.warranty_end == dt.date(2027, 8, 31)
    assert after.description == "Dell 3440"
    assert after.version == before.version + 1
    assert sorted(m for m in moves("LAP-0042") if m[1] == "update") == [
        ("akhan", "update", "cost_pence", None, "64900"),
        ("akhan", "update", "make", "", "Dell"),
        ("akhan", "update", "serial", "", "7HX2Q"),
        ("akhan", "update", "warranty_end", None, "2027-08-31"),
    ]


def test_update_asset_with_nothing_new_writes_nothing(school):
    before = (assets.asset("LAP-0042"), Journal.select().count())
    again = assets.update_asset("LAP-0042", description="Dell 3440", kind="Laptop", by="akhan")
    assert (again, Journal.select().count()) == before


def test_update_asset_refuses_a_stale_version_and_keeps_the_other_change(school):
    seen = assets.asset("LAP-0042").version
    assets.update_asset("LAP-0042", make="Dell", seen_version=seen, by="akhan")
    with pytest.raises(Refused, match="LAP-0042 was just changed by someone else"):
        assets.update_asset("LAP-0042", make="HP", seen_version=seen, by="jsmith")
    device = assets.asset("LAP-0042")
    assert (device.make, device.version) == ("Dell", seen + 1)
    assert [m for m in moves("LAP-0042") if m[2] == "make"] == [
        ("akhan", "update", "make", "", "Dell")
    ]


UPDATE_REFUSALS = [
    ({"status": "on loan"}, Refused, "goes on loan by lending it"),
    ({"location": "S12"}, BadInput, "An asset has no field 'location'"),
    ({"colour": "red"}, BadInput, "An asset has no field 'colour'"),
    ({"purchased_on": "yesterday"}, BadInput, "not a date"),
    ({"notes": "x" * 4001}, BadInput, "too long"),
]


def test_update_asset_refusals_change_nothing(school):
    before = (assets.asset("LAP-0042"), Journal.select().count())
    for changes, error, message in UPDATE_REFUSALS:
        with pytest.raises(error, match=message):
            assets.update_asset("LAP-0042", by="jsmith", make="HP", **changes)
        assert (assets.asset("LAP-0042"), Journal.select().count()) == before, changes


def test_update_asset_of_an_unknown_tag_is_not_found(school):
    with pytest.raises(NotFound, match="LAP-9999"):
        assets.update_asset("LAP-9999", make="Dell", by="jsmith")


def test_move_asset_journals_from_where_to_where(school):
    moved = assets.move_asset("lap-0042", "s12", by="akhan")
    assert (moved.location, moved.location_name, moved.version) == ("S12", "Science lab 12", 2)
    nowhere = assets.move_asset("LAP-0042", None, by="akhan")
    assert (nowhere.location, nowhere.version) == (None, 3)
    assert [m for m in moves("LAP-0042") if m[1] == "move"] == [
        ("akhan", "move", "location", "LIB", "S12"),
        ("akhan", "move", "location", "S12", None),
    ]


def test_move_asset_refuses_where_it_already_is_and_unknown_rooms(school):
    with pytest.raises(Refused, match="LAP-0042 is already in LIB"):
        assets.move_asset("LAP-0042", "lib", by="akhan")
    with pytest.raises(BadInput, match="ZZ9"):
        assets.move_asset("LAP-0042", "ZZ9", by="akhan")
    assert assets.asset("LAP-0042").location == "LIB"
    assert [m for m in moves("LAP-0042") if m[1] == "move"] == []


def test_retire_asset_keeps_the_reason_and_its_history(school):
    assets.update_asset("LAP-0042", notes="Cracked hinge", by="akhan")
    log("LAP-0042")
    retired = assets.retire_asset("LAP-0042", "Screen beyond repair", by="jsmith")
    assert retired.status == "retired"
    assert retired.notes == "Cracked hinge\nRetired: Screen beyond repair"
    assert ("jsmith", "retire", "status", "in_use", "retired") in moves("LAP-0042")
    assert len(asset_history.history("LAP-0042").calls) == 1  # its calls stay with it
    assert tags(assets.list_assets(status="retired")) == ["LAP-0042"]


def test_retire_asset_refuses_twice_and_without_a_reason(school):
    with pytest.raises(BadInput, match="The reason is empty"):
        assets.retire_asset("LAP-0042", "  ", by="jsmith")
    assert assets.asset("LAP-0042").status == "in_use"
    assets.retire_asset("LAP-0042", "Sold", by="jsmith")
    with pytest.raises(Refused, match="LAP-0042 is already retired"):
        assets.retire_asset("LAP-0042", "Sold again", by="jsmith")
    assert assets.asset("LAP-0042").notes == "Retired: Sold"


# -- parts


@pytest.fixture
def kit(school):
    assets.add_asset("PSU-0042", kind="psu", by="jsmith")
    assets.add_asset("DOCK-0001", kind="other", by="jsmith")
    assets.add_asset("LAP-0043", kind="laptop", by="jsmith")
    return school


def test_attach_part_shows_on_both_and_is_journalled(kit):
    parent = assets.attach_part("psu-0042", "lap-0042", by="akhan")
    assert parent.tag == "LAP-0042" and parent.parts == ("PSU-0042",)
    assets.attach_part("DOCK-0001", "LAP-0042", by="akhan")
    assert assets.asset("LAP-0042").parts == ("DOCK-0001", "PSU-0042")
    part = assets.asset("PSU-0042")
    assert (part.part_of, part.version) == ("LAP-0042", 2)
    assert ("akhan", "attach", "part_of", None, "LAP-0042") in moves("PSU-0042")


def test_moving_a_part_to_another_device_journals_both(kit):
    assets.attach_part("PSU-0042", "LAP-0042", by="akhan")
    assets.attach_part("PSU-0042", "LAP-0043", by="akhan")
    assert assets.asset("LAP-0042").parts == ()
    assert assets.asset("LAP-0043").parts == ("PSU-0042",)
    assert ("akhan", "attach", "part_of", "LAP-0042", "LAP-0043") in moves("PSU-0042")


def test_detach_part(kit):
    assets.attach_part("PSU-0042", "LAP-0042", by="akhan")
    alone = assets.detach_part("psu-0042", by="jsmith")
    assert (alone.tag, alone.part_of) == ("PSU-0042", None)
    assert assets.asset("LAP-0042").parts == ()
    assert ("jsmith", "detach", "part_of", "LAP-0042", None) in moves("PSU-0042")
    with pytest.raises(Refused, match="PSU-0042 is not a part of anything"):
        assets.detach_part("PSU-0042", by="jsmith")


def test_attach_part_refuses_itself_twice_and_unknown_tags(kit):
    with pytest.raises(Refused, match="cannot be a part of itself"):
        assets.attach_part("LAP-0042", "lap-0042", by="akhan")
    assets.attach_part("PSU-0042", "LAP-0042", by="akhan")
    with pytest.raises(Refused, match="PSU-0042 is already a part of LAP-0042"):
        assets.attach_part("PSU-0042", "LAP-0042", by="akhan")
    with pytest.raises(NotFound, match="NOPE-1"):
        assets.attach_part("PSU-0042", "NOPE-1", by="akhan")


def test_attach_part_makes_no_circles(kit):
    assets.attach_part("PSU-0042", "LAP-0042", by="akhan")
    with pytest.raises(Refused, match="PSU-0042 is already a part of LAP-0042"):
        assets.attach_part("LAP-0042", "PSU-0042", by="akhan")
    # and not through a longer chain: DOCK <- LAP <- PSU, then DOCK into PSU
    assets.attach_part("LAP-0042", "DOCK-0001", by="akhan")
    with pytest.raises(Refused, match="is already a part of DOCK-0001"):
        assets.attach_part("DOCK-0001", "PSU-0042", by="akhan")
    assert assets.asset("DOCK-0001").part_of is None
    assert assets.asset("DOCK-0001").parts == ("LAP-0042",)


# -- history and repeat faults


def test_history_is_the_device_its_calls_newest_first_its_changes_and_loans(school):
    older = log("LAP-0042", summary="Will not charge", days_ago=40)
    newer = log("LAP-0042", summary="Keyboard sticks")
    servicedesk.log_call(summary="Printer jam", requester="Ann Lee", by="jsmith")
    assets.move_asset("LAP-0042", "S12", by="akhan")
    found = asset_history.history("lap-0042")
    assert found.asset.tag == "LAP-0042"
    assert [c.number for c in found.calls] == [newer.number, older.number]
    assert found.last_twelve_months == 2
    assert found.repeat_faults == ()
    first = found.changes[0]
    assert (first.action, first.before, first.after) == ("move", "LIB", "S12")
    assert found.changes[-1].action == "add"  # newest first
    assert found.loans == ()


def test_three_calls_in_one_category_in_a_year_flag_a_repeat_fault(school):
    for days in (300, 100, 1):
        log("LAP-0042", "laptop", days_ago=days)
    found = asset_history.history("LAP-0042")
    assert found.repeat_faults == (("laptop", 3),)
    assert asset_history.flagged() == [("LAP-0042", "laptop", 3)]
    log("LAP-0042", "laptop")
    assert asset_history.history("LAP-0042").repeat_faults == (("laptop", 4),)


def test_two_calls_in_a_category_are_not_a_repeat_fault(school):
    log("LAP-0042", "laptop")
    log("LAP-0042", "laptop")
    log("LAP-0042", "wifi")  # three calls, but not three of one kind
    found = asset_history.history("LAP-0042")
    assert (found.repeat_faults, found.last_twelve_months) == ((), 3)
    assert asset_history.flagged() == []


def test_the_repeat_count_is_the_configs_trends_repeat_calls(school):
    log("LAP-0042", "laptop")
    log("LAP-0042", "laptop")
    assert asset_history.history("LAP-0042").repeat_faults == ()
    config.use(config.Config(trends_repeat_calls=2))  # conftest puts the defaults back
    assert asset_history.history("LAP-0042").repeat_faults == (("laptop", 2),)
    assert asset_history.flagged() == [("LAP-0042", "laptop", 2)]


def test_calls_older_than_twelve_months_do_not_count_towards_a_repeat_fault(school):
    log("LAP-0042", "laptop", days_ago=400)
    log("LAP-0042", "laptop", days_ago=200)
    log("LAP-0042", "laptop", days_ago=2)
    found = asset_history.history("LAP-0042")
    assert len(found.calls) == 3
    assert found.last_twelve_months == 2
    assert found.repeat_faults == ()
    assert asset_history.flagged() == []
    assert asset_history.flagged(since_days=500) == [("LAP-0042", "laptop", 3)]


def test_flagged_names_each_device_and_category_most_calls_first(school):
    assets.add_asset("PRN-0001", kind="printer", by="jsmith")
    for _ in range(4):
        log("PRN-0001", "printer")
    for _ in range(3):
        log("LAP-0042", "laptop")
        log("LAP-0042", "wifi")
    assert asset_history.flagged() == [
        ("PRN-0001", "printer", 4),
        ("LAP-0042", "laptop", 3),
        ("LAP-0042", "wifi", 3),
    ]
    assert asset_history.history("PRN-0001").repeat_faults == (("printer", 4),)
    assert asset_history.flagged(since_days=0) == []


def test_history_of_a_device_lists_its_loans(school):
    assets.add_asset("LAP-0099", kind="laptop", status="spare", by="jsmith")
    call = log("LAP-0042")
    loans.swap(call.number, handed_in="LAP-0042", spare="LAP-0099", by="jsmith")
    [lent] = asset_history.history("LAP-0099").loans
    [handed] = asset_history.history("LAP-0042").loans
    assert lent == handed
    assert (lent.lent, lent.handed_in, lent.incident) == ("LAP-0099", "LAP-0042", call.number)


def test_underscores_become_dashes_so_the_label_stays_alphanumeric(school):
    device = assets.add_asset("lap_0100", kind="laptop", by="jsmith")
    assert device.tag == "LAP-0100"
    assert assets.asset("LAP_0100").tag == "LAP-0100"


def test_a_device_goes_on_loan_or_retires_only_through_its_own_step(school):
    with pytest.raises(BadInput, match="on loan by lending it"):
        assets.add_asset("LAP-0100", kind="laptop", status="on loan", by="jsmith")
    assert Asset.get_or_none(Asset.tag == "LAP-0100") is None
    with pytest.raises(Refused, match="with its reason"):
        assets.update_asset("LAP-0042", status="retired", by="jsmith")
    assert assets.asset("LAP-0042").status == "in_use"


def test_a_room_code_that_grows_in_upper_case_is_refused_plainly(school):
    from store.db.sanitise import CODE, clean_code

    with pytest.raises(BadInput, match="too long"):
        clean_code("ß" * CODE.limit, CODE)


def test_a_device_moves_with_the_parts_that_were_with_it(school):
    assets.add_asset("PSU-0042", kind="charger", location="LIB", part_of="LAP-0042", by="jsmith")
    assets.add_asset("PSU-0099", kind="charger", location="IT1", part_of="LAP-0042", by="jsmith")
    assets.move_asset("LAP-0042", "S12", by="akhan")
    assert assets.asset("PSU-0042").location == "S12"  # it went with the laptop
    assert assets.asset("PSU-0099").location == "IT1"  # it was elsewhere: left there
    assert ("akhan", "move", "location", "LIB", "S12") in moves("PSU-0042")


def test_a_call_about_a_device_is_where_the_device_is_unless_said(school):
    call = servicedesk.log_call(summary="No sound", requester="Sam", asset="lap 0042", by="jsmith")
    assert (call.asset, call.location) == ("LAP-0042", "LIB")
    call = servicedesk.log_call(
        summary="No sound", requester="Sam", asset="LAP-0042", location="S12", by="jsmith"
    )
    assert call.location == "S12"


@pytest.mark.parametrize(
    "typed", ["2024-09-01", "2024-09-01 00:00:00", "2024-09-01T13:45", "1/9/2024", "01.09.2024"]
)
def test_dates_as_spreadsheets_and_mis_exports_write_them(typed):
    assert assets.clean_date(typed, "purchase date") == dt.date(2024, 9, 1)


def test_dates_that_cannot_be_are_refused(school):
    with pytest.raises(BadInput, match="has not come yet"):
        assets.add_asset("LAP-0100", kind="laptop", purchased_on="2999-01-01", by="jsmith")
    with pytest.raises(BadInput, match=r"warranty ends .* before the device was bought"):
        assets.add_asset(
            "LAP-0100",
            kind="laptop",
            purchased_on="2024-09-01",
            warranty_end="2023-09-01",
            by="jsmith",
        )
    assert Asset.get_or_none(Asset.tag == "LAP-0100") is None


def test_a_device_in_for_repair_against_a_loan_changes_status_only_by_the_loan(school):
    call = servicedesk.log_call(summary="Broken", requester="Sam", asset="LAP-0042", by="jsmith")
    assets.add_asset("LAP-0099", kind="laptop", status="spare", by="jsmith")
    loans.swap(call.number, handed_in="LAP-0042", spare="LAP-0099", by="jsmith")
    with pytest.raises(Refused, match="its status changes when the spare is returned"):
        assets.update_asset("LAP-0042", status="in use", by="jsmith")
    assert assets.asset("LAP-0042").status == "in_repair"


def test_a_listed_part_says_what_it_goes_with(school):
    assets.add_asset("PSU-0042", kind="charger", part_of="LAP-0042", by="jsmith")
    [charger] = assets.list_assets("PSU")
    assert (charger.part_of, charger.kind) == ("LAP-0042", "power_supply")
