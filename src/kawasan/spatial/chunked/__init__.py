"""The chunked (out-of-core, cluster) path of the suitability engine and the site step, on Dask.

See docs/design.md, "The chunked path": the same model files and kernels as the in-memory engine, applied
chunk by chunk with a halo, with the same results.
"""
from kawasan.spatial.chunked.cluster import ChunkOptions
from kawasan.spatial.chunked.engine import DEFAULT_CHUNK, evaluate_chunked, fits_in_memory

__all__ = ["ChunkOptions", "evaluate_chunked", "fits_in_memory", "DEFAULT_CHUNK"]
