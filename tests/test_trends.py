"""Trends: planted spikes, repeat faults and rising kinds of fault are found with their
evidence; a year of ordinary calls at a busy school's rate finds nothing; thresholds
come from the config file and bad ones are refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.configuration import assets
from store.db import config
from store.db.database import write
from store.db.errors import BadInput, Refused
from store.db.models import Asset, Category, Incident, Location, Person
from store.problems import problems, trends
from store.servicedesk import servicedesk

NOW = dt.datetime(2026, 3, 11, 12, 0)
"""A Wednesday in term; London is on GMT, so the headlines' times are these."""
DEFAULTS = config.Config()


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """A time in March 2026 (UTC)."""
    return dt.datetime(2026, 3, day, hour, minute, second)


def plant(times, *, category, location=None, asset=None, summary="It broke") -> list[str]:
    """Log a call for each time through the service desk, then move it to that time."""
    numbers = []
    for moment in times:
        call = servicedesk.log_call(
            summary=summary,
            requester="Sam Patel",
            location=location,
            category=category,
            asset=asset,
            by="jsmith",
        )
        Incident.update(logged_at=moment, updated_at=moment).where(Incident.id == call.id).execute()
        numbers.append(call.number)
    return numbers


def find(**settings) -> list[trends.Trend]:
    """The trends at NOW, with these [trends] settings and the defaults for the rest."""
    changed = {f"trends_{key}": value for key, value in settings.items()}
    return trends.find_trends(now=NOW, settings=dataclasses.replace(DEFAULTS, **changed))


def of_kind(found, kind):
    return [trend for trend in found if trend.kind == kind]


# Spikes


def test_a_spike_in_one_room_and_kind_is_found_with_its_calls(school):
    calls = plant([at(10, 9, 10 * i) for i in range(6)], category="wifi", location="LIB")
    plant([at(10, 9, 5 + 10 * i) for i in range(4)], category="wifi", location="S12")
    plant([at(10, 9, 3 + 10 * i) for i in range(4)], category="printer", location="LIB")

    [spike] = find()
    assert spike.kind == "spike"
    assert spike.headline == (
        "6 Wi-Fi or internet calls in Library within 2 hours on 10 Mar from 09:00: "
        "probably an outage"
    )
    assert spike.incidents == tuple(calls)
    assert (spike.location, spike.location_name, spike.category) == ("LIB", "Library", "wifi")
    assert spike.asset is None and spike.problem is None
    assert (spike.count, spike.start, spike.end) == (6, at(10, 9), at(10, 9, 50))
    assert spike.key == "spike:LIB:wifi:2026-03-10T09:00"


def test_a_spike_is_its_calls_within_the_span_no_more_no_fewer(school):
    # Five calls whose first and last are exactly two hours apart: a spike.
    exact = plant([at(9, 9), at(9, 9, 30), at(9, 10), at(9, 10, 30), at(9, 11)], category="wifi",
                  location="LIB")  # fmt: skip
    # Five calls over two hours and a second: not one.
    plant([at(9, 9), at(9, 9, 30), at(9, 10), at(9, 10, 30), at(9, 11, 0, 1)], category="wifi",
          location="S12")  # fmt: skip
    # Four calls in ten minutes: one short.
    plant([at(9, 9, 2 * i) for i in range(4)], category="wifi", location="IT1")

    [spike] = find()
    assert (spike.location, spike.incidents, spike.count) == ("LIB", tuple(exact), 5)
    assert {t.location for t in find(spike_calls=4)} == {"LIB", "S12", "IT1"}
    assert {t.location for t in find(spike_hours=3)} == {"LIB", "S12"}
    assert find(spike_calls=6) == []


