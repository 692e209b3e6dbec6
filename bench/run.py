"""Run the benchmarks and print each figure beside its baseline, as a ratio."""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import capacity, desk, kiosk, logging_calls, lookups, register, trends
from store.db import database


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[100_000, 1_000_000],
        help="incident counts for the queue figures (default 100000,1000000)",
    )
    parser.add_argument("--calls", type=int, default=400, help="calls to log (default 400)")
    parser.add_argument(
        "--postgres", metavar="URL", help="also measure the queue on this PostgreSQL server"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=10,
        help="fresh processes per app for start and memory (default 10)",
    )
    parser.add_argument(
        "--cache", type=Path, metavar="DIR", help="keep the big SQLite databases here between runs"
    )
    parser.add_argument(
        "--import-rows", type=int, default=50_000, help="devices to import (default 50000)"
    )
    parser.add_argument("--labels", type=int, default=1_000, help="labels to print (default 1000)")
    parser.add_argument(
        "--only",
        choices=["register", "capacity", "trends"],
        help="run only the asset register's figures (import, labels, and history at --sizes), "
        "or only the capacity forecast's, or only trend finding's (100,000 incidents)",
    )
    args = parser.parse_args(argv)

    if args.only == "trends":
        forwarded = ["--cache", str(args.cache)] if args.cache else []
        return trends.main(forwarded + (["--postgres", args.postgres] if args.postgres else []))

    if args.only == "capacity" or args.only is None:
        capacity.main(["--postgres", args.postgres] if args.postgres else [])
        print()
        if args.only == "capacity":
            return 0

    only_register = args.only == "register"
    if not only_register:
        print("Logging a call (SQLite, WAL, synchronous=FULL, one transaction per call)")
        store, raw = logging_calls.run(args.calls)
        print(f"  store.log_call    {store}")
        print(f"  raw sqlite3 insert {raw}")
        print(f"  ratio (p50)        {store.p50 / raw.p50:.2f}x   aim: under 3x\n")

    print("The asset register")
    store_s, raw_s, count = register.import_figures(args.import_rows)
    print(
        f"  import {count:,} devices from CSV   store {store_s:6.2f} s against {raw_s:.2f} s for "
        f"csv.reader and one executemany: {store_s / raw_s:.2f}x"
    )
    sheet = register.label_figures(args.labels)
    qr = sheet.pop("QR codes alone")
    print(f"  {args.labels:,} labels: their QR codes alone {qr:.2f} s")
    for name in ("PDF", "SVG"):
        seconds, files = sheet[f"{name} sheet"], sheet[f"{name} files"]
        print(f"    {name} sheet {seconds:6.2f} s ({files} file(s)): {seconds / qr:.2f}x the codes")
    print()

    folder = args.cache or Path(tempfile.mkdtemp(prefix="fitsdesk-bench-"))
    folder.mkdir(parents=True, exist_ok=True)

    targets = [("SQLite", size, lookups.sqlite_url(folder, size)) for size in args.sizes]
    if args.postgres:
        targets += [
            ("PostgreSQL", size, lookups.postgres_url(args.postgres, size)) for size in args.sizes
        ]
    try:
        for backend, size, url in targets:
            print(f"{backend}, {size:,} incidents")
            if only_register:
                lookups.build(url, size)
                database.db.close()
                device, call, calls = register.history_figures(url)
                print(f"  {'a device history':<24} {device}  (a device with {calls} calls)")
                print(f"  {'opening a call':<24} {call}")
                print(f"  {'':<24} ratio (p50) {device.p50 / call.p50:.2f}x")
                device, call = register.screens_open(url)
                print(f"  {'desk: a device page':<24} {device}")
                print(f"  {'desk: a call page':<24} {call}")
                print(f"  {'':<24} ratio (p50) {device.p50 / call.p50:.2f}x\n")
                continue
            for name, (store, raw) in lookups.run(url, size).items():
                print(f"  {name:<11} store {store}")
                print(f"  {'':<11} raw   {raw}")
                print(f"  {'':<11} ratio (p50) {store.p50 / raw.p50:.2f}x")
            print(f"  The desk ({backend}, {size:,}): what a technician waits for")
            for name, figure in desk.store_calls(url).items():
                print(f"    {name:<24} {figure}")
            device, call, calls = register.history_figures(url)
            print(f"    {'a device history':<24} {device}  (a device with {calls} calls)")
            print(f"    {'opening a call':<24} {call}")
            print(f"    {'':<24} ratio (p50) {device.p50 / call.p50:.2f}x")
            device, call = register.screens_open(url)
            print(f"    {'desk: a device page':<24} {device}")
            print(f"    {'desk: a call page':<24} {call}")
            print(f"    {'':<24} ratio (p50) {device.p50 / call.p50:.2f}x   aim: about 1x")
            starts = desk.start(url, runs=args.runs)
            (desk_ms, desk_mib), (bare_ms, bare_mib) = starts["desk"], starts["bare"]
            print(
                f"    {'start to a filled queue':<24} {desk_ms:6.0f} ms against {bare_ms:.0f} ms "
                f"for a bare Textual app: {desk_ms / bare_ms:.2f}x (aim: at most 2x); "
                f"memory {desk_mib:.1f} / {bare_mib:.1f} MiB\n"
            )
        if only_register:
            return 0
        for backend, url in [("SQLite", lookups.sqlite_url(folder, 100_000))] + (
            [("PostgreSQL", lookups.postgres_url(args.postgres, 100_000))] if args.postgres else []
        ):
            trends.report(backend, 100_000, trends.figures(url, 100_000))
        print()
        url = lookups.sqlite_url(folder, 100_000)
        lookups.build(url, 100_000)
        kiosk.prepare(url)
        print(
            "The kiosk to its first screen, on a 100,000-incident SQLite database "
            "(fresh process on an 80x24 terminal, medians)"
        )
        figures = kiosk.start_and_memory(url, runs=args.runs)
        bare_ms, bare_mib = figures.pop("bare")
        print(f"  {'bare Textual app':<28} {bare_ms:6.0f} ms   {bare_mib:6.1f} MiB")
        for name, (ms, mib) in figures.items():
            print(
                f"  {name:<28} {ms:6.0f} ms   {mib:6.1f} MiB   start {ms / bare_ms:.2f}x, "
                f"memory {mib / bare_mib:.2f}x   aim: at most 1.5x on both"
            )
        sends = sorted(kiosk.send_to_receipt(url))
        print(
            f"  Send to receipt        p50 {statistics.median(sends):.1f} ms  "
            f"p95 {sends[int(len(sends) * 0.95) - 1]:.1f} ms  ({len(sends)} sends)\n"
        )
    finally:
        if args.cache is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
