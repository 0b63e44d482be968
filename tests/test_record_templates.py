"""Template names and versions are checked against a safe pattern before they are registered (issue 14 defect 8)."""
from __future__ import annotations

import pytest

from kawasan.errors import InputError
from test_licensing_store_fixtures import pg_schema_url, settings, svc  # noqa: F401 (fixtures)

PLAN = "id,name,agency,duration_days,requires\nA,Survey,Bappeda,10,\nB,Permit,DPMPTSP,20,A\n"


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "../../etc/passwd", "a/b", "rencana contoh", "",
                                  "x" * 65, "..", "-flag", "name\n2", "nama\"kutip"])
def test_unsafe_template_names_are_refused(svc, tmp_path, name):  # noqa: F811
    from kawasan.licensing import import_csv

    csv = tmp_path / "plan.csv"
    csv.write_text(PLAN)
    try:
        tpl = import_csv(csv, name)
    except InputError:
        return  # the reader already refuses it: nothing reaches the database
    with pytest.raises(InputError, match="is not allowed") as e:
        svc.register_template(tpl)
    assert e.value.field == "name"
    assert [t for t in svc.list_templates() if t["origin"] == "database"] == []


@pytest.mark.parametrize("name", ["rencana-contoh", "KI_Batang.2026", "plan+1", "A"])
def test_safe_template_names_are_registered(svc, tmp_path, name):  # noqa: F811
    from kawasan.licensing import import_csv

    csv = tmp_path / "plan.csv"
    csv.write_text(PLAN)
    assert svc.register_template(import_csv(csv, name))["name"] == name


def test_an_unsafe_version_is_refused(svc, tmp_path):  # noqa: F811
    from kawasan.licensing import import_csv

    csv = tmp_path / "plan.csv"
    csv.write_text(PLAN)
    tpl = import_csv(csv, "rencana").model_copy(update={"version": "1 <b>"})
    with pytest.raises(InputError, match="version") as e:
        svc.register_template(tpl)
    assert e.value.field == "version"