def test_a_busy_rooms_ordinary_rate_is_not_a_spike_but_four_times_it_is(school):
    """A room and kind with a call every hour of the school year usually sees two in two
    hours: six is an ordinary morning there, though six in a quiet room is a spike."""
    [template] = plant([at(1, 8)], category="wifi", location="LIB")
    row = Incident.get_by_id(int(template.split("-")[1])).__data__
    del row["id"]
    hours = [NOW - dt.timedelta(days=300) + dt.timedelta(hours=5.84 * i) for i in range(1500)]
    with write():
        Incident.insert_many([{**row, "logged_at": t, "updated_at": t} for t in hours]).execute()
    plant([at(10, 9, 10 * i) for i in range(6)], category="wifi", location="LIB")
    quiet = plant([at(10, 9, 10 * i) for i in range(6)], category="wifi", location="S12")

    assert [t.incidents for t in of_kind(find(), "spike")] == [tuple(quiet)]
    assert {t.location for t in of_kind(find(spike_factor=1.0), "spike")} == {"LIB", "S12"}
    burst = plant([at(10, 13, 5 * i) for i in range(9)], category="wifi", location="LIB")
    found = {t.location: t for t in of_kind(find(), "spike")}
    assert set(burst) <= set(found["LIB"].incidents)  # with any steady call among them
    assert found["LIB"].count >= 9


def test_a_long_outage_is_one_spike_counted_by_its_densest_window(school):
    steady = [at(10, 8, 0) + dt.timedelta(minutes=30 * i) for i in range(13)]  # 08:00-14:00
    burst = [at(10, 11, 10), at(10, 11, 15), at(10, 11, 20)]
    outage = plant(sorted(steady + burst), category="network", location="IT1")
    later = plant([at(10, 17, 2 * i) for i in range(5)], category="network", location="IT1")

    first, second = find()
    assert first.incidents == tuple(later)  # newest first
    assert first.key == "spike:IT1:network:2026-03-10T17:00"
    assert second.incidents == tuple(outage)
    assert second.count == 8  # 09:30 to 11:30 holds the most calls (10:00-12:00 as many)
    assert (second.start, second.end) == (at(10, 9, 30), at(10, 11, 30))
    assert second.headline == (
        "8 Network or server calls in Computer room 1 within 2 hours on 10 Mar from 09:30 "
        "(16 in all): probably an outage"
    )
    assert second.key == "spike:IT1:network:2026-03-10T08:00"


def test_spikes_over_a_year_ago_and_calls_without_a_kind_are_left_out(school):
    old = NOW - dt.timedelta(days=366)
    plant([old + dt.timedelta(minutes=i) for i in range(6)], category="wifi", location="LIB")
    inside = NOW - dt.timedelta(days=364)
    recent = plant([inside + dt.timedelta(minutes=i) for i in range(6)], category="wifi",
                   location="S12")  # fmt: skip
    unsorted = plant([at(10, 9, i) for i in range(6)], category="wifi", location="IT1")
    Incident.update(category=None).where(Incident.id.in_([int(n[4:]) for n in unsorted])).execute()

    [spike] = find()
    assert spike.incidents == tuple(recent)
    # A year back from `now`, and nothing logged after it.
    [then] = trends.find_trends(now=inside, settings=DEFAULTS)
    assert then.location == "LIB" and then.start == old


@given(
    st.lists(st.integers(min_value=0, max_value=600), max_size=40),
    st.integers(min_value=2, max_value=6),
    st.integers(min_value=1, max_value=120),
)
def test_spikes_agree_with_counting_every_window(minutes, size, span_minutes):
    """Whatever the calls, the spikes are exactly the calls in a full window, each spike
    counted by its fullest window, and no full window spans two spikes."""
    base = dt.datetime(2026, 3, 10, 8)
    calls = sorted((base + dt.timedelta(minutes=m), n) for n, m in enumerate(minutes))
    span = dt.timedelta(minutes=span_minutes)

    def window(start: int) -> range:
        return range(start, max(k for k in range(start, len(calls))
                                if calls[k][0] - calls[start][0] <= span) + 1)  # fmt: skip

    full = [window(i) for i in range(len(calls)) if len(window(i)) >= size]
    spikes = trends._episodes(list(calls), size, span)
    in_spikes = {i for first, last, _b, _e in spikes for i in range(first, last + 1)}
    assert in_spikes == {i for w in full for i in w}
    for first, last, best, best_end in spikes:
        inside = [w for w in full if first <= w.start <= last]
        assert all(w.stop - 1 <= last for w in inside)
        most = max(len(w) for w in inside)
        assert (best, best_end) == next((w.start, w.stop - 1) for w in inside if len(w) == most)


