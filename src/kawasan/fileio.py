"""Atomic file and folder writes: nothing half-written is left behind, nothing stored is lost.

Every output of kawasan (study areas, run folders, site folders, JSON results) is written
under a hidden temporary name next to its target (:func:`temp_sibling`) and moved into place only
when complete (:func:`publish`).

Publishing a folder over an earlier one uses Linux ``renameat2(RENAME_EXCHANGE)``: the two folders
swap names in one atomic step, so at every instant ``out`` is either the whole old folder or the
whole new one, whatever kills the process. Where the exchange is not available (another system, or a
file system without it) the old folder is renamed aside (``.NAME.old-PID-XXXX``) and the new one
renamed in; a kill between the two renames leaves ``out`` missing, and :func:`recover` (called by
every command that writes or opens such a folder) puts the old folder back. :func:`recover` also
removes the temporary and set-aside folders that killed processes left (their process id is in the
name and no longer running), so a rerun of the same command cleans up after a kill.
"""
from __future__ import annotations

from kawasan.i18n import Message, catalogued

import contextlib
import ctypes
import errno
import os
import re
import shutil
import uuid
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2   # <linux/fs.h>
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-f]{8}(\..*)?\Z")


def temp_sibling(out: Path, kind: str = "tmp", suffix: str = "") -> Path:
    """A hidden name next to ``out`` that :func:`recover` knows: ``.NAME.tmp-PID-XXXXXXXX[suffix]``."""
    out = Path(out)
    return out.with_name(f".{out.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}{suffix}")


def exchange(a: Path, b: Path) -> bool:
    """Swap the names of ``a`` and ``b`` atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    Returns False, having changed nothing, where the system or file system cannot exchange.
    """
    fn = _renameat2()
    if fn is None:
        return False
    rc = fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _renameat2():
    """libc's renameat2, or None (not Linux, or a libc older than glibc 2.28)."""
    global _RENAMEAT2
    if _RENAMEAT2 is False:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fn = libc.renameat2
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            fn.restype = ctypes.c_int
            _RENAMEAT2 = fn
        except (OSError, AttributeError):
            _RENAMEAT2 = None
    return _RENAMEAT2


_RENAMEAT2 = False   # not looked up yet
USE_EXCHANGE = os.environ.get("KAWASAN_NO_RENAME_EXCHANGE") is None   # tests switch it off to test the fallback


def publish(tmp: Path, out: Path) -> None:
    """Move a finished temporary folder to ``out`` (module docstring: exchange, else rename aside).

    A previous ``out`` (already checked by the caller as replaceable) is deleted only after the new
    folder is in place; if the move fails the old one is put back.
    """
    tmp, out = Path(tmp), Path(out)
    if not out.exists():
        os.rename(tmp, out)
        return
    if USE_EXCHANGE and exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)   # tmp now holds the old folder
        return
    old = temp_sibling(out, "old")
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def writing(out: Path, what: str):
    """Around the writing of an output: a full disk, a quota, a read-only or forbidden folder (OSError, or the
    error GDAL raises for it) becomes an OutputError naming ``out``; the caller's temporary folder is removed by
    the caller, so nothing half-written stays."""
    from kawasan.errors import KawasanError, OutputError

    try:
        yield
    except KawasanError:
        raise
    except OSError as exc:
        raise OutputError(Message("err.fileio.cannot_write_nothing_was", what=catalogued(what, "err.what"),
                                  reason=exc.strerror or exc, free=_free(out)), source=str(out)) from None
    except Exception as exc:
        if type(exc).__module__.startswith(("rasterio", "pyogrio", "fiona")):
            raise OutputError(Message("err.fileio.cannot_write_library_error", what=catalogued(what, "err.what"),
                                      reason=' '.join(str(exc).split())[:300], free=_free(out)),
                              source=str(out)) from None
        raise


def _free(out: Path) -> Message:
    """"12 KiB free on that disk" for the nearest existing folder of ``out`` (a full disk names itself)."""
    folder = Path(out)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return Message("err.fileio.free_unknown")
    if free < 1024 ** 2:
        return Message("err.fileio.free_space", amount=free / 1024, unit="KiB")
    return Message("err.fileio.free_space", amount=free / 1024 ** 2, unit="MiB")


def recover(out: Path) -> list[str]:
    """Repair what a killed publish of ``out`` left: restore a set-aside folder when ``out`` is missing, and
    remove the temporary and set-aside siblings of processes no longer running. Returns what it did."""
    out = Path(out)
    parent = out.parent
    if not parent.is_dir():
        return []
    done: list[str] = []
    leftovers = []
    for entry in parent.iterdir():
        m = _LEFTOVER.match(entry.name)
        if m and m.group("name") == out.name and not _alive(int(m.group("pid"))):
            leftovers.append((m.group("kind"), entry))
    olds = sorted((e for k, e in leftovers if k == "old" and e.is_dir()), key=lambda e: e.stat().st_mtime)
    if not out.exists() and olds:
        os.rename(olds[-1], out)
        done.append(Message("err.fileio.recovered_restored", name=out.name, kept=olds[-1].name))
    for _, entry in leftovers:
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
            done.append(Message("err.fileio.recovered_removed", name=entry.name))
    return done


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (on this machine); a leftover of a running process is never touched."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file (UTF-8) through a temporary sibling and an atomic rename."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a file through a temporary sibling and an atomic rename."""
    path = Path(path)
    tmp = temp_sibling(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def check_replaceable(out: Path, kind: str, what: str) -> None:
    """Refuse ``out`` unless it is absent, an empty folder, or an earlier output of the same ``kind``.

    ``kind`` is the ``"kind"`` of the ``manifest.json`` an earlier output holds (for example
    ``kawasan.study_area``); ``what`` names it for the message.
    """
    import json

    from kawasan.errors import OutputError

    out = Path(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(Message("err.fileio.exists_folder_choose_another"), source=str(out))
    if not any(out.iterdir()):
        return
    try:
        found = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        found = None
    if found != kind:
        raise OutputError(Message("err.fileio.empty_manifest_json_with", what=catalogued(what, "err.what"), kind=kind),
                          source=str(out))
