"""The map's slow paths made fast: the identity cache (and that a revoked token or a disabled account is
refused at once), the lean path of cached tiles and their 304s, the remembered tile sources."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from map_fixtures import MapWorld

APHT = "/api/v1/runs/runs~apht"


@pytest.fixture(scope="module")
def world(demo_dir, tmp_path_factory):
    w = MapWorld(tmp_path_factory.mktemp("map-fast"), demo_dir)
    yield w
    w.close()


def _tile(world, z=12) -> str:
    import morecantile

    w, s, e, n = world.clients["viewer"].get(APHT).json()["bounds"]
    t = morecantile.tms.get("WebMercatorQuad").tile((w + e) / 2, (s + n) / 2, z)
    return f"{APHT}/tiles/score/{t.z}/{t.x}/{t.y}.png"


def _token_client(world, user: str, name: str) -> tuple[TestClient, dict]:
    tok = world.svc.create_token(user, name, actor=user)
    c = TestClient(world.app)
    c.headers["Authorization"] = f"Bearer {tok['token']}"
    return c, tok


class _NoDatabase:
    """Stands in for the tracker's sign-in lookups: any call means the request read the database."""

    def __init__(self, svc):
        self.svc, self.calls = svc, 0

    def __enter__(self):
        self._saved = self.svc.resolve_token, self.svc.resolve_session

        def boom(*_a, **_k):
            self.calls += 1
            raise AssertionError("the database was read to sign the caller in")
        self.svc.resolve_token = self.svc.resolve_session = boom
        return self

    def __exit__(self, *exc):
        self.svc.resolve_token, self.svc.resolve_session = self._saved


# ---- identity cache ------------------------------------------------------------------------------------

def test_a_signed_in_caller_is_not_looked_up_again_within_the_ttl(world):
    c, _ = _token_client(world, "viewer", "ttl")
    assert c.get("/api/v1/me").json()["username"] == "viewer"
    assert world.clients["viewer"].get("/api/v1/me").status_code == 200
    with _NoDatabase(world.app.state.tracker) as db:
        assert c.get("/api/v1/me").json()["username"] == "viewer"
        assert world.clients["viewer"].get("/api/v1/me").status_code == 200  # a session cookie too
    assert db.calls == 0


def test_a_revoked_token_is_refused_at_the_next_request(world):
    c, tok = _token_client(world, "coord", "revoke-me")
    assert c.get("/api/v1/me").status_code == 200
    assert c.get(_tile(world)).status_code == 200
    assert c.get(_tile(world)).status_code == 200  # cached identity, cached tile: the lean path
    world.svc.revoke_token(tok["id"], actor="coord")
    for url in ("/api/v1/me", _tile(world)):
        r = c.get(url)
        assert r.status_code == 401 and r.json()["error"]["code"] == "authentication", url


def test_a_disabled_account_and_a_changed_role_are_seen_at_once(world):
    world.svc.add_user("mapper", "administrator", actor="admin")
    c, _ = _token_client(world, "mapper", "role")
    assert c.get("/api/v1/me").json()["role"] == "administrator"
    world.svc.update_user("mapper", role="viewer", actor="admin")
    assert c.get("/api/v1/me").json()["role"] == "viewer"
    world.svc.update_user("mapper", disabled=True, actor="admin")
    assert c.get(_tile(world)).status_code == 401


def test_signing_out_ends_the_cached_session(world):
    from web_fixtures import sign_in

    c = TestClient(world.app)
    csrf = sign_in(c, "dpm")
    cookie = c.cookies.get("kw_session")
    assert c.get(_tile(world)).status_code == 200
    assert c.post("/logout", headers={"X-CSRF-Token": csrf}, follow_redirects=False).status_code == 303
    c.cookies.set("kw_session", cookie, domain="testserver.local")
    assert c.get(_tile(world)).status_code == 401
    assert c.get("/api/v1/me").status_code == 401


def test_a_change_made_by_another_process_is_seen_after_the_ttl(world):
    """The documented trade-off: a revocation this process did not commit (here: plain SQL, as another
    process would) is seen when the cached entry expires, not before."""
    c, tok = _token_client(world, "dlh", "elsewhere")
    cache = world.app.state.identities
    now = [1000.0]
    cache._clock = lambda: now[0]
    try:
        assert c.get("/api/v1/me").status_code == 200
        with world.svc.engine.begin() as conn:
            conn.execute(text("UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE id = :i"), {"i": tok["id"]})
        assert c.get("/api/v1/me").status_code == 200  # still cached: at most ttl seconds
        now[0] += cache.ttl + 0.01
        assert c.get("/api/v1/me").status_code == 401
    finally:
        import time

        cache._clock = time.monotonic
        cache.clear()