# Repeat faults


def test_a_device_with_repeat_calls_of_one_kind_is_found(school):
    days = (3, 20, 41, 60)
    calls = plant([NOW - dt.timedelta(days=d) for d in days][::-1], category="laptop",
                  asset="LAP-0042")  # fmt: skip
    assets.add_asset("LAP-0043", kind="laptop", location="S12", by="jsmith")
    for kind, ago in (("laptop", 5), ("login", 9), ("software", 30)):
        plant([NOW - dt.timedelta(days=ago)], category=kind, asset="LAP-0043")

    [repeat] = find()
    assert repeat.kind == "repeat"
    assert repeat.headline == "LAP-0042 has had 4 Laptop or Chromebook calls since 10 Jan"
    assert repeat.incidents == tuple(calls)
    assert (repeat.asset, repeat.category, repeat.location) == ("LAP-0042", "laptop", None)
    assert repeat.key == "repeat:LAP-0042:laptop"
    assert (repeat.start, repeat.end, repeat.count) == (
        NOW - dt.timedelta(days=60),
        NOW - dt.timedelta(days=3),
        4,
    )


def test_a_repeat_needs_its_calls_inside_the_window(school):
    window = dt.timedelta(days=90)
    for tag in ("LAP-0001", "LAP-0002", "LAP-0003"):
        assets.add_asset(tag, kind="laptop", location="S12", by="jsmith")
    # Exactly three, the first exactly 90 days ago: a repeat.
    plant([NOW - window, NOW - dt.timedelta(days=10), NOW], category="laptop", asset="LAP-0001")
    # Three, the first a second too early: two in the window.
    plant([NOW - window - dt.timedelta(seconds=1), NOW - dt.timedelta(days=10), NOW],
          category="laptop", asset="LAP-0002")  # fmt: skip
    # Two: one short.
    plant([NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=1)], category="laptop",
          asset="LAP-0003")  # fmt: skip

    assert [t.asset for t in find()] == ["LAP-0001"]
    assert {t.asset for t in find(repeat_calls=2)} == {"LAP-0001", "LAP-0002", "LAP-0003"}
    assert {t.asset for t in find(repeat_days=91)} == {"LAP-0001", "LAP-0002"}
    assert find(repeat_days=89) == []


def test_closed_calls_still_count_towards_a_repeat(school):
    calls = plant([NOW - dt.timedelta(days=d) for d in (50, 30, 10)], category="printer",
                  asset="LAP-0042")  # fmt: skip
    Incident.update(status="closed", closed_at=NOW).execute()
    [repeat] = find()
    assert repeat.incidents == tuple(calls)


# Rising kinds of fault


def _person() -> int:
    row, _new = Person.get_or_create(
        match_key="noise|pupil|", defaults={"name": "Noise", "role": "pupil", "created_at": NOW}
    )
    return row.id


def insert_calls(rows: list[tuple[dt.datetime, int | None, int | None, int | None]]) -> None:
    """Calls straight into the table: (logged_at, category id, location id, asset id)."""
    who = _person()
    calls = [
        {
            "check_code": "ABCD",
            "channel": "desk",
            "requester": who,
            "location": place,
            "category": kind,
            "asset": device,
            "summary": "noise",
            "impact": 3,
            "urgency": 3,
            "priority": 5,
            "status": "closed",
            "logged_at": moment,
            "updated_at": moment,
        }
        for moment, kind, place, device in rows
    ]
    with write():
        for first in range(0, len(calls), 500):
            Incident.insert_many(calls[first : first + 500]).execute()


def kind_ids() -> dict[str, int]:
    return {row.name: row.id for row in Category.select()}


