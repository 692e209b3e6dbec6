"""Disk use as capacity metrics: what `fitsdesk metric df /srv` records from cron.

    from store.problems import disk_usage
    done = disk_usage.record_disk_usage(["/srv", "/home"], by="root")
    done.recorded, done.failed, done.raised     # metrics, (path, why) pairs, problems

`metric df`: a metric per folder, "disk /srv" (a long path keeps its end, "disk
…/staff/shared", and the metric is found again by the whole path, in `source`
"df:/srv", so it can be renamed), made on first use with the space
the folder's filesystem offers (used plus free to ordinary users, as df's Use%
counts it, in GB of 10^9 bytes) as its capacity and a warning at 90%. A
filesystem that grows or shrinks changes the capacity, and the warning with it.
Every folder is measured first; those measured are recorded in one transaction,
and those that could not be (missing, unreadable) are listed in the result, so
one unmounted share does not stop the others being recorded.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass

from store.db import journal
from store.db.database import write
from store.db.errors import BadInput
from store.db.models import Metric, Sample
from store.db.sanitise import shown
from store.problems.capacity import (
    DEFAULT_WARNING,
    NAME,
    MetricInfo,
    add_reading,
    change_metric,
    check_forecasts,
    find_metric,
    metric,
    metric_rows,
)
from store.problems.forecast import number
from store.records.problems import ProblemInfo

DISK_UNIT = "GB"
GB = 1e9


@dataclass(frozen=True)
class DiskUsage:
    """What `record_disk_usage` did."""

    recorded: tuple[MetricInfo, ...]
    failed: tuple[tuple[str, str], ...]
    """(path as given, why it could not be measured or recorded)."""
    raised: tuple[ProblemInfo, ...] = ()


def _measure(path: object) -> tuple[str, float, float]:
    """(absolute path, used GB, capacity GB) of the filesystem holding `path`."""
    try:
        text = os.fspath(path)
    except TypeError:
        raise BadInput("is not a path") from None
    if isinstance(text, bytes) or not text.strip():
        raise BadInput("is not a path")
    if not text.isprintable():
        raise BadInput("has characters a path should not have")
    where = os.path.normpath(os.path.abspath(text))
    try:
        usage = shutil.disk_usage(where)
    except FileNotFoundError:
        raise BadInput("does not exist") from None
    except PermissionError:
        raise BadInput("cannot be read by this user") from None
    except OSError as exc:
        raise BadInput(f"cannot be measured ({exc.strerror or exc.__class__.__name__})") from None
    if usage.used + usage.free <= 0:  # /proc, /sys: nothing to fill
        raise BadInput("has no space to measure (a size of 0)")
    return where, usage.used / GB, (usage.used + usage.free) / GB


def disk_name(where: str) -> str:
    """ "disk /srv"; a path too long for a name keeps its end: "disk …/staff/shared"."""
    name = f"disk {where}"
    return name if len(name) <= NAME.limit else "disk …" + where[-(NAME.limit - 6) :]


def record_disk_usage(
    paths: Iterable[object], *, by: str, now: dt.datetime | None = None
) -> DiskUsage:
    """Record the disk use of each folder's filesystem (the metric "disk PATH", made on
    first use). Folders that cannot be measured are listed in `failed`; the rest are
    recorded together, then their forecasts are checked."""
    paths = list(paths)
    if not paths:
        raise BadInput("Name at least one folder to measure, such as /srv.")
    now = now or journal.now()
    failed: list[tuple[str, str]] = []
    measured: dict[str, tuple[float, float, str]] = {}
    for path in paths:
        try:
            where, used, size = _measure(path)
        except BadInput as why:
            failed.append((shown(path, 80), str(why)))
            continue
        measured.setdefault(where, (used, size, shown(path, 80)))
    names: list[str] = []
    with write():
        rows = metric_rows()
        for where, (used, size, given) in measured.items():
            row = next((r for r in rows if r.source == f"df:{where}"), None)
            name = disk_name(where)
            if row is None:
                if find_metric(name, rows) is not None:
                    failed.append((given, f"has a metric '{name}' not made by metric df"))
                    continue
                row = Metric.create(
                    name=name,
                    unit=DISK_UNIT,
                    capacity=size,
                    warning=size * DEFAULT_WARNING,
                    source=f"df:{where}",
                    created_at=now,
                )
                rows.append(row)
                journal.record(by, row, "add", after=f"{name}: {number(size)} GB", at=now)
            elif size > 0 and abs(size - row.capacity) > row.capacity * 0.001:
                warning = None if row.warning is None else row.warning * size / row.capacity
                change_metric(row, by, {"capacity": size, "warning": warning}, now)
            if Sample.select().where((Sample.metric == row.id) & (Sample.at == now)).exists():
                failed.append((given, f"already has a reading at {now:%Y-%m-%d %H:%M:%S} UTC"))
                continue
            add_reading(row, used, now, by, "reading")
            names.append(row.name)
    raised = tuple(check_forecasts(names, now=now)) if names else ()
    recorded = tuple(metric(name, now=now) for name in names)
    return DiskUsage(recorded, tuple(failed), raised)
