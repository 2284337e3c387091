"""One timed run in its own process, so that peak memory is its own: engine or baseline."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    which, folder, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    statements = sorted(folder.glob("statement-*"))
    started = time.perf_counter()
    if which == "engine":
        from matching.cashmatch import run

        result = run(customers=folder / "customers.csv", open_items=folder / "open_items.csv",
                     statements=statements, history=folder / "history.csv", out=out)
        count = len(result.proposals)
        problems = len(result.problems)
        steps = result.seconds
    else:
        import baseline

        from matching.cashmatch import paused_gc

        steps = {}
        with paused_gc():  # the same allocation regime as the engine, for a fair ratio
            count = baseline.run(folder / "open_items.csv", statements, out, steps)
        problems = 0
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "peak_bytes": peak, "transactions": count,
                      "problems": problems, "steps": steps}), flush=True)
    # Leave as the o2c console script does after a cash match (hub.cli.leave_at_once),
    # for both matchers alike: neither pays for handing its records back one by one.
    os._exit(0)


if __name__ == "__main__":
    main()
