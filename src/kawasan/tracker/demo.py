"""The demo's licensing project: the top APHT site of the synthetic Kabupaten Contoh, with SYNTHETIC progress.

The story (all dates and events invented, labelled SINTETIS / SYNTHETIC; its texts are in the catalogues
`locales/{en,id}.demo.json` and recorded in Bahasa Indonesia by default): studies done; the KKPR filed in
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

from kawasan.i18n import catalogue, t

DEMO_START = date(2024, 1, 8)
DEMO_TODAY = date(2025, 6, 2)
DEMO_APPLICATION = date(2024, 5, 6)
#: The language the demo's records are written in: the regency's staff write in Bahasa Indonesia, and it is
#: the web app's default language.
DEMO_LANGUAGE = "id"
DEMO_OWNER = "BPN + Bagian Hukum Setda"   # office names, the same in both languages

#: (stage, status, effective date, acting user, reason: its catalogue key) in the order they happened.
STORY = [
    ("K1", "in_progress", date(2024, 1, 8), "tim-investasi", "k1_started"),
    ("K1", "approved", date(2024, 4, 30), "tim-investasi", "k1_approved"),
    ("K2", "submitted", date(2024, 5, 6), "tim-investasi", "k2_submitted"),
    ("K3", "in_progress", date(2024, 5, 8), "tim-investasi", "k3_started"),
    ("K2", "clarification", date(2024, 5, 20), "tim-investasi", "k2_clarification"),
    ("K2", "submitted", date(2024, 6, 3), "tim-investasi", "k2_resubmitted"),
    ("K2", "approved", date(2024, 6, 28), "tim-investasi", "k2_approved"),
    ("K3", "approved", date(2024, 7, 12), "tim-investasi", "k3_approved"),
    ("K4", "in_progress", date(2024, 7, 15), "tim-investasi", "k4_started"),
    ("K5", "in_progress", date(2024, 7, 15), "tim-investasi", "k5_started"),
    ("K4", "approved", date(2024, 8, 19), "tim-investasi", "k4_approved"),
    ("K6", "in_progress", date(2024, 9, 2), "dlh-contoh", "k6_started"),
]


def story_text(key: str, lang: str = DEMO_LANGUAGE, **params) -> str:
    """One text of the demo's story (``tracker.demo_story.<key>`` of the catalogues) in ``lang``."""
    return t(f"tracker.demo_story.{key}", lang, **params)


def demo_regency(lang: str = DEMO_LANGUAGE) -> str:
    """The demo project's regency as recorded ("Kabupaten Contoh (sintetis)")."""
    return story_text("regency", lang)


def story_texts(lang: str = DEMO_LANGUAGE) -> list[str]:
    """Every text the demo records in ``lang`` (names, reasons, the obstacle), longest first."""
    keys = [k[len("tracker.demo_story."):] for k in catalogue("en") if k.startswith("tracker.demo_story.")]
    texts = [story_text(k, lang) for k in keys if k != "project_site"] + [DEMO_OWNER]
    return sorted(set(texts), key=len, reverse=True)


def site_geometry(run_folder: Path, site_id) -> dict | None:
    """The WGS84 geometry of one site from RUN/sites/sites.geojson (None when it is not there)."""
    path = Path(run_folder) / "sites" / "sites.geojson"
    if not path.is_file():
        return None
    for feat in json.loads(path.read_text(encoding="utf-8")).get("features", []):
        if str((feat.get("properties") or {}).get("id")) == str(site_id):
            return feat.get("geometry")
    return None


def seed_demo_project(svc, *, site: dict | None, geometry: dict | None, lang: str = DEMO_LANGUAGE) -> int:
    """Create the demo users and the APHT project with the synthetic STORY, its texts written in ``lang``
    (Bahasa Indonesia unless asked); returns the project id."""
    regency = demo_regency(lang)
    svc.add_user("tim-investasi", "coordinator", regency=regency, full_name=story_text("user.coordinator", lang))
    svc.add_user("kemenperin", "viewer", full_name=story_text("user.viewer", lang))
    name = (story_text("project_site", lang, site=site["id"], area=float(site["area_ha"])) if site
            else story_text("project", lang))
    pid = svc.create_project(name, "apht", DEMO_START, regency=regency, site_geometry=geometry,
                             actor="tim-investasi", application_date=DEMO_APPLICATION)["id"]
    svc.add_user("dlh-contoh", "agency_officer", agency="DLH", full_name=story_text("user.officer", lang))
    for stage, status, on, who, why in STORY:
        svc.update_stage(pid, stage, status, on=on, reason=story_text(why, lang), actor=who)
    svc.block_stage(pid, "K5", reason=story_text("k5_blocked", lang), on=date(2024, 10, 1),
                    expected_unblock=date(2025, 8, 1), obstacle=story_text("k5_obstacle", lang),
                    owner=DEMO_OWNER, actor="tim-investasi")
    return pid
