"""Spatial engine: study areas, suitability models, runs.

Plain Python on numpy/rasterio; knows nothing of the web or the database.
"""
