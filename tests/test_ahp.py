"""Tests for kawasan.spatial.ahp (Analytic Hierarchy Process)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawasan.errors import InconsistentJudgementsError, InputError, WeightsError
from kawasan.spatial import ahp
from kawasan.spatial.ahp import (
    RANDOM_INDEX,
    AHPResult,
    ahp_weights,
    check_consistency,
    group_matrix,
    most_inconsistent_pair,
    parse_judgement,
    read_matrix_csv,
    validate_matrix,
)

# ---------------------------------------------------------------------------------------
# Textbook matrices with published weights
# ---------------------------------------------------------------------------------------

# Saaty, T.L. (1980) The Analytic Hierarchy Process, ch. 2, and Saaty (1990)
# "How to make a decision: the Analytic Hierarchy Process", EJOR 48, 9-26, Table 2:
# choosing a house, eight criteria. Published: weights .173 .054 .188 .018 .031 .036
# .167 .333, lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169.
HOUSE_CRITERIA = (
    "size", "transport", "neighbourhood", "age", "yard", "facilities", "condition", "financing",
)
HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
HOUSE_WEIGHTS = (0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333)

# Saaty & Khouja (1976), reproduced in Saaty (1980) and Saaty (1990, EJOR 48): relative
# wealth of nations (US, USSR, China, France, UK, Japan, W. Germany). Published:
# weights .427 .230 .021 .052 .052 .123 .094, lambda_max = 7.61, C.I. = 0.10, C.R. = 0.08.
NATIONS_CRITERIA = ("US", "USSR", "China", "France", "UK", "Japan", "W Germany")
NATIONS = [
    [1, 4, 9, 6, 6, 5, 5],
    [1 / 4, 1, 7, 5, 5, 3, 4],
    [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
    [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1],
]
NATIONS_WEIGHTS = (0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094)

# Saaty (1990, EJOR 48), Table 3: the three houses A, B, C compared under single criteria
# of the house example. (matrix, published weights, lambda_max, C.I., C.R.)
HOUSE_ALTERNATIVES = {
    "size of house": (
        [[1, 6, 8], [1 / 6, 1, 4], [1 / 8, 1 / 4, 1]], (0.754, 0.181, 0.065), 3.136, 0.068, 0.117,
    ),
    "yard space": (
        [[1, 5, 4], [1 / 5, 1, 1 / 3], [1 / 4, 3, 1]], (0.674, 0.101, 0.226), 3.086, 0.043, 0.074,
    ),
    "modern facilities": (
        [[1, 8, 6], [1 / 8, 1, 1 / 5], [1 / 6, 5, 1]], (0.747, 0.060, 0.193), 3.197, 0.099, 0.170,
    ),
    "general condition": (
        [[1, 1 / 2, 1 / 2], [2, 1, 1], [2, 1, 1]], (0.200, 0.400, 0.400), 3.000, 0.000, 0.000,
    ),
}

ABC = ("A", "B", "C")


def test_saaty_house_example_published_values():
    r = ahp_weights(HOUSE, HOUSE_CRITERIA)
    assert r.method == "eigenvector"
    assert r.criteria == HOUSE_CRITERIA
    np.testing.assert_allclose(r.weights, HOUSE_WEIGHTS, atol=5e-4)
    assert round(r.lambda_max, 3) == 9.669
    assert round(r.ci, 3) == 0.238
    assert round(r.cr, 3) == 0.169
    assert not r.consistent()


def test_saaty_wealth_of_nations_published_values():
    r = ahp_weights(NATIONS, NATIONS_CRITERIA)
    np.testing.assert_allclose(r.weights, NATIONS_WEIGHTS, atol=5e-4)
    assert round(r.lambda_max, 2) == 7.61
    assert round(r.ci, 2) == 0.10
    assert round(r.cr, 2) == 0.08
    assert r.consistent()


@pytest.mark.parametrize("name", sorted(HOUSE_ALTERNATIVES))
def test_saaty_house_alternatives_published_values(name):
    matrix, weights, lam, ci, cr = HOUSE_ALTERNATIVES[name]
    r = ahp_weights(matrix, ABC)
    np.testing.assert_allclose(r.weights, weights, atol=5e-4)
    assert round(r.lambda_max, 3) == lam
    assert round(r.ci, 3) == ci
    assert round(r.cr, 3) == cr


def test_geometric_mean_close_to_eigenvector_on_textbook_matrix():
    # Crawford & Williams (1985): both methods agree closely for near-consistent matrices.
    ev = ahp_weights(NATIONS, NATIONS_CRITERIA)
    gm = ahp_weights(NATIONS, NATIONS_CRITERIA, method="geometric_mean")
    assert gm.method == "geometric_mean"
    np.testing.assert_allclose(gm.weights, ev.weights, atol=0.01)
    assert gm.lambda_max >= 7.0


def test_eigenvector_satisfies_eigen_equation_and_power_iteration_agrees():
    a = validate_matrix(HOUSE, HOUSE_CRITERIA)
    r = ahp_weights(a, HOUSE_CRITERIA)
    w = np.array(r.weights)
    np.testing.assert_allclose(a @ w, r.lambda_max * w, rtol=1e-10)
    w_pi, lam_pi = ahp._power_iteration(a)
    np.testing.assert_allclose(w_pi, w, atol=1e-10)
    assert lam_pi == pytest.approx(r.lambda_max, rel=1e-10)


def test_perfectly_consistent_matrix_recovers_weights():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    a = w[:, None] / w[None, :]
    names = ("slope", "road", "flood", "port")
    for method in ahp.METHODS:
        r = ahp_weights(a, names, method=method)
        np.testing.assert_allclose(r.weights, w, rtol=1e-12)
        assert r.lambda_max == pytest.approx(4.0, abs=1e-12)
        assert r.ci == pytest.approx(0.0, abs=1e-12)
        assert r.cr == pytest.approx(0.0, abs=1e-12)
        assert r.ci >= 0.0
        assert r.consistent()


def test_single_criterion_and_pair():
    r = ahp_weights([[1]], ["only"])
    assert r.weights == (1.0,)
    assert r.lambda_max == 1.0 and r.ci == 0.0 and r.cr == 0.0
    r2 = ahp_weights([[1, 3], ["1/3", 1]], ["a", "b"])
    np.testing.assert_allclose(r2.weights, (0.75, 0.25), rtol=1e-12)
    assert r2.ci == 0.0 and r2.cr == 0.0


def test_result_to_dict_and_consistent():
    r = ahp_weights(NATIONS, NATIONS_CRITERIA)
    d = r.to_dict()
    assert set(d) == {"criteria", "weights", "lambda_max", "ci", "cr", "method", "consistent"}
    assert d["criteria"] == list(NATIONS_CRITERIA)
    assert isinstance(d["weights"], list) and len(d["weights"]) == 7
    assert d["consistent"] is True
    assert d["method"] == "eigenvector"
    assert r.consistent(threshold=0.05) is False
    assert r.weight_of("US") == r.weights[0]
    with pytest.raises(WeightsError, match="Mars"):
        r.weight_of("Mars")
    # frozen
    with pytest.raises(AttributeError):
        r.cr = 0.0  # type: ignore[misc]


def test_unknown_method():
    with pytest.raises(WeightsError, match="power"):
        ahp_weights([[1]], ["a"], method="power")


def test_more_than_15_criteria_refused():
    n = 16
    with pytest.raises(WeightsError, match="16 criteria"):
        ahp_weights(np.ones((n, n)), [f"c{i}" for i in range(n)])


# ---------------------------------------------------------------------------------------
# Random index
# ---------------------------------------------------------------------------------------
def test_random_index_table():
    # Saaty (1980); Saaty (2012) Decision Making for Leaders, table for n = 1..15.
    expected = [0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59]
    assert sorted(RANDOM_INDEX) == list(range(1, 16))
    assert [RANDOM_INDEX[n] for n in range(1, 16)] == expected


def test_cr_uses_random_index():
    r = ahp_weights(HOUSE, HOUSE_CRITERIA)
    assert r.cr == pytest.approx(r.ci / RANDOM_INDEX[8], rel=1e-12)
    assert r.ci == pytest.approx((r.lambda_max - 8) / 7, rel=1e-12)


# ---------------------------------------------------------------------------------------
# parse_judgement
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        (3, 3.0),
        (0.5, 0.5),
        (np.float64(2.0), 2.0),
        (np.int64(7), 7.0),
        ("3", 3.0),
        ("1/3", 1 / 3),
        (" 1 / 5 ", 0.2),
        ("0.333", 0.333),
        (".5", 0.5),
        ("9.", 9.0),
        ("2/4", 0.5),
        ("1e0", 1.0),
        ("-3", -3.0),  # parsed; the sign is refused by validate_matrix
    ],
)
def test_parse_judgement_accepts(value, expected):
    assert parse_judgement(value) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    "value", ["", "   ", "abc", "1/", "/3", "1//3", "1/0", "3 3", "0,333", "1/3/5", "nan", "inf", "⅓",
              None, True, [3], float("nan"), float("inf")],
)
def test_parse_judgement_refuses(value):
    with pytest.raises(WeightsError) as ei:
        parse_judgement(value, source="m.csv", field="row road, column slope")
    msg = str(ei.value)
    assert "m.csv" in msg and "road" in msg
    if isinstance(value, str) and value.strip():
        assert value.strip() in msg


# ---------------------------------------------------------------------------------------
# validate_matrix
# ---------------------------------------------------------------------------------------
NAMES3 = ("road", "slope", "flood")


def good3():
    return [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]


def test_validate_returns_exact_reciprocals():
    m = [["1", "3", "5"], ["0.333", "1", "2"], ["0.2", "0.5", "1"]]
    a = validate_matrix(m, NAMES3)
    assert a.dtype == np.float64
    assert a[1, 0] == 1 / 3 and a[2, 0] == 1 / 5 and a[2, 1] == 1 / 2
    np.testing.assert_array_equal(a * a.T, np.ones((3, 3)))
    np.testing.assert_array_equal(np.diag(a), 1.0)


def test_validate_accepts_rounded_reciprocals():
    validate_matrix([[1, 7, 9], [0.14, 1, 1], [0.11, 1, 1]], NAMES3)


def test_validate_does_not_modify_input():
    m = np.array([[1, 3, 5], [0.333, 1, 2], [0.2, 0.5, 1]])
    before = m.copy()
    validate_matrix(m, NAMES3)
    np.testing.assert_array_equal(m, before)


def _fails(matrix, criteria=NAMES3, *, contains=(), source="judgements.csv"):
    with pytest.raises(WeightsError) as ei:
        validate_matrix(matrix, criteria, source=source)
    msg = str(ei.value)
    assert source in msg
    assert ei.value.source == source
    for c in contains:
        assert c in msg, (c, msg)
    assert isinstance(ei.value, InputError)
    return msg


def test_validate_not_square():
    _fails([[1, 3, 5], [1 / 3, 1, 2]], contains=("2 x 3", "square"))


def test_validate_ragged():
    _fails([[1, 3, 5], [1 / 3, 1], [1 / 5, 1 / 2, 1]], contains=("square",))


def test_validate_one_dimensional():
    _fails(np.array([1.0, 2.0, 3.0]), contains=("square",))


def test_validate_empty():
    _fails([], (), contains=("empty",))


def test_validate_size_mismatch():
    _fails(good3(), ("road", "slope"), contains=("3 x 3", "2 criteria", "road", "slope"))


def test_validate_duplicate_names():
    _fails(good3(), ("road", "slope", "road"), contains=("road", "twice"))


def test_validate_empty_name():
    _fails(good3(), ("road", " ", "flood"), contains=("empty",))


def test_validate_zero():
    m = good3()
    m[0][2] = 0
    _fails(m, contains=("(road, flood)", "positive"))


def test_validate_negative():
    m = good3()
    m[1][2] = -2
    _fails(m, contains=("(slope, flood)", "-2", "positive"))


def test_validate_nan():
    m = np.array(good3())
    m[2, 1] = np.nan
    _fails(m, contains=("(flood, slope)", "finite"))


def test_validate_non_reciprocal():
    m = good3()
    m[1][0] = 3  # should be 1/3
    _fails(m, contains=("cell (road, slope) = 3 but (slope, road) = 3; expected 1/3",))


def test_validate_non_reciprocal_beyond_tolerance():
    m = good3()
    m[1][0] = 0.3  # 10 % off 1/3
    _fails(m, contains=("(road, slope)", "(slope, road) = 0.3", "expected 1/3"))


def test_validate_diagonal():
    m = good3()
    m[1][1] = 2
    _fails(m, contains=("(slope, slope) = 2", "1"))


def test_validate_outside_scale():
    m = good3()
    m[0][2], m[2][0] = 12, 1 / 12
    _fails(m, contains=("(road, flood) = 12", "1/9", "9"))


def test_validate_unparsable_cell():
    m = [["1", "3", "5"], ["1/3", "1", "x"], ["1/5", "1/2", "1"]]
    msg = _fails(m, contains=("'x'",))
    assert "row 2" in msg and "column 3" in msg


# ---------------------------------------------------------------------------------------
# Consistency check
# ---------------------------------------------------------------------------------------
def test_check_consistency_raises_for_saaty_house_example():
    r = ahp_weights(HOUSE, HOUSE_CRITERIA)
    with pytest.raises(InconsistentJudgementsError) as ei:
        check_consistency(r, allow_inconsistent=False, source="house.csv")
    msg = str(ei.value)
    assert isinstance(ei.value, WeightsError)
    assert "0.169" in msg and "0.1" in msg
    assert "--allow-inconsistent" in msg
    assert "house.csv" in msg
    # the judgement a(neighbourhood, condition) = 6 contradicts w_neighbourhood ~ w_condition
    assert "(neighbourhood, condition) = 6" in msg


def test_check_consistency_allow_and_pass():
    r = ahp_weights(HOUSE, HOUSE_CRITERIA)
    assert check_consistency(r, allow_inconsistent=True) is None
    assert check_consistency(r, allow_inconsistent=False, threshold=0.2) is None
    ok = ahp_weights(NATIONS, NATIONS_CRITERIA)
    assert check_consistency(ok, allow_inconsistent=False) is None
    with pytest.raises(InconsistentJudgementsError, match="0.05"):
        check_consistency(ok, allow_inconsistent=False, threshold=0.05)


def test_check_consistency_without_matrix():
    r = AHPResult(("a", "b", "c"), (0.5, 0.3, 0.2), 3.5, 0.25, 0.43, "eigenvector")
    with pytest.raises(InconsistentJudgementsError, match="0.431|0.430"):
        check_consistency(r, allow_inconsistent=False)


def test_cyclic_judgements_are_inconsistent():
    # a > b > c > a: intransitive, maximally inconsistent
    m = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]
    r = ahp_weights(m, NAMES3)
    assert r.cr > 1.0
    np.testing.assert_allclose(r.weights, [1 / 3] * 3, rtol=1e-9)
    with pytest.raises(InconsistentJudgementsError):
        check_consistency(r, allow_inconsistent=False)


def test_most_inconsistent_pair_finds_perturbed_judgement():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    a = w[:, None] / w[None, :]
    i, j, eps = most_inconsistent_pair(a, w)
    assert eps == pytest.approx(1.0)
    a[1, 3], a[3, 1] = 9.0, 1 / 9.0  # consistent value is 3
    r = ahp_weights(a, ["a", "b", "c", "d"])
    i, j, eps = most_inconsistent_pair(a, r.weights)
    assert {i, j} == {1, 3}
    assert eps > 1.0
    assert most_inconsistent_pair([[1.0]], [1.0]) == (0, 0, 1.0)
    with pytest.raises(WeightsError):
        most_inconsistent_pair(a, [0.5, 0.5])


# ---------------------------------------------------------------------------------------
# group_matrix
# ---------------------------------------------------------------------------------------
def test_group_matrix_geometric_mean():
    a = np.array([[1, 9], [1 / 9, 1]])
    b = np.array([[1, 1], [1, 1]])
    g = group_matrix([a, b])
    np.testing.assert_allclose(g, [[1, 3], [1 / 3, 1]], rtol=1e-12)
    gw = group_matrix([a, b], weights=[3, 1])  # 9**0.75
    assert gw[0, 1] == pytest.approx(9 ** 0.75, rel=1e-12)
    g1 = group_matrix([a, b], weights=[1, 0])
    np.testing.assert_allclose(g1, a, rtol=1e-12)


@pytest.mark.parametrize(
    "args, kwargs, contains",
    [
        (([],), {}, "at least one"),
        (([np.ones((2, 3))],), {}, "square"),
        (([np.ones((2, 2)), np.ones((3, 3))],), {}, "decision maker 2"),
        (([np.array([[1, 0], [1, 1]])],), {}, "positive"),
        (([np.array([[1, 3], [3, 1]])],), {}, "expected 1/3"),
        (([np.ones((2, 2)), np.ones((2, 2))],), {"weights": [1]}, "1 decision-maker weights"),
        (([np.ones((2, 2)), np.ones((2, 2))],), {"weights": [1, -1]}, "non-negative"),
        (([np.ones((2, 2)), np.ones((2, 2))],), {"weights": [0, 0]}, "not all zero"),
    ],
)
def test_group_matrix_refuses(args, kwargs, contains):
    with pytest.raises(WeightsError, match=contains):
        group_matrix(*args, **kwargs)


# ---------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------
GOOD_CSV = ",road,slope,flood\nroad,1,3,5\nslope,1/3,1,2\nflood,1/5,1/2,1\n"


def _write(tmp_path, text, name="matrix.csv", encoding="utf-8"):
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding=encoding)
    return p


def test_read_matrix_csv(tmp_path):
    p = _write(tmp_path, GOOD_CSV)
    m, names = read_matrix_csv(p)
    assert names == ("road", "slope", "flood")
    np.testing.assert_allclose(m, good3(), rtol=1e-15)
    r = ahp_weights(m, names, source=p)
    assert r.consistent()
    assert sum(r.weights) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "text",
    [
        "criterion,road,slope,flood\nroad,1,3,5\nslope,1/3,1,2\nflood,1/5,1/2,1\n",  # labelled corner
        "\ufeff,road,slope,flood\r\nroad,1,3,5\r\nslope,0.333,1,2\r\nflood,0.2,0.5,1\r\n",  # BOM, CRLF
        ";road;slope;flood\nroad;1;3;5\nslope;1/3;1;2\nflood;1/5;1/2;1\n",  # semicolons
        " , road , slope , flood \n road , 1 , 3 , 5 \n\nslope, 1 / 3 ,1,2\nflood,1/5,1/2,1",  # spaces
    ],
)
def test_read_matrix_csv_variants(tmp_path, text):
    m, names = read_matrix_csv(_write(tmp_path, text))
    assert names == ("road", "slope", "flood")
    np.testing.assert_allclose(m, good3(), rtol=1e-12)


def test_read_single_criterion(tmp_path):
    m, names = read_matrix_csv(_write(tmp_path, ",only\nonly,1\n"))
    assert names == ("only",) and m.tolist() == [[1.0]]


def _csv_fails(path, *contains):
    with pytest.raises(WeightsError) as ei:
        read_matrix_csv(path)
    msg = str(ei.value)
    assert str(path) in msg
    for c in contains:
        assert c in msg, (c, msg)
    return msg


def test_csv_missing_file(tmp_path):
    _csv_fails(tmp_path / "nope.csv", "not found")


def test_csv_directory(tmp_path):
    _csv_fails(tmp_path, "directory")


def test_csv_not_utf8(tmp_path):
    p = _write(tmp_path, ",jalan,lereng\njalan,1,3\nlereng,1/3,1\n".replace("jalan", "jal\xe1n").encode("latin-1"))
    _csv_fails(p, "UTF-8")


@pytest.mark.parametrize("text", ["", "\n\n  \n", ",,,\n,,,\n", ";;\n", "\t\t\n"])   # delimiters only: empty too
def test_csv_empty(tmp_path, text):
    _csv_fails(_write(tmp_path, text), "empty")


def test_csv_header_only(tmp_path):
    _csv_fails(_write(tmp_path, ",road,slope\n"), "2 criteria", "0 judgement rows")


def test_csv_header_without_names(tmp_path):
    _csv_fails(_write(tmp_path, "criteria\nroad\n"), "no criterion names")


def test_csv_ragged_row(tmp_path):
    text = ",road,slope,flood\nroad,1,3,5\nslope,1/3,1\nflood,1/5,1/2,1\n"
    _csv_fails(_write(tmp_path, text), "line 3", "slope", "3 cells", "4")


def test_csv_row_name_differs(tmp_path):
    text = ",road,slope,flood\nroad,1,3,5\nslop,1/3,1,2\nflood,1/5,1/2,1\n"
    _csv_fails(_write(tmp_path, text), "line 3", "'slop'", "'slope'")


def test_csv_rows_in_other_order(tmp_path):
    text = ",road,slope,flood\nroad,1,3,5\nflood,1/5,1/2,1\nslope,1/3,1,2\n"
    _csv_fails(_write(tmp_path, text), "'flood'", "'slope'", "same order")


def test_csv_too_many_rows(tmp_path):
    text = ",road,slope\nroad,1,3\nslope,1/3,1\nflood,1,1\n"
    _csv_fails(_write(tmp_path, text), "2 criteria", "3 judgement rows")


def test_csv_unparsable_cell(tmp_path):
    text = ",road,slope,flood\nroad,1,3,5\nslope,1/3,1,two\nflood,1/5,1/2,1\n"
    _csv_fails(_write(tmp_path, text), "'two'", "row slope", "column flood", "line 3")


def test_csv_empty_cell(tmp_path):
    text = ",road,slope,flood\nroad,1,3,\nslope,1/3,1,2\nflood,1/5,1/2,1\n"
    _csv_fails(_write(tmp_path, text), "(empty)", "row road", "column flood")


def test_csv_duplicate_names(tmp_path):
    text = ",road,road\nroad,1,3\nroad,1/3,1\n"
    _csv_fails(_write(tmp_path, text), "road", "twice")


def test_csv_validation_error_names_file_and_cell(tmp_path):
    text = ",road,slope,flood\nroad,1,3,5\nslope,3,1,2\nflood,1/5,1/2,1\n"
    _csv_fails(_write(tmp_path, text), "cell (road, slope) = 3 but (slope, road) = 3; expected 1/3")


# ---------------------------------------------------------------------------------------
# Hypothesis properties
# ---------------------------------------------------------------------------------------
SAATY_SCALE = [1 / k for k in range(9, 1, -1)] + list(range(1, 10))


@st.composite
def reciprocal_matrices(draw, min_n=1, max_n=9):
    n = draw(st.integers(min_n, max_n))
    k = n * (n - 1) // 2
    upper = draw(st.lists(st.sampled_from(SAATY_SCALE), min_size=k, max_size=k))
    a = np.ones((n, n))
    iu = np.triu_indices(n, 1)
    a[iu] = upper
    a[(iu[1], iu[0])] = 1.0 / np.asarray(upper, dtype=float)
    return a


@st.composite
def consistent_matrices(draw, min_n=1, max_n=9):
    n = draw(st.integers(min_n, max_n))
    w = np.array(draw(st.lists(st.floats(1.0, 9.0), min_size=n, max_size=n)))
    return w[:, None] / w[None, :], w / w.sum()


def names_for(n):
    return tuple(f"c{i}" for i in range(n))


methods = st.sampled_from(ahp.METHODS)


@settings(max_examples=200, deadline=None)
@given(reciprocal_matrices(), methods)
def test_weights_positive_and_sum_to_one(a, method):
    r = ahp_weights(a, names_for(a.shape[0]), method=method)
    w = np.array(r.weights)
    assert np.all(w > 0)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    n = a.shape[0]
    assert r.lambda_max >= n - 1e-9
    assert r.ci >= 0 and r.cr >= 0
    if n <= 2:
        assert r.ci == 0 and r.cr == 0


@settings(max_examples=200, deadline=None)
@given(consistent_matrices(), methods)
def test_consistent_matrices_recover_generating_weights(aw, method):
    a, w = aw
    r = ahp_weights(a, names_for(a.shape[0]), method=method)
    np.testing.assert_allclose(r.weights, w, rtol=1e-9)
    assert r.cr == pytest.approx(0.0, abs=1e-9)
    assert r.lambda_max == pytest.approx(a.shape[0], abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.data(), reciprocal_matrices(min_n=2), methods)
def test_permuting_criteria_permutes_weights(data, a, method):
    n = a.shape[0]
    perm = np.array(data.draw(st.permutations(range(n))))
    names = names_for(n)
    r = ahp_weights(a, names, method=method)
    rp = ahp_weights(a[np.ix_(perm, perm)], tuple(names[k] for k in perm), method=method)
    np.testing.assert_allclose(rp.weights, np.array(r.weights)[perm], rtol=1e-8, atol=1e-12)
    assert rp.lambda_max == pytest.approx(r.lambda_max, rel=1e-9)
    assert rp.cr == pytest.approx(r.cr, rel=1e-6, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(reciprocal_matrices(), st.integers(1, 5))
def test_group_of_identical_matrices_is_that_matrix(a, k):
    g = group_matrix([a.copy() for _ in range(k)])
    np.testing.assert_allclose(g, a, rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.data(), st.integers(1, 7), st.integers(1, 5))
def test_group_matrix_is_reciprocal_and_valid(data, n, k):
    mats = [data.draw(reciprocal_matrices(min_n=n, max_n=n)) for _ in range(k)]
    weights = data.draw(st.none() | st.lists(st.floats(0.1, 10.0), min_size=k, max_size=k))
    g = group_matrix(mats, weights=weights)
    np.testing.assert_allclose(g * g.T, np.ones((n, n)), rtol=1e-12)
    np.testing.assert_array_equal(np.diag(g), 1.0)
    # the geometric mean stays on the scale, so the group matrix is itself valid
    validate_matrix(g, names_for(n))


@settings(max_examples=100, deadline=None)
@given(st.data(), st.integers(2, 7))
def test_group_of_consistent_matrices_is_consistent(data, n):
    w1 = np.array(data.draw(st.lists(st.floats(1.0, 9.0), min_size=n, max_size=n)))
    w2 = np.array(data.draw(st.lists(st.floats(1.0, 9.0), min_size=n, max_size=n)))
    g = group_matrix([w1[:, None] / w1[None, :], w2[:, None] / w2[None, :]])
    wg = np.sqrt(w1 * w2)
    r = ahp_weights(g, names_for(n))
    np.testing.assert_allclose(r.weights, wg / wg.sum(), rtol=1e-9)
    assert r.cr == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(reciprocal_matrices(min_n=3))
def test_most_inconsistent_pair_is_max_eps(a):
    r = ahp_weights(a, names_for(a.shape[0]))
    i, j, eps = most_inconsistent_pair(a, r.weights)
    assert i != j
    w = np.array(r.weights)
    all_eps = a * w[None, :] / w[:, None]
    assert eps == pytest.approx(all_eps.max(), rel=1e-12)
    assert eps >= 1.0 - 1e-12


@settings(max_examples=100, deadline=None)
@given(reciprocal_matrices(min_n=3))
def test_check_consistency_matches_cr(a):
    r = ahp_weights(a, names_for(a.shape[0]))
    if r.cr > 0.1:
        with pytest.raises(InconsistentJudgementsError, match="--allow-inconsistent"):
            check_consistency(r, allow_inconsistent=False)
    else:
        check_consistency(r, allow_inconsistent=False)
    check_consistency(r, allow_inconsistent=True)


# ---------------------------------------------------------------------------------------
# The most inconsistent judgement and the value that would lower CR most (issue 11, item 7)
# ---------------------------------------------------------------------------------------
def test_suggest_revision_names_the_pair_and_the_best_scale_value():
    from kawasan.spatial.ahp import SAATY_SCALE, suggest_revision

    r = ahp_weights(HOUSE, HOUSE_CRITERIA)
    hint = suggest_revision(r)
    assert hint["pair"] == ["neighbourhood", "condition"] and hint["judgement_text"] == "6"
    i, j = HOUSE_CRITERIA.index("neighbourhood"), HOUSE_CRITERIA.index("condition")
    assert hint["implied"] == pytest.approx(r.weights[i] / r.weights[j])

    def cr_with(v):   # brute force, independently of the function
        m = np.array(HOUSE, dtype=float)
        m[i, j], m[j, i] = v, 1 / v
        return ahp_weights(m, HOUSE_CRITERIA).cr

    best = min(SAATY_SCALE, key=cr_with)
    assert hint["suggested"] == pytest.approx(best)
    assert hint["cr_suggested"] == pytest.approx(cr_with(best)) and hint["cr_suggested"] < r.cr
    with pytest.raises(InconsistentJudgementsError, match=f"writing {hint['suggested_text']} there instead would give "
                                                          f"CR = {hint['cr_suggested']:.3f}"):
        check_consistency(r, allow_inconsistent=False)


def test_suggest_revision_on_consistent_and_small_matrices():
    from kawasan.spatial.ahp import suggest_revision

    consistent = [[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]
    assert suggest_revision(ahp_weights(consistent, ["a", "b", "c"])) is None      # no pair is "most inconsistent"
    nearly = [[1, 2, 5], [1 / 2, 1, 2], [1 / 5, 1 / 2, 1]]
    hint = suggest_revision(ahp_weights(nearly, ["a", "b", "c"]))
    assert hint["off_by"] > 1.0 and hint["cr_suggested"] <= hint["cr_now"] + 1e-12
    assert suggest_revision(ahp_weights([[1, 3], [1 / 3, 1]], ["a", "b"])) is None


def test_ahp_command_says_a_consistent_matrix_is_consistent(tmp_path):
    """A fully consistent table is not told that one of its judgements is "the most inconsistent"."""
    from click.testing import CliRunner
    from kawasan.cli.main import cli

    path = tmp_path / "m.csv"
    path.write_text(",a,b,c\na,1,2,4\nb,1/2,1,2\nc,1/4,1/2,1\n", encoding="utf-8")
    for lang, said in (("en", "fully consistent"), ("id", "konsisten sempurna")):
        r = CliRunner().invoke(cli, ["--lang", lang, "ahp", str(path)])
        assert r.exit_code == 0, r.output
        assert said in r.output and "inconsistent judgement" not in r.output and "paling tidak" not in r.output


def test_cli_ahp_shows_the_most_inconsistent_pair(runner, tmp_path):
    import json

    from kawasan.cli.main import cli

    p = tmp_path / "house.csv"
    p.write_text("," + ",".join(HOUSE_CRITERIA) + "\n" + "\n".join(
        n + "," + ",".join(str(v) for v in row) for n, row in zip(HOUSE_CRITERIA, HOUSE)) + "\n")
    r = runner.invoke(cli, ["ahp", str(p)])
    assert r.exit_code == 0, r.output
    assert "Most inconsistent judgement: (neighbourhood, condition) = 6" in r.output and "would give CR =" in r.output
    r = runner.invoke(cli, ["--lang", "id", "ahp", str(p)])
    assert "Penilaian yang paling tidak konsisten: (neighbourhood, condition) = 6" in r.output
    r = runner.invoke(cli, ["ahp", str(p), str(p), "--json"])
    out = json.loads(r.output)
    assert out["most_inconsistent"]["pair"] == ["neighbourhood", "condition"]
    assert out["members"][0]["most_inconsistent"]["suggested_text"] == out["most_inconsistent"]["suggested_text"]
