"""The OpenStreetMap tag mapping: which tags become which study-area layer, class and land cover.

The default lives in ``osm_mapping.yaml`` next to this module (documented, with the same tables, in
docs/reference/osm-mapping.md). A user file has the same shape; the sections it gives replace the
default's, the others stay. :func:`load_osm_mapping` validates it and names the file, the section and
the value at fault.

Rules ("water", "settlements", "landuse.rules", "industrial", "harbours", "aerodromes", "protected")
are read top to bottom and the first match wins. A rule matches an object when every tag under
``match`` is present with one of the listed values (for a multi-value tag such as ``crop=rice;maize``,
one of its values); ``"*"`` means any value except ``no``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import yaml

from kawasan.errors import InputError
from kawasan.i18n import Message

#: The kawasan land-cover vocabulary used by the built-in presets (code -> name).
LANDCOVER_CLASSES: dict[int, str] = {
    1: "water",
    2: "protected_forest",
    3: "production_forest",
    4: "rice_field",
    5: "plantation",
    6: "dry_fields",
    7: "shrub",
    8: "settlement",
    9: "industry",
}
LANDCOVER_CODES: dict[str, int] = {v: k for k, v in LANDCOVER_CLASSES.items()}
ROAD_CLASSES = ("arterial", "collector", "local")
ROAD_STATUSES = ("national", "provincial", "regency")
RULE_SECTIONS = ("water", "settlements", "industrial", "harbours", "aerodromes", "protected", "toll_gates")
SECTIONS = ("version", "roads", "road_status", "road_entry_at_gates", "power_lines", "railways", "waterways", "places",
            "landuse") + RULE_SECTIONS
STATUS_FROM_REF = "ref"
STATUS_FROM_CLASS = "OSM highway class (proxy)"
DEFAULT_MAPPING_PATH = "osm_mapping.yaml"


@dataclass(frozen=True)
class TagRule:
    """One rule: ``match`` (key -> allowed values, None for any value but ``no``) and what it yields."""

    match: tuple[tuple[str, frozenset[str] | None], ...]
    value: str | None

    def matches(self, tags: Mapping[str, str]) -> bool:
        for key, allowed in self.match:
            v = tags.get(key)
            if v is None:
                return False
            if allowed is None:
                if v == "no":
                    return False
            elif v not in allowed and not (";" in v and any(part.strip() in allowed for part in v.split(";"))):
                return False      # "rice;maize": OSM's way of listing several values; one listed value is enough
        return True

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.match)

    def describe(self) -> str:
        parts = []
        for key, allowed in self.match:
            if allowed is None:
                parts.append(f"{key}=*")
            else:
                parts.append(f"{key}=" + " / ".join(sorted(allowed)))
        return " + ".join(parts)


def first_match(rules: tuple[TagRule, ...], tags: Mapping[str, str]) -> TagRule | None:
    for r in rules:
        if r.matches(tags):
            return r
    return None


@dataclass(frozen=True)
class OsmMapping:
    """A validated mapping (see the module docstring and docs/reference/osm-mapping.md)."""

    roads: dict[str, str]                      # highway value -> arterial|collector|local
    roads_dropped: tuple[str, ...]
    railways: frozenset[str]
    waterways: dict[str, str]                  # waterway value -> kind
    places: frozenset[str]
    water: tuple[TagRule, ...]
    settlements: tuple[TagRule, ...]
    landuse_keys: tuple[str, ...]
    landuse_exclude: dict[str, frozenset[str]]
    landuse_rules: tuple[TagRule, ...]
    protected_forest_overlay: bool
    industrial: tuple[TagRule, ...]
    harbours: tuple[TagRule, ...]
    aerodromes: tuple[TagRule, ...]
    protected: tuple[TagRule, ...]
    toll_gates: tuple[TagRule, ...] = ()
    road_status_ref: tuple[tuple[re.Pattern, str], ...] = ()
    road_status_proxy: dict[str, str] = field(default_factory=dict)   # highway value -> status
    entry_gates: frozenset[str] = frozenset()
    power: frozenset[str] = frozenset()
    source: str = "<default>"
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    # -- keys the streaming filters let through -------------------------------------------------
    def polygon_rule_sets(self) -> tuple[tuple[TagRule, ...], ...]:
        return (self.water, self.settlements, self.landuse_rules, self.industrial, self.harbours,
                self.aerodromes, self.protected)

    def node_keys(self) -> tuple[str, ...]:
        """Keys an OSM node must carry (one of) to be looked at: places, harbours, aerodromes, toll gates."""
        keys = {"place"}
        for rules in (self.harbours, self.aerodromes, self.toll_gates):
            keys.update(r.match[0][0] for r in rules)
        return tuple(sorted(keys))

    def way_keys(self) -> tuple[str, ...]:
        """Keys a way must carry (one of) to be looked at as a line (polygons come from the area assembler)."""
        return ("highway", "natural", "power", "railway", "waterway")

    def road_status(self, highway: str, ref: str | None) -> tuple[str, str]:
        """(status, where it came from) of a road: a matching ``ref`` first, else the highway-class proxy."""
        if ref:
            for part in str(ref).split(";"):
                for pattern, status in self.road_status_ref:
                    if pattern.search(part.strip()):
                        return status, STATUS_FROM_REF
        status = self.road_status_proxy.get(highway)
        return (status, STATUS_FROM_CLASS) if status else ("unknown", "none")

    def area_keys(self) -> tuple[str, ...]:
        """Keys a polygon must carry (one of): the first key of every polygon rule and the land-use keys."""
        keys = set(self.landuse_keys)
        for rules in self.polygon_rule_sets():
            keys.update(r.match[0][0] for r in rules)
        return tuple(sorted(keys))

    def polygon_keys(self) -> tuple[str, ...]:
        """Every key a polygon rule or the land-use membership looks at (the rest of a polygon's tags cannot change its layers)."""
        keys = set(self.landuse_keys) | set(self.landuse_exclude)
        for rules in self.polygon_rule_sets():
            for r in rules:
                keys.update(r.keys)
        return tuple(sorted(keys))

    def landuse_tag(self, tags: Mapping[str, str]) -> str | None:
        """The "key=value" a polygon enters the land-use layer with, or None if it does not."""
        for key in self.landuse_keys:
            v = tags.get(key)
            if v is not None and v != "no" and v not in self.landuse_exclude.get(key, frozenset()):
                return f"{key}={v}"
        return None


def _err(source: str, where: str, msg: str) -> InputError:
    return InputError(msg, source=source, field=where)


def _str_list(value: Any, source: str, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        raise _err(source, where, Message("osm.err.osm_mapping.expected_non_empty_list", value=value))
    return [str(v) for v in value]


def _rules(value: Any, source: str, where: str, out_key: str, allowed_out: set[str] | None,
           nullable: bool = False) -> tuple[TagRule, ...]:
    if not isinstance(value, list) or not value:
        raise _err(source, where, Message("osm.err.osm_mapping.expected_non_empty_list_2", out_key=out_key,
                                          value=value))
    rules = []
    for i, item in enumerate(value):
        w = f"{where}[{i}]"
        if not isinstance(item, dict) or "match" not in item or out_key not in item:
            raise _err(source, w, Message("osm.err.osm_mapping.expected_got", out_key=out_key, item=item))
        unknown = set(item) - {"match", out_key}
        if unknown:
            raise _err(source, w, Message("osm.err.osm_mapping.unknown_entries_rule_match", entries=sorted(unknown),
                                          out_key=out_key))
        m = item["match"]
        if not isinstance(m, dict) or not m:
            raise _err(source, f"{w}.match", Message("osm.err.osm_mapping.expected_mapping_tag_key", got=m))
        match = []
        for k, v in m.items():
            if not isinstance(k, str) or not k:
                raise _err(source, f"{w}.match", Message("osm.err.osm_mapping.tag_keys_must_non", key=k))
            if v == "*":
                match.append((k, None))
            else:
                match.append((k, frozenset(_str_list(v, source, f"{w}.match.{k}"))))
        out = item[out_key]
        if out_key == "landcover" and out == "irrigated_rice":   # the name before 'rice_field' (any rice field)
            out = "rice_field"
        if out is None:
            if not nullable:
                raise _err(source, f"{w}.{out_key}", Message("osm.err.osm_mapping.must_given", out_key=out_key))
        else:
            out = str(out)
            if allowed_out is not None and out not in allowed_out:
                raise _err(source, f"{w}.{out_key}",
                           Message("osm.err.osm_mapping.one", out=out,
                                   allowed=', '.join(sorted(allowed_out, key=lambda n: LANDCOVER_CODES.get(n, 0)))))
        rules.append(TagRule(tuple(match), out))
    return tuple(rules)


def _value_table(value: Any, source: str, where: str) -> dict[str, str]:
    """{kind: [tag values]} -> {tag value: kind}, refusing a value listed under two kinds."""
    if not isinstance(value, dict) or not value:
        raise _err(source, where, Message("osm.err.osm_mapping.expected_mapping_kind_list", value=value))
    out: dict[str, str] = {}
    for kind, vals in value.items():
        for v in _str_list(vals, source, f"{where}.{kind}"):
            if v in out:
                raise _err(source, f"{where}.{kind}", Message("osm.err.osm_mapping.listed_under_both", value=v,
                                                              first_kind=out[v],
                                                              kind=kind))
            out[v] = str(kind)
    return out


def _parse(raw: dict, source: str) -> OsmMapping:
    """The mapping from a parsed mapping file: sections and version checked, then each section read (errors
    name the file and the section or entry)."""
    _check_sections(raw, source)
    roads, dropped = _roads(raw["roads"], source)
    lu, excl_raw, overlay = _landuse(raw["landuse"], source)
    lc_names = set(LANDCOVER_CLASSES.values())
    status_ref, status_proxy = _road_status(raw.get("road_status") or {}, source)
    gates = frozenset(_str_list(raw["road_entry_at_gates"], source, "road_entry_at_gates")) \
        if raw.get("road_entry_at_gates") else frozenset()
    return OsmMapping(
        roads=roads,
        roads_dropped=dropped,
        railways=frozenset(_str_list(raw["railways"], source, "railways")),
        waterways=_value_table(raw["waterways"], source, "waterways"),
        places=frozenset(_str_list(raw["places"], source, "places")),
        water=_rules(raw["water"], source, "water", "kind", None),
        settlements=_rules(raw["settlements"], source, "settlements", "kind", None),
        landuse_keys=tuple(_str_list(lu.get("keys", ["landuse", "natural"]), source, "landuse.keys")),
        landuse_exclude={str(k): frozenset(_str_list(v, source, f"landuse.exclude.{k}")) for k, v in excl_raw.items()},
        landuse_rules=_rules(lu["rules"], source, "landuse.rules", "landcover", lc_names, nullable=True),
        protected_forest_overlay=overlay,
        industrial=_rules(raw["industrial"], source, "industrial", "kind", None),
        harbours=_rules(raw["harbours"], source, "harbours", "kind", None),
        aerodromes=_rules(raw["aerodromes"], source, "aerodromes", "kind", None),
        protected=_rules(raw["protected"], source, "protected", "kind", None),
        toll_gates=_rules(raw["toll_gates"], source, "toll_gates", "kind", None) if raw.get("toll_gates") else (),
        road_status_ref=status_ref,
        road_status_proxy=status_proxy,
        entry_gates=gates,
        power=frozenset(_str_list(raw["power_lines"], source, "power_lines")) if raw.get("power_lines") else frozenset(),
        source=source,
        raw=raw,
    )


def _check_sections(raw: dict, source: str) -> None:
    """Refuse a section the mapping does not know and a mapping version other than 1."""
    unknown = set(raw) - set(SECTIONS)
    if unknown:
        raise _err(source, ", ".join(sorted(unknown)), Message("osm.err.osm_mapping.unknown_section_s_sections",
                                                               sections=', '.join(SECTIONS)))
    if raw.get("version", 1) != 1:
        raise _err(source, "version", Message("osm.err.osm_mapping.mapping_version_supported_expected",
                                              version=raw.get('version')))


def _roads(roads_raw: Any, source: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """The ``roads`` section: {highway value: road class} and the highway values dropped, refusing an unknown
    class and a value both kept and dropped."""
    if not isinstance(roads_raw, dict):
        raise _err(source, "roads", Message("osm.err.osm_mapping.expected_mapping_arterial_collector",
                                            roads_raw=roads_raw))
    unknown = set(roads_raw) - set(ROAD_CLASSES) - {"dropped"}
    if unknown:
        raise _err(source, "roads", Message("osm.err.osm_mapping.unknown_road_class_es", unknown=sorted(unknown),
                                            classes=', '.join(ROAD_CLASSES)))
    roads = _value_table({k: v for k, v in roads_raw.items() if k != "dropped"}, source, "roads")
    dropped = tuple(_str_list(roads_raw["dropped"], source, "roads.dropped")) if roads_raw.get("dropped") else ()
    clash = sorted(set(dropped) & set(roads))
    if clash:
        raise _err(source, "roads.dropped", Message("osm.err.osm_mapping.both_kept_dropped",
                                                    values=', '.join(clash)))
    return roads, dropped


def _landuse(lu: Any, source: str) -> tuple[dict, dict, bool]:
    """The ``landuse`` section checked: it has rules and no unknown entry; its ``exclude`` (a mapping, empty
    when absent) and its ``protected_forest_overlay`` (true or false, true when absent)."""
    if not isinstance(lu, dict) or "rules" not in lu:
        raise _err(source, "landuse", Message("osm.err.osm_mapping.expected_rules_got", lu=lu))
    unknown = set(lu) - {"keys", "exclude", "rules", "protected_forest_overlay"}
    if unknown:
        raise _err(source, "landuse", Message("osm.err.osm_mapping.unknown_entries", entries=sorted(unknown)))
    excl_raw = lu.get("exclude") or {}
    if not isinstance(excl_raw, dict):
        raise _err(source, "landuse.exclude", Message("osm.err.osm_mapping.expected_mapping_key_values",
                                                      excl_raw=excl_raw))
    overlay = lu.get("protected_forest_overlay", True)
    if not isinstance(overlay, bool):
        raise _err(source, "landuse.protected_forest_overlay", Message("osm.err.osm_mapping.expected_true_false_got",
                                                                       overlay=overlay))
    return lu, excl_raw, overlay


def _road_status(raw: dict, source: str) -> tuple[tuple, dict]:
    if not isinstance(raw, dict):
        raise _err(source, "road_status", Message("osm.err.osm_mapping.expected_got_2", raw=raw))
    unknown = set(raw) - {"ref", "highway_proxy"}
    if unknown:
        raise _err(source, "road_status", Message("osm.err.osm_mapping.unknown_entries_entries_are",
                                                  entries=sorted(unknown)))
    refs = []
    for i, item in enumerate(raw.get("ref") or []):
        w = f"road_status.ref[{i}]"
        if not isinstance(item, dict) or set(item) != {"pattern", "status"}:
            raise _err(source, w, Message("osm.err.osm_mapping.expected_got_3", item=item))
        if item["status"] not in ROAD_STATUSES:
            raise _err(source, f"{w}.status", Message("osm.err.osm_mapping.one_2", status=item['status'],
                                                      allowed=', '.join(ROAD_STATUSES)))
        try:
            refs.append((re.compile(str(item["pattern"])), str(item["status"])))
        except re.error as exc:
            raise _err(source, f"{w}.pattern",
                       Message("osm.err.osm_mapping.valid_regular_expression", exc=str(exc))) from None
    proxy = raw.get("highway_proxy") or {}
    if not isinstance(proxy, dict) or set(proxy) - set(ROAD_STATUSES):
        raise _err(source, "road_status.highway_proxy",
                   Message("osm.err.osm_mapping.expected_mapping_highway_values", statuses='/'.join(ROAD_STATUSES),
                           proxy=proxy))
    return tuple(refs), _value_table(proxy, source, "road_status.highway_proxy") if proxy else {}


def default_mapping_raw() -> dict:
    text = resources.files("kawasan.spatial.ingest").joinpath(DEFAULT_MAPPING_PATH).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_osm_mapping(path: str | Path | None = None) -> OsmMapping:
    """The default mapping, or a user YAML file laid over it (its sections replace the default's).

    Raises InputError naming the file, the section (``field``) and the value when the file is
    missing, not YAML, or does not validate.
    """
    raw = default_mapping_raw()
    if path is None:
        return _parse(raw, "<default osm_mapping.yaml>")
    p = Path(path)
    if not p.is_file():
        raise InputError(Message("osm.err.osm_mapping.mapping_file_found_expected"), source=str(p))
    from kawasan import guarded

    user = guarded.read_mapping(p, error=InputError, what="OSM mapping file")
    if user is None:
        user = {}
    if not isinstance(user, dict):
        raise InputError(Message("osm.err.osm_mapping.expected_mapping_sections_got", sections=', '.join(SECTIONS),
                                 got=type(user).__name__), source=str(p))
    merged = dict(raw)
    merged.update(user)
    return _parse(merged, str(p))


def resolve_mapping(mapping: "OsmMapping | str | Path | None") -> OsmMapping:
    if isinstance(mapping, OsmMapping):
        return mapping
    return load_osm_mapping(mapping)


# -- the reference tables (docs/reference/osm-mapping.md is checked against these) ----------------

def mapping_tables_markdown(mapping: OsmMapping | None = None) -> str:
    """The mapping as Markdown tables, exactly as docs/reference/osm-mapping.md shows them."""
    m = mapping or load_osm_mapping()
    out: list[str] = []

    def table(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        out.append(f"### {title}\n")
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "|".join("---" for _ in header) + "|")
        for r in rows:
            out.append("| " + " | ".join(r) + " |")
        out.append("")

    def rule_rows(rules: tuple[TagRule, ...]) -> list[tuple[str, ...]]:
        return [(str(i + 1), f"`{r.describe()}`", r.value if r.value is not None else "(none)") for i, r in enumerate(rules)]

    by_class: dict[str, list[str]] = {}
    for v, c in m.roads.items():
        by_class.setdefault(c, []).append(v)
    table("Roads (`highway=*` lines)", ("class", "highway values"),
          [(c, ", ".join(f"`{v}`" for v in by_class.get(c, []))) for c in ROAD_CLASSES]
          + [("dropped", ", ".join(f"`{v}`" for v in m.roads_dropped) + ", and every value not listed above")])
    table("Road status (`status`, kept apart from the class above)", ("source", "rule"),
          [(f"`ref` matching `{p.pattern}`".replace("|", "\\|"), status) for p, status in m.road_status_ref]
          + [("highway class (proxy)", f"{st}: " + ", ".join(f"`{v}`" for v, s_ in m.road_status_proxy.items()
                                                               if s_ == st))
             for st in ROAD_STATUSES if st in m.road_status_proxy.values()]
          + [("otherwise", "unknown")])
    table("Roads entered only at gates (`entry: gates`)", ("highway values",),
          [(", ".join(f"`{v}`" for v in sorted(m.entry_gates)) or "(none)",)])
    table("Toll-road gates (nodes)", ("#", "match", "kind"), rule_rows(m.toll_gates))
    table("Power lines (`power=*` lines)", ("kept power values",), [(", ".join(f"`{v}`" for v in sorted(m.power)),)])
    table("Railways (`railway=*` lines)", ("kept railway values",), [(", ".join(f"`{v}`" for v in sorted(m.railways)),)])
    by_kind: dict[str, list[str]] = {}
    for v, k in m.waterways.items():
        by_kind.setdefault(k, []).append(v)
    table("Waterways (`waterway=*` lines)", ("kind", "waterway values"), [(k, ", ".join(f"`{v}`" for v in vs)) for k, vs in by_kind.items()])
    table("Places (`place=*` nodes)", ("kept place values",), [(", ".join(f"`{v}`" for v in sorted(m.places)),)])

    table("Water bodies (polygons)", ("#", "match", "kind"), rule_rows(m.water))
    table("Settlements (polygons)", ("#", "match", "kind"), rule_rows(m.settlements))
    table("Land use -> land cover (polygons)", ("#", "match", "landcover"), rule_rows(m.landuse_rules))
    table("Industrial (polygons)", ("#", "match", "kind"), rule_rows(m.industrial))
    table("Harbours (nodes, or polygons as an interior point)", ("#", "match", "kind"), rule_rows(m.harbours))
    table("Aerodromes (nodes, or polygons as an interior point)", ("#", "match", "kind"), rule_rows(m.aerodromes))
    table("Protected areas (polygons)", ("#", "match", "kind"), rule_rows(m.protected))
    excl = "; ".join(f"`{k}`: " + ", ".join(f"`{v}`" for v in sorted(vs)) for k, vs in m.landuse_exclude.items())
    table("Land-use layer membership", ("setting", "value"), [
        ("keys (first one carried gives the `tag` column)", ", ".join(f"`{k}`" for k in m.landuse_keys)),
        ("values left out", excl or "(none)"),
        ("forest inside a protected area becomes `protected_forest`", "yes" if m.protected_forest_overlay else "no"),
    ])
    table("Land-cover classes", ("code", "name"), [(str(k), v) for k, v in LANDCOVER_CLASSES.items()])
    return "\n".join(out).rstrip() + "\n"
