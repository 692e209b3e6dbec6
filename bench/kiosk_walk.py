"""The fastest walk through the kiosk, counted: a pupil logs "It will not print" on the
library printer as "Sam Lee", at 80x24, on a kiosk registered to the library.

    python bench/kiosk_walk.py [--svg FOLDER]

It drives the real app with Textual's Pilot, one real key event per key, on a fresh
SQLite school, and prints each screen with its words and keys, then the totals and a
keystroke-level-model estimate of a child's time. The last line is `navigation keys: N`
(docs/kiosk.md: at most 7). With --svg, each screen is also saved as a picture.

Navigation keys are every key that is not one of the pupil's own words (Enter, a digit
choosing a tile); typed characters are the name and the words of what is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: `python bench/kiosk_walk.py`
    sys.path.insert(0, str(ROOT))

NAME = "Sam Lee"
PROBLEM = "It will not print"
SIZE = (80, 24)

# The keystroke-level model (Card, Moran and Newell, 1980), with times for a child of
# about nine at a kiosk; each is an assumption, written down so it can be argued with.
K_NAV = 0.6
"""Seconds per navigation key: finding Enter or a digit (CMN's unfamiliar-key typist is
1.2 s a key, a skilled one 0.2 s; a child pressing keys the screen names sits between)."""
K_TYPE = 1.0
"""Seconds per typed character: about 12 words a minute, a typical nine-year-old."""
M = 1.35
"""Seconds of mental preparation per screen: CMN's M operator, once per decision."""
READ = 60 / 150
"""Seconds per word read: 150 words a minute, silent reading at about age nine."""
WORDS = re.compile(r"[\w'’]*[A-Za-z0-9][\w'’.-]*")


@dataclass
class Screen:
    """One screen on the walk: its name, its words and the keys pressed on it."""

    name: str
    words: int
    text: str
    nav: list[str] = field(default_factory=list)
    typed: str = ""


def screen_text(svg: str) -> str:
    """The words Textual drew, line by line, from its SVG export (public API; the
    export clips each text run to its line, so runs are joined in line, then x, order)."""
    runs: dict[str, list[tuple[float, str]]] = {}
    for node in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"):
        line = node.get("clip-path", "")
        runs.setdefault(line, []).append((float(node.get("x", 0)), node.text or ""))

    def line_number(key: str) -> int:
        found = re.search(r"line-(\d+)", key)
        return int(found.group(1)) if found else -1

    lines = []
    for key in sorted(runs, key=line_number):
        if line_number(key) < 0:
            continue  # the window's title, not the screen
        lines.append("".join(text for _x, text in sorted(runs[key])).replace("\xa0", " "))
    return "\n".join(line.rstrip() for line in lines if line.strip())


def school(folder: Path) -> str:
    """A fresh SQLite school: the library, its kiosk, a printer and three computers."""
    from bench.staff import staffed
    from store.configuration import assets
    from store.db import database
    from store.school import kiosks, locations

    url = f"sqlite:///{folder / 'walk.db'}"
    database.connect(url)
    staffed()
    locations.add_location("LIB", "Library", by="bench")
    kiosks.add_kiosk("library", "LIB", by="bench")
    for n in range(1, 4):
        assets.add_asset(f"LIB-PC-0{n}", kind="desktop", location="LIB", by="bench")
    assets.add_asset(
        "LIB-PRN-01", kind="printer", make="HP", model="LaserJet", location="LIB", by="bench"
    )
    database.db.close()
    return url


