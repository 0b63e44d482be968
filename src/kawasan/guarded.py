"""The one guarded path for reading a user's file: every failure becomes an InputError naming the file.

Every reader of a file a user gives kawasan (model, template, weights, AHP matrix, plan and economic
tables, rasters, vectors, mappings) goes through this module, so that a file of binary garbage, a
text in another encoding, a document nested 100,000 deep, a truncated GeoTIFF, an invalid geometry
or a file too large for memory ends in one clear :class:`kawasan.errors.InputError` (exit code 2,
HTTP 422) that names the file and says what was expected, never in a traceback.

The steps:

- :func:`read_bytes` checks that the path is a readable file no larger than a limit
  (:mod:`kawasan.limits`) before reading it;
- :func:`decode` turns bytes into text: a UTF-16 or UTF-8 byte-order mark is honoured (the "Unicode
  text" exports of spreadsheets), otherwise UTF-8, optionally a fallback encoding; a text holding
  NUL characters is refused as binary;
- :func:`parse_mapping` parses YAML, JSON or TOML text;
- :func:`guard` is the context manager around everything else (raster and vector reads, geometry
  work): it maps the low-level exceptions of the libraries to the caller's error class.

Heavy libraries (rasterio, pyogrio, shapely) are never imported here: their exception classes are
only looked up when the library is already loaded (an error of a library not loaded cannot occur).
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import json
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

from kawasan.errors import InputError, KawasanError
from kawasan.i18n import Message, catalogued

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def read_bytes(path: str | Path, *, error: type[InputError] = InputError, what: str = "file",
               limit: str = "input_file_bytes") -> bytes:
    """The bytes of ``path``, refused with ``error`` when it is missing, a folder, unreadable or larger than
    the limit ``limit`` (see :mod:`kawasan.limits`)."""
    from kawasan.limits import check_limit

    p = Path(path)
    try:
        if not p.exists():
            raise error(Message("err.guarded.not_found", what=catalogued(what, "err.what")), source=str(p))
        if p.is_dir():
            raise error(Message("err.guarded.expected_but_folder", what=catalogued(what, "err.what")), source=str(p))
        check_limit(limit, p.stat().st_size, source=str(p), error=error)
        return p.read_bytes()
    except OSError as exc:
        raise error(Message("err.guarded.cannot_read", what=catalogued(what, "err.what"), reason=exc.strerror or exc),
                    source=str(p)) from None
    except MemoryError:
        raise error(Message("err.guarded.too_large_read_into", what=catalogued(what, "err.what")),
                    source=str(p)) from None


def decode(data: bytes, *, source: str, error: type[InputError] = InputError,
           fallback: str | None = None, what: str = "file") -> str:
    """Text of ``data``: by its byte-order mark (UTF-8, UTF-16 LE/BE), else UTF-8, else ``fallback``.

    A text holding NUL characters is binary data (or UTF-16 without a mark) and is refused.
    """
    encoding = next((enc for bom, enc in BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if fallback is None or encoding != "utf-8":
            raise error(Message("err.guarded.text_undecodable_byte_x", what=catalogued(what, "err.what"),
                                encoding=encoding.upper().replace('-SIG', ''), byte=data[exc.start], start=exc.start),
                        source=source) from None
        text = data.decode(fallback, errors="replace")
    if "\x00" in text:
        raise error(Message("err.guarded.text_holds_binary_data", what=catalogued(what, "err.what"),
                            position=text.index(chr(0))), source=source)
    return text


def read_text(path: str | Path, *, error: type[InputError] = InputError, what: str = "file",
              fallback: str | None = None, limit: str = "input_file_bytes") -> str:
    """:func:`read_bytes` then :func:`decode`."""
    return decode(read_bytes(path, error=error, what=what, limit=limit), source=str(path), error=error,
                  fallback=fallback, what=what)


def parse_mapping(text: str, fmt: str, *, source: str, error: type[InputError] = InputError):
    """Parse ``text`` as ``fmt`` ("yaml", "json" or "toml") under :func:`guard`."""
    import yaml

    with guard(source, error):
        try:
            if fmt == "json":
                return json.loads(text)
            if fmt == "toml":
                return tomllib.loads(text)
            return _safe_yaml(text, source, error)
        except (yaml.YAMLError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise error(Message("err.guarded.not_valid_format", format_name=fmt.upper(), detail=_one_line(exc)),
                        source=source) from None


MAX_YAML_VALUES = 1_000_000   # values a YAML document may expand to through its aliases


def _safe_yaml(text: str, source: str, error: type[InputError]):
    """``yaml.safe_load`` that first counts the values the document expands to: aliases (``*a``) repeat a
    node without copying it, so a few lines can stand for 10^9 values (the "billion laughs") that any walk
    over the result would take hours to visit. Counted on the node graph with memoisation, in linear time."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node, {})
        if size > MAX_YAML_VALUES:
            raise error(Message("err.guarded.yaml_expands_more_than", max_values=MAX_YAML_VALUES), source=source)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(node, memo: dict) -> int:
    """Values under ``node`` counting every alias as a full copy (memoised per node)."""
    key = id(node)
    if key not in memo:
        memo[key] = 0   # a recursive alias counts once
        value = node.value
        if isinstance(value, list):
            total = 1
            for item in value:
                total += sum(_expanded_size(n, memo) for n in item) if isinstance(item, tuple) \
                    else _expanded_size(item, memo)
                if total > MAX_YAML_VALUES:
                    break
        else:
            total = 1
        memo[key] = total
    return memo[key]


