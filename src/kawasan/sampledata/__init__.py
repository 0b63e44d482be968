"""Synthetic sample data for demonstrations and tests.

:func:`kawasan.sampledata.contoh.build_study_area` generates *Kabupaten Contoh*, a
fictional regency on the north coast of East Java (UTM 49S), from a fixed seed:
terrain, rivers, land cover, spatial-plan zoning, soils, hazards, roads, railway,
port and settlements, written as a study-area folder with a ``manifest.json``.
Everything it writes is marked SYNTHETIC; it is not a real place.
"""
