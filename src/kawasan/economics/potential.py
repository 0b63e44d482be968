"""Regional potential: one composite score and a ranking of the regencies and cities of a province.

"Which regencies should the ministry back for industrial development?" combines the sectoral approach
(how strong the chosen industry already is: LQ, DLQ, share of PDRB) with readiness (human development,
labour pool, economic size and growth, infrastructure): REGULATIONS.md §4-§5, PP 20/2024 Art. 2
("competitiveness based on regional resource advantages") [V]. The composite index itself is a
decision-support construction, not a legal rule: its components and weights are the user's choice
and every one is shown with the result.

Method
------
1. Indicators ``x_rk`` per region ``r`` and component ``k`` (ids in
   :data:`kawasan.economics.readiness.INDICATORS`); a region lacking a value has NaN.
2. Normalisation over the regions that have the value (the direction comes from the indicator):

   * ``minmax`` (default): benefit ``n = (x - min) / (max - min)``, cost ``n = (max - x) / (max - min)``,
     so ``n`` is in [0, 1] with 1 the best region; a component without spread (max = min) gives every
     region ``n = 1`` (it cannot change the ranking).
   * ``zscore``: benefit ``n = (x - mean) / sd``, cost ``n = -(x - mean) / sd`` (population sd, ddof = 0);
     ``n = 0`` for every region when sd = 0. Scores are then in standard deviations, not in [0, 1].

   A component that fewer than ``min_regions`` regions have (default 2) cannot be compared: it is
   *reported* with its values but not scored.
3. Weights ``w_k >= 0`` (direct values, equal, or AHP from a pairwise matrix through
   :mod:`kawasan.spatial.ahp`, consistency ratio checked) normalised to sum 1 over the scored components.
4. Score ``S_r = sum_k w_k n_rk / C_r`` over the components region ``r`` has, with coverage
   ``C_r = sum_{k available} w_k`` (``missing="renormalise"``, default); or, with ``missing="worst"``,
   a missing ``n_rk`` counts as the worst normalised value of that component and ``C_r`` is still reported.
   The contribution of component ``k`` is its term of the sum, so the contributions add up to the score.
5. Rank 1 is the highest score (ties share the better rank). A region whose coverage is below
   ``min_coverage`` (default 0.5) is listed, unranked, with the reason.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kawasan.economics.numbers import cell, plain
from kawasan.economics.readiness import INDICATORS, Gazetteer, ReadinessResult
from kawasan.errors import InconsistentJudgementsError, InputError, TableError, WeightsError
from kawasan.i18n import Message

__all__ = ["NORMALISATIONS", "MISSING_RULES", "WeightSet", "normalise", "direct_weights", "equal_weights",
           "ahp_weights_from_csv", "read_weights_file", "sector_components", "SectorComponents",
           "PotentialResult", "compute_potential", "weight_stress", "PotentialInputs", "PotentialRun",
           "potential_from_files"]

NORMALISATIONS = ("minmax", "zscore")
MISSING_RULES = ("renormalise", "worst")


# -- normalisation -------------------------------------------------------------------------------
def normalise(x: pd.Series, direction: str, method: str = "minmax") -> pd.Series:
    """Normalise one indicator over the regions that have it (formulas in the module docstring)."""
    if method not in NORMALISATIONS:
        raise InputError(Message("potential.err.unknown_normalisation_expected_one",
                                 method=method, normalisations=', '.join(NORMALISATIONS)),
                         field="normalisation")
    if direction not in ("benefit", "cost"):
        raise InputError(Message("potential.err.unknown_direction_expected_benefit",
                                 direction=direction), field="direction")
    x = pd.to_numeric(x, errors="coerce").astype(float)
    v = x.dropna()
    out = pd.Series(np.nan, index=x.index, dtype=float)
    if v.empty:
        return out
    if method == "minmax":
        lo, hi = float(v.min()), float(v.max())
        if hi - lo <= 1e-12 * max(abs(hi), abs(lo), 1.0):
            out[v.index] = 1.0
        else:
            out[v.index] = (v - lo) / (hi - lo) if direction == "benefit" else (hi - v) / (hi - lo)
    else:
        sd = float(v.std(ddof=0))
        if sd <= 1e-12 * max(abs(float(v.mean())), 1.0):
            out[v.index] = 0.0
        else:
            z = (v - float(v.mean())) / sd
            out[v.index] = z if direction == "benefit" else -z
    return out


# -- weights -------------------------------------------------------------------------------------
@dataclass
class WeightSet:
    """Weights by component id as given (``raw``), the method, and for AHP the consistency figures."""

    raw: dict[str, float]
    method: str                      # equal | direct | ahp
    source: str = ""
    ahp: dict | None = None          # AHPResult.to_dict() for method "ahp"

    def to_dict(self) -> dict:
        return {"method": self.method, "source": self.source, "given": dict(self.raw), "ahp": self.ahp}


def _check_ids(ids, source) -> None:
    unknown = [k for k in ids if k not in INDICATORS]
    if unknown:
        raise WeightsError(Message("potential.err.unknown_component_expected_ids",
                                   unknown=', '.join(map(repr, unknown)), components=', '.join(INDICATORS)),
                           source=source, field="weights")


def direct_weights(values: dict[str, float], *, source: str = "") -> WeightSet:
    """Direct weights ``{component: weight}``: finite, >= 0, not all zero; components not listed get 0."""
    if not values:
        raise WeightsError(Message("potential.err.weights_given"), source=source, field="weights")
    _check_ids(values, source)
    clean = {}
    for k, w in values.items():
        try:
            x = float(w)
        except (TypeError, ValueError):
            raise WeightsError(Message("potential.err.weight_expected_number",
                                       component=k, value=cell(w)), source=source,
                               field=k) from None
        if not math.isfinite(x) or x < 0:
            raise WeightsError(Message("potential.err.weight_expected_finite_number",
                                       component=k, value=cell(w)), source=source, field=k)
        clean[k] = x
    if sum(clean.values()) <= 0:
        raise WeightsError(Message("potential.err.all_weights_zero_give"), source=source,
                           field="weights")
    return WeightSet(clean, "direct", source)


def equal_weights(components) -> WeightSet:
    return WeightSet({k: 1.0 for k in components}, "equal", "default: equal weights for every scored component")


def ahp_weights_from_csv(path, *, method: str = "eigenvector", allow_inconsistent: bool = False) -> WeightSet:
    """AHP weights from a pairwise matrix CSV (component ids as header and first column), via
    :func:`kawasan.spatial.ahp.read_matrix_csv` and :func:`kawasan.spatial.ahp.ahp_weights`.

    A consistency ratio above 0.1 raises :class:`InconsistentJudgementsError` unless
    ``allow_inconsistent`` (then the weights are used and the CR is reported).
    """
    from kawasan.spatial import ahp as ahp_mod

    m, names = ahp_mod.read_matrix_csv(path)
    _check_ids(names, str(path))
    res = ahp_mod.ahp_weights(m, names, method=method, source=str(path))
    if not res.consistent() and not allow_inconsistent:
        raise InconsistentJudgementsError(
            Message("potential.err.consistency_ratio_exceeds_revise", cr=res.cr), source=str(path), field="cr")
    return WeightSet(dict(zip(res.criteria, res.weights)), "ahp", str(path), res.to_dict())


def read_weights_file(path) -> WeightSet:
    """Direct weights from a file: JSON/YAML mapping ``{component: weight}`` or CSV ``component,weight``,
    read through :mod:`kawasan.guarded` (binary or wrongly encoded files are a WeightsError)."""
    from kawasan import guarded

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml", ".csv"):
        raise WeightsError(Message("potential.err.unsupported_weights_file_type",
                                   suffix=p.suffix),
                           source=str(p))
    text = guarded.read_text(p, error=WeightsError, what="weights file")
    if suffix == ".csv":
        with guarded.guard(p, WeightsError, "weights file"):
            try:
                df = pd.read_csv(io.StringIO(text))
            except (ValueError, pd.errors.ParserError) as exc:
                raise WeightsError(Message("potential.err.readable_weights_csv",
                                           error=exc), source=str(p)) from None
        cols = {str(c).strip().lower(): c for c in df.columns}
        if "component" not in cols or "weight" not in cols:
            raise WeightsError(Message("potential.err.expected_columns_component_weight",
                                       columns=', '.join(map(str, df.columns))),
                               source=str(p))
        data = dict(zip(df[cols["component"]].astype(str).str.strip(), df[cols["weight"]]))
    else:
        data = guarded.parse_mapping(text, guarded.format_of(p), source=str(p), error=WeightsError)
    if not isinstance(data, dict):
        raise WeightsError(Message("potential.err.expected_mapping_component_weight"), source=str(p))
    return direct_weights(data, source=str(p))


# -- sector components ---------------------------------------------------------------------------
@dataclass
class SectorComponents:
    """sector_lq / sector_share (and sector_dlq with two or more years) by region code."""

    values: pd.DataFrame
    meta: dict[str, dict]
    unmatched: list[str] = field(default_factory=list)


def _table_frame(table) -> pd.DataFrame:
    for attr in ("data", "df", "frame"):
        df = getattr(table, attr, None)
        if isinstance(df, pd.DataFrame):
            return df
    if isinstance(table, pd.DataFrame):
        return table
    raise TableError(Message("potential.err.sector_table_tidy_data"))


def sector_components(table, gaz: Gazetteer, *, sector: str = "C", reference: str | None = None,
                      year: int | None = None, start: int | None = None,
                      reference_total: str = "sectors") -> SectorComponents:
    """Sector indicators of ``sector`` for every region of a PDRB-by-sector ``RegionalTable``.

    ``sector_lq``: static LQ in ``year`` (default the latest), from
    :func:`kawasan.economics.indicators.location_quotient`; ``sector_share``: ``E_ir / E_r`` in ``year``;
    ``sector_dlq``: :func:`kawasan.economics.indicators.dynamic_lq` over ``start..year`` when the table has
    two or more years (``start`` default: its first year). Region names are matched with ``gaz``; names
    matching nothing are returned in ``unmatched``. ``reference_total``: the totals E_r and E_n (the sum of the
    17 sectors, or ``"gdp"`` the PDB/PDRB including net taxes on products), recorded in each component's meta.
    """
    reference = reference or gaz.reference
    df = _table_frame(table)
    years = sorted(int(y) for y in df["year"].unique())
    year = _sector_year(table, years, year)
    sectors = set(df["sector"].astype(str))
    if sector not in sectors:
        raise TableError(Message("potential.err.sector_table_sector",
                                 sector=sector, sectors=', '.join(sorted(sectors))),
                         field="sector")
    matched, unmatched = _matched_regions(df, gaz, reference)
    cols: dict[str, dict] = {"sector_lq": {}, "sector_share": {}}
    meta: dict[str, dict] = {}
    if matched:
        cols["sector_lq"] = _sector_lq(table, matched, sector, reference, year, reference_total)
        cols["sector_share"] = _sector_share(table, df, matched, sector, sectors, year, reference_total)
        meta["sector_lq"] = {"sector": sector, "year": year, "reference": reference,
                             "formula": "LQ = (E_ir / E_r) / (E_in / E_n)", "reference_total": reference_total}
        meta["sector_share"] = {"sector": sector, "year": year, "formula": "E_ir / E_r",
                                "reference_total": reference_total}
        first = int(start) if start is not None else years[0]
        if len(years) >= 2 and first < year:
            cols["sector_dlq"] = _sector_dlq(table, matched, sector, reference, first, year, reference_total)
            meta["sector_dlq"] = {"sector": sector, "period": [first, year], "reference": reference,
                                  "reference_total": reference_total}
    values = pd.DataFrame({k: pd.Series(v, dtype=float) for k, v in cols.items()})
    return SectorComponents(values, meta, unmatched)


def _sector_year(table, years: list[int], year: int | None) -> int:
    """Like the readiness tables: the analysis year (default the table's latest), or the latest year
    before it that the table has; none is a TableError."""
    wanted = int(year) if year is not None else years[-1]
    earlier = [y for y in years if y <= wanted]
    if not earlier:
        raise TableError(Message("potential.err.sector_table_year_earlier",
                                 year=wanted, years=', '.join(map(str, years))),
                         source=getattr(table, "source", None), field="year")
    return earlier[-1]


def _matched_regions(df: pd.DataFrame, gaz: Gazetteer, reference: str) -> tuple[dict[str, str], list[str]]:
    """({table region name: region code}, names matching no region), the reference region left out."""
    names = [n for n in df["region"].astype(str).unique() if not gaz.is_reference(n) and n != reference]
    matched, unmatched = {}, []
    for n in names:
        reg = gaz.match(n)
        (unmatched.append(n) if reg is None else matched.__setitem__(n, reg.code))
    return matched, unmatched


def _sector_lq(table, matched: dict[str, str], sector: str, reference: str, year: int,
               reference_total: str) -> dict[str, float]:
    """Static LQ = (E_ir / E_r) / (E_in / E_n) of ``sector`` in ``year`` by region code
    (:func:`kawasan.economics.indicators.location_quotient`)."""
    from kawasan.economics import indicators as ind

    lq = ind.location_quotient(table, region=list(matched), reference=reference, year=year,
                               reference_total=reference_total)
    lq = lq[lq["sector"].astype(str) == sector]
    return {matched[n]: float(v) for n, v in zip(lq["region"].astype(str), lq["lq"]) if n in matched}


def _sector_share(table, df: pd.DataFrame, matched: dict[str, str], sector: str, sectors: set[str], year: int,
                  reference_total: str) -> dict[str, float]:
    """Share E_ir / E_r of ``sector`` in each region's total in ``year``, by region code: the total is
    the table's (``reference_total``) when it has one, else the sum of the top-level sectors."""
    one = df[df["year"] == year]
    totals = table.totals(reference_total) if hasattr(table, "totals") else None
    share = {}
    for n, code in matched.items():
        reg = one[one["region"].astype(str) == n]
        if totals is not None and (n, year) in totals.index:
            total = float(totals.loc[(n, year)])
        else:
            total = float(reg.loc[reg["sector"].astype(str).isin(_top_level(sectors)), "value"].sum())
        val = reg.loc[reg["sector"].astype(str) == sector, "value"]
        if total > 0 and len(val):
            share[code] = float(val.iloc[0]) / total
    return share


def _sector_dlq(table, matched: dict[str, str], sector: str, reference: str, first: int, year: int,
                reference_total: str) -> dict[str, float]:
    """Dynamic LQ of ``sector`` over ``first..year`` by region code
    (:func:`kawasan.economics.indicators.dynamic_lq`)."""
    from kawasan.economics import indicators as ind

    dlq = {}
    for n, code in matched.items():
        d = ind.dynamic_lq(table, n, reference, first, year, reference_total=reference_total)
        d = d[d["sector"].astype(str) == sector]
        if len(d):
            dlq[code] = float(d["dlq"].iloc[0])
    return dlq


def _top_level(sectors: set[str]) -> set[str]:
    """The sector codes that add up to the total: everything except sub-categories such as ``C.3``."""
    return {s for s in sectors if "." not in s and s.upper() != "TOTAL"}


# -- composite -----------------------------------------------------------------------------------
@dataclass
class PotentialResult:
    """The ranked table and everything needed to explain it."""

    table: pd.DataFrame                      # one row per region, best first
    scored: list[str]                        # component ids in the score
    reported: dict[str, str]                 # component id -> why it is shown but not scored
    weights: dict[str, float]                # effective weights of the scored components (sum 1)
    weight_set: WeightSet
    normalisation: str
    missing: str
    meta: dict[str, dict] = field(default_factory=dict)
    unmatched: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    synthetic: list[str] = field(default_factory=list)
    stress: dict | None = None               # weight_stress() output, when asked for
    reasons: dict[str, tuple[str, dict]] = field(default_factory=dict)   # component -> (reason code, values)
    min_coverage: float = 0.5

    def records(self) -> list[dict]:
        """One JSON-ready record per region (fields documented in docs/reference/potential.md)."""
        out = []
        comps = self.scored + list(self.reported)
        for row in self.table.to_dict("records"):
            rec = {"region": row["region"], "code": row["code"], "kind": row["kind"],
                   "score": _f(row["score"]), "rank": None if pd.isna(row["rank"]) else int(row["rank"]),
                   "coverage": _f(row["coverage"]), "available": row["available"], "missing": row["missing"],
                   "unranked_reason": row["unranked_reason"], "components": {}}
            for k in comps:
                rec["components"][k] = {"value": _f(row[f"{k}"]), "normalised": _f(row.get(f"{k}__norm")),
                                        "weight": _f(self.weights.get(k, 0.0)),
                                        "contribution": _f(row.get(f"{k}__contrib")), "scored": k in self.scored}
            if self.stress is not None:
                rec["stability"] = self.stress["regions"].get(row["code"])
            out.append(rec)
        return out

    def components(self) -> list[dict]:
        out = []
        for k in self.scored + list(self.reported):
            ind = INDICATORS[k]
            out.append({"id": k, "direction": ind.direction, "unit": ind.unit, "group": ind.group,
                        "description": ind.description, "weight": _f(self.weights.get(k, 0.0)),
                        "scored": k in self.scored, "not_scored_reason": self.reported.get(k),
                        "regions_with_value": int(self.table[k].notna().sum()), **self.meta.get(k, {})})
        return out

    def to_dict(self) -> dict:
        return {"kind": "kawasan.potential", "format_version": 1, "normalisation": self.normalisation,
                "missing": self.missing, "weights": self.weight_set.to_dict(), "components": self.components(),
                "records": self.records(), "unmatched": self.unmatched, "notes": self.notes,
                "synthetic": self.synthetic,
                "stress": None if self.stress is None else {k: v for k, v in self.stress.items() if k != "regions"}}


def _f(x):
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def compute_potential(readiness: ReadinessResult, *, sector: SectorComponents | None = None,
                      weights: WeightSet | None = None, normalisation: str = "minmax",
                      missing: str = "renormalise", min_regions: int = 2,
                      min_coverage: float = 0.5) -> PotentialResult:
    """Composite potential score and ranking (method in the module docstring)."""
    _check_rules(missing, normalisation)
    codes = _region_codes(readiness, min_regions)
    values, meta, unmatched = _component_values(readiness, sector, codes)
    present = [k for k in INDICATORS if k in values.columns]
    if not present:
        raise InputError(Message("potential.err.indicator_could_computed_give"))
    notes = list(readiness.notes)
    comparable, reported, reasons = _comparable(values, present, min_regions)
    ws = weights or equal_weights(comparable)
    scored = _scored(ws, present, comparable, reported, reasons, notes)
    total = sum(ws.raw[k] for k in scored)
    w = {k: ws.raw[k] / total for k in scored}
    table, cov = _score_table(readiness, codes, values, present, scored, w, normalisation, missing)
    table = _ranked(table, cov, min_coverage)
    return PotentialResult(table, scored, reported, w, ws, normalisation, missing, meta, unmatched, notes,
                           list(readiness.synthetic), reasons=reasons, min_coverage=min_coverage)


def _check_rules(missing: str, normalisation: str) -> None:
    """An InputError for a missing-value rule or a normalisation that is not one of ours."""
    if missing not in MISSING_RULES:
        raise InputError(Message("potential.err.unknown_missing_value_rule",
                                 missing=missing, missing_rules=', '.join(MISSING_RULES)),
                         field="missing")
    if normalisation not in NORMALISATIONS:
        raise InputError(Message("potential.err.unknown_normalisation_expected_one",
                                 method=normalisation, normalisations=', '.join(NORMALISATIONS)),
                         field="normalisation")


def _region_codes(readiness: ReadinessResult, min_regions: int) -> list[str]:
    """The codes of the regions to compare: at least max(2, ``min_regions``) of them, else an InputError."""
    codes = [r.code for r in readiness.regions]
    if len(codes) < max(2, min_regions):
        names = ", ".join(repr(r.name) for r in readiness.regions) or "none"
        raise InputError(Message("potential.err.region_rank_potential_compares",
                                 count=len(codes), regions=names, minimum=max(2, min_regions)), field="regions")
    return codes


def _component_values(readiness: ReadinessResult, sector: SectorComponents | None, codes: list[str]):
    """(indicator values by region code and component, their meta, unmatched names by source): the
    readiness indicators with the sector components added when there are some."""
    values = readiness.values.reindex(codes).copy()
    meta = dict(readiness.meta)
    unmatched = dict(readiness.unmatched)
    if sector is not None:
        for k in sector.values.columns:
            values[k] = sector.values[k].reindex(codes)
        meta.update(sector.meta)
        if sector.unmatched:
            unmatched["sector table"] = list(sector.unmatched)
    return values, meta, unmatched


def _comparable(values: pd.DataFrame, present: list[str], min_regions: int):
    """(components that at least ``min_regions`` regions have, reported-only components with the
    reason shown, reason codes with their values): the others cannot be compared (method step 2)."""
    reported: dict[str, str] = {}
    reasons: dict[str, tuple[str, dict]] = {}
    comparable = []
    for k in present:
        n = int(values[k].notna().sum())
        if n < min_regions:
            reported[k] = Message("potential.note.too_few_regions", count=n, minimum=min_regions)
            reasons[k] = ("too_few_regions", {"count": n, "min": min_regions})
        else:
            comparable.append(k)
    return comparable, reported, reasons


def _scored(ws: WeightSet, present: list[str], comparable: list[str], reported: dict, reasons: dict,
            notes: list) -> list[str]:
    """The comparable components with a weight above 0. A weight on a component without input is a
    WeightsError; a comparable one weighted 0 is reported; a weighted one that is not comparable
    gets a note; no component left to score is a WeightsError."""
    for k in ws.raw:
        if k not in present:
            raise WeightsError(Message("potential.err.component_weight_but_input",
                                       component=k, present=', '.join(present)), source=ws.source, field=k)
    scored = [k for k in comparable if ws.raw.get(k, 0.0) > 0]
    for k in comparable:
        if k not in scored:
            reported[k] = Message("potential.note.zero_weight")
            reasons[k] = ("zero_weight", {})
    for k in present:
        if k in reported and ws.raw.get(k, 0.0) > 0 and k not in comparable:
            notes.append(Message("potential.note.weight_not_comparable", component=k, weight=plain(ws.raw[k]),
                                 reason=reported[k]))
    if not scored:
        raise WeightsError(Message("potential.err.component_can_scored_every"), source=ws.source, field="weights")
    return scored


def _score_table(readiness: ReadinessResult, codes: list[str], values: pd.DataFrame, present: list[str],
                 scored: list[str], w: dict[str, float], normalisation: str, missing: str):
    """(table by region code, coverage C_r): name, kind, values, normalised values n_rk, contributions,
    score S_r = sum_k w_k n_rk / C_r with C_r = sum_{k available} w_k (``missing="renormalise"``),
    or S_r = sum_k w_k n_rk with a missing n_rk the worst of its component (``missing="worst"``)."""
    table = pd.DataFrame(index=pd.Index(codes, name="code"))
    regions = {r.code: r for r in readiness.regions}
    table["region"] = [regions[c].name for c in codes]
    table["kind"] = [regions[c].kind for c in codes]
    for k in present:
        table[k] = values[k]
    num = pd.Series(0.0, index=codes)
    cov = pd.Series(0.0, index=codes)
    for k in scored:
        n = normalise(values[k], INDICATORS[k].direction, normalisation)
        table[f"{k}__norm"] = n
        has = n.notna()
        cov[has] += w[k]
        filled = n if missing == "renormalise" else n.fillna(float(n.min()))
        table[f"{k}__term"] = w[k] * filled
        num += (w[k] * filled).fillna(0.0)
    denom = cov if missing == "renormalise" else pd.Series(1.0, index=codes)
    score = num / denom.where(denom > 0)
    for k in scored:
        table[f"{k}__contrib"] = table.pop(f"{k}__term") / denom.where(denom > 0)
    table["score"] = score
    table["coverage"] = cov.round(12)
    table["available"] = [[k for k in present if pd.notna(values.at[c, k])] for c in codes]
    table["missing"] = [[k for k in scored if pd.isna(values.at[c, k])] for c in codes]
    return table, cov


def _ranked(table: pd.DataFrame, cov: pd.Series, min_coverage: float) -> pd.DataFrame:
    """The table ranked and sorted: rank 1 the highest score (ties share the better rank); a region
    whose coverage is below ``min_coverage`` stays unranked with the reason (method step 5)."""
    reason = []
    for c in table.index:
        if cov[c] < min_coverage - 1e-12:
            reason.append(Message("potential.note.low_coverage", coverage=float(cov[c]), minimum=float(min_coverage)))
        else:
            reason.append(None)
    table["unranked_reason"] = reason
    rankable = table["unranked_reason"].isna() & table["score"].notna()
    table["rank"] = np.nan
    table.loc[rankable, "rank"] = table.loc[rankable, "score"].round(12).rank(ascending=False, method="min")
    table = table.reset_index()
    table = table.sort_values(["rank", "score", "code"], ascending=[True, False, True], na_position="last")
    return table.reset_index(drop=True)


# -- from files (the service used by the CLI and the report) -------------------------------------
@dataclass
class PotentialInputs:
    """Paths and options of one potential analysis; every field is optional except one data source."""

    boundaries: str | Path | None = None
    pdrb: str | Path | None = None
    population: str | Path | None = None
    ipm: str | Path | None = None
    labour_force: str | Path | None = None
    unemployment: str | Path | None = None
    sectors: str | Path | None = None
    ports: str | Path | None = None
    study_areas: dict[str, str] = field(default_factory=dict)
    runs: dict[str, str] = field(default_factory=dict)
    reference: str = "Jawa Timur"
    sector: str = "C"
    price_basis: str = "ADHK2010"
    ipm_method: str | None = None
    year: int | None = None
    growth_start: int | None = None
    kinds: tuple[str, ...] = ("kabupaten", "kota")
    reference_total: str = "sectors"          # totals of the sector components (kawasan.economics.tables)


@dataclass
class PotentialRun:
    """A computed potential with the boundary layer (for the map) and the sector table (for the report)."""

    result: PotentialResult
    inputs: PotentialInputs
    boundaries: object | None = None         # GeoDataFrame with a 4-digit 'code' column
    sector_table: object | None = None       # RegionalTable
    gazetteer: Gazetteer | None = None
    population: object | None = None         # readiness.MatchedTable of the population, when given


def potential_from_files(inputs: PotentialInputs, *, weights: WeightSet | None = None,
                         normalisation: str = "minmax", missing: str = "renormalise", min_regions: int = 2,
                         min_coverage: float = 0.5, stress: int = 0, stress_top_k: int = 5,
                         seed: int = 0) -> PotentialRun:
    """Read the inputs, match the regions, compute readiness and sector components, score and rank.

    The region list comes from the boundaries (``kode``/``nama``) or, without them, from the PDRB totals
    table's code and name columns. ``stress`` > 0 adds :func:`weight_stress` with that many draws.
    """
    from kawasan.economics import readiness as rd

    gdf = None
    if inputs.boundaries is not None:
        gdf, gaz = rd.read_boundaries(inputs.boundaries, reference=inputs.reference)
    elif inputs.pdrb is not None:
        gaz = rd.gazetteer_from_table(inputs.pdrb, reference=inputs.reference)
    else:
        raise InputError(Message("potential.err.list_regions_needed_give"), field="--boundaries")
    if not any([inputs.pdrb, inputs.population, inputs.ipm, inputs.labour_force, inputs.unemployment,
                inputs.sectors, inputs.ports, inputs.study_areas, inputs.runs]):
        raise InputError(Message("potential.err.data_given_pass_least"), field="--pdrb")
    pdrb = rd.read_pdrb_totals(inputs.pdrb, gaz, price_basis=inputs.price_basis) if inputs.pdrb else None
    pop = rd.read_population(inputs.population, gaz) if inputs.population else None
    ipm = rd.read_ipm(inputs.ipm, gaz) if inputs.ipm else None
    lf = rd.read_labour(inputs.labour_force, gaz, what="labour_force") if inputs.labour_force else None
    un = rd.read_labour(inputs.unemployment, gaz, what="unemployment") if inputs.unemployment else None
    ports = None
    if inputs.ports is not None:
        if gdf is None:
            raise InputError(Message("potential.err.ports_needs_boundaries_distances"),
                             field="--ports")
        ports = _read_points(inputs.ports)
    res = rd.compute_readiness(gaz, pdrb=pdrb, population=pop, ipm=ipm, labour_force=lf, unemployment=un,
                               ipm_method=inputs.ipm_method,
                               year=inputs.year, growth_start=inputs.growth_start, boundaries=gdf, ports=ports,
                               ports_source=str(inputs.ports), study_areas=inputs.study_areas, runs=inputs.runs,
                               kinds=inputs.kinds)
    sector = table = None
    if inputs.sectors is not None:
        from kawasan.economics.tables import read_table

        # the price basis of the PDRB totals applies to the sector table too (a file with both keeps that one)
        table = read_table(inputs.sectors, price_basis=inputs.price_basis)
        sector = sector_components(table, gaz, sector=inputs.sector, reference=inputs.reference,
                                   year=inputs.year, reference_total=inputs.reference_total)
    result = compute_potential(res, sector=sector, weights=weights, normalisation=normalisation, missing=missing,
                               min_regions=min_regions, min_coverage=min_coverage)
    if stress:
        weight_stress(result, n=stress, top_k=stress_top_k, seed=seed)
    return PotentialRun(result, inputs, gdf, table, gaz, pop)


def _read_points(path):
    import geopandas as gpd

    from kawasan.errors import VectorError

    p = Path(path)
    if not p.exists():
        raise VectorError(Message("potential.err.file_found_expected_geojson"), source=str(p))
    try:
        return gpd.read_file(p)
    except Exception as exc:  # noqa: BLE001
        raise VectorError(Message("potential.err.readable_vector_file",
                                  type=type(exc).__name__, error=exc), source=str(p)) from exc


# -- how stable is the ranking? ------------------------------------------------------------------
def weight_stress(result: PotentialResult, *, n: int = 1000, concentration: float | None = None, seed: int = 0,
                  top_k: int = 5) -> dict:
    """Monte Carlo weight sensitivity of the ranking (as for candidate sites, :mod:`kawasan.spatial.sites.sensitivity`).

    ``n`` weight vectors W ~ Dirichlet(c w) around the effective weights w
    (:func:`kawasan.spatial.sites.sensitivity.draw_weights`; c defaults to
    :func:`~kawasan.spatial.sites.sensitivity.default_concentration`, about 20 % coefficient of variation); each draw
    re-scores the ranked regions with the same normalised values and missing-value rule and ranks them
    (score descending, code ascending on ties). Per region: ``p_top_k`` (share of draws with rank <= top_k),
    ``rank_min``, ``rank_max``, ``rank_p05``, ``rank_median``, ``rank_p95``. The result is stored in
    ``result.stress`` and returned.
    """
    from kawasan.spatial.sites.sensitivity import default_concentration, draw_weights

    if isinstance(top_k, bool) or int(top_k) < 1:
        raise InputError(Message("potential.err.top_must", value=cell(top_k)), field="top_k")
    t = result.table[result.table["rank"].notna()].sort_values("code")
    comps = result.scored
    w = np.array([result.weights[k] for k in comps], dtype=float)
    draws = draw_weights(w, n=n, concentration=concentration, seed=seed)
    conc = default_concentration(w) if concentration is None else float(concentration)
    out = {"n": int(n), "seed": int(seed), "concentration": float(conc), "top_k": int(top_k), "regions": {}}
    if t.empty:
        result.stress = out
        return out
    norm = t[[f"{k}__norm" for k in comps]].to_numpy(dtype=float)
    avail = ~np.isnan(norm)
    if result.missing == "renormalise":
        scores = (np.nan_to_num(norm) @ draws.T) / (avail.astype(float) @ draws.T)
    else:
        worst = np.nanmin(np.where(avail, norm, np.nan), axis=0)
        scores = np.where(avail, norm, worst[None, :]) @ draws.T
    m = scores.shape[0]
    order = np.argsort(-scores.T, axis=1, kind="stable")          # (n, m), ties keep code order
    ranks = np.empty((draws.shape[0], m), dtype=np.int32)
    np.put_along_axis(ranks, order, np.arange(1, m + 1, dtype=np.int32)[None, :], axis=1)
    p05, med, p95 = np.percentile(ranks, [5.0, 50.0, 95.0], axis=0)
    p_top = (ranks <= top_k).mean(axis=0)
    for i, code in enumerate(t["code"]):
        out["regions"][code] = {"p_top_k": float(p_top[i]), "rank_min": int(ranks[:, i].min()),
                                "rank_max": int(ranks[:, i].max()), "rank_p05": float(p05[i]),
                                "rank_median": float(med[i]), "rank_p95": float(p95[i])}
    result.stress = out
    return out


def regional_klassen(run: PotentialRun) -> pd.DataFrame | None:
    """The regional Klassen typology of the ranked regions over the growth period of ``gdp_growth``
    (:func:`kawasan.economics.indicators.klassen_regional`: PDRB growth against PDRB per capita, thresholds
    the province as the sum of all regions of the PDRB table), with a ``code`` column; None without PDRB
    totals, population or a growth period."""
    res = run.result
    period = (res.meta.get("gdp_growth") or {}).get("period")
    if run.inputs.pdrb is None or run.population is None or not period or run.gazetteer is None:
        return None
    from kawasan.economics.indicators import klassen_regional
    from kawasan.economics.tables import read_table

    table = read_table(run.inputs.pdrb, price_basis=run.inputs.price_basis)
    codes = {}
    for name in table.regions:
        reg = run.gazetteer.match(table.region_codes.get(name)) if table.region_codes.get(name) else None
        reg = reg or run.gazetteer.match(name)
        if reg is not None:
            codes[name] = reg.code
    pop = run.population.values
    by_code = {c: n for n, c in codes.items()}
    frame = pd.DataFrame({"region": pop["code"].map(by_code), "year": pop["year"], "population": pop["value"]})
    frame = frame.dropna(subset=["region"])
    wanted = [n for n, c in codes.items() if c in set(res.table.loc[res.table["rank"].notna(), "code"])]
    if not wanted:
        return None
    # the reference is the sum of the matched regions: a province row of the table ("Jawa Timur", 3500) is left out
    # so that it is neither counted twice nor asked for a population
    table = table.select(regions=list(codes))
    out = klassen_regional(table, population=frame, start=period[0], end=period[1], region=wanted)
    out["code"] = out["region"].map(codes)
    return out
