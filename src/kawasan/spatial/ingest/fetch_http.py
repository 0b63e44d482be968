"""Resumable, checksummed HTTP downloads into a cache (standard library only: urllib.request).

A download goes to ``<target>.part`` and is renamed to its final name only once it is complete
and verified, so a file under the final name is always whole. A dropped connection keeps the
``.part`` file; the next attempt (an automatic retry, or the next run) asks only for the rest
with ``Range: bytes=<size>-`` and ``If-Range: <ETag or Last-Modified>``, so a file that changed
on the server in between is fetched afresh instead of being spliced. Next to each complete
file a small JSON record (``<target>.json``) keeps the URL, size, SHA-256, checksum verdict and
time of download; a cache hit re-checks size and SHA-256 against it before trusting the file.
"""
from __future__ import annotations

import gzip
import hashlib
from http.client import HTTPException
import json
import os
import re
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from kawasan.errors import InputError
from kawasan.i18n import Message

CHUNK = 1 << 20
Progress = Callable[[str, int, "int | None"], None]


class DownloadError(InputError):
    """A download that failed: server unreachable, HTTP error, dropped connection (after retries)."""


class ChecksumError(DownloadError):
    """A downloaded file whose checksum does not match the one the source publishes."""


class NotAvailable(DownloadError):
    """The server answered that the file does not exist (404 and the like)."""

    def __init__(self, message, *, status: int, **kw):
        super().__init__(message, **kw)
        self.status = status


@dataclass
class HttpSettings:
    user_agent: str
    timeout: float = 60.0
    retries: int = 3
    retry_wait: float = 2.0
    missing_status: tuple[int, ...] = (404,)


@dataclass
class Fetched:
    """One file in the cache and how it got there."""

    url: str
    path: Path
    bytes: int
    sha256: str
    status: str                 # "downloaded" | "cached"
    checksum: dict              # {"kind", "expected", "verified"}
    fetched_at: str
    resumed_from: int = 0       # bytes already present when this run started (0: fresh)
    requests: int = 0

    def to_dict(self) -> dict:
        return {"url": self.url, "bytes": self.bytes, "sha256": self.sha256, "status": self.status,
                "checksum": self.checksum, "fetched_at": self.fetched_at, "resumed_from": self.resumed_from}


def cache_path(cache: Path, url: str) -> Path:
    """Where ``url`` lives in the cache: <cache>/<host>/<path>, made safe for any file system."""
    u = urllib.parse.urlsplit(url)
    host = re.sub(r"[^A-Za-z0-9.-]", "_", u.netloc) or "local"
    parts = [re.sub(r"[^A-Za-z0-9._-]", "_", p) for p in u.path.split("/") if p not in ("", ".", "..")]
    if u.query:
        parts[-1:] = [(parts[-1] if parts else "index") + "_" + hashlib.sha1(u.query.encode()).hexdigest()[:8]]
    return cache.joinpath(host, *(parts or ["index"]))


def file_digests(path: Path) -> tuple[str, str]:
    """(sha256, md5) of a file, read once."""
    sha, md5 = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
            md5.update(block)
    return sha.hexdigest(), md5.hexdigest()


