"""The vendored JavaScript and CSS are what scripts/vendor_web.py recorded: pinned, licensed, unmodified."""
from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from pathlib import Path

VENDOR = Path(str(resources.files("kawasan.web").joinpath("static"))) / "vendor"
STATIC = VENDOR.parent
TEMPLATES = Path(str(resources.files("kawasan.web").joinpath("templates")))


def test_every_vendored_file_matches_its_recorded_checksum():
    record = json.loads((VENDOR / "checksums.json").read_text(encoding="utf-8"))
    assert record, "nothing vendored"
    on_disk = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file()} - {"checksums.json"}
    listed = {f"{name}/{f}" for name, rec in record.items() for f in rec["files"]}
    assert on_disk == listed, (sorted(on_disk - listed), sorted(listed - on_disk))
    for name, rec in record.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", rec["version"]) and rec["integrity"].startswith("sha512-")
        assert "LICENSE" in rec["files"] and rec["license"]
        for f, digest in rec["files"].items():
            assert hashlib.sha256((VENDOR / name / f).read_bytes()).hexdigest() == digest, f"{name}/{f}"


def test_the_vendor_script_pins_what_is_vendored():
    import sys

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "scripts"))
    try:
        import vendor_web
    finally:
        sys.path.pop(0)
    record = json.loads((VENDOR / "checksums.json").read_text(encoding="utf-8"))
    assert {n: v[0] for n, v in vendor_web.PACKAGES.items()} == {n: r["version"] for n, r in record.items()}


def test_pages_load_scripts_and_styles_only_from_the_app():
    for tpl in TEMPLATES.glob("*.html"):
        text = tpl.read_text(encoding="utf-8")
        for url in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', text):
            assert url.startswith("/static/"), (tpl.name, url)
            assert (STATIC / url.removeprefix("/static/")).is_file(), (tpl.name, url)
