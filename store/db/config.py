"""The school's settings, read from one TOML file, and where FITS Desk keeps things.

    from store.db.config import load_config
    config = load_config()          # FITSDESK_CONFIG, ~/.config, /etc, or defaults
    config.school_name, config.close_after_days, config.priority(1, 2)

The file is optional; every key has a default. A file that is not valid TOML,
or a key with the wrong type, raises `BadInput` with one sentence naming the
file and the key.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from store.db import mail_settings as mail_config
from store.db.errors import BadInput
from store.db.sanitise import Field, clean

KIOSK_KEYS = (
    "idle_seconds",
    "receipt_seconds",
    "reports_per_window",
    "window_minutes",
    "report_pause_seconds",
)
TREND_RANGES = {
    "repeat_calls": (2, 100),
    "repeat_days": (1, 365),
    "spike_calls": (2, 1000),
    "spike_hours": (1, 72),
    "spike_factor": (1.0, 1000.0),
    "rising_weeks": (2, 12),
    "rising_min_calls": (1, 100_000),
    "rising_growth": (1.0, 100.0),
    "baseline_weeks": (1, 40),
}
"""[trends] settings and the values each may take (rising_growth may be a fraction)."""
KNOWN = {
    "db": (),
    "db_group": (),
    "database": ("lock_timeout_seconds", "statement_timeout_seconds"),
    "school": ("name", "close_after_days"),
    "priority": ("matrix",),
    "kiosk": KIOSK_KEYS,
    "desk": ("keys",),
    "trends": tuple(TREND_RANGES),
    "changes": ("committee_rule", "min_approvals", "overlap_weeks", "notice_days", "working_hours"),
    "mail": mail_config.KNOWN["mail"],
    "imports": ("max_mb",),
    "backup": ("folder", "keep"),
}
"""Every setting FITS Desk reads, by section."""
MOST_IMPORT_MB = 1000
"""The largest `[imports] max_mb` a school may set."""
SCHOOL_NAME = Field("the setting school.name", 80)

# Priority = impact x urgency (rows: impact high, medium, low; columns: urgency).
DEFAULT_MATRIX = ((1, 2, 3), (2, 3, 4), (3, 4, 5))


def _home() -> Path:
    """The user's home: $HOME when it is an absolute path, else the password database's."""
    home = os.environ.get("HOME", "")
    if os.path.isabs(home) and "\x00" not in home:
        return Path(home)
    import pwd

    try:
        return Path(pwd.getpwuid(os.geteuid()).pw_dir)
    except KeyError:
        return Path("/nonexistent")


def _xdg(variable: str, *fallback: str) -> Path:
    """An XDG base folder: the variable if it holds an absolute path (the XDG spec says to
    ignore a relative one), else its default under the home folder."""
    value = os.environ.get(variable, "")
    if os.path.isabs(value) and "\x00" not in value:
        return Path(value)
    return _home().joinpath(*fallback)


def config_dir() -> Path:
    """The user's FITS Desk config folder ($XDG_CONFIG_HOME/fitsdesk)."""
    return _xdg("XDG_CONFIG_HOME", ".config") / "fitsdesk"


def data_dir() -> Path:
    """The user's FITS Desk data folder ($XDG_DATA_HOME/fitsdesk)."""
    return _xdg("XDG_DATA_HOME", ".local", "share") / "fitsdesk"


def state_dir() -> Path:
    """The user's FITS Desk log folder ($XDG_STATE_HOME/fitsdesk): crash reports."""
    return _xdg("XDG_STATE_HOME", ".local", "state") / "fitsdesk"


SYSTEM_CONFIG = Path("/etc/fitsdesk/config.toml")
"""The server's config file, read when the user has none of their own."""


def config_path() -> Path | None:
    """The config file in force: FITSDESK_CONFIG, else the user's, else /etc's."""
    explicit = os.environ.get("FITSDESK_CONFIG")
    if explicit:
        return Path(explicit)
    for candidate in (config_dir() / "config.toml", SYSTEM_CONFIG):
        try:
            if candidate.is_file():
                return candidate
        except PermissionError:  # a folder on the way this account may not enter
            raise BadInput(_unreadable(candidate, "this account may not open its folder")) from None
    return None


def _unreadable(path: Path, why: str) -> str:
    return (
        f"The config file {path} cannot be read: {why}. Whoever set FITS Desk up can "
        "make it readable (chmod 644, and 755 on its folder)."
    )


