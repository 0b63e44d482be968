"""Every user-facing text of kawasan with its other language, for the language tests.

``texts()`` yields one :class:`Text` per string a user can read: the message catalogues (per key), the
bilingual fields of the presets and licensing templates, and the suitability class labels. Each knows its
file, its key (a catalogue key or a dotted path in a YAML file) and its domain (spatial, licensing,
economics, web, cli), which the glossary's bans are scoped by.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

PACKAGE = Path(resources.files("kawasan"))
LOCALES = PACKAGE / "locales"
PRESETS = sorted((PACKAGE / "presets").glob("*.yaml"))
TEMPLATES = sorted((PACKAGE / "licensing" / "templates").glob("[!_]*.yaml"))

PREFIX_DOMAIN = {
    **dict.fromkeys(("run", "report", "sites", "ahp", "demo", "law", "prepare", "fetch", "osm", "model"), "spatial"),
    **dict.fromkeys(("licensing", "tracker", "accounts", "serve"), "licensing"),
    **dict.fromkeys(("econ", "econreport", "potential"), "economics"),
    "web": "web", "cli": "cli", "error": "cli",
}
COMMAND_DOMAIN = {
    **dict.fromkeys(("suitability", "sites", "data", "demo", "report", "ahp"), "spatial"),
    **dict.fromkeys(("project", "stage", "template", "agency", "user", "calendar", "db", "serve"), "licensing"),
    "economy": "economics",
}
TEXT_FIELDS = {"label", "title", "description", "note", "legal_basis", "basis", "skipped_notice", "source",
               "name", "citation", "tag_note", "choice_label", "reason"}


@dataclass(frozen=True)
class Text:
    file: str
    key: str
    domain: str
    lang: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.file} [{self.key}]"


def catalogue_domain(key: str) -> str:
    head = key.split(".")[0]
    if head == "help":
        words = key.split(" ")
        return COMMAND_DOMAIN.get(words[1], "cli") if len(words) > 1 and not words[1].startswith("-") else "cli"
    return PREFIX_DOMAIN.get(head, "cli")


def catalogue_texts():
    for path in sorted(LOCALES.glob("*.json")):
        lang = path.name.split(".")[0]
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            yield Text(f"src/kawasan/locales/{path.name}", key, catalogue_domain(key), lang, value)


def _label(node) -> str:
    return str(node.get("id") or node.get("key") or node.get("value") or node.get("code") or "")


def bilingual_fields(node, path=""):
    """(dotted path, {"en": ..., "id": ...}) of every bilingual text in a YAML document; lists are indexed by
    their items' id (or key, value, code) so a path says which rule or stage."""
    if isinstance(node, dict):
        if {"en", "id"} & set(node) and all(isinstance(v, str) for v in node.values()) \
                and set(node) <= {"en", "id"}:
            yield path, node
            return
        for k, v in node.items():
            yield from bilingual_fields(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            name = _label(item) if isinstance(item, dict) else ""
            yield from bilingual_fields(item, f"{path}[{name or i}]")


def plain_text_fields(node, path=""):
    """(dotted path, text) of user-facing fields (label, note, legal_basis...) that are one language only."""
    if isinstance(node, dict):
        for k, v in node.items():
            sub = f"{path}.{k}" if path else str(k)
            if k in TEXT_FIELDS and isinstance(v, str):
                yield sub, v
            else:
                yield from plain_text_fields(v, sub)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            name = _label(item) if isinstance(item, dict) else ""
            yield from plain_text_fields(item, f"{path}[{name or i}]")


def yaml_files():
    """(relative file, domain, parsed document) of the presets and licensing templates."""
    for path in PRESETS:
        yield f"src/kawasan/presets/{path.name}", "spatial", yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in TEMPLATES:
        yield (f"src/kawasan/licensing/templates/{path.name}", "licensing",
               yaml.safe_load(path.read_text(encoding="utf-8")))


def yaml_texts():
    for file, domain, doc in yaml_files():
        for path, node in bilingual_fields(doc):
            for lang, value in node.items():
                yield Text(file, path, domain, lang, value)


def class_label_texts():
    from kawasan.spatial.model import CLASS_LABELS

    for cls, labels in CLASS_LABELS.items():
        for lang, value in labels.items():
            yield Text("src/kawasan/spatial/model.py", f"CLASS_LABELS[{cls}]", "spatial", lang, value)


def texts():
    yield from catalogue_texts()
    yield from yaml_texts()
    yield from class_label_texts()


# ------------------------------------------------------------------------------------------ masking
_MASKS = [
    re.compile(r"`[^`]*`"),                         # code
    re.compile(r"\{[^{}]*\}"),                      # placeholders
    re.compile(r"(?<![\w-])--[a-z][\w-]*(?:=\S+)?"),  # --options
    re.compile(r"(?<!\w)'[^']*'(?!\w)"),            # quotations of a regulation or of a value
    re.compile(r"\b[\w./-]+\.(?:json|yaml|yml|csv|tif|gpkg|geojson|html|md|db|py|toml)\b"),   # file names
    re.compile(r"\bkawasan (?:suitability|sites|data|demo|report|ahp|economy|project|stage|template|agency|user|"
               r"calendar|db|serve)\b[^;,.)]*"),    # a command line written in the text
    re.compile(r"https?://\S+"),
]


def masked(text: str) -> str:
    """The text with code, placeholders, options, quotations, file names and commands blanked out."""
    for rx in _MASKS:
        text = rx.sub(" ", text)
    return text