def test_a_ttl_of_zero_reads_the_database_every_time(demo_dir, tmp_path):
    w = MapWorld(tmp_path, demo_dir, identity_seconds=0)
    try:
        c = w.clients["viewer"]
        for _ in range(3):
            assert c.get("/api/v1/me").status_code == 200
        assert w.app.state.identities.hits == 0
    finally:
        w.close()


def test_last_seen_times_do_not_drop_the_cache_but_account_changes_do(world):
    from kawasan.tracker.accounts import accounts_generation

    before = accounts_generation()
    c, tok = _token_client(world, "viewer", "gen")  # creating a token is an account change
    assert accounts_generation() > before
    before = accounts_generation()
    assert c.get("/api/v1/me").status_code == 200  # writes the token's last-used time: housekeeping
    assert accounts_generation() == before
    world.svc.revoke_token(tok["id"], actor="viewer")
    assert accounts_generation() > before


def test_the_identity_cache_setting_is_checked(monkeypatch):
    from kawasan.errors import InputError
    from kawasan.web.settings import WebSettings

    monkeypatch.setenv("KAWASAN_IDENTITY_CACHE_SECONDS", "-1")
    with pytest.raises(InputError) as e:
        WebSettings.from_env()
    assert e.value.field == "KAWASAN_IDENTITY_CACHE_SECONDS" and "-1" in str(e.value)
    monkeypatch.setenv("KAWASAN_IDENTITY_CACHE_SECONDS", "2.5")
    assert WebSettings.from_env().identity_seconds == 2.5


# ---- the lean tile path ----------------------------------------------------------------------------------

def test_a_cached_tile_is_answered_without_the_database_with_the_routes_headers(world):
    c = world.clients["viewer"]
    first = c.get(_tile(world))
    assert first.status_code == 200
    with _NoDatabase(world.app.state.tracker) as db:
        again = c.get(_tile(world))
    assert db.calls == 0 and again.status_code == 200 and again.content == first.content
    for h in ("etag", "cache-control", "content-type", "content-security-policy", "x-content-type-options",
              "x-frame-options", "referrer-policy"):
        assert again.headers[h] == first.headers[h], h
    assert again.headers["content-length"] == str(len(first.content))


def test_a_known_etag_is_a_304_without_rendering(world, monkeypatch):
    from kawasan.web.map import tiles

    c = world.clients["viewer"]
    etag = c.get(_tile(world)).headers["etag"]
    world.app.state.tiles._lru.clear()
    monkeypatch.setattr(tiles, "render_tile", lambda *a, **k: pytest.fail("rendered a tile the client has"))
    r = c.get(_tile(world), headers={"If-None-Match": f'"other", {etag}'})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    assert r.headers["x-content-type-options"] == "nosniff"


def test_the_lean_path_refuses_what_the_route_refuses(world):
    c = world.clients["viewer"]
    url = _tile(world)
    assert c.get(url).status_code == 200  # cached now
    anon = TestClient(world.app)
    r = anon.get(url)
    assert r.status_code == 401 and r.json()["error"]["code"] == "authentication"
    r = anon.get(url, headers={"Authorization": "Bearer kwt_not-a-token"})
    assert r.status_code == 401 and r.json()["error"]["field"] == "authorization"
    r = c.get(f"{APHT}/tiles/score/99/0/0.png")
    assert r.status_code == 422 and r.json()["error"]["field"] == "z"
    r = c.get("/api/v1/runs/runs~nope/tiles/score/12/0/0.png")
    assert r.status_code == 404 and "error" in r.json()
    r = c.get(url.replace("/score/", "/nolayer/"))
    assert r.status_code == 404 and r.json()["error"]["field"] == "layer"


def test_a_changed_layer_file_is_not_served_from_memory(demo_dir, tmp_path):
    import os
    import shutil

    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    w = MapWorld(tmp_path / "db", data)
    try:
        c = w.clients["viewer"]
        url = _tile(w).replace(APHT, "/api/v1/areas/data").replace("/score/", "/hillshade/")
        first = c.get(url)
        assert first.status_code == 200
        from kawasan.web.map.layers import study_layers

        dem = study_layers(w.app.state.data.study_area("data"))["dem"]["file"]
        assert data in dem.parents  # the copy's DEM, not the shared demo's
        st = dem.stat()
        os.utime(dem, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # the DEM replaced: a new file tag
        again = c.get(url)
        assert again.status_code == 200 and again.headers["etag"] != first.headers["etag"]
    finally:
        w.close()


def test_the_tile_routes_stay_in_the_openapi_document(world):
    paths = world.clients["viewer"].get("/openapi.json").json()["paths"]
    assert "/api/v1/runs/{run_id}/tiles/{layer}/{z}/{x}/{y}.{fmt}" in paths
    assert "/api/v1/areas/{area_id}/tiles/{layer}/{z}/{x}/{y}.{fmt}" in paths
