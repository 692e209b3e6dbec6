"""An approved change tells the pupils at the kiosks in its rooms when the work is, in
plain words, and the notice goes when the change is cancelled."""

import datetime as dt

from kiosk.app import KioskApp
from store.changes import changes
from store.db import journal
from tests.kiosk_helpers import settle, text_of

SIZE = (80, 24)


async def test_an_approved_change_is_announced_at_the_kiosks_in_its_rooms(kiosk_app, clock):
    start = journal.now() + dt.timedelta(days=2)
    rfc = changes.raise_change(
        "Replace the Library's Wi-Fi access point [blink]", kind="standard", locations=["LIB"],
        affected="Anyone using the Library", implementer="jsmith",
        implementation_plan="Swap it", test_plan="Connect a laptop", backout_plan="Put it back",
        window=(start, start + dt.timedelta(hours=2)), by="jsmith",
    )  # fmt: skip
    changes.submit(rfc.number, by="jsmith")
    async with kiosk_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = " ".join(text_of(pilot, "#notices").split())
    assert "Planned IT work in Library" in shown
    assert "Replace the Library's Wi-Fi access point [blink]" in shown
    assert "Affects Anyone using the Library" in shown
    changes.cancel(rfc.number, "The supplier is late", by="jsmith")
    again = KioskApp(db_url=kiosk_app.db_url, kiosk="library", clock=clock)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Planned IT work" not in text_of(pilot, "#notices")
