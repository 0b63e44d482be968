"""The glossary and every Indonesian text in step: chosen words used, avoided words absent (named by file and key)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from i18n_sources import masked, texts
from kawasan.i18n import catalogue

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import gen_glossary  # noqa: E402

sys.path.pop(0)

GLOSSARY = gen_glossary.load()


def _bans():
    for term in GLOSSARY["terms"]:
        for a in term.get("avoid") or []:
            yield term["term"], a


def violations(items, bans) -> list[str]:
    out = []
    for text in items:
        for term, ban in bans:
            if text.lang != ban.get("lang", "id"):
                continue
            if ban.get("domains") and text.domain not in ban["domains"]:
                continue
            if ban.get("keys") and not re.search(ban["keys"], text.key):
                continue
            m = re.search(rf"\b(?:{ban['pattern']})\b", masked(text.text), flags=re.I)
            if m:
                out.append(f"{text.where}: {m.group(0)!r} ({term}: {ban['why']})\n    {text.text}")
    return out


def test_glossary_page_is_current():
    current = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert current == gen_glossary.render(), "docs/glossary.md is stale: run scripts/gen_glossary.py"


def test_no_indonesian_text_uses_an_avoided_word():
    found = violations(texts(), list(_bans()))
    assert not found, "Indonesian texts using a word the glossary avoids:\n" + "\n".join(found)


def test_no_english_text_uses_an_avoided_word():
    found = violations(texts(), [(t, dict(a, lang="en")) for t, a in _bans() if a.get("lang") == "en"])
    assert not found, "\n".join(found)


@pytest.mark.parametrize("term", GLOSSARY["terms"], ids=lambda t: t["term"])
def test_listed_texts_use_the_chosen_words(term):
    idn, en = catalogue("id"), catalogue("en")
    chosen_id = term["id"].split(" (")[0].lower()
    chosen_id = [w.strip() for w in chosen_id.split(",")] if "," in chosen_id else [chosen_id]
    for key in term.get("keys") or []:
        assert key in idn, f"glossary term {term['term']}: catalogue key {key} does not exist"
        # a placeholder reads as the last word of its name: P({top_k} teratas) reads P(k teratas)
        text = re.sub(r"\{(?:\w+_)?([A-Za-z0-9]+)[^}]*\}", r"\1", idn[key]).lower()
        assert any(w in text for w in chosen_id), \
            f"{key}: the Indonesian {idn[key]!r} does not use the glossary's {term['id']!r}"
        assert en.get(key), key


def test_class_labels_follow_the_named_convention():
    from kawasan.spatial.model import CLASS_LABELS

    classes = GLOSSARY["conventions"]["suitability_classes"]["classes"]
    idn = catalogue("id")
    for code, words in classes.items():
        assert CLASS_LABELS[code] == {"en": words["en"], "id": words["id"]}, code
        assert idn[f"report.class.{code}"] == words["id"], code
        assert catalogue("en")[f"report.class.{code}"] == words["en"], code


def test_a_ban_names_file_and_key():
    from i18n_sources import Text

    fake = [Text("src/kawasan/locales/id.json", "run.constraints", "spatial", "id", "Kendala (dasar hukum)"),
            Text("src/kawasan/locales/id.tracker.json", "tracker.obstacles_title", "licensing", "id", "Kendala"),
            Text("src/kawasan/locales/id.json", "x", "spatial", "id", "berikan --layer risk_flood=BERKAS"),
            Text("src/kawasan/locales/id.json", "y", "spatial", "id", "dibuat oleh kawasan versi lama")]
    found = violations(fake, list(_bans()))
    assert found[0].startswith("src/kawasan/locales/id.json [run.constraints]: 'Kendala' (constraint:")
    assert {f.split(":")[0] for f in found} == {"src/kawasan/locales/id.json [run.constraints]",
                                                 "src/kawasan/locales/id.json [y]"}, found
