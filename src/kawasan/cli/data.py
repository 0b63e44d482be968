"""kawasan data prepare: build a study area from a regency's own files."""
from __future__ import annotations

import click

from kawasan.cli.main import cli


@cli.group("data")
def data_group():
    """Build a study area from real files (boundary, DEM, OpenStreetMap, agency layers), or fetch them."""
