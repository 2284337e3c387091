"""Fuzzy payer names give the same candidates whatever the interpreter's hash seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# More customers share the payer's words than the fuzzy comparison keeps (50): which ones
# it keeps must not depend on the order in which Python iterates a set of strings.
SCRIPT = """
import json
from matching.book import Customer
from matching.payers import PayerIndex

words = ["ZEPHYR", "QUOKKA", "MARLIN", "OCELOT", "PEBBLE", "RAVINE", "SORREL", "TUNDRA"]
customers = [Customer(f"C{k:03d}", f"ALPHA BETA {words[k % 8]}{chr(65 + k // 8 % 26)}")
             for k in range(120)]
customers += [Customer(f"C{k:03d}", name) for k, name in
              [(120, "ALPHA BETA GAMMAS"), (121, "ALPHA BETA GAMMAT"), (122, "ALPHA BETA GAMMAR")]]
index = PayerIndex(customers)
for payer in ["ALPHA BETA GAMMA", "ALPHA BETA GAMMAX", "ALPHA BETA ZEPHYR"]:
    print(json.dumps([[m.customer_id, m.score, m.how] for m in index.identify(payer, None)]))
"""


def _run(seed: int) -> list[list[list[object]]]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_fuzzy_payer_candidates_do_not_depend_on_the_hash_seed():
    runs = [_run(seed) for seed in (1, 2, 3, 4, 5, 6)]
    assert all(run == runs[0] for run in runs)
    assert len(runs[0]) == 3
    assert all(how == "fuzzy name" for found in runs[0] for _, _, how in found)
