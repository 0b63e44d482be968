"""Real data in: build a study area from a regency's own files (boundary, DEM, OpenStreetMap, agency layers)."""
