"""The four report maps: study area, suitability score, exclusions by rule, candidate sites."""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import numpy as np
from rasterio.enums import Resampling

from kawasan.reports import maps as m

MAX_PLACE_LABELS = 12


class StudyData:
    """Locates the study-area layers of a run (paths from the model, then the study-area manifest)."""

    def __init__(self, run):
        self.root = run.study_area
        self.exists = self.root.is_dir()
        self._study_layers: dict = {}
        man = self.root / "manifest.json"
        if self.exists and man.exists():
            try:
                self._study_layers = dict(json.loads(man.read_text(encoding="utf-8")).get("layers") or {})
            except (ValueError, UnicodeDecodeError, AttributeError):
                self._study_layers = {}
        self._layers = {**self._study_layers, **dict((run.manifest.get("model") or {}).get("layers") or {})}
        self._inputs = {i.get("layer"): Path(i["path"]) for i in run.manifest.get("inputs", []) if i.get("path")}

    def categories(self, name: str) -> dict[str, str]:
        """Code -> category name of a categorical layer ({} when unknown)."""
        for spec in (self._layers.get(name), self._study_layers.get(name)):
            cats = spec.get("categories") if isinstance(spec, dict) else None
            if isinstance(cats, dict) and cats:
                return {str(k): str(v) for k, v in cats.items()}
        return {}

    def path(self, name: str) -> Path | None:
        """The layer's file: as read by the run (manifest inputs), else from the model or study-area manifest."""
        if name in self._inputs and self._inputs[name].exists():
            return self._inputs[name]
        if not self.exists:
            return None
        spec = self._layers.get(name)
        candidates = [Path(spec["path"])] if isinstance(spec, dict) and spec.get("path") else []
        candidates += [Path(f"{name}.gpkg"), Path(f"{name}.tif")]
        for c in candidates:
            p = c if c.is_absolute() else self.root / c
            if p.exists():
                return p
        return None


class MapContext:
    def __init__(self, run, tr, canvas: m.Canvas | None = None, parent: "MapContext | None" = None):
        self.run = run
        self.tr = tr
        self.canvas = canvas or m.Canvas.for_grid(run.grid)
        self.study = parent.study if parent else StudyData(run)
        self._vectors: dict = parent._vectors if parent else {}

    def zoomed(self, bounds) -> "MapContext":
        """The same layers on a canvas zoomed on bounds (x0, y0, x1, y1) in the grid CRS."""
        return MapContext(self.run, self.tr, m.Canvas.around(self.run.grid, bounds), parent=self)

    def vector(self, name: str):
        if name not in self._vectors:
            p = self.study.path(name)
            self._vectors[name] = m.read_vector(p, self.canvas.crs) if p and p.suffix != ".tif" else None
        return self._vectors[name]

    def vector_sites(self):
        return m.read_vector(self.run.folder / "sites" / "sites.gpkg", self.canvas.crs)

    @cached_property
    def dem(self) -> np.ndarray | None:
        p = self.study.path("dem")
        if p is None:
            return None
        try:
            return m.read_band(p, self.canvas, resampling=Resampling.average)
        except Exception:  # noqa: BLE001 - no relief is better than no report
            return None

    @cached_property
    def shade(self) -> np.ndarray:
        if self.dem is None:
            return np.ones((self.canvas.height, self.canvas.width), np.float32)
        return m.hillshade(self.dem, self.canvas.pixel_size)

    @cached_property
    def relief(self) -> np.ndarray:
        """A soft multiplier (0.72..1) that keeps the terrain readable under thematic colours."""
        return (0.72 + 0.28 * self.shade / max(float(self.shade.max()), 1e-6))[..., None]

    def raster(self, role: str, *, as_float: bool, resampling=Resampling.nearest) -> np.ndarray | None:
        p = self.run.output(role)
        if p is None or not p.exists():
            return None
        return m.read_band(p, self.canvas, resampling=resampling, as_float=as_float)

    def image(self, key: str, img: np.ndarray, legend, labels=(), notes=()) -> m.MapImage:
        c = self.canvas
        return m.MapImage(key, m.encode_png(img), c.width, c.height, c.pixel_size, list(legend), list(labels),
                          list(notes))

    # -- shared layers -------------------------------------------------------------------
    def boundary(self, img: np.ndarray, legend: list, *, fade_outside: bool = True) -> None:
        b = self.vector("boundary")
        if b is None:
            return
        if fade_outside:
            inside = m.rasterize(((g, 1) for g in b.geometry), out_shape=img.shape[:2],
                                 transform=self.canvas.transform, fill=0, dtype="uint8").astype(bool)
            img[~inside] = img[~inside] * 0.45 + 0.55
        m.burn(img, self.canvas, b.geometry, "#111111", width_px=2.2, outline=True)
        legend.append({"kind": "line", "colour": "#111111", "label": self.tr("report.legend.boundary")})

    def roads(self, img: np.ndarray, legend: list, classes=("local", "collector", "arterial"),
              muted: bool = False) -> None:
        r = self.vector("roads")
        if r is None:
            return
        cls = r["class"].astype(str) if "class" in r.columns else None
        for name in classes:
            colour, width = m.ROAD_STYLE[name]
            if muted:
                colour, width = "#444444", max(1.0, width * 0.6)
            geoms = r.geometry[cls == name] if cls is not None else (r.geometry if name == "local" else [])
            if len(geoms):
                m.burn(img, self.canvas, geoms, colour, width_px=width)
                legend.append({"kind": "line", "colour": colour,
                               "label": self.tr("report.legend.road", cls=self.tr(f"report.road.{name}"))})


