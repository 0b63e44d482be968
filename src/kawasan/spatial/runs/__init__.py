"""Run folders: written atomically, read back, summarised, listed, and queried cell by cell.

- ``folder``: the atomic run folder and its manifest;
- ``read``: a finished run folder read back (``open_run``);
- ``summary``: class areas and best patches for the printed summary;
- ``catalog``: the server's data folder: study areas and runs found by their manifests, ids safe in a URL;
- ``cell``: one cell of a run explained (score, class, criteria, raw measures, excluding rules).
"""
