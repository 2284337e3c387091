"""What the portal robot remembers between runs: the POs it stored and acknowledged.

Kept in a small JSON file per portal, replaced atomically, so that a PO seen again on a
later run is neither ingested twice nor acknowledged twice. The hub's own idempotency
(a document's sha256) still holds behind it when the file is lost.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Literal

from hub.errors import ConfigError

PoState = Literal["stored", "acknowledged", "quarantined"]
_STATES = ("stored", "acknowledged", "quarantined")


class SeenOrders:
    """The state of every PO of one portal that reached the hub.

    ``stored``: the hub has its document; ``acknowledged``: the portal was told too;
    ``quarantined``: the hub stored it but could not read it (never acknowledged).

    Args:
        path: The JSON file; created on the first save.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.states: dict[str, PoState] = self._read()

    def _read(self) -> dict[str, PoState]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            states = data["orders"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"portal state file {self.path} is unreadable ({type(exc).__name__}); "
                "restore it or delete it (the hub's document idempotency still holds)"
            ) from None
        return {str(k): v for k, v in states.items() if v in _STATES}

    def stored(self, po_id: str) -> bool:
        """Whether the PO's document already reached the hub."""
        return po_id in self.states

    def acknowledged(self, po_id: str) -> bool:
        """Whether the portal already recorded our acknowledgement of the PO."""
        return self.states.get(po_id) == "acknowledged"

    def mark(self, po_id: str, state: PoState) -> None:
        """Record the PO's new state and save at once (a crash keeps what was done)."""
        if self.states.get(po_id) in ("acknowledged", "quarantined"):
            return
        self.states[po_id] = state
        self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"orders": self.states}, indent=0, sort_keys=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".seen-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