def _place_labels(ctx: MapContext, gdf, mask_kind=None) -> list[dict]:
    out = []
    name_col = next((c for c in ("nama", "name", "NAME") if c in gdf.columns), None)
    if name_col is None:
        return out
    rows = gdf if mask_kind is None else gdf[gdf["kind"].astype(str) == mask_kind]
    for _, row in rows.head(MAX_PLACE_LABELS).iterrows():
        p = row.geometry.representative_point()
        x, y = ctx.canvas.to_pixel(p.x, p.y)
        if 0 <= x < ctx.canvas.width and 0 <= y < ctx.canvas.height:
            out.append({"x": x, "y": y, "text": str(row[name_col]), "kind": "place"})
    return out


def study_area_map(ctx: MapContext) -> m.MapImage:
    c = ctx.canvas
    legend, labels, notes = [], [], []
    if ctx.dem is not None:
        img = m.terrain_tint(ctx.dem) * (0.5 + 0.5 * ctx.shade[..., None])
        legend.append({"kind": "gradient", "stops": ["#b7d7a8", "#e3e2a4", "#c9a877", "#f1ece4"],
                       "label": ctx.tr("report.legend.elevation")})
    else:
        img = np.full((c.height, c.width, 3), 0.96, np.float32)
        notes.append(ctx.tr("report.map.no_dem"))
    if not ctx.study.exists:
        notes.append(ctx.tr("report.map.no_study_area", path=str(ctx.study.root)))
    rivers = ctx.vector("rivers")
    if rivers is not None:
        order = rivers["order"].to_numpy() if "order" in rivers.columns else np.ones(len(rivers))
        m.burn(img, c, rivers.geometry[order < 3], m.RIVER, width_px=1.0)
        m.burn(img, c, rivers.geometry[order >= 3], m.RIVER, width_px=2.2)
        legend.append({"kind": "line", "colour": m.RIVER, "label": ctx.tr("report.legend.river")})
    sett = ctx.vector("settlements")
    if sett is not None:
        m.burn(img, c, sett.geometry, m.SETTLEMENT, alpha=0.75)
        legend.append({"kind": "swatch", "colour": m.SETTLEMENT, "label": ctx.tr("report.legend.settlement")})
        labels += _place_labels(ctx, sett, "town" if "kind" in sett.columns else None)
    rail = ctx.vector("railways")
    if rail is not None:
        m.burn(img, c, rail.geometry, m.RAIL, width_px=1.6)
        legend.append({"kind": "line", "colour": m.RAIL, "label": ctx.tr("report.legend.railway")})
    ctx.roads(img, legend)
    ctx.boundary(img, legend)
    ports = ctx.vector("ports")
    if ports is not None:
        pts = list(ports.geometry.representative_point())
        m.burn(img, c, [p.buffer(9 * c.pixel_size) for p in pts], "#ffffff")
        m.burn(img, c, [p.buffer(6.5 * c.pixel_size) for p in pts], m.PORT)
        legend.append({"kind": "point", "colour": m.PORT, "label": ctx.tr("report.legend.port")})
        labels += _place_labels(ctx, ports)
    return ctx.image("study_area", img, legend, labels, notes)


def suitability_map(ctx: MapContext, class_rows: list[dict]) -> m.MapImage:
    score = ctx.raster("score", as_float=True, resampling=Resampling.average)
    classes = ctx.raster("classes", as_float=False)
    img = m.ramp(score if score is not None else np.zeros((ctx.canvas.height, ctx.canvas.width)))
    if classes is not None:
        m.blend(img, classes == 6, m.EXCLUDED_GREY)
    if score is not None:
        m.blend(img, np.isnan(score) & (classes != 6 if classes is not None else True), "#ffffff")
    img *= ctx.relief
    legend = [{"kind": "gradient", "stops": [col for _, col in m.SCORE_STOPS], "low": "0", "high": "1",
               "label": ctx.tr("report.legend.score")},
              {"kind": "swatch", "colour": m.EXCLUDED_GREY, "label": ctx.tr("report.legend.excluded")}]
    ctx.roads(img, legend, classes=("collector", "arterial"), muted=True)
    ctx.boundary(img, legend, fade_outside=False)
    return ctx.image("suitability", img, legend)