@dataclass(frozen=True)
class Config:
    """Settings a school may change; the defaults suit a first run."""

    db: str | None = None
    """Database URL, used when neither --db nor FITSDESK_DB is given."""
    db_group: str = "fitsdesk"
    """The group that shares a SQLite database file and its folder (`fitsdesk init`)."""
    lock_timeout_seconds: int = 5
    """How long a PostgreSQL statement waits for another's lock before it gives up (a
    write that cannot get through is said, not waited for without end)."""
    statement_timeout_seconds: int = 30
    """How long one PostgreSQL statement may run (upgrades, demos and backups: no limit)."""
    school_name: str = "Our School"
    """Shown on receipts, labels and mail."""
    close_after_days: int = 5
    """School days a resolved call waits for the caller before it closes itself."""
    matrix: tuple[tuple[int, ...], ...] = DEFAULT_MATRIX
    """Priority by [impact - 1][urgency - 1], each 1 (high) to 3 (low)."""
    source: str = "defaults"
    """Where these settings came from, for messages."""

    kiosk_idle_seconds: int = 90
    """A kiosk left alone this long goes home and forgets what was typed."""
    kiosk_receipt_seconds: int = 60
    """How long the receipt with the QR code stays up."""
    kiosk_reports_per_window: int = 30
    """Reports one kiosk may send in `kiosk_window_minutes`: enough for a class whose
    room has lost its projector, not for a pupil flooding the queue (docs/kiosk.md)."""
    kiosk_window_minutes: int = 10
    kiosk_report_pause_seconds: int = 20
    """The least time between two reports from one kiosk: one pupil cannot send a
    stream, and the next in the queue waits no longer than this."""
    desk_keys: dict = field(default_factory=dict)
    """The desk's key bindings a school has changed, by binding id ("desk.take" = "T")."""

    # [trends]: what store.problems.trends calls a pattern worth a problem (docs there).
    trends_repeat_calls: int = 3
    """A device with this many calls of one kind within `trends_repeat_days` is a repeat
    fault. A device's page (store.configuration.history) flags this many over twelve months, so
    every repeat the trends find is flagged on the device's page too."""
    trends_repeat_days: int = 90
    """How far back, from now, a repeat fault's calls are counted."""
    trends_spike_calls: int = 5
    """This many calls of one kind from one room within `trends_spike_hours` is a spike:
    probably an outage."""
    trends_spike_hours: int = 2
    """The span, in hours, a spike's calls fall within (the densest such span is reported)."""
    trends_spike_factor: float = 4.0
    """... and at least this many times what is usual for that room and kind in such a
    span (its calls over the year spread over about 1,500 school hours), so a busy room's
    ordinary Tuesday is not an outage."""
    trends_rising_weeks: int = 3
    """A kind of fault is rising when its calls went up this many weeks running (the
    last 7 days, the 7 before, ...; 3 weeks is 4, 7, 12)..."""
    trends_rising_min_calls: int = 10
    """... with at least this many calls in the last week ..."""
    trends_rising_growth: float = 2.0
    """... and at least this many times its usual share of the week's calls, its share
    taken over the `trends_baseline_weeks` before the rise (so a busy September, when
    every kind of call goes up together, is not a rise)."""
    trends_baseline_weeks: int = 8
    """The weeks before a rise that say what is usual for a kind of fault."""

    # [changes]: how the change committee decides (docs in store/changes/committee.py).
    committee_rule: str = "majority"
    """"majority": more than half the committee's members approve; "all": every member
    approves (an abstention then counts against)."""
    min_approvals: int = 2
    """... and at least this many approve, however small the committee."""
    overlap_weeks: int = 4
    """How far back the committee is shown changes with overlapping purpose."""
    notice_days: int = 7
    """How many days before its window a change's notice shows at the kiosks."""
    working_hours: tuple[str, str] = ("07:00", "19:00")
    """When technicians work, local time: the free windows offered for a change fall
    inside these hours (a change may still be planned outside them)."""

    # [imports]: CSV files read by `fitsdesk location import` and `asset import`.
    imports_max_mb: int = 20
    """A file bigger than this many megabytes is refused before it is read: 20 MB holds a
    hundred thousand devices with room to spare."""

    # [mail]: the email channel (docs in store/db/mail_settings.py and docs/mail.md).
    mail: mail_config.MailSettings = field(default_factory=mail_config.MailSettings)

    # [backup]: where `fitsdesk backup` keeps its copies (docs/backup.md).
    backup_folder: str | None = None
    """The folder for the copies; None: `backups` beside a SQLite database, or in the
    data folder for PostgreSQL (store.continuity.backups.folder)."""
    backup_keep: int = 14
    """How many of its own copies `fitsdesk backup` keeps there; older ones are removed."""

    def priority(self, impact: int, urgency: int) -> int:
        """P1 to P5 for an impact and urgency, each 1 (high) to 3 (low)."""
        return self.matrix[impact - 1][urgency - 1]


