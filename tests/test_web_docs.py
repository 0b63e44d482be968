"""docs/reference/web.md is checked against the app: every route and every setting, and nothing else."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "docs" / "reference" / "web.md"


def test_every_route_is_documented_and_every_documented_route_exists(tmp_path):
    from kawasan.tracker import Settings
    from kawasan.web.app import create_app, route_table

    app = create_app(Settings.in_folder(tmp_path), background=False)
    documented = set(re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|", REF.read_text(encoding="utf-8"),
                                flags=re.M))
    assert documented == set(route_table(app)), {"undocumented": sorted(set(route_table(app)) - documented),
                                                 "not in the app": sorted(documented - set(route_table(app)))}


def test_every_setting_is_documented():
    code = "".join(p.read_text(encoding="utf-8") for p in
                   [*(ROOT / "src" / "kawasan" / "web").rglob("*.py"), ROOT / "src/kawasan/tracker/accounts.py",
                    ROOT / "src/kawasan/cli/serve.py"])
    read = set(re.findall(r'"(KAWASAN_[A-Z_]+|FORWARDED_ALLOW_IPS)"', code)) - {"KAWASAN_MAX_UPLOAD_MB"}
    section = REF.read_text(encoding="utf-8").split("## Settings", 1)[1]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.M))
    assert read == documented, (sorted(read), sorted(documented))


def test_the_openapi_description_lists_every_api_route(tmp_path):
    from kawasan.tracker import Settings
    from kawasan.web.app import create_app, route_table

    app = create_app(Settings.in_folder(tmp_path), background=False)
    spec = app.openapi()
    api = {(m, p) for m, p in route_table(app) if p.startswith("/api/v1/")}
    described = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert api <= described

