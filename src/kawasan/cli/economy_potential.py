"""kawasan economy potential: rank the regencies of a province for industrial development."""
from __future__ import annotations

from kawasan.cli.economy import economy_group  # noqa: F401
