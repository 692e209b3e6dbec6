"""Service level targets per priority (store/service_levels/targets.py): usable defaults
on day one, changed by a manager with `fitsdesk sla set`, lengths as people write them."""

import json

import pytest

from store.db.errors import BadInput, NotAllowed
from store.db.models import Journal, Setting
from store.service_levels import targets
from store.service_levels.targets import HOUR, SCHOOL_DAY


def test_the_defaults_are_the_published_school_table(school):
    found = targets.current()
    assert [(t.priority, t.respond, t.resolve, t.clock) for t in found.values()] == [
        ("P1", 1800, 4 * HOUR, "school"),
        ("P2", HOUR, SCHOOL_DAY, "school"),
        ("P3", 4 * HOUR, 3 * SCHOOL_DAY, "school"),
        ("P4", SCHOOL_DAY, 5 * SCHOOL_DAY, "school"),
        ("P5", 2 * SCHOOL_DAY, 10 * SCHOOL_DAY, "school"),
    ]
    assert targets.words(found["P2"]) == "respond 1 h, resolve 1 school day"
    assert targets.words(found["P1"]) == "respond 30 min, resolve 4 h"


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [
        ("30m", 1800), ("30 min", 1800), ("4h", 4 * HOUR), ("1.5 hours", 5400),
        ("1d", SCHOOL_DAY), ("3 school days", 3 * SCHOOL_DAY), ("2 SD", 2 * SCHOOL_DAY),
    ],
)  # fmt: skip
def test_lengths_as_people_write_them(typed, seconds):
    assert targets.clean_length(typed) == seconds


@pytest.mark.parametrize(
    "typed", ["", "soon", "30", "-4h", "0m", "61 days", "4h 30m", "[b]4h[/b]", None, 4, "9" * 50]
)
def test_a_length_that_is_not_one_is_one_sentence(typed):
    with pytest.raises(BadInput) as refused:
        targets.clean_length(typed)
    assert "\n" not in str(refused.value)


def test_a_manager_sets_a_target_and_it_is_kept_and_journalled(school):
    done = targets.set_target("p1", respond="15m", clock="real", by="jsmith")
    assert (done.respond, done.resolve, done.clock) == (900, 4 * HOUR, "real")
    assert targets.current()["P1"] == done
    assert targets.current()["P2"] == targets.DEFAULTS["P2"]
    entry = Journal.select().where(Journal.action == "set SLA target").get()
    assert (entry.who, entry.field) == ("jsmith", "P1")
    assert entry.after == "respond 15 min, resolve 4 h, real time"
    with pytest.raises(NotAllowed):
        targets.set_target("P2", respond="2h", by="akhan")  # a technician, not a manager
    with pytest.raises(BadInput, match="longer than its resolution"):
        targets.set_target("P3", respond="4d", by="jsmith")
    with pytest.raises(BadInput, match="not a priority"):
        targets.set_target("P9", respond="1h", by="jsmith")


def test_a_setting_edited_into_nonsense_falls_back_to_the_defaults(school):
    targets.set_target("P4", resolve="4 school days", by="jsmith")
    Setting.update(value="{not json").where(Setting.key == targets.KEY).execute()
    assert targets.current() == targets.DEFAULTS
    Setting.update(value=json.dumps({"P1": {"respond": "x"}})).where(
        Setting.key == targets.KEY
    ).execute()
    assert targets.current() == targets.DEFAULTS


def test_sla_list_and_set_from_the_command_line(school, run):
    status, out, _ = run("sla", "list")
    assert status == 0 and out.splitlines()[0] == "P1  respond 30 min, resolve 4 h"
    status, out, err = run("sla", "set", "P1", "--respond", "20m", "--resolve", "3h")
    assert status == 0, err
    assert out == "P1: respond 20 min, resolve 3 h.\n"
    status, out, _ = run("sla", "list", "--json")
    assert json.loads(out)[0] == {
        "priority": "P1", "respond_seconds": 1200, "resolve_seconds": 3 * HOUR, "clock": "school"
    }  # fmt: skip
    status, _, err = run("sla", "set", "P1", "--respond", "soon")
    assert status != 0 and "is not a length of time" in err and "Traceback" not in err
    status, _, err = run("sla", "set", "P1")
    assert status != 0 and "Say what to change" in err
