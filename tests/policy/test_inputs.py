"""Reading wire inputs: JSON strings, optional lists and blocks, booleans and numbers as the engine sends them."""
from policy.inputs import block, is_true, items, number, parse_json


def test_parse_json_reads_strings_and_passes_structures_through():
    assert parse_json('[{"name": "a"}]') == [{"name": "a"}]
    assert parse_json([{"name": "a"}]) == [{"name": "a"}]
    assert parse_json("{oops") is None


def test_items_and_blocks_tolerate_absent_values():
    assert items(None) == [] and items({"a": 1}) == [{"a": 1}] and items(("x", "y")) == ["x", "y"]
    assert block({"b": {"enable": True}}, "b") == {"enable": True}
    assert block({"b": [{"enable": True}]}, "b") == {} and block({}, "b") == {}


def test_booleans_and_numbers_as_the_engine_sends_them():
    assert is_true(True) and is_true("True") and not is_true("false") and not is_true(None) and not is_true(1)
    assert number(30.0) == 30.0 and number("7") == 7.0 and number(None) is None and number("x") is None