def _check_matrix(value: object, where: str) -> tuple[tuple[int, ...], ...]:
    ok = (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(row, list) and len(row) == 3 for row in value)
        and all(type(p) is int and 1 <= p <= 5 for row in value for p in row)
    )
    if not ok:
        raise BadInput(f"{where}: priority.matrix must be three rows of three numbers from 1 to 5.")
    return tuple(tuple(row) for row in value)


def load_config(path: Path | None = None) -> Config:
    """Read the config file in force (or `path`) into a Config."""
    path = path or config_path()
    if path is None:
        return Config()
    import tomllib  # only when there is a file to read

    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise BadInput(f"The config file {path} does not exist.") from None
    except IsADirectoryError:
        raise BadInput(f"The config file {path} is a folder, not a file.") from None
    except PermissionError:
        raise BadInput(_unreadable(path, "this account may not read it")) from None
    except UnicodeDecodeError:
        raise BadInput(f"The config file {path} is not text (UTF-8), so not TOML.") from None
    except OSError as exc:
        raise BadInput(_unreadable(path, exc.strerror or "the system refused")) from None
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"The config file {path} is not valid TOML: {exc}.") from None

    where = str(path)
    _refuse_unknown(where, raw, KNOWN)
    settings: dict = {"source": where}
    db = raw.pop("db", None)
    if db is not None:
        if not isinstance(db, str) or not db.strip():
            raise BadInput(f"{where}: db must be a database URL in quotes.")
        settings["db"] = db.strip()
    group = raw.pop("db_group", None)
    if group is not None:
        if not isinstance(group, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}", group):
            raise BadInput(f'{where}: db_group must be a group name in quotes, like "fitsdesk".')
        settings["db_group"] = group
    waits = raw.pop("database", {})
    if not isinstance(waits, dict):
        raise BadInput(f"{where}: [database] must be a table.")
    _refuse_unknown(where, waits, KNOWN["database"], "database.")
    for key, (low, high) in {
        "lock_timeout_seconds": (1, 600),
        "statement_timeout_seconds": (1, 3600),
    }.items():
        if key in waits:
            value = waits[key]
            if type(value) is not int or not low <= value <= high:
                raise BadInput(
                    f"{where}: database.{key} must be a whole number from {low} to {high}."
                )
            settings[key] = value
    school = raw.pop("school", {})
    if not isinstance(school, dict):
        raise BadInput(f"{where}: [school] must be a table.")
    _refuse_unknown(where, school, KNOWN["school"], "school.")
    name = school.get("name")
    if name is not None:
        try:
            settings["school_name"] = clean(name, SCHOOL_NAME)
        except BadInput as exc:
            raise BadInput(f"{where}: {exc}") from None
    days = school.get("close_after_days")
    if days is not None:
        if type(days) is not int or not 1 <= days <= 60:
            raise BadInput(f"{where}: school.close_after_days must be a whole number from 1 to 60.")
        settings["close_after_days"] = days
    priority = raw.pop("priority", {})
    if not isinstance(priority, dict):
        raise BadInput(f"{where}: [priority] must be a table.")
    _refuse_unknown(where, priority, KNOWN["priority"], "priority.")
    if "matrix" in priority:
        settings["matrix"] = _check_matrix(priority["matrix"], where)
    kiosk = raw.get("kiosk", {})
    if not isinstance(kiosk, dict):
        raise BadInput(f"{where}: [kiosk] must be a table.")
    _refuse_unknown(where, kiosk, KNOWN["kiosk"], "kiosk.")
    ranges = {
        "idle_seconds": (15, 3600),
        "receipt_seconds": (5, 600),
        "reports_per_window": (1, 1000),
        "window_minutes": (1, 1440),
        "report_pause_seconds": (0, 600),
    }
    for key, (low, high) in ranges.items():
        if key in kiosk:
            value = kiosk[key]
            if type(value) is not int or not low <= value <= high:
                raise BadInput(f"{where}: kiosk.{key} must be a whole number from {low} to {high}.")
            settings[f"kiosk_{key}"] = value
    trends = raw.get("trends", {})
    if not isinstance(trends, dict):
        raise BadInput(f"{where}: [trends] must be a table.")
    _refuse_unknown(where, trends, KNOWN["trends"], "trends.")
    for key, (low, high) in TREND_RANGES.items():
        if key not in trends:
            continue
        value, fraction = trends[key], isinstance(low, float)
        if type(value) not in ((int, float) if fraction else (int,)) or not low <= value <= high:
            what = "a number" if fraction else "a whole number"
            raise BadInput(f"{where}: trends.{key} must be {what} from {low:g} to {high:g}.")
        settings[f"trends_{key}"] = float(value) if fraction else value
    settings.update(_changes(raw.get("changes", {}), where))
    imports = raw.get("imports", {})
    if not isinstance(imports, dict):
        raise BadInput(f"{where}: [imports] must be a table.")
    _refuse_unknown(where, imports, KNOWN["imports"], "imports.")
    if "max_mb" in imports:
        value = imports["max_mb"]
        if type(value) is not int or not 1 <= value <= MOST_IMPORT_MB:
            raise BadInput(
                f"{where}: imports.max_mb must be a whole number from 1 to {MOST_IMPORT_MB}."
            )
        settings["imports_max_mb"] = value
    if "mail" in raw:
        settings["mail"] = mail_config.read_mail(raw["mail"], where, _refuse_unknown)
    settings.update(_backup(raw.get("backup", {}), where))
    desk = raw.get("desk", {})
    if not isinstance(desk, dict):
        raise BadInput(f"{where}: [desk] must be a table.")
    _refuse_unknown(where, desk, KNOWN["desk"], "desk.")
    keys = desk.get("keys", {})
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9_+,]{1,40}", v)
        for k, v in keys.items()
    ):
        raise BadInput(f'{where}: desk.keys must map binding ids to keys, like take = "T".')
    settings["desk_keys"] = {
        (k if k.startswith("desk.") else f"desk.{k}"): v for k, v in keys.items()
    }
    return Config(**settings)


