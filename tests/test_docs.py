"""Documentation is checked against the code: the model schema, the CLI, the presets, the languages."""
from __future__ import annotations

import json
import re
import string
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from kawasan.spatial import model as schema

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def schema_classes():
    for name in dir(schema):
        obj = getattr(schema, name)
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == schema.__name__ \
                and not name.startswith("_"):
            yield obj


def test_every_model_key_is_documented_and_every_documented_key_exists():
    text = (DOCS / "reference" / "model.md").read_text()
    documented = set(re.findall(r"`([a-z_]+)`", text))
    fields = {info.alias or name for cls in schema_classes() for name, info in cls.model_fields.items()}
    missing = sorted(f for f in fields if f not in documented)
    assert not missing, f"model keys not documented in docs/reference/model.md: {missing}"
    # every key in a table's first column must be a real field
    rows = re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)*", text, flags=re.M)
    listed = {k for row in rows for k in row if k}
    transforms = {"linear", "sigmoid", "gaussian", "triangular", "piecewise", "ranges", "categories", "design"}
    unknown = sorted(k for k in listed if k not in fields and k not in transforms)
    assert not unknown, f"docs/reference/model.md documents keys the schema does not have: {unknown}"


def test_cli_reference_is_current():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import gen_cli_docs
    finally:
        sys.path.pop(0)
    current = (DOCS / "reference" / "cli.md").read_text()
    assert current == gen_cli_docs.render(), "docs/reference/cli.md is stale: run scripts/gen_cli_docs.py"


def test_catalogues_have_the_same_keys_and_placeholders():
    from kawasan.i18n import catalogue

    catalogue.cache_clear()
    cats = {lang: catalogue(lang) for lang in ("en", "id")}
    assert cats["en"].keys() == cats["id"].keys()
    fmt = string.Formatter()
    for key in cats["en"]:
        ph = [{f for _, f, _, _ in fmt.parse(cats[lang][key]) if f} for lang in ("en", "id")]
        assert ph[0] == ph[1], key


ALL_PAGES = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))


def test_every_page_is_linked_from_the_readme_or_another_page():
    texts = {"README.md": (ROOT / "README.md").read_text()} | {p: (DOCS / p).read_text() for p in ALL_PAGES}
    for page in ALL_PAGES:
        name = re.escape(page.split("/")[-1])
        assert any(re.search(r"\]\([^)]*" + name, t) for p, t in texts.items() if p != page), \
            f"docs/{page} is linked from nowhere (add it to the README's documentation list)"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_pages_exist_and_links_resolve(page):
    p = DOCS / page
    text = p.read_text()
    for link in re.findall(r"\]\(([^)#]+)", text):
        if link.startswith("http"):
            continue
        assert (p.parent / link).resolve().exists(), f"{page}: broken link {link}"


# Every command a guide shows runs in tests/test_docs_run.py; the commands of blocks that cannot run
# (they need the internet) are checked there to exist with their options.
