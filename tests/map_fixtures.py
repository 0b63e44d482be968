"""The map's test world: the session's demo folder as the server's data folder, an app over a seeded
SQLite database, one signed-in client per role (tests/web_fixtures.py)."""
from __future__ import annotations

from fastapi.testclient import TestClient

from web_fixtures import ROLES, TODAY, make_settings, seed_world, sign_in


class MapWorld:
    def __init__(self, folder, data_dir, **web):
        from kawasan.tracker import ProjectService
        from kawasan.web.app import create_app
        from kawasan.web.settings import WebSettings

        self.settings, _ = make_settings("sqlite", folder)
        self.svc = ProjectService(self.settings, today=TODAY, user="admin")
        self.ids = seed_world(self.svc)
        self.data_dir = data_dir
        self.app = create_app(self.settings, WebSettings(data_dir=data_dir, **web), today=TODAY, background=False)
        self.clients: dict[str, TestClient] = {}
        self.csrf: dict[str, str | None] = {}
        for name in ROLES:
            c = TestClient(self.app, base_url="http://testserver")
            c.__enter__()
            self.clients[name] = c
            self.csrf[name] = sign_in(c, name)

    def close(self) -> None:
        for c in self.clients.values():
            c.__exit__(None, None, None)
        self.svc.close()


#: The map's routes: their role rules are tested in test_web_map.py on a data folder (the matrix's world has
#: none); test_web_matrix.py counts them as covered through this table.
MAP_ROUTES = {
    ("GET", "/map"): "test_web_map.py: every signed-in role looks, signed out is sent to sign in",
    ("GET", "/api/v1/data"): "test_web_map.py: every signed-in role looks, signed out 401",
    ("GET", "/map/runs/{run_id}"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/runs/{run_id}"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/runs/{run_id}/tiles/{layer}/{z}/{x}/{y}.{fmt}"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/runs/{run_id}/vectors/{name}.geojson"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/runs/{run_id}/point"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/runs/{run_id}/sites"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/areas/{area_id}"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/areas/{area_id}/tiles/{layer}/{z}/{x}/{y}.{fmt}"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/areas/{area_id}/vectors/{name}.geojson"): "test_web_map.py: every signed-in role looks",
    ("GET", "/map/compare"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/compare/{run_a}/{run_b}/tiles/{z}/{x}/{y}.{fmt}"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/runs/{run_id}/files"): "test_web_map.py: every signed-in role looks",
    ("GET", "/api/v1/runs/{run_id}/files/{name}"): "test_web_map.py: every signed-in role looks",
    ("POST", "/api/v1/runs/{run_id}/check"): "test_web_map_sites.py: a viewer may check (nothing is written)",
    ("POST", "/api/v1/runs/{run_id}/check/upload"): "test_web_map_sites.py: a viewer may check (nothing is written)",
    ("POST", "/api/v1/runs/{run_id}/licensing"): "test_web_map_sites.py: a coordinator starts, a viewer is refused "
                                                 "(the tracker's rules for creating a project)",
}
