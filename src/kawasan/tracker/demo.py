"""The demo's licensing project: the top APHT site of the synthetic Kabupaten Contoh, with SYNTHETIC progress.

The story (all dates and events invented, labelled synthetic): studies done; the KKPR filed in
OSS, answered one clarification round and approved while the Bupati's site determination (Penlok)
was being drafted alongside it; the regency's recommendation for the agglomeration site granted;
the environmental document (UKL-UPL) in progress at the DLH; and the small-scale land acquisition
blocked by an inheritance dispute over two parcels (the obstacle, owned by BPN and the regency's
legal office). The KKPR application date (May 2024) puts the project under the PP 5/2021 rules
(applications before 5 October 2025). Everything is recorded through
:class:`~kawasan.tracker.ProjectService`, so the demo database has a real event log, and the
forecast is computed as of a fixed date so that the demo prints the same numbers every time.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

DEMO_START = date(2024, 1, 8)
DEMO_TODAY = date(2025, 6, 2)
DEMO_APPLICATION = date(2024, 5, 6)
DEMO_REGENCY = "Kabupaten Contoh (synthetic)"

#: (stage, status, effective date, acting user, reason) in the order they happened.
STORY = [
    ("K1", "in_progress", date(2024, 1, 8), "tim-investasi", "consultant contracted for FS, masterplan and DED"),
    ("K1", "approved", date(2024, 4, 30), "tim-investasi", "studies accepted by the regency"),
    ("K2", "submitted", date(2024, 5, 6), "tim-investasi", "KKPR filed in OSS, PNBP paid"),
    ("K3", "in_progress", date(2024, 5, 8), "tim-investasi", "Penlok decree drafted alongside the KKPR"),
    ("K2", "clarification", date(2024, 5, 20), "tim-investasi", "site boundary coordinates missing"),
    ("K2", "submitted", date(2024, 6, 3), "tim-investasi", "coordinates supplied"),
    ("K2", "approved", date(2024, 6, 28), "tim-investasi", "KKPR issued"),
    ("K3", "approved", date(2024, 7, 12), "tim-investasi", "Penlok signed by the Bupati"),
    ("K4", "in_progress", date(2024, 7, 15), "tim-investasi", "recommendation for the agglomeration site requested"),
    ("K5", "in_progress", date(2024, 7, 15), "tim-investasi", "small-scale land acquisition started"),
    ("K4", "approved", date(2024, 8, 19), "tim-investasi", "Bupati's recommendation issued"),
    ("K6", "in_progress", date(2024, 9, 2), "dlh-contoh", "UKL-UPL being drafted"),
]


def site_geometry(run_folder: Path, site_id) -> dict | None:
    """The WGS84 geometry of one site from RUN/sites/sites.geojson (None when it is not there)."""
    path = Path(run_folder) / "sites" / "sites.geojson"
    if not path.is_file():
        return None
    for feat in json.loads(path.read_text(encoding="utf-8")).get("features", []):
        if str((feat.get("properties") or {}).get("id")) == str(site_id):
            return feat.get("geometry")
    return None


def seed_demo_project(svc, *, site: dict | None, geometry: dict | None) -> int:
    """Create the demo users and the APHT project with the synthetic STORY; returns the project id."""
    svc.add_user("tim-investasi", "coordinator", regency=DEMO_REGENCY,
                 full_name="Tim Investasi Daerah secretariat (synthetic)")
    svc.add_user("kemenperin", "viewer", full_name="Direktorat Perwilayahan Industri (synthetic viewer)")
    where = f", site {site['id']} ({site['area_ha']:.1f} ha)" if site else ""
    pid = svc.create_project(f"APHT Kabupaten Contoh{where} (SYNTHETIC)", "apht", DEMO_START,
                             regency=DEMO_REGENCY, site_geometry=geometry, actor="tim-investasi",
                             application_date=DEMO_APPLICATION)["id"]
    svc.add_user("dlh-contoh", "agency_officer", agency="DLH", full_name="DLH officer (synthetic)")
    for stage, status, on, who, why in STORY:
        svc.update_stage(pid, stage, status, on=on, reason=why, actor=who)
    svc.block_stage(pid, "K5", reason="two parcels claimed by heirs; the certificate cannot be issued",
                    on=date(2024, 10, 1), expected_unblock=date(2025, 8, 1),
                    obstacle="inheritance dispute over 2 of 8 parcels (synthetic)",
                    owner="BPN + Bagian Hukum Setda", actor="tim-investasi")
    return pid
