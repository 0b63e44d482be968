"""A project's site geometry is checked before it is stored (kawasan.tracker.sitegeometry): issue 14, bad input."""
from __future__ import annotations

import pytest

from kawasan.errors import InputError
from kawasan.i18n import text_in
from kawasan.tracker.sitegeometry import checked_site

SQUARE = {"type": "Polygon", "coordinates": [[[113.20, -7.80], [113.22, -7.80], [113.22, -7.78], [113.20, -7.80]]]}


@pytest.mark.parametrize("good", [SQUARE, {"type": "Feature", "properties": {}, "geometry": SQUARE},
                                  {"type": "Point", "coordinates": [113.2, -7.8]},
                                  {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}])
def test_a_good_site_is_kept_as_it_is(good):
    assert checked_site(good) is good


@pytest.mark.parametrize("bad, words", [
    ({"type": "Polygon", "coordinates": [[[[[[1]]]]]]}, "not valid GeoJSON positions"),
    ({"type": "Polygon", "coordinates": "abc"}, "not valid GeoJSON positions"),
    ({"type": "Polygon", "coordinates": []}, "finite coordinates"),
    ({"type": "Point", "coordinates": [float("nan"), -7.8]}, "finite coordinates"),
    ({"type": "Point", "coordinates": [float("inf"), -7.8]}, "finite coordinates"),
    ({"type": "LineString", "coordinates": [[1, 2], [3, 4]]}, "got 'LineString'"),
    ({"type": "Feature", "geometry": None}, "got 'NoneType'"),
    ("POLYGON ((1 1, 2 2, 1 2, 1 1))", "got 'str'"),
])
def test_a_bad_site_is_refused_in_both_languages(bad, words):
    with pytest.raises(InputError) as err:
        checked_site(bad)
    assert err.value.field == "site" and words in str(err.value.message)
    assert "tapak" in text_in(err.value.message, "id")