def _hashers(existing: Path | None):
    """Fresh (sha256, md5) hashers, fed with the bytes already in ``existing`` when resuming."""
    sha, md5 = hashlib.sha256(), hashlib.md5()
    if existing is not None:
        with open(existing, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                sha.update(block)
                md5.update(block)
    return sha, md5


def _record_path(target: Path) -> Path:
    return target.with_name(target.name + ".json")


def read_record(target: Path) -> dict | None:
    rec = _record_path(target)
    try:
        return json.loads(rec.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def cached(target: Path, url: str, *, max_age_s: float | None = None) -> Fetched | None:
    """The cache entry for ``url`` at ``target`` if it is whole and unchanged (size and SHA-256
    as recorded at download) and, with ``max_age_s``, not older than that; else None."""
    rec = read_record(target)
    if not rec or rec.get("url") != url or not target.is_file():
        return None
    if target.stat().st_size != rec.get("bytes"):
        return None
    if max_age_s is not None:
        try:
            age = time.time() - datetime.fromisoformat(rec["fetched_at"]).timestamp()
        except (KeyError, ValueError):
            return None
        if age > max_age_s:
            return None
    sha, _ = file_digests(target)
    if sha != rec.get("sha256"):
        return None
    return Fetched(url, target, rec["bytes"], sha, "cached", rec.get("checksum") or {"kind": "none"},
                   rec["fetched_at"])


def open_url(url: str, http: HttpSettings, headers: dict | None = None):
    """Open ``url`` (GET). Network failures become DownloadError naming the URL; a status in
    ``http.missing_status`` becomes NotAvailable; other HTTP errors stay urllib HTTPError."""
    req = urllib.request.Request(url, headers={"User-Agent": http.user_agent, **(headers or {})})
    try:
        return urllib.request.urlopen(req, timeout=http.timeout)  # noqa: S310 (URLs come from the sources file)
    except urllib.error.HTTPError as exc:
        if exc.code in http.missing_status:
            exc.close()
            raise NotAvailable(Message("fetch.err.fetch_http.no_such_file", code=exc.code), source=url,
                               status=exc.code) from None
        raise
    except urllib.error.URLError as exc:
        raise DownloadError(Message("fetch.err.fetch_http.cannot_reach_server_check", exc_reason=exc.reason),
                            source=url) from exc
    except (socket.timeout, TimeoutError) as exc:
        raise DownloadError(Message("fetch.err.fetch_http.answer_within_s_timeout", http_timeout=http.timeout),
                            source=url) from exc
    except (ConnectionError, HTTPException) as exc:
        raise DownloadError(Message("fetch.err.fetch_http.connection_failed", error_type=type(exc).__name__, exc=str(exc)),
                            source=url) from exc


def fetch_text(url: str, http: HttpSettings, limit: int = 1 << 20) -> str:
    """A small text resource (a checksum file), with the same retries as downloads."""
    last = None
    for attempt in range(http.retries + 1):
        try:
            with open_url(url, http) as resp:
                return resp.read(limit).decode("utf-8", "replace")
        except NotAvailable:
            raise
        except urllib.error.HTTPError as exc:
            last = DownloadError(Message("fetch.err.fetch_http.server_answered_http", exc_code=exc.code,
                                         exc_reason=exc.reason), source=url)
            if exc.code < 500 and exc.code != 429:
                raise last from None
        except DownloadError as exc:
            last = exc
        except (OSError, HTTPException) as exc:
            last = DownloadError(Message("fetch.err.fetch_http.connection_dropped", kind=type(exc).__name__,
                                         exc=str(exc)), source=url)
        if attempt < http.retries:
            time.sleep(http.retry_wait * 2 ** attempt)
    raise last


def parse_digest(text: str, kind: str, source: str) -> str:
    """The hex digest in a checksum file ('<hex>  <file name>' or just '<hex>')."""
    n = 32 if kind == "md5-file" else 64
    m = re.match(rf"\s*([0-9a-fA-F]{{{n}}})\b", text)
    if not m:
        raise DownloadError(Message("fetch.err.fetch_http.checksum_file_expected_hex", kind=kind, digits=n,
                                    got=text[:80]),
                            source=source)
    return m.group(1).lower()


def _validator(resp) -> str | None:
    """A strong validator for If-Range (a weak ETag is not allowed there)."""
    etag = resp.headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return etag
    return resp.headers.get("Last-Modified")


def _total_from(resp, offset: int) -> int | None:
    cr = resp.headers.get("Content-Range")
    if cr:
        m = re.match(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", cr)
        if m and m.group(3) != "*":
            return int(m.group(3))
    cl = resp.headers.get("Content-Length")
    return offset + int(cl) if cl and cl.isdigit() else None


@contextmanager
def download_lock(target: Path):
    """An exclusive OS lock on ``<target>.lock`` while ``target`` is downloaded, so two runs sharing a
    cache never append to the same ``.part``. The OS releases it when the process ends, even on a
    crash. The lock file is removed at the end (a run that opened it just before gets "busy", never
    a shared ``.part``)."""
    lock = target.with_name(target.name + ".lock")
    fh = open(lock, "a+b")
    locked = False
    try:
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise DownloadError(Message("fetch.err.fetch_http.another_kawasan_data_fetch"),
                                source=str(target)) from None
        locked = True
        yield
    finally:
        if locked and os.name != "nt":
            lock.unlink(missing_ok=True)
        fh.close()
        if locked and os.name == "nt":
            try:
                lock.unlink()
            except OSError:
                pass


def download(url: str, target: Path, http: HttpSettings, *, checksum: dict | None = None,
             compression: str = "none", progress: Progress | None = None, label: str | None = None) -> Fetched:
    """Download ``url`` to ``target`` (resuming a ``.part`` left by an earlier attempt).

    checksum: {"kind": "md5-file"|"sha256-file"|"none", "expected": hex or None}; a mismatch deletes
        the download and raises ChecksumError, so the next run starts afresh.
    compression: "gzip" stores the decompressed file under ``target`` (the record keeps the SHA-256
        of the decompressed file).
    Raises NotAvailable (status in http.missing_status), DownloadError (anything else).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with download_lock(target):
        return _download(url, target, http, checksum, compression, progress, label)


def _download(url, target: Path, http: HttpSettings, checksum, compression, progress, label) -> Fetched:
    """The steps of ``download``: fetch the ``.part`` (resuming, with retries), check its checksum,
    store it under its final name (decompressed if need be) and record how it got there."""
    checksum = dict(checksum or {"kind": "none", "expected": None})
    part = _open_part(url, target)
    resumed_from = part.size()
    hashes = _fetch_part(part, http, progress, label or target.name)
    sha, md5 = _part_digests(part.path, hashes)
    _verify_checksum(part, checksum, sha, md5)
    final_sha = _store_final(part, target, compression, sha)
    part.meta_path.unlink(missing_ok=True)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    size = target.stat().st_size
    rec = {"url": url, "bytes": size, "sha256": final_sha, "checksum": checksum, "fetched_at": now,
           "download_sha256": sha, "validator": part.meta.get("validator")}
    _write_json(_record_path(target), rec)
    return Fetched(url, target, size, final_sha, "downloaded", checksum, now, resumed_from, part.requests)


@dataclass
class _Part:
    """The ``.part`` file of one download and what is known of it between attempts: its side record
    (``meta``: URL, validator for If-Range, total size), the total size the server last announced,
    and how many attempts and requests were made so far."""

    url: str
    path: Path
    meta_path: Path
    meta: dict
    total: int | None
    attempt: int = 0
    requests: int = 0

    def size(self) -> int:
        """Bytes already in the ``.part`` file (0 when there is none)."""
        return self.path.stat().st_size if self.path.exists() else 0

    def drop(self) -> None:
        """Delete the ``.part`` file and its side record (the next run starts afresh)."""
        _drop(self.path, self.meta_path)


def _open_part(url: str, target: Path) -> _Part:
    """The ``.part`` of ``target`` as an earlier attempt left it; one left by another URL is deleted."""
    part = target.with_name(target.name + ".part")
    meta_path = target.with_name(target.name + ".part.json")
    meta = _read_json(meta_path)
    if part.exists() and meta.get("url") != url:
        part.unlink()
    return _Part(url, part, meta_path, meta, meta.get("total"))


def _fetch_part(part: _Part, http: HttpSettings, progress, label: str):
    """The ``.part`` fetched whole, asking only for the missing bytes and retrying dropped
    connections and server errors (``http.retries`` times, waiting retry_wait x 2^attempt).

    Returns the (sha256, md5) hashers fed with the whole file, or None when the server answered
    416 to a range starting at the announced total size (the ``.part`` was already complete)."""
    while True:
        offset = part.size()
        part.requests += 1
        try:
            resp = open_url(part.url, http, _resume_headers(offset, part.meta))
        except urllib.error.HTTPError as exc:
            if _part_was_complete(part, exc, offset, http):
                return None
            continue
        except NotAvailable:
            part.drop()
            raise
        except DownloadError:
            if _wait_to_retry(part, http):
                continue
            raise
        with resp:
            hashes, done, dropped = _receive(part, resp, offset, progress, label)
        if dropped is None:
            return hashes
        if not _wait_to_retry(part, http):
            raise DownloadError(Message("fetch.err.fetch_http.download_broke_off_at", done=done,
                                        total=part.total or 0, dropped=dropped, part_name=part.path.name),
                                source=part.url)


def _resume_headers(offset: int, meta: dict) -> dict:
    """Request headers that ask for the bytes from ``offset`` on (Range), only if the file is still
    the one the ``.part`` began with (If-Range: its ETag or Last-Modified); none for a fresh start."""
    headers = {}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        if meta.get("validator"):
            headers["If-Range"] = meta["validator"]
    return headers


def _wait_to_retry(part: _Part, http: HttpSettings) -> bool:
    """Whether another attempt is allowed (fewer than ``http.retries`` so far); if so, wait before it
    (exponential backoff: retry_wait x 2^attempt) and count it."""
    if part.attempt >= http.retries:
        return False
    time.sleep(http.retry_wait * 2 ** part.attempt)
    part.attempt += 1
    return True


def _part_was_complete(part: _Part, exc: urllib.error.HTTPError, offset: int, http: HttpSettings) -> bool:
    """What an HTTP error answer means: True when the ``.part`` was already complete (416 to a range
    starting at the announced total size); False when another attempt follows (a stale ``.part``
    dropped after any other 416, or a 5xx/429 within the retries); else DownloadError."""
    if exc.code == 416 and offset:
        exc.close()
        if part.total == offset:
            return True
        _restart_part(part, http)
        return False
    if (exc.code >= 500 or exc.code == 429) and part.attempt < http.retries:
        exc.close()
        _wait_to_retry(part, http)
        return False
    raise DownloadError(Message("fetch.err.fetch_http.server_answered_http", exc_code=exc.code,
                                exc_reason=exc.reason), source=part.url) from None


def _restart_part(part: _Part, http: HttpSettings) -> None:
    """Delete a ``.part`` whose range the server refuses, so the next attempt fetches the whole
    file; a server that keeps refusing (more than retries + 1 times) is a DownloadError."""
    part.path.unlink()
    part.meta = {}
    part.attempt += 1
    if part.attempt > http.retries + 1:
        raise DownloadError(Message("fetch.err.fetch_http.server_refuses_byte_range"), source=part.url) from None


def _receive(part: _Part, resp, offset: int, progress, label: str):
    """One answer's body appended to the ``.part`` (or written afresh when the server sent the
    whole file), its side record updated first.

    Returns (hashers fed with the whole ``.part``, bytes now in it, why the transfer broke off or None)."""
    offset = _answer_offset(resp, offset, part.url)
    part.total = _total_from(resp, offset)
    part.meta = {"url": part.url, "validator": _validator(resp), "total": part.total}
    _write_json(part.meta_path, part.meta)
    hashes = _hashers(part.path if offset else None)       # digests grow with the download: no second pass
    done, dropped = _copy_body(resp, part.path, offset, hashes, progress, label, part.total)
    return hashes, done, dropped


def _answer_offset(resp, offset: int, url: str) -> int:
    """Where the answer's body starts in the file: ``offset`` for a 206 whose Content-Range starts
    there, 0 when the server ignored the range or the file changed (a 200: the whole file).
    A 206 starting anywhere else is a DownloadError."""
    if offset and resp.status != 206:
        return 0
    if resp.status == 206:
        m = re.match(r"bytes\s+(\d+)-", resp.headers.get("Content-Range", ""))
        if not m or int(m.group(1)) != offset:
            raise DownloadError(Message("fetch.err.fetch_http.server_sent_wrong_byte",
                                        content_range=resp.headers.get('Content-Range'),
                                        offset=offset), source=url)
    return offset


def _copy_body(resp, path: Path, offset: int, hashes, progress, label: str, total: int | None):
    """The answer's body written to ``path`` from ``offset`` on (appended, or a new file at 0),
    feeding ``hashes`` and ``progress`` block by block.

    Returns (bytes now in the file, why the transfer broke off or None): a reset, timeout or
    IncompleteRead, or fewer bytes than the announced ``total``."""
    done = offset
    try:
        with open(path, "ab" if offset else "wb") as fh:
            while True:
                block = resp.read(CHUNK)
                if not block:
                    break
                fh.write(block)
                for h in hashes:
                    h.update(block)
                done += len(block)
                if progress:
                    progress(label, done, total)
    except (OSError, HTTPException) as exc:   # reset, timeout, IncompleteRead
        return done, f"{type(exc).__name__}: {exc}"
    if total is not None and done < total:
        return done, f"connection closed after {done - offset} of {total - offset} bytes"
    return done, None


def _part_digests(path: Path, hashes) -> tuple[str, str]:
    """(sha256, md5) of the complete ``.part``: from the hashers fed during the download, or read
    from the file when it was already complete before this run (``hashes`` is None)."""
    if hashes is None:
        return file_digests(path)
    sha, md5 = (h.hexdigest() for h in hashes)
    return sha, md5


def _verify_checksum(part: _Part, checksum: dict, sha: str, md5: str) -> None:
    """Compare the download with the checksum the source publishes (md5-file or sha256-file) and
    set ``checksum["verified"]``; a mismatch deletes the ``.part`` and raises ChecksumError."""
    expected = checksum.get("expected")
    if checksum.get("kind") in ("md5-file", "sha256-file") and expected:
        got = md5 if checksum["kind"] == "md5-file" else sha
        if got != expected.lower():
            part.drop()
            raise ChecksumError(Message("fetch.err.fetch_http.checksum_mismatch_source_publishes",
                                        algorithm=checksum['kind'][:-5],
                                        expected=expected, got=got),
                                source=part.url)
        checksum["verified"] = True
    else:
        checksum["verified"] = False


def _store_final(part: _Part, target: Path, compression: str, sha: str) -> str:
    """The complete ``.part`` moved to ``target`` (decompressed first for "gzip"); returns the
    SHA-256 of the stored file. A gzip file that does not decompress deletes the ``.part``."""
    if compression != "gzip":
        os.replace(part.path, target)
        return sha
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        with gzip.open(part.path, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (OSError, EOFError) as exc:
        tmp.unlink(missing_ok=True)
        part.drop()
        raise DownloadError(Message("fetch.err.fetch_http.gzip_file_download_was", exc=str(exc)),
                            source=part.url) from exc
    final_sha, _ = file_digests(tmp)
    os.replace(tmp, target)
    part.path.unlink()
    return final_sha


def _drop(part: Path, meta_path: Path) -> None:
    part.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
