"""Scoring ``matches.csv`` against the generator's truth."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Score:
    """The figures the benchmark reports."""

    transactions: int
    paying: int
    achievable: int
    auto: int
    auto_right: int
    auto_right_achievable: int
    auto_wrong: int
    suggested: int
    suggested_hit: int
    suggested_hit_top3: int
    non_customer_right: int
    non_customer: int

    @property
    def auto_rate(self) -> float:
        """Right automatic applications, as a share of the payments that pay invoices."""
        return self.auto_right / self.paying if self.paying else 0.0

    @property
    def achievable_rate(self) -> float:
        """Right automatic applications, as a share of what carries enough information."""
        return self.auto_right_achievable / self.achievable if self.achievable else 0.0

    @property
    def wrong_auto_rate(self) -> float:
        """Wrong applications as a share of all automatic applications."""
        return self.auto_wrong / self.auto if self.auto else 0.0

    @property
    def suggestion_hit_rate(self) -> float:
        """Suggestions whose first proposal is exactly right."""
        return self.suggested_hit / self.suggested if self.suggested else 0.0

    @property
    def suggestion_top3_rate(self) -> float:
        """Suggestions with the right invoices among the first three proposals."""
        return self.suggested_hit_top3 / self.suggested if self.suggested else 0.0


def read_matches(path: Path) -> dict[str, tuple[str, frozenset[str], list[frozenset[str]]]]:
    """Per transaction: status, invoices of the proposal, alternatives named in the reason."""
    found: dict[str, tuple[str, set[str], str]] = {}
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            status, invoices, reason = found.setdefault(
                row["transaction_id"], (row["status"], set(), row["reason"]))
            if row["invoice_id"]:
                invoices.add(row["invoice_id"])
    out = {}
    for ref, (status, invoices, reason) in found.items():
        alternatives = []
        if "alternatives: " in reason:
            for part in reason.split("alternatives: ", 1)[1].split(" | "):
                alternatives.append(frozenset(x.strip() for x in part.split(",") if x.strip()))
        out[ref] = (status, frozenset(invoices), alternatives)
    return out


def score(matches: Path, truth_path: Path) -> Score:
    """Compare one ``matches.csv`` with ``truth.json``."""
    truth = json.loads(truth_path.read_text())
    got = read_matches(matches)
    s = Score(*([0] * 12))
    for ref, (kind, invoices, achievable) in truth.items():
        status, proposed, alternatives = got.get(ref, ("missing", frozenset(), []))
        expected = frozenset(invoices)
        s.transactions += 1
        s.paying += bool(expected)
        s.achievable += bool(achievable)
        if kind == "non_customer":
            s.non_customer += 1
            s.non_customer_right += status == "unmatched"
        if status == "auto":
            s.auto += 1
            right = bool(expected) and proposed == expected
            s.auto_right += right
            s.auto_right_achievable += right and achievable
            s.auto_wrong += not right
        elif status == "suggested" and expected:
            s.suggested += 1
            s.suggested_hit += proposed == expected
            s.suggested_hit_top3 += expected in [proposed, *alternatives[:2]]
    return s
