"""The chunked path's first overview level, computed chunk by chunk, is GDAL's, and the COGs are the same bytes.

``chunked.outputs.half_resolution`` must give the cells of GDAL's ``build_overviews`` factor-2 level (average
for values, nearest for codes); ``TiledOutputs`` writes it by windows into the external ``.ovr`` file and
``cog_from_file`` builds the further levels from it. The COGs must be byte-identical to those made by building
every level on the whole file (the path taken where a side is odd), whatever order the chunks arrive in.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.enums import Resampling

from kawasan.spatial.chunked import outputs
from kawasan.spatial.chunked.plan import plan_blocks
from kawasan.spatial.grid import Grid


def _gdal_half(arr: np.ndarray, tmp_path, nodata, method) -> np.ndarray:
    """GDAL's factor-2 level of ``arr``, built on a tiled GeoTIFF as the chunked path's files are."""
    p = tmp_path / f"gdal-{arr.dtype.name}.tif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # no georeferencing: not needed here
        with rasterio.open(p, "w", driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1,
                           dtype=arr.dtype.name, nodata=nodata, tiled=True, blockxsize=512, blockysize=512) as ds:
            ds.write(arr, 1)
            ds.build_overviews([2, 4], method)
        with rasterio.open(p, overview_level=0) as ov:
            return ov.read(1)


def _awkward_values(rng, shape) -> np.ndarray:
    """Values whose double-precision sums depend on the order: tiny and large together, zeros, NaN, and
    a block with no NaN at all (GDAL's fast paths)."""
    a = rng.random(shape).astype(np.float32)
    a[rng.random(shape) < 0.3] = (rng.random() * 1e-12)
    big = rng.random(shape) < 0.2
    a[big] = (1 + rng.random(int(big.sum())) * 1e3).astype(np.float32)
    a[rng.random(shape) < 0.15] = 0
    a[rng.random(shape) < 0.1] = np.nan
    a[:40, :70] = np.nan                                   # blocks with no valid cell
    a[300:500, 200:700] = rng.random((200, 500)).astype(np.float32)
    return a


def test_half_resolution_equals_gdal_average_and_nearest(tmp_path):
    rng = np.random.default_rng(5)
    values = _awkward_values(rng, (768, 1024))
    ours = outputs.half_resolution(values, categorical=False)
    gdal = _gdal_half(values, tmp_path, np.nan, Resampling.average)
    assert ours.dtype == np.float32 and np.array_equal(ours, gdal, equal_nan=True)
    for dtype in (np.uint8, np.uint16, np.uint32):
        codes = rng.integers(0, 9, (768, 1024)).astype(dtype)
        assert np.array_equal(outputs.half_resolution(codes, categorical=True),
                              _gdal_half(codes, tmp_path, 0, Resampling.nearest)), dtype


def _grid(width: int, height: int) -> Grid:
    return Grid.from_dict({"crs": "EPSG:32749", "transform": list(Affine(30.0, 0, 700000.0, 0, -30.0, 9150000.0))[:6],
                           "width": width, "height": height})


def _write_run(folder, grid: Grid, chunk: int, order, layers: dict) -> dict:
    """Write ``layers`` chunk by chunk (in ``order``) through TiledOutputs, then make each COG."""
    folder.mkdir()
    sink = outputs.TiledOutputs(folder, grid, np.uint16, chunk)
    blocks = plan_blocks(grid.shape, 256, 0)            # the same chunks; ``chunk`` decides the .ovr only
    for i in order(len(blocks)):
        part = {k: np.ascontiguousarray(v[blocks[i].core]) for k, v in layers.items()}
        sink.write(blocks[i], part["score"], part["classes"], part["constraints"], {"road": part["road"]})
    sink.close()
    made = {}
    for role, src in {**sink.paths}.items():
        cat = role in ("classes", "constraints")
        made[role] = folder / f"{role.replace('/', '-')}.cog.tif"
        outputs.cog_from_file(src, made[role], nodata=(0 if role == "classes" else None if cat else np.nan),
                              categorical=cat, tags={"ROLE": role}, descriptions=role)
    return made


@pytest.mark.parametrize("shape", [(1100, 2100), (1101, 1400)])
def test_cogs_from_chunk_overviews_are_the_bytes_of_whole_file_overviews(tmp_path, shape):
    """2100 x 1100: levels of 1050, 525 and 263 cells (the last from an odd level, GDAL's own weighting);
    1400 x 1101: an odd side, so every level is built on the whole file (no .ovr)."""
    from rio_cogeo.cogeo import cog_validate

    rng = np.random.default_rng(11)
    h, w = shape
    grid = _grid(w, h)
    layers = {"score": _awkward_values(rng, shape), "road": _awkward_values(rng, shape),
              "classes": rng.integers(0, 7, shape).astype(np.uint8),
              "constraints": rng.integers(0, 600, shape).astype(np.uint16)}
    by_chunk = _write_run(tmp_path / "chunk", grid, 256, lambda n: rng.permutation(n), layers)
    whole = _write_run(tmp_path / "whole", grid, 1, range, layers)        # odd chunk side: no .ovr
    assert bool(list((tmp_path / "chunk").glob("*.ovr"))) == (h % 2 == 0 and w % 2 == 0)
    assert not list((tmp_path / "whole").glob("*.ovr"))
    for role, path in by_chunk.items():
        valid, errors, _ = cog_validate(str(path), strict=True)
        assert valid, (role, errors)
        assert path.read_bytes() == whole[role].read_bytes(), role
        with rasterio.open(path) as ds:
            assert ds.overviews(1) == outputs.rasters.overview_factors(w, h)
            assert np.array_equal(ds.read(1), layers[role.split("/")[-1]], equal_nan=True)


def test_halves_by_chunk_needs_even_sides_and_overviews():
    assert outputs.halves_by_chunk(_grid(2100, 1100), 2048)
    assert not outputs.halves_by_chunk(_grid(2100, 1100), 13)        # chunks would start on odd cells
    assert not outputs.halves_by_chunk(_grid(2101, 1100), 2048)      # GDAL's ratio is 2101 / 1051, not 2
    assert not outputs.halves_by_chunk(_grid(500, 400), 2048)        # no overview at all