def constraints_map(ctx: MapContext, constraints: list[dict]) -> m.MapImage:
    """Each excluded cell in the colour of the most specific rule (the one excluding the least land) among
    those that exclude it; cells free of every rule stay light."""
    c = ctx.canvas
    bits = ctx.raster("constraints", as_float=False)
    img = np.ones((c.height, c.width, 3), np.float32)
    legend = []
    applied = [r for r in constraints if r.get("status") == "applied" and r.get("bit")]
    colours = {r["id"]: m.RULE_COLOURS[i % len(m.RULE_COLOURS)] for i, r in enumerate(applied)}
    if bits is not None:
        bits = bits.astype(np.uint64)
        done = np.zeros(bits.shape, bool)
        for r in sorted(applied, key=lambda r: (r.get("excluded_cells") or 0, r["bit"])):
            hit = ((bits & np.uint64(r["bit"])) != 0) & ~done
            m.blend(img, hit, colours[r["id"]])
            done |= hit
    for r in applied:
        legend.append({"kind": "swatch", "colour": colours[r["id"]], "label": r["_label"],
                       "extra": ctx.tr("report.legend.excluded_ha", ha=r["_ha"])})
    legend.append({"kind": "swatch", "colour": "#ffffff", "label": ctx.tr("report.legend.not_excluded")})
    img *= ctx.relief
    ctx.boundary(img, legend, fade_outside=False)
    return ctx.image("constraints", img, legend, notes=[ctx.tr("report.map.constraints_note")])


def sites_map(ctx: MapContext, sites: list[dict]) -> m.MapImage:
    """The sites over the suitability classes, zoomed on the sites (with some surroundings)."""
    gdf = ctx.vector_sites()
    geoms = {}
    if gdf is not None and "id" in gdf.columns:
        geoms = {int(i): g for i, g in zip(gdf["id"], gdf.geometry)}
    xs = [v for s in sites for v in ((geoms[s["id"]].bounds[0], geoms[s["id"]].bounds[2]) if s["id"] in geoms
                                     else (s["centroid"]["x"],) * 2)]
    ys = [v for s in sites for v in ((geoms[s["id"]].bounds[1], geoms[s["id"]].bounds[3]) if s["id"] in geoms
                                     else (s["centroid"]["y"],) * 2)]
    if xs:
        ctx = ctx.zoomed((min(xs), min(ys), max(xs), max(ys)))
    c = ctx.canvas
    classes = ctx.raster("classes", as_float=False)
    img = np.ones((c.height, c.width, 3), np.float32)
    legend = []
    if classes is not None:
        for code, colour in m.CLASS_COLOURS.items():
            hit = classes == code
            if hit.any():
                m.blend(img, hit, colour)
                legend.append({"kind": "swatch", "colour": colour,
                               "label": f"{m.CLASS_CODES[code]} – {ctx.tr('report.class.' + m.CLASS_CODES[code])}"
                               if code != 6 else ctx.tr("report.legend.excluded")})
    img *= ctx.relief
    ctx.roads(img, legend, classes=("collector", "arterial"), muted=True)
    sett = ctx.vector("settlements")
    if sett is not None:
        m.burn(img, c, sett.geometry, m.SETTLEMENT, width_px=1.5, outline=True)
        legend.append({"kind": "outline", "colour": m.SETTLEMENT, "label": ctx.tr("report.legend.settlement")})
    ctx.boundary(img, legend, fade_outside=False)
    labels = []
    drawn = [geoms[s["id"]] for s in sites if s["id"] in geoms]
    if drawn:
        m.burn(img, c, drawn, "#ffffff", width_px=4.0, outline=True)
        m.burn(img, c, drawn, m.SITE_OUTLINE, width_px=2.0, outline=True)
    for s in sites:
        g = geoms.get(s["id"])
        if g is not None:
            p = g.representative_point()
            x, y = c.to_pixel(p.x, p.y)
        else:
            x, y = c.to_pixel(s["centroid"]["x"], s["centroid"]["y"])
        labels.append({"x": x, "y": y, "text": str(s["rank"]), "kind": "site"})
    legend.append({"kind": "outline", "colour": m.SITE_OUTLINE, "label": ctx.tr("report.legend.site")})
    return ctx.image("sites", img, legend, labels)
