"""The demo school's continuity plans (store.continuity.plans): the MIS its supplier
hosts, the network (with the school's plan for a cyber attack), email in the cloud,
printing and FITS Desk itself; some tested, some overdue, some short of 3-2-1, and one
whose devices a change touched since its review."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from store.changes import changes
from store.changes import schedule as change_schedule
from store.continuity import plans
from store.db import journal
from store.db.errors import FitsDeskError
from store.db.models import Asset, ContinuityPlan, Service
from store.school import calendar
from store.service_levels import catalogue

CYBER_ATTACK = """If a cyber attack (ransomware, or someone else in the accounts):
1. Contain it: unplug the internet at the firewall and turn off the Wi-Fi controller; \
leave infected PCs on but unplugged, for the investigators.
2. Tell the head, the business manager and the trust's IT lead at once; ring Action \
Fraud (0300 123 2040) and email the DfE's sector security team \
(sector.securityenquiries@education.gov.uk); report it to the ICO within 72 hours if \
pupils' or staff data may be out.
3. Ring the insurer's cyber line before paying anyone or wiping anything. Do not pay a ransom.
4. Work out when it got in (the firewall and sign-in logs); pick copies from before \
then: the off-site copies are offline and cannot have been reached.
5. Rebuild the servers from clean images, restore the data in this order: MIS (the \
supplier's), FITS Desk, the file server; reset every password and turn on two-step \
sign-in for staff before anyone logs in again.
6. Until then: paper registers (the office's red folder), staff email from phones \
through the cloud, and a letter home from the head (a template is in the folder).
7. Afterwards: a lessons-learned review within two weeks, and this plan updated."""

NETWORK_STEPS = (
    """Switch or firewall failure:
1. Check the core switch's lights in the server room; swap in the spare switch from the \
cupboard under the rack and load its saved configuration from the file server.
2. Broadband down: ring County Schools Broadband (contract CSB-0093); the 4G router in \
the office keeps the MIS and email going for the office.

"""
    + CYBER_ATTACK
)

PLANS = (
    # service, days since review, given, tests (days ago, result, notes)
    (
        "Network and internet", 60,
        {"recovery_priority": 1, "rto": "2h", "rpo": "1d",
         "backup_method": "Switch and firewall configurations saved each night to the file "
         "server, and each week to the trust's cloud store.",
         "copies": 3, "devices": 2, "offsite": True, "steps": NETWORK_STEPS,
         "contacts": "County Schools Broadband service desk: 0300 555 0193\n"
         "Trust IT lead: Sam Osei, 07700 900312"},
        ((50, "pass", "Failed over to the spare switch after school: 14 minutes."),),
    ),
    (
        "MIS", 45,
        {"recovery_priority": 2, "rto": "4h", "rpo": "1d",
         "backup_method": "Hosted by the supplier: nightly backups in two of its data "
         "centres; a weekly census export kept on the school's file server.",
         "copies": 3, "devices": 3, "offsite": True,
         "steps": "1. Check the supplier's status page; ring its support line.\n2. Meanwhile, "
         "paper registers from the office's red folder; fire lists from last week's export.\n"
         "3. When it is back, type in the paper registers.",
         "contacts": "Northgate Schools MIS support: 0300 555 0110 (contract MIS-2024-117)\n"
         "Data manager: extension 214"},
        ((150, "fail", "The supplier took 9 hours to restore a test copy."),
         (40, "pass", "Supplier restored last night's copy to a test site in 2 hours.")),
    ),
    (
        "FITS Desk", 30,
        {"recovery_priority": 3, "rto": "1d", "rpo": "1d",
         "backup_method": "fitsdesk backup every evening (the backup timer); the folder is "
         "copied to the NAS and, encrypted, off site with rclone (docs/backup.md).",
         "copies": 3, "devices": 2, "offsite": True,
         "steps": "1. Take the newest copy from the NAS (or the off-site store).\n2. fitsdesk "
         "restore FILE, as the owner (docs/backup.md).\n3. fitsdesk doctor; look at the "
         "newest calls.",
         "contacts": "IT manager; the trust's IT lead"},
        ((20, "pass", "Restore drill: last night's copy into /tmp/drill, 4 minutes."),),
    ),
    (
        "Email", 400,
        {"recovery_priority": 3, "rto": "1d", "rpo": "1h",
         "backup_method": "Cloud mail: the provider's own copies only, no backup of our own.",
         "copies": 2, "devices": 2, "offsite": True,
         "steps": "1. Check the provider's service health page.\n2. Staff use the web mail "
         "from phones; urgent messages to parents go by the MIS's text messages.",
         "contacts": "Trust IT (cloud mail): ticket at the trust's portal, 0300 555 0177"},
        ((400, "pass", "Restored a deleted mailbox from the recycle bin."),),
    ),
    (
        "Printing", 200,
        {"recovery_priority": 5, "rto": "2d", "rpo": "1w",
         "backup_method": "The print server's queues are exported by hand now and then.",
         "copies": 1, "devices": 1, "offsite": False,
         "steps": "1. Send print jobs to the library's printer.\n2. Ring Copyfast for a loan "
         "copier (contract CF-2291).",
         "contacts": "Copyfast Document Solutions: 0300 555 0140"},
        (),
    ),
)  # fmt: skip


@contextlib.contextmanager
def _at(moment: dt.datetime) -> Iterator[None]:
    """Take store steps as if it were `moment` (naive UTC); the demo runs alone."""
    real = journal.now
    journal.now = lambda: moment
    try:
        yield
    finally:
        journal.now = real


def fill_plans(*, by: str) -> int:
    """The demo's continuity plans, written by `by` (a manager) at their review dates and
    tested on theirs; then a change to the network's access points since its review.
    Nothing when the school has plans already. Returns how many plans it wrote."""
    if ContinuityPlan.select().exists():
        return 0
    now = journal.now()
    today = calendar.to_local(now).date()

    def days_ago(days: int, hour: int = 16) -> dt.datetime:
        day = today - dt.timedelta(days=days)
        return calendar.to_utc(dt.datetime.combine(day, dt.time(hour)))

    points = [
        tag for (tag,) in Asset.select(Asset.tag).where(Asset.kind == "access_point").tuples()
    ]
    if points and Service.get_or_none(Service.name == "Network and internet"):
        catalogue.edit_service("Network and internet", assets=points, by=by)
    written = 0
    for service, reviewed, given, tests in PLANS:
        if service != plans.OWN_SERVICE and not Service.get_or_none(Service.name == service):
            continue
        with _at(days_ago(reviewed, 9)):
            plans.edit_plan(service, by=by, **given)
        for days, result, notes in tests:  # one from before the review recorded at it
            when = max(days_ago(days, 17), days_ago(reviewed, 10))
            with _at(when):
                plans.record_test(
                    service,
                    result=result,
                    notes=notes,
                    tested_on=today - dt.timedelta(days=days),
                    by=by,
                )
        written += 1
    if points:
        _firmware_change(points[0], days_ago, by)
    return written


def _firmware_change(tag: str, days_ago, by: str) -> None:
    """A standard change to an access point, implemented three days ago: after the
    network plan's review, so the desk reminds the owner to review it."""
    for days in range(3, 10):
        start = days_ago(days)
        end = start + dt.timedelta(hours=1)
        if calendar.to_local(start).weekday() > 4 or change_schedule.clashes(start, end):
            continue
        try:
            with _at(start - dt.timedelta(hours=2)):
                rfc = changes.raise_change(
                    f"Update the firmware on {tag}",
                    kind="standard",
                    reason="The supplier's security advisory for Aruba access points.",
                    assets=[tag],
                    implementation_plan="Push the firmware from the controller after school.",
                    test_plan="Join the Wi-Fi in the room from a laptop and a phone.",
                    backout_plan="Boot the saved firmware image.",
                    window=(start, end),
                    implementer=by,
                    by=by,
                )
                changes.submit(rfc.number, by=by)
            with _at(start + dt.timedelta(minutes=10)):
                changes.implement(rfc.number, note="All access points back in 6 minutes.", by=by)
            with _at(start + dt.timedelta(minutes=20)):
                changes.update_register(rfc.number, by=by)
        except FitsDeskError:  # the demo goes on without it
            pass
        return
