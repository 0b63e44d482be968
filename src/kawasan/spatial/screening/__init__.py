"""Province-wide screening (``kawasan screen``): one model over a province or island, summarised per regency.

- ``run``: the screening itself: the run, its candidate sites, per-regency hectares read strip by strip, the
  optional join to the regional-potential ranking, the outputs folder;
- ``report``: its HTML reports in both languages (choropleth and regency table).
"""
