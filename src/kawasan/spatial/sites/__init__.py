"""Candidate sites of a finished run: found, explained, ranked, stress-tested, and proposed sites checked.

- ``candidates``: extraction from the score raster (threshold, opening, hole filling, 8-connected components,
  polygons) under the model's minimum area and its legal basis;
- ``explain``: each site's explanation (criteria means, raw measures, excluding rules) read in its own window;
- ``criteria``: each site's criterion means recomputed on a window, for a run that did not keep its
  criterion rasters (the inputs' checksums compared with the run's);
- ``ranking``: mean, area-weighted and TOPSIS ranking with deterministic ties;
- ``sensitivity``: one-at-a-time and Dirichlet Monte Carlo weights on site-level means; score-spread map;
- ``check``: a proposed site (a drawn or uploaded polygon) judged rule by rule;
- ``admin``: whether the administrative units given to name the sites belong to the run's study area;
- ``service``: the use cases over them: extract, explain, rank and write ``RUN/sites/``; re-rank; stress test.
"""
