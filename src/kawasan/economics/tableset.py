"""A table set: the files of one province's regional-potential analysis, found in one folder.

A folder with ``tableset.yaml`` names its files (paths relative to the folder)::

    title: Jawa Timur
    reference: Jawa Timur
    source: BPS Provinsi Jawa Timur; batas wilayah (wilayah_boundaries); pelabuhan Kemenhub 2017
    synthetic: false
    boundaries: boundaries/jatim_kabkota.geojson
    pdrb: economy/pdrb_total_jatim_2010_2023.csv
    population: economy/population_jatim_2010_2023_long.csv
    ipm: economy/ipm_jatim_long.csv
    sectors: economy/pdrb_17sector_2023_long.csv
    ports: places/ports_kemenhub_2017.geojson

A folder without it is read with exactly these names (the layout of the East Java example data, the
project's ``shared/data``). ``boundaries`` and ``pdrb`` are required; the others are used when present.
``title``, ``source`` (where the tables come from, in words) and ``synthetic`` (made-up tables, such as the
demo's) are what a user is shown of a table set: its name is the folder's name, never its path.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kawasan.errors import InputError
from kawasan.i18n import Message

FILE_KEYS = ("boundaries", "pdrb", "population", "ipm", "labour_force", "unemployment", "sectors", "ports")
REQUIRED = ("boundaries", "pdrb")
EAST_JAVA = {"title": "Jawa Timur", "reference": "Jawa Timur",
             "boundaries": "boundaries/jatim_kabkota.geojson", "pdrb": "economy/pdrb_total_jatim_2010_2023.csv",
             "population": "economy/population_jatim_2010_2023_long.csv", "ipm": "economy/ipm_jatim_long.csv",
             "sectors": "economy/pdrb_17sector_2023_long.csv", "ports": "places/ports_kemenhub_2017.geojson",
             "source": "BPS Provinsi Jawa Timur; batas wilayah: wilayah_boundaries; pelabuhan: Kemenhub 2017"}
DESCRIPTIVE = ("title", "reference", "source", "synthetic")


@dataclass(frozen=True)
class TableSet:
    folder: Path
    title: str
    reference: str
    files: dict[str, Path] = field(default_factory=dict)
    source: str = ""
    synthetic: bool = False

    @property
    def name(self) -> str:
        """The table set's name as users see it: its folder's name (the path stays on the server)."""
        return self.folder.name

    @classmethod
    def from_dir(cls, folder: str | Path) -> "TableSet":
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError(Message("econ.err.tableset.economics_folder_does_exist"), source=str(folder),
                             field="economics_dir")
        spec_file = folder / "tableset.yaml"
        if spec_file.is_file():
            try:
                spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
            except yaml.YAMLError as e:
                raise InputError(Message("econ.err.tableset.valid_yaml", error=e), source=str(spec_file)) from None
            if not isinstance(spec, dict):
                raise InputError(Message("econ.err.tableset.expected_mapping_file_keys"), source=str(spec_file))
            unknown = sorted(set(spec) - {*FILE_KEYS, *DESCRIPTIVE})
            if unknown:
                raise InputError(Message("econ.err.tableset.unknown_key_expected_title",
                                         unknown=unknown, expected=", ".join((*FILE_KEYS, *DESCRIPTIVE))),
                                 source=str(spec_file))
            if not isinstance(spec.get("synthetic", False), bool):
                raise InputError(Message("econ.err.tableset.expected_true_false", value=repr(spec["synthetic"])),
                                 source=str(spec_file), field="synthetic")
        else:
            spec, spec_file = EAST_JAVA, folder
        files = {}
        for key in FILE_KEYS:
            if spec.get(key):
                p = folder / str(spec[key])
                if p.is_file():
                    files[key] = p
                elif key in REQUIRED or spec_file != folder:
                    raise InputError(Message("econ.err.tableset.file_does_exist",
                                             table=key, path=p), source=str(spec_file), field=key)
        for key in REQUIRED:
            if key not in files:
                raise InputError(Message("econ.err.tableset.table_set_needs",
                                         setting=key), source=str(spec_file), field=key)
        return cls(folder, _words(spec, "title", spec_file) or folder.name, str(spec.get("reference") or "Jawa Timur"),
                   files, source=_words(spec, "source", spec_file), synthetic=bool(spec.get("synthetic", False)))

    def inputs(self, **options):
        """:class:`kawasan.economics.potential.PotentialInputs` of these files with ``options``."""
        from kawasan.economics.potential import PotentialInputs

        return PotentialInputs(**{k: str(v) for k, v in self.files.items()}, reference=self.reference, **options)


def _words(spec: dict, key: str, spec_file: Path) -> str:
    """A descriptive entry (``title``, ``source``): text, or the text per language (``{en: ..., id: ...}``),
    kept as a :class:`kawasan.i18n.Bilingual` (the English text, and ``text(lang)`` for the other)."""
    from kawasan.i18n import LANGUAGES, Bilingual

    value = spec.get(key)
    if isinstance(value, dict):
        if not value or set(value) - set(LANGUAGES) or not all(isinstance(v, str) and v for v in value.values()):
            raise InputError(Message("econ.err.tableset.words_per_language", languages=", ".join(LANGUAGES)),
                             source=str(spec_file), field=key)
        return Bilingual(dict(value))
    return str(value or "")
