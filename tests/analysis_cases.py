"""The analysis and job routes in the role matrix (tests/test_web_matrix.py): every signed-in role may look,
every role but viewer may save a model, start a run and cancel a job (the job service checks it again)."""
from __future__ import annotations

import itertools

from test_web_analysis import setup_data

RUNNER_ROLES = frozenset({"admin", "coord", "coord_b", "dlh", "dlh_b", "dpm"})
MODEL = "saved:test-model"
_n = itertools.count(1)


def _data(w):
    root = w.svc.settings.home / "analysis-data"
    return setup_data(w, root)


def _queued_job(w) -> int:
    _data(w)
    return w.app.state.jobs.submit("suitability", "matrix (SYNTHETIC)", {"out": "/nonexistent"}, actor="admin")["id"]


def _saved(w) -> str:
    root = _data(w)
    (root / "models" / "matrix.yaml").write_text((root / "models" / "test-model.yaml").read_text())
    return "/analysis/models/matrix.yaml"


def _econ(w) -> bool:
    """The world reads the East Java table set when ../shared/data is present (else the routes answer 404)."""
    import dataclasses

    from conftest import SHARED

    folder = SHARED / "data"
    w.app.state.web = dataclasses.replace(w.app.state.web, economics_dir=folder if folder.is_dir() else None)
    return True


ECON_OK = (200, 404)  # 404: no table set (a fresh clone without ../shared/data); the role rules are the same


BOUNDARY = (b'{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:4326"}}, '
            b'"features": [{"type": "Feature", "properties": {"nama": "Desa Uji (SYNTHETIC)"}, "geometry": '
            b'{"type": "Polygon", "coordinates": [[[113.1, -7.8], [113.12, -7.8], [113.12, -7.78], [113.1, -7.78], '
            b'[113.1, -7.8]]]}}]}')


def _new_area(w):
    _data(w)
    return ("/api/v1/analysis/studyareas", {"data": {"name": f"area-{next(_n)}"},
                                            "files": {"boundary": ("b.geojson", BOUNDARY, "application/geo+json")}})


def analysis_cases(Case, SIGNED):
    j = lambda body: {"json": body}  # noqa: E731
    return [
        Case("GET", "/analysis", SIGNED, make=lambda w, r: (_data(w) and "/analysis?area=test", {})),
        Case("GET", "/analysis/models/{name}.yaml", SIGNED, make=lambda w, r: (_saved(w), {})),
        Case("GET", "/api/v1/analysis/models", SIGNED, make=lambda w, r: (_data(w) and "/api/v1/analysis/models", {})),
        Case("GET", "/api/v1/analysis/studyareas", SIGNED,
             make=lambda w, r: (_data(w) and "/api/v1/analysis/studyareas", {})),
        Case("POST", "/api/v1/analysis/check", SIGNED,
             make=lambda w, r: (_data(w) and "/api/v1/analysis/check", j({"model": MODEL, "edits": {}}))),
        Case("POST", "/api/v1/analysis/models", RUNNER_ROLES, ok=(201,),
             make=lambda w, r: (_data(w) and "/api/v1/analysis/models",
                                j({"model": MODEL, "name": f"m{next(_n)}"}))),
        Case("POST", "/api/v1/analysis/runs", RUNNER_ROLES, ok=(202,),
             make=lambda w, r: (_data(w) and "/api/v1/analysis/runs",
                                j({"model": MODEL, "study_area": "test", "run": f"matrix-{next(_n)}"}))),
        Case("GET", "/api/v1/jobs", SIGNED),
        Case("GET", "/api/v1/jobs/{job_id}", SIGNED, make=lambda w, r: (f"/api/v1/jobs/{_queued_job(w)}", {})),
        Case("POST", "/api/v1/jobs/{job_id}/cancel", RUNNER_ROLES,
             make=lambda w, r: (f"/api/v1/jobs/{_queued_job(w)}/cancel", {})),
        Case("GET", "/analysis/new-area", SIGNED, make=lambda w, r: (_data(w) and "/analysis/new-area", {})),
        Case("POST", "/api/v1/analysis/studyareas", RUNNER_ROLES, ok=(202,), make=lambda w, r: _new_area(w)),
        Case("GET", "/potential", SIGNED, ok=ECON_OK, make=lambda w, r: (_econ(w) and "/potential?stress=0", {})),
        Case("GET", "/potential/regions/{code}", SIGNED, ok=ECON_OK,
             make=lambda w, r: (_econ(w) and "/potential/regions/3513?stress=0", {})),
        Case("GET", "/potential/report.html", SIGNED, ok=ECON_OK,
             make=lambda w, r: (_econ(w) and "/potential/report.html?stress=0", {})),
        Case("GET", "/api/v1/potential", SIGNED, ok=ECON_OK,
             make=lambda w, r: (_econ(w) and "/api/v1/potential?stress=0", {})),
        Case("GET", "/api/v1/potential/map.geojson", SIGNED, ok=ECON_OK,
             make=lambda w, r: (_econ(w) and "/api/v1/potential/map.geojson?stress=0", {})),
    ]