def format_of(path: str | Path, default: str = "yaml") -> str:
    """"json", "toml" or "yaml" from a file's suffix."""
    suffix = Path(path).suffix.lower()
    return {".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}.get(suffix, default)


def read_mapping(path: str | Path, *, error: type[InputError] = InputError, what: str = "file",
                 limit: str = "input_file_bytes"):
    """A YAML, JSON or TOML file (by suffix) parsed, every failure an ``error`` naming the file."""
    text = read_text(path, error=error, what=what, limit=limit)
    return parse_mapping(text, format_of(path), source=str(path), error=error)


@contextlib.contextmanager
def guard(source: str | Path | None, error: type[InputError] = InputError, what: str = "file") -> Iterator[None]:
    """Run the body; a low-level failure of reading or parsing becomes ``error`` naming ``source``.

    A :class:`KawasanError` raised inside passes unchanged.
    """
    src = str(source) if source is not None else None
    try:
        yield
    except KawasanError:
        raise
    except UnicodeDecodeError as exc:
        raise error(Message("err.guarded.utf_text_undecodable_byte", what=catalogued(what, "err.what"),
                            start=exc.start),
                    source=src) from None
    except RecursionError:
        raise error(Message("err.guarded.nested_too_deeply_read", what=catalogued(what, "err.what"),
                            depth=sys.getrecursionlimit()), source=src) from None
    except MemoryError:
        raise error(Message("err.guarded.too_large_process_memory", what=catalogued(what, "err.what")),
                    source=src) from None
    except csv.Error as exc:
        raise error(Message("err.guarded.readable_csv_file", detail=exc), source=src) from None
    except _library_errors() as exc:
        raise error(Message("err.guarded.cannot_read_library_error", what=catalogued(what, "err.what"), detail=_one_line(exc)),
                    source=src) from None
    except FileNotFoundError:
        raise error(Message("err.guarded.not_found", what=catalogued(what, "err.what")), source=src) from None
    except OSError as exc:
        raise error(Message("err.guarded.cannot_read", what=catalogued(what, "err.what"), reason=exc.strerror or exc),
                    source=src) from None


def _library_errors() -> tuple[type[BaseException], ...]:
    """The exception classes of the file libraries already loaded (rasterio, pyogrio, fiona, shapely)."""
    found: list[type[BaseException]] = []
    if "rasterio" in sys.modules:
        from rasterio.errors import RasterioError
        found.append(RasterioError)
        from rasterio._err import CPLE_BaseError
        found.append(CPLE_BaseError)
    if "pyogrio" in sys.modules:
        from pyogrio.errors import CRSError, DataLayerError, DataSourceError, FeatureError, FieldError, GeometryError
        found += [CRSError, DataLayerError, DataSourceError, FeatureError, FieldError, GeometryError]
    if "shapely" in sys.modules:
        from shapely.errors import GEOSException, ShapelyError
        found += [GEOSException, ShapelyError]
    if "pyproj" in sys.modules:
        from pyproj.exceptions import CRSError as ProjCRSError, ProjError
        found += [ProjCRSError, ProjError]
    return tuple(found)


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line, at most 300 characters."""
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."
