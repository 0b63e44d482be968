#!/usr/bin/env python3
"""Coverage-guided fuzzing (atheris, libFuzzer) of kawasan's file readers (issue 14, "Fuzzing").

Each input is written to a file whose suffix the first byte chooses, and read by one reader the second byte
chooses: the model loader (YAML/TOML), the template loader (YAML/JSON/CSV), the economic table reader, the
AHP matrix reader, the weights reader. A reader may return or raise its own InputError; any other exception
is a crash (libFuzzer stops and writes the input as crash-*). Budget and results: docs/reliability.md.

    pip install -c constraints.txt -e ".[fuzz]"
    .venv/bin/python scripts/fuzz_readers.py -max_total_time=600 -rss_limit_mb=2048 [corpus_dir ...]

tests/malformed/ is a good seed corpus.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from kawasan import guarded  # noqa: F401  (instrumented)
    from kawasan.economics.potential import read_weights_file
    from kawasan.economics.readers import read_table
    from kawasan.errors import InputError
    from kawasan.licensing.templates import load_template
    from kawasan.spatial.ahp import read_matrix_csv
    from kawasan.spatial.model import load_model

SUFFIXES = (".yaml", ".toml", ".json", ".csv", ".yml")
READERS = (load_model, load_template, read_table, read_matrix_csv, read_weights_file)
FOLDER = Path(tempfile.mkdtemp(prefix="kawasan-fuzz-"))


def one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    path = FOLDER / f"input{SUFFIXES[data[0] % len(SUFFIXES)]}"
    path.write_bytes(data[2:])
    try:
        READERS[data[1] % len(READERS)](path)
    except InputError:
        pass


def main() -> None:
    os.environ.setdefault("KAWASAN_LIMIT_INPUT_FILE_BYTES", str(1 << 20))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