def weekly_calls(counts: dict[str, list[int]]) -> None:
    """Calls by kind for each week back from NOW, oldest week first, spread over the
    week's school days (no room, no device: only a rise can be found in them)."""
    ids = kind_ids()
    rows = []
    for name, weeks in counts.items():
        for back, count in enumerate(reversed(weeks)):
            for i in range(count):
                day = NOW.date() - dt.timedelta(days=7 * back + i % 5)
                moment = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=7 * (i // 5))
                rows.append((moment, ids[name], None, None))
    insert_calls(rows)


def test_a_kind_rising_week_on_week_beyond_its_share_is_found(school):
    weekly_calls(
        {
            "printer": [3] * 8 + [6, 10, 16],
            "login": [15] * 11,
            "wifi": [12] * 11,
            "projector": [2] * 8 + [2, 3, 5],  # rising, but too few to say
        }
    )
    [rising] = find()
    assert rising.kind == "rising" and rising.category == "printer"
    assert rising.weekly == (6, 10, 16)
    assert rising.usual == pytest.approx((16 + 15 + 12 + 5) * 24 / (8 * 32))
    assert rising.headline == (
        "Printer calls rising 3 weeks running: 6, 10, 16 (about 4 a week is usual)"
    )
    assert rising.key == "rising:printer"
    assert len(rising.incidents) == 6 + 10 + 16
    assert rising.start == dt.datetime(2026, 2, 19) and rising.end == NOW
    assert {t.category for t in find(rising_min_calls=5, rising_growth=1.5)} == {
        "printer",
        "projector",
    }
    assert find(rising_weeks=4)[0].weekly == (3, 6, 10, 16)
    assert find(rising_growth=4.0) == []


def test_every_kind_rising_together_is_a_busy_school_not_a_trend(school):
    # The first weeks of September: everything goes up together, printers a little faster.
    weekly_calls(
        {
            "login": [15] * 8 + [22, 30, 45],
            "printer": [5] * 8 + [7, 11, 18],
            "wifi": [10] * 8 + [15, 20, 30],
        }
    )
    assert find() == []
    # Printers' share went up each week (login's and Wi-Fi's did not): with no growth
    # asked of it, that is a rise.
    [rising] = find(rising_growth=1.0)
    assert rising.category == "printer" and rising.usual == pytest.approx(93 * 40 / 240)


# Noise


SCHOOL_HOLIDAYS = (
    ((4, 7), (4, 21)),
    ((5, 26), (5, 30)),
    ((7, 23), (9, 2)),
    ((10, 27), (10, 31)),
    ((12, 22), (12, 31)),
    ((1, 1), (1, 2)),
    ((2, 16), (2, 20)),
)
WEIGHTS = {"login": 20, "laptop": 18, "projector": 12, "printer": 12, "wifi": 10,
           "software": 10, "other": 6, "desktop": 6, "email": 3, "mis": 1, "phone": 1,
           "network": 1}  # fmt: skip
"""How a school's calls fall by kind (as store/demo/school.py has them)."""


def school_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = []
    day = first
    while day <= last:
        away = any(start <= (day.month, day.day) <= end for start, end in SCHOOL_HOLIDAYS)
        if day.weekday() < 5 and not away:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def noisy_school(seed: int = 6, calls: int = 4000) -> None:
    """A year of calls at a busy secondary's rate and no pattern: 4,000 calls (about 21 a
    school day) at random times of school days, from 60 rooms, of the usual kinds; a
    fifth name one of 1,000 devices. A device's calls of one kind average 0.04 in 90 days
    and a room's commonest kind 0.02 in two hours, so by Poisson the defaults should find
    a chance repeat about once in 40 looks and never a spike; over 40 seeds of five looks
    each they found 5 repeats and 2 rises (a small kind going 4, 6, 10), and no spike, in
    200 looks. Seed 6 is the issue's number, not a pick."""
    rng = random.Random(seed)
    rooms = [Location.create(code=f"R{n:02d}", name=f"Room {n}").id for n in range(60)]
    with write():
        for first in range(0, 1000, 200):
            Asset.insert_many(
                [{"tag": f"D-{n:04d}", "kind": "laptop"} for n in range(first, first + 200)]
            ).execute()
    devices = [row.id for row in Asset.select(Asset.id).where(Asset.tag.startswith("D-"))]
    ids = kind_ids()
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    days = school_days((NOW - trends.YEAR).date() + dt.timedelta(days=1), NOW.date())
    rows = []
    for _ in range(calls):
        day = rng.choice(days)
        moment = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(
            seconds=rng.randrange(7 * 3600)
        )
        if moment > NOW:
            moment -= dt.timedelta(days=7)
        device = rng.choice(devices) if rng.random() < 0.2 else None
        rows.append((moment, ids[rng.choices(names, weights)[0]], rng.choice(rooms), device))
    insert_calls(rows)


def test_a_year_of_ordinary_calls_finds_nothing(school):
    noisy_school()
    looks = [NOW - dt.timedelta(weeks=6 * n) for n in range(5)]  # a look each half term
    for now in looks:
        assert trends.find_trends(now=now, settings=DEFAULTS) == [], now
    # The same calls are enough for looser thresholds to cry wolf: the test can fail.
    naive = dataclasses.replace(
        DEFAULTS,
        trends_repeat_calls=2,
        trends_repeat_days=365,
        trends_spike_calls=2,
        trends_rising_weeks=2,
        trends_rising_growth=1.0,
        trends_rising_min_calls=1,
    )
    cried = {trend.kind for now in looks for trend in trends.find_trends(now=now, settings=naive)}
    assert cried == {"spike", "repeat", "rising"}


def test_a_spike_stands_out_of_the_noise(school):
    noisy_school(calls=1500)
    ids = kind_ids()
    room = Location.get(Location.code == "R07").id
    planted = [at(10, 13, 4 * i) for i in range(5)]
    insert_calls([(moment, ids["projector"], room, None) for moment in planted])
    [spike] = find()  # its five calls are in its kind's week, but they are the spike's
    assert spike.location == "R07" and spike.category == "projector" and spike.count >= 5


# All three, in order, and the problems that cover them


def test_spikes_then_repeats_then_rises(school):
    weekly_calls({"printer": [3] * 8 + [6, 10, 16], "login": [15] * 11})
    plant([NOW - dt.timedelta(days=d) for d in (40, 20, 2)], category="laptop", asset="LAP-0042")
    plant([at(4, 10, i) for i in range(5)], category="wifi", location="S12")
    plant([at(6, 10, i) for i in range(5)], category="wifi", location="IT1")
    found = find()
    assert [t.kind for t in found] == ["spike", "spike", "repeat", "rising"]
    assert [t.location for t in found[:2]] == ["IT1", "S12"]


def test_a_trend_names_the_problem_that_covers_it(school):
    calls = plant([at(10, 9, 5 * i) for i in range(7)], category="wifi", location="LIB")
    by_hand = problems.raise_problem("Library Wi-Fi", by="jsmith", incidents=calls[:2])
    [spike] = find()
    assert spike.problem == by_hand.number
    with pytest.raises(Refused, match=by_hand.number):
        trends.raise_from_trend(spike, by="jsmith")
    # Closed: its cause is dealt with and its calls are no longer evidence of anything.
    problems.close(by_hand.number, by="jsmith", reason="The access point was replaced")
    [spike] = find()
    assert spike.problem is None and spike.incidents == tuple(calls[2:])
    assert find(spike_calls=6) == []
    raised = trends.raise_from_trend(spike, by="akhan")
    assert (raised.locations, raised.categories, raised.assets) == (("LIB",), ("wifi",), ())
    assert sorted(call.number for call in raised.incidents) == calls[2:]
    assert find()[0].problem == raised.number


def test_raising_a_problem_from_a_trend_links_its_calls_once(school):
    calls = plant([NOW - dt.timedelta(days=d) for d in (40, 20, 2)], category="laptop",
                  asset="LAP-0042")  # fmt: skip
    [repeat] = find()
    raised = trends.raise_from_trend(repeat, by="jsmith")
    assert raised.title == repeat.headline
    assert raised.origin == "repeat:LAP-0042:laptop"
    assert sorted(call.number for call in raised.incidents) == calls
    assert {call.via for call in raised.incidents} == {"trend"}
    scope = (raised.assets, raised.categories, raised.locations)
    assert scope == (("LAP-0042",), ("laptop",), ("LIB",))  # the room its calls came from

    # A fourth call: the same trend, and the problem raised from it still covers it.
    fourth = plant([NOW - dt.timedelta(days=1)], category="laptop", asset="LAP-0042")
    [again] = find()
    assert again.key == repeat.key and again.problem == raised.number
    assert again.incidents == tuple(calls + fourth)
    with pytest.raises(Refused):
        trends.raise_from_trend(dataclasses.replace(again, problem=None), by="jsmith")
    # Closed, and the calls come back: a new problem, which the system may raise itself.
    problems.close(raised.number, by="jsmith", reason="Duplicate")
    plant([NOW - dt.timedelta(days=d) for d in (3, 2)], category="laptop", asset="LAP-0042")
    [fresh] = find()
    by_system = trends.raise_from_trend(fresh, by=servicedesk.SYSTEM)
    assert by_system.created_by == "system" and len(by_system.incidents) == 3


# Thresholds from the config file


def write_config(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_thresholds_come_from_the_config_file(school, tmp_path, monkeypatch):
    plant([at(10, 9, 5 * i) for i in range(6)], category="wifi", location="LIB")
    assert len(trends.find_trends(now=NOW)) == 1
    path = write_config(tmp_path, "[trends]\nspike_calls = 7\nrising_growth = 1.5\n")
    monkeypatch.setenv("FITSDESK_CONFIG", str(path))
    config.use(None)
    settings = config.current()
    assert (settings.trends_spike_calls, settings.trends_rising_growth) == (7, 1.5)
    assert settings.trends_repeat_calls == 3 and settings.trends_repeat_days == 90
    assert trends.find_trends(now=NOW) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("spike_calls = 1", "trends.spike_calls must be a whole number from 2 to 1000."),
        ("repeat_days = 400", "trends.repeat_days must be a whole number from 1 to 365."),
        ("repeat_calls = 3.5", "trends.repeat_calls must be a whole number from 2 to 100."),
        ("spike_hours = true", "trends.spike_hours must be a whole number from 1 to 72."),
        ('rising_growth = "2"', "trends.rising_growth must be a number from 1 to 100."),
        ("rising_growth = 0.5", "trends.rising_growth must be a number from 1 to 100."),
        ("rising_growth = nan", "trends.rising_growth must be a number from 1 to 100."),
        ("rising_weeks = 1", "trends.rising_weeks must be a whole number from 2 to 12."),
        ("spike_call = 5", "there is no setting 'trends.spike_call' (did you mean"),
    ],
)
def test_bad_thresholds_are_refused_naming_the_file_and_key(tmp_path, text, message):
    path = write_config(tmp_path, f"[trends]\n{text}\n")
    with pytest.raises(BadInput) as refused:
        config.load_config(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_trends_must_be_a_table(tmp_path):
    path = write_config(tmp_path, "trends = 3\n")
    with pytest.raises(BadInput, match=r"\[trends\] must be a table"):
        config.load_config(path)


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_any_whole_number_is_taken_or_refused_by_its_range(tmp_path_factory, value):
    path = tmp_path_factory.mktemp("conf") / "config.toml"
    path.write_text(f"[trends]\nspike_calls = {value}\n")
    if 2 <= value <= 1000:
        assert config.load_config(path).trends_spike_calls == value
    else:
        with pytest.raises(BadInput, match="from 2 to 1000"):
            config.load_config(path)


def test_a_long_headline_is_cut_to_a_problem_title(school):
    from store.school import locations

    locations.add_location("DT3", "Design and Technology workshop 3 (upper floor)", by="jsmith")
    plant([at(10, 9, i) for i in range(12)], category="projector", location="DT3")
    [spike] = find(spike_hours=1)
    assert len(spike.headline) > 120
    raised = trends.raise_from_trend(spike, by="jsmith")
    assert len(raised.title) == 120 and raised.title.endswith("…")
    assert raised.title[:-1] == spike.headline[:119].rstrip()
