"""kawasan economy ...: sectoral indicators (LQ, DLQ, shift-share, Klassen, specialization)."""
from __future__ import annotations

from kawasan.cli.main import cli


@cli.group("economy")
def economy_group():
    """Which industries are strong here: LQ, dynamic LQ, shift-share, Klassen, specialization, potential."""
