"""`make bench`: run every bench/bench_*.py and write bench/results.json.

Each module has `run() -> list[dict]`, one row per figure:
{"name", "figure", "unit", "comparison", "comparison_figure", "ratio", "target"}
where the comparison figure is measured in the same run on the same machine.
Pass module names (e.g. `triage ledger`) to run only those.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brightline.settings")
    wanted = set(sys.argv[1:])
    rows: list[dict[str, object]] = []
    failed = False
    for path in sorted(HERE.glob("bench_*.py")):
        short = path.stem.removeprefix("bench_")
        if wanted and short not in wanted:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"=== {path.name}", flush=True)
        started = time.perf_counter()
        try:
            results = module.run()
        except Exception as error:  # a broken benchmark must not hide the others' figures
            print(f"{path.name} failed: {error!r}", flush=True)
            failed = True
            continue
        for row in results:
            print(
                f"  {row['name']}: {row['figure']} {row['unit']}"
                f" (comparison {row.get('comparison')}: {row.get('comparison_figure')}, ratio {row.get('ratio')},"
                f" target {row.get('target')})",
                flush=True,
            )
        rows.extend(results)
        print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    (HERE / "results.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(f"wrote {HERE / 'results.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