def _changes(table: object, where: str) -> dict:
    if not isinstance(table, dict):
        raise BadInput(f"{where}: [changes] must be a table.")
    _refuse_unknown(where, table, KNOWN["changes"], "changes.")
    found: dict = {}
    if "committee_rule" in table:
        rule = table["committee_rule"]
        if rule not in ("majority", "all"):
            raise BadInput(f'{where}: changes.committee_rule must be "majority" or "all".')
        found["committee_rule"] = rule
    if "working_hours" in table:
        hours = table["working_hours"]
        parts = hours.split("-") if isinstance(hours, str) else []
        if (
            len(parts) != 2
            or not all(re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", p.strip()) for p in parts)
            or parts[0].strip() >= parts[1].strip()
        ):
            raise BadInput(
                f'{where}: changes.working_hours must be a start and an end, like "07:00-19:00".'
            )  # fmt: skip
        found["working_hours"] = (parts[0].strip(), parts[1].strip())
    for key, (low, high) in {
        "min_approvals": (1, 50),
        "overlap_weeks": (1, 52),
        "notice_days": (0, 60),
    }.items():
        if key in table:
            value = table[key]
            if type(value) is not int or not low <= value <= high:
                raise BadInput(
                    f"{where}: changes.{key} must be a whole number from {low} to {high}."
                )
            found[key] = value
    return found


def _backup(table: object, where: str) -> dict:
    if not isinstance(table, dict):
        raise BadInput(f"{where}: [backup] must be a table.")
    _refuse_unknown(where, table, KNOWN["backup"], "backup.")
    found: dict = {}
    if "folder" in table:
        folder = table["folder"]
        if (
            not isinstance(folder, str)
            or not os.path.isabs(folder)
            or not folder.isprintable()
            or len(folder) > 1024
        ):
            raise BadInput(
                f"{where}: backup.folder must be a full path in quotes, "
                'like "/var/backups/fitsdesk".'
            )
        found["backup_folder"] = folder
    if "keep" in table:
        keep = table["keep"]
        if type(keep) is not int or not 1 <= keep <= 1000:
            raise BadInput(f"{where}: backup.keep must be a whole number from 1 to 1000.")
        found["backup_keep"] = keep
    return found


def _refuse_unknown(where: str, table: dict, known, prefix: str = "") -> None:
    """A misspelt setting is an error, not silently the default."""
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
            raise BadInput(f"{where}: there is no setting '{prefix}{key}'{hint}.")


_current: Config | None = None


def current() -> Config:
    """The settings in force for this process, read once."""
    global _current
    if _current is None:
        _current = load_config()
    return _current


def peek() -> Config:
    """The settings in force if already read, else the file's settings without keeping
    them: for a caller (such as opening a connection) that runs before the process has
    settled which settings it uses."""
    return _current if _current is not None else load_config()


def use(config: Config | None) -> None:
    """Put `config` in force for this process (None: read the file again when next asked)."""
    global _current
    _current = config
