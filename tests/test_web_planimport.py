"""A plan CSV imported from the browser or the API shows every row error at once, and registers nothing."""
from __future__ import annotations

import pytest

from web_fixtures import World

BAD = (b"id,name,agency,duration_days,requires\nS1,Survey,BAPPEDA,10,\nS2,KKPR,,25,S1\n"
       b"S3,Building approval,DPMPTSP,abc,S1;S2\nS3,Duplicate,DPMPTSP,5,S1\nS5,Other,DLH,5,S9\n")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World("sqlite", tmp_path_factory.mktemp("web-plan"))
    yield w
    w.close()


EXPECTED = {
    "en": ((3, "empty agency"), (4, "'abc' is not a number"), (5, "duplicate stage id"),
           (6, "unknown prerequisite 'S9'")),
    "id": ((3, "instansi kosong"), (4, "'abc' bukan jumlah hari kerja"), (5, "id tahap 'S3' ganda"),
           (6, "prasyarat 'S9' tidak dikenal")),
}
ROW = {"en": "row", "id": "baris"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_row_error_at_once_in_the_api(world, lang):
    """Every row's error in one answer, in the reader's language (Indonesian unless the kw_lang cookie says
    English), and nothing registered."""
    client = world.clients["coord"]
    cookies = {"kw_lang": "en"} if lang == "en" else {}
    r = client.post("/api/v1/templates/import", headers={"X-CSRF-Token": world.csrf["coord"]},
                    data={"name": "rencana-tim"}, files={"file": ("rencana.csv", BAD, "text/csv")}, cookies=cookies)
    assert r.status_code == 422
    msg = r.json()["error"]["message"]
    for row, what in EXPECTED[lang]:
        assert f"{ROW[lang]} {row}" in msg and what in msg, (row, msg)
    assert "placeholder" not in msg
    assert "rencana-tim" not in {t["name"] for t in world.svc.list_templates()}


def test_every_row_error_on_the_page(world):
    r = world.clients["coord"].post("/templates/import", data={"name": "rencana-tim", "csrf_token": world.csrf["coord"]},
                                    files={"file": ("rencana.csv", BAD, "text/csv")})
    assert r.status_code == 422
    assert r.text.count("<li>baris ") == 4 and 'id="import-errors"' in r.text     # the page's language: id


def test_a_good_plan_is_registered(world):
    good = b"id;name;agency;duration_days;requires\nS1;Survey;BAPPEDA;10;\nS2;KKPR;DPMPTSP;25;S1\n"
    r = world.clients["coord"].post("/api/v1/templates/import", headers={"X-CSRF-Token": world.csrf["coord"]},
                                    data={"name": "rencana-baik"}, files={"file": ("rencana.csv", good, "text/csv")})
    assert r.status_code == 201 and r.json()["stages"] == 2


def test_a_header_error_is_one_error(world):
    r = world.clients["coord"].post("/api/v1/templates/import", headers={"X-CSRF-Token": world.csrf["coord"]},
                                    data={"name": "rencana-x"}, files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")})
    assert r.status_code == 422 and "kolom 'a' tidak dikenal" in r.json()["error"]["message"]   # Indonesian: the API default