async def walk(url: str, pictures: Path | None, sixteen: bool = False) -> list[Screen]:
    """Drive the kiosk from Home to the receipt along the fastest path (in the console's
    16 colours if `sixteen`)."""
    from kiosk.app import KioskApp
    from tests.kiosk_helpers import settle, steady

    app = KioskApp(db_url=url, kiosk="library", sixteen_colours=sixteen)
    screens: list[Screen] = []
    async with app.run_test(size=SIZE) as pilot:

        async def arrive(expected: str) -> Screen:
            await steady(pilot)
            name = type(app.screen).__name__
            if name != expected:
                raise SystemExit(f"expected {expected}, the kiosk shows {name}")
            svg = app.export_screenshot(title=name)
            if pictures:
                (pictures / f"{len(screens) + 1}-{name}.svg").write_text(svg)
            text = screen_text(svg)
            shown = Screen(name, len(WORDS.findall(text)), text)
            screens.append(shown)
            return shown

        async def nav(on: Screen, key: str) -> None:
            on.nav.append(key)
            await pilot.press(key)
            await settle(pilot)

        async def type_words(on: Screen, words: str) -> None:
            on.typed += words
            await pilot.press(*("space" if c == " " else c for c in words))

        def tile(label: str) -> str:
            """The digit on the tile that says `label`, as the pupil reads it."""
            for line in screens[-1].text.splitlines():
                found = re.search(rf"(\d)\s+{label}", line)
                if found:
                    return found.group(1)
            raise SystemExit(f"no tile says {label!r} on {screens[-1].name}")

        home = await arrive("HomeScreen")
        await nav(home, "enter")
        who = await arrive("WhoStep")
        await type_words(who, NAME)
        await nav(who, "enter")
        where = await arrive("WhereStep")
        await nav(where, "enter")  # the kiosk's own room is already chosen
        what = await arrive("WhatStep")
        await nav(what, tile("Printer"))
        device = await arrive("DeviceStep")
        await nav(device, tile("HP LaserJet"))
        tell = await arrive("TellStep")
        await type_words(tell, PROBLEM)
        await nav(tell, "enter")
        review = await arrive("ReviewScreen")
        await nav(review, "enter")
        for _ in range(50):  # Send waits for the database in a worker
            if type(app.screen).__name__ == "ReceiptScreen":
                break
            await pilot.pause(0.05)
        await arrive("ReceiptScreen")
    return screens


def estimate(nav: int, typed: int, screens: int, words: int) -> float:
    """A child's time in seconds by the keystroke-level model above."""
    return nav * K_NAV + typed * K_TYPE + screens * M + words * READ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--svg", type=Path, help="save each screen as an SVG picture here")
    parser.add_argument(
        "--sixteen-colours", action="store_true", help="as on a bare console (TERM=linux)"
    )
    args = parser.parse_args()
    if args.svg:
        args.svg.mkdir(parents=True, exist_ok=True)
    from store.db import config

    with tempfile.TemporaryDirectory() as folder:
        url = school(Path(folder))
        config.use(config.Config(kiosk_report_pause_seconds=0))
        started = time.perf_counter()
        screens = asyncio.run(walk(url, args.svg, args.sixteen_colours))
        driven = time.perf_counter() - started
    steps = screens[:-1]  # the receipt is read, not worked
    nav = sum(len(s.nav) for s in steps)
    typed = sum(len(s.typed) for s in steps)
    words = sum(s.words for s in steps)
    for s in screens:
        keys = " ".join(s.nav) or "-"
        print(f"{s.name:<14} {s.words:3d} words  typed {len(s.typed):2d}  keys: {keys}")
    print(f"screens to the receipt: {len(steps)}; most words on one: {max(s.words for s in steps)}")
    print(f"typed characters: {typed} ({NAME!r}, {PROBLEM!r})")
    print(f"words on the screens on the way: {words}")
    print(
        f"estimated time for a child (keystroke-level model: {K_NAV} s a navigation key, "
        f"{K_TYPE} s a typed character, {M} s a screen, {READ:.1f} s a word): "
        f"{estimate(nav, typed, len(steps), words):.0f} s"
    )
    print(f"the app itself took {driven:.1f} s to drive, screenshots included")
    print(f"navigation keys: {nav}")


if __name__ == "__main__":
    main()
