"""How long `ReplayOBFeatureEngine` takes to load a day of `obf replay` output, and how much
memory the day takes: a synthetic day (default 17 280 steps × 500 assets, every 5 s) written as
JSON Lines and as CSV in a temporary directory, each loaded in turn, then scans of look-ups; the
day saved with `ReplayRecord.save` and read again with `ReplayRecord.load`.

    python3 bench/replay_load.py [--steps N] [--assets N] [--keep DIR]

Needs the client installed (`pip install ./clients/python`); the files take about 3 GB (JSON
Lines), 2.6 GB (CSV) and 0.7 GB (saved) at the default size, removed afterwards unless `--keep`
names a directory.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "clients" / "python" / "tests"))

from replay_files import cell, csv_lines, features, macro  # noqa: E402

from obf_client import ReplayOBFeatureEngine, ReplayRecord  # noqa: E402

POOL = 64   # distinct feature sets per asset, reused across steps (the load reads every number all the same)


def write_day(directory: Path, steps: int, assets: int) -> tuple[Path, Path]:
    rng = random.Random(7)
    names = [f"ASSET{index:03d}USDT" for index in range(assets)]
    pool = [features(rng) for _ in range(POOL)]
    macros = [macro(rng) for _ in range(POOL)]
    fragments = [[json.dumps(name) + ":" + json.dumps(item, separators=(",", ":")) for item in pool] for name in names]
    header = next(csv_lines([]))
    rows = [[",".join([name] + [cell(item[group][key]) for group in ("placement", "signal") for key in item[group]])
             for item in pool] for name in names]
    macro_cells = [",".join(cell(item[key]) for key in item) for item in macros]
    jsonl, csv = directory / "day.jsonl", directory / "day.csv"
    start = 1_764_806_400.0
    with jsonl.open("w") as lines, csv.open("w") as table:
        table.write(header)
        for index in range(steps):
            pick = index % POOL
            step_time = start + 5.0 * index + rng.random() / 8
            body = ",".join(fragment[(pick + offset) % POOL] for offset, fragment in enumerate(fragments))
            lines.write(f'{{"bar":{index},"time":{step_time!r},"rollover":false,"assets":{{{body}}},"macro":'
                        f'{json.dumps(macros[pick], separators=(",", ":"))}}}\n')
            head = f"{index},{step_time!r},false,"
            tail = "," + macro_cells[pick] + "\n"
            table.writelines(head + row[(pick + offset) % POOL] + tail for offset, row in enumerate(rows))
    return jsonl, csv


def rss_mb() -> float:
    """The process's resident memory now (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=17_280)
    parser.add_argument("--assets", type=int, default=500)
    parser.add_argument("--keep", type=Path)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = options.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        files = write_day(directory, options.steps, options.assets)
        print(f"wrote {options.steps} steps × {options.assets} assets in {time.perf_counter() - began:.1f} s")
        for path in files:
            gc.collect()
            before = rss_mb()
            began = time.perf_counter()
            engine = ReplayOBFeatureEngine(path)
            seconds = time.perf_counter() - began
            record = engine.record
            held = (record.values.itemsize * len(record.values) + record.row_asset.itemsize * len(record.row_asset)
                    + sum(rows.itemsize * len(rows) for rows in record.asset_rows))
            asset_steps = len(record.row_asset)
            print(f"{path.name}: {path.stat().st_size / 1e9:.2f} GB, loaded in {seconds:.1f} s "
                  f"({asset_steps / seconds / 1e3:.0f} k asset-steps/s), arrays {held / 1e6:.0f} MB "
                  f"({held / asset_steps:.0f} bytes per asset-step), resident memory "
                  f"+{rss_mb() - before:.0f} MB")
            names = engine.assets
            for pattern in ("at the bar", "at the bar and the bar before"):
                scans = range(len(engine) // 2, min(len(engine), len(engine) // 2 + 100))
                began = time.perf_counter()
                for step in engine.steps(scans.start, scans.stop):
                    for name in names:
                        engine.get_placement(name, step.bar)
                        engine.get_signal(name, step.bar)
                        if pattern != "at the bar":
                            engine.get_signal(name, step.bar - 1)
                    engine.get_market(step.bar)
                per_scan = (time.perf_counter() - began) / len(scans)
                print(f"  a scan ({len(names)} assets' placement and signal {pattern}, and macro): "
                      f"{per_scan * 1e3:.2f} ms, mean of {len(scans)}")
            if path.suffix == ".jsonl":
                saved = directory / "day.obfr"
                record.save(saved)
                del engine, record
                gc.collect()
                began = time.perf_counter()
                ReplayRecord.load(saved)
                print(f"  {saved.name} (ReplayRecord.save): {saved.stat().st_size / 1e9:.2f} GB, read again "
                      f"(ReplayRecord.load) in {time.perf_counter() - began:.1f} s")
            else:
                del engine, record


if __name__ == "__main__":
    main()
