"""Vendor the web app's JavaScript and CSS from the npm registry at pinned versions.

Usage: python scripts/vendor_web.py   (needs `npm` on PATH and the registry reachable)

For each package in PACKAGES: `npm pack NAME@VERSION` downloads the published tarball (npm checks its
integrity against the registry), the listed files and the licence are copied to
src/kawasan/web/static/vendor/<name>/, and src/kawasan/web/static/vendor/checksums.json records the
version, licence, the tarball's integrity string and the SHA-256 of every vendored file.
tests/test_web_vendor.py checks the files against that record, so a hand-edited file is noticed.
The app serves these files itself: no CDN, works offline.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "kawasan" / "web" / "static" / "vendor"

#: name -> (version, licence, files inside the package to copy: package path -> vendored path)
PACKAGES = {
    "leaflet": ("1.9.4", "BSD-2-Clause", {
        "dist/leaflet.js": "leaflet.js",
        "dist/leaflet.css": "leaflet.css",
        "dist/images/layers.png": "images/layers.png",
        "dist/images/layers-2x.png": "images/layers-2x.png",
        "dist/images/marker-icon.png": "images/marker-icon.png",
        "dist/images/marker-icon-2x.png": "images/marker-icon-2x.png",
        "dist/images/marker-shadow.png": "images/marker-shadow.png",
        "LICENSE": "LICENSE",
    }),
    # drawing a site on the map (the map's "Check a site")
    "leaflet-geoman": ("2.20.2", "MIT", {
        "dist/leaflet-geoman.js": "leaflet-geoman.js",
        "dist/leaflet-geoman.css": "leaflet-geoman.css",
        "LICENSE": "LICENSE",
    }),
}
#: vendored folder -> npm package name, where they differ
NPM_NAMES = {"leaflet-geoman": "@geoman-io/leaflet-geoman-free"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def vendor_one(name: str, version: str, licence: str, files: dict[str, str], work: Path) -> dict:
    npm_name = NPM_NAMES.get(name, name)
    out = json.loads(subprocess.run(["npm", "pack", f"{npm_name}@{version}", "--json", "--pack-destination", str(work)],
                                    check=True, capture_output=True, text=True, cwd=work).stdout)[0]
    with tarfile.open(work / out["filename"]) as tar:
        tar.extractall(work / name, filter="data")
    src = work / name / "package"
    dest = VENDOR / name
    shutil.rmtree(dest, ignore_errors=True)
    record = {"version": version, "license": licence, "integrity": out["integrity"], "files": {}}
    for inner, target in files.items():
        t = dest / target
        t.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / inner, t)
        record["files"][target] = sha256(t)
    return record


def main() -> None:
    VENDOR.mkdir(parents=True, exist_ok=True)
    records = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, licence, files) in PACKAGES.items():
            records[name] = vendor_one(name, version, licence, files, Path(tmp))
            print(f"vendored {name}@{version} ({len(files)} files)")
    (VENDOR / "checksums.json").write_text(json.dumps(records, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
