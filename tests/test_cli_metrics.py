"""`fitsdesk metric`: new, add, df, list, show and edit, run through `main()` against a
real database; exit status 0 done, 1 not found, 2 bad input, one sentence on stderr."""

import datetime as dt
import json

import pytest

from store.problems.disk_usage import disk_name
from tui.cli import main


@pytest.fixture
def run(run, db):
    """conftest's `run`, in a database made with `fitsdesk init`, jsmith its manager."""
    assert run("init")[0] == 0
    assert run("tech", "add", "jsmith", "--name", "Jo Smith", "--role", "manager")[0] == 0
    return run


@pytest.fixture
def m365(run):
    status, out, err = run("metric", "new", "M365 storage", "--capacity", "1024", "--unit", "GB",
                           "--warning", "85%")  # fmt: skip
    assert status == 0, err
    assert out == (
        "Made metric M365 storage: capacity 1,024 GB, warning at 870.4 GB (85%); "
        "a problem is raised when it will be full within 30 days.\n"
    )
    return run


def one_sentence(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err and bool(err.strip())


def ago(days: float) -> str:
    """A time `days` before now, as ISO 8601 with an offset."""
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    return moment.replace(microsecond=0).isoformat()


def test_new_add_list_and_show(m365):
    status, out, _ = m365("metric", "add", "m365 storage", "600")
    assert status == 0
    assert out == (
        "Recorded 600 GB for M365 storage. No forecast: there is only 1 reading in the last "
        "90 days; a forecast needs at least 5.\n"
    )
    status, out, _ = m365("metric", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "LATEST", "USED", "CAPACITY", "PROBLEM", "FORECAST"]
    assert lines[1].startswith("M365 storage  600 GB  59%   1,024 GB  -        no date: there is")
    status, out, _ = m365("metric", "list", "--json")
    [found] = json.loads(out)
    assert (found["name"], found["latest"], found["capacity"], found["warning"]) == (
        "M365 storage", 600, 1024, pytest.approx(870.4),
    )  # fmt: skip
    assert found["forecast"]["full_at"] is None and "at least 5" in found["forecast"]["reason"]
    status, out, _ = m365("metric", "show", "M365 STORAGE")
    assert status == 0
    assert out.splitlines()[0] == "M365 storage (GB)"
    assert "  Latest:    600 GB of 1,024 GB (59%) at " in out
    assert "  Forecast:  No forecast: there is only 1 reading" in out
    assert "  Readings:  1 in all; the newest 1:" in out


def test_a_time_with_or_without_an_offset_is_stored_in_utc(m365):
    assert m365("metric", "add", "M365 storage", "500", "--at", "2026-01-10T09:00+02:00")[0] == 0
    assert m365("metric", "add", "M365 storage", "510", "--at", "2025-07-01T10:00")[0] == 0
    assert m365("metric", "add", "M365 storage", "520", "--at", "2025-12-01 10:00Z")[0] == 0
    _, out, _ = m365("metric", "show", "M365 storage", "--json", "--readings", "5")
    recent = {r["value"]: r["at"] for r in json.loads(out)["recent"]}
    assert recent == {
        500: "2026-01-10T07:00:00+00:00",
        510: "2025-07-01T09:00:00+00:00",  # London in summer is an hour ahead of UTC
        520: "2025-12-01T10:00:00+00:00",
    }


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        (("add", "Nothing", "5"), 1, "There is no metric called 'Nothing': make it first with: "
                                    "fitsdesk metric new Nothing --capacity X"),
        (("show", "Nothing"), 1, "There is no metric called 'Nothing': make it first"),
        (("edit", "Nothing", "--unit", "TB"), 1, "There is no metric called 'Nothing'"),
        (("add", "M365 storage", "-5"), 2, "A reading cannot be negative."),
        (("add", "M365 storage", "lots"), 2, "'lots' is not a number: write it like 42.5."),
        (("add", "M365 storage", "nan"), 2, "'nan' is not a number"),
        (("add", "M365 storage", "1e999"), 2, "A reading is too big"),
        (("add", "M365 storage", "5", "--at", "tomorrow"), 2,
         "Argument --at: 'tomorrow' is not a time like 2026-03-01T09:00"),
        (("add", "M365 storage", "5", "--at", "2999-01-01T00:00Z"), 2,
         "2999-01-01 00:00 UTC is in the future"),
        (("add", "M365 storage", "50000"), 2, "50,000 GB is more than 10 times the capacity"),
        (("new", "M365 STORAGE", "--capacity", "5"), 2, "There is already a metric called"),
        (("new", "Disk"), 2, "The following arguments are required: --capacity"),
        (("new", "Disk", "--capacity", "none"), 2, "'none' is not a number"),
        (("new", "Disk", "--capacity", "0"), 2, "The capacity must be more than 0."),
        (("new", "Disk", "--capacity", "10", "--warning", "150%"), 2,
         "The warning level must be above 0 and below the capacity (10)."),
        (("new", "Disk", "--capacity", "10", "--warn-days", "0"), 2,
         "Argument --warn-days: '0' is not a number of days from 1 to 3650"),
        (("new", "", "--capacity", "10"), 2, "The metric's name is empty."),
        (("new", "x" * 100, "--capacity", "10"), 2, "The metric's name is too long"),
        (("new", "\x1b[2J", "--capacity", "10"), 0, ""),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence_and_its_exit_status(m365, args, status, says):
    done, out, err = m365("metric", *args)
    assert done == status
    if status:
        assert err.startswith(says) and one_sentence(err) and out == ""
    else:
        assert "\x1b" not in out and out.startswith("Made metric [2J:")


def test_a_jump_is_refused_until_forced(m365):
    assert m365("metric", "add", "M365 storage", "300")[0] == 0
    status, _, err = m365("metric", "add", "M365 storage", "900")
    assert status == 2 and one_sentence(err)
    assert "a jump of more than half the capacity from 300 GB" in err and "(--force)" in err
    status, out, _ = m365("metric", "add", "M365 storage", "900", "--force")
    assert status == 0 and out.startswith("Recorded 900 GB for M365 storage.")


def test_a_forecast_inside_the_window_raises_a_problem_once(m365):
    raised = []
    for day in range(20, 0, -2):  # 504 GB twenty days ago, rising 12 GB a day
        status, out, err = m365("metric", "add", "M365 storage", str(744 - 12 * day),
                                "--at", ago(day))  # fmt: skip
        assert status == 0, err
        raised += [line for line in out.splitlines() if line.startswith("Raised")]
    assert len(raised) == 1
    assert raised[0].startswith("Raised PRB-000001: M365 storage will be full around ")
    full = dt.date.today() + dt.timedelta(days=23)  # 1,024 GB in about 23 days
    status, out, _ = m365("metric", "show", "M365 storage", "--json")
    found = json.loads(out)
    assert found["problem"] == "PRB-000001"
    assert abs(dt.date.fromisoformat(found["forecast"]["full_at"][:10]) - full).days <= 1
    assert found["words"].startswith("Full around ")
    status, out, _ = m365("metric", "add", "M365 storage", "745")
    assert status == 0 and "Raised" not in out
    status, out, _ = m365("problem", "show", "PRB-000001", "--json")
    assert json.loads(out)["title"] == raised[0].removeprefix("Raised PRB-000001: ").rstrip(".")
    assert "  PRB-000001  full ~" in m365("metric", "list")[1].splitlines()[1]


def test_df_is_quiet_for_cron_and_says_what_failed(run, tmp_path):
    status, out, err = run("metric", "df", str(tmp_path))
    assert (status, out, err) == (0, "", "")
    status, out, err = run("metric", "df", str(tmp_path), "/no/such/folder", "--verbose")
    assert status == 1 and one_sentence(err)
    assert err == "Could not record /no/such/folder (does not exist); the others were recorded.\n"
    assert out.startswith(f"{disk_name(str(tmp_path))}: ") and " GB of " in out
    assert out.count("\n") == 1
    status, out, err = run("metric", "df", "/no/a", "/no/b")
    assert (status, out) == (1, "")
    assert err == "Could not record /no/a (does not exist) or /no/b (does not exist).\n"
    status, out, _ = run("metric", "show", disk_name(str(tmp_path)), "--json")
    found = json.loads(out)
    assert found["readings"] == 2 and found["unit"] == "GB" and found["source"] == f"df:{tmp_path}"
    assert found["latest_at"] <= dt.datetime.now(dt.UTC).isoformat()
    status, _, err = run("metric", "df")
    assert status == 2 and err.startswith("The following arguments are required: PATH")


def test_edit(m365):
    status, out, _ = m365("metric", "edit", "M365 storage", "--capacity", "2048", "--name", "M365")
    assert status == 0
    assert out == (
        "M365: capacity 2,048 GB, warning at 1,741 GB (85%); "
        "a problem is raised when it will be full within 30 days.\n"
    )
    status, out, _ = m365("metric", "edit", "M365", "--warning", "none", "--warn-days", "60")
    assert out == "M365: capacity 2,048 GB, no warning level; a problem is raised when it will " \
                  "be full within 60 days.\n"  # fmt: skip
    status, out, _ = m365("metric", "edit", "M365", "--warning", "1000")
    assert status == 0 and "warning at 1,000 GB (49%)" in out
    status, _, err = m365("metric", "edit", "M365", "--warning", "90 percent")
    assert status == 2 and err == "'90 percent' is not a number: write it like 42.5.\n"


def test_every_action_has_help(run, capsys):
    for action in ("new", "add", "df", "list", "show", "edit"):
        with pytest.raises(SystemExit) as done:
            main(["metric", action, "--help"])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("usage: fitsdesk metric " + action) and "--db URL" in out


def test_an_empty_list_says_how_to_start(run):
    assert run("metric", "list") == (
        0,
        "There are no metrics yet. Make one: fitsdesk metric new --help\n",
        "",
    )
    assert run("metric", "list", "--json")[1] == "[]\n"


def test_help_shows_percent_signs_once(capsys):
    """argparse doubles nothing in a description, so '%%' there would be printed as is."""
    for action in ("new", "add", "df", "list", "show", "edit"):
        with pytest.raises(SystemExit):
            main(["metric", action, "--help"])
        assert "%%" not in capsys.readouterr().out
