"""kawasan project|stage|template: the licensing path as a live plan."""
from __future__ import annotations
