"""The key-set format and its rotation, without AWS: every problem of a set, and what a successor must keep."""
from __future__ import annotations

import itertools
import json

import pytest
from jwt_rotation import keyset


def counter():
    """Deterministic `random_bytes`: distinct bytes per call."""
    calls = itertools.count(1)
    return lambda size: bytes([next(calls) % 256]) * size


def test_the_initial_set_signs_with_generation_0_and_already_verifies_generation_1():
    first = keyset.initial(counter())
    assert [(k["generation"], k["use"]) for k in first["keys"]] == [(0, "sign"), (1, "verify")]
    assert keyset.problems(first) == [] and len(keyset.decode_secret(first["keys"][0]["secret"])) == 64


def test_rotation_promotes_the_newest_keeps_the_signer_and_drops_older():
    random = counter()
    sets = [keyset.initial(random)]
    for _ in range(3):
        sets.append(keyset.rotate(sets[-1], random))
    assert [[(k["generation"], k["use"]) for k in s["keys"]] for s in sets[1:]] == [
        [(0, "verify"), (1, "sign"), (2, "verify")],
        [(1, "verify"), (2, "sign"), (3, "verify")],
        [(2, "verify"), (3, "sign"), (4, "verify")]]
    for before, after in itertools.pairwise(sets):
        assert keyset.successor_problems(before, after) == []


def test_a_hand_written_set_whose_newest_key_signs_gets_a_next_key_first():
    single = {"keys": [keyset.new_key(5, keyset.SIGN, counter())]}
    rotated = keyset.rotate(single, counter())
    assert [(k["generation"], k["use"]) for k in rotated["keys"]] == [(5, "sign"), (6, "verify")]
    assert keyset.successor_problems(single, rotated) == []


SECRET = keyset.encode_secret(b"k" * 32)


@pytest.mark.parametrize("value, problems", [
    ([], ["the key set must be a JSON object with a non-empty list 'keys'"]),
    ({"keys": []}, ["the key set must be a JSON object with a non-empty list 'keys'"]),
    ({"keys": ["x"]}, ["key 0 is not an object"]),
    ({"keys": [{"kid": "", "secret": SECRET, "use": "sign", "generation": 0}]}, ["key 0 has no kid"]),
    ({"keys": [{"kid": "a", "secret": SECRET, "use": "both", "generation": 0}]},
     ["key 0 has use 'both', not 'sign' or 'verify'"]),
    ({"keys": [{"kid": "a", "secret": SECRET, "use": "sign", "generation": True}]},
     ["key 0 has no integer generation"]),
    ({"keys": [{"kid": "a", "secret": keyset.encode_secret(b"k" * 31), "use": "sign", "generation": 0}]},
     ["key 0 has no base64url secret of at least 32 bytes"]),
    ({"keys": [{"kid": "a", "secret": "a", "use": "sign", "generation": 0}]},
     ["key 0 has no base64url secret of at least 32 bytes"]),
    ({"keys": [{"kid": "a", "use": "sign", "generation": 0}]}, ["key 0 has no base64url secret of at least 32 bytes"]),
    ({"keys": [{"kid": "a", "secret": SECRET, "use": "sign", "generation": 0},
               {"kid": "a", "secret": SECRET, "use": "sign", "generation": 1}]},
     ["kids repeat; every key needs its own kid", "2 keys are marked 'sign'; exactly one must be"]),
    ({"keys": [{"kid": k, "secret": SECRET, "use": "verify", "generation": 0} for k in "abcd"]},
     ["0 keys are marked 'sign'; exactly one must be", "4 keys; a rotated set holds at most 3"]),
])
def test_every_problem_of_a_set_is_named(value, problems):
    assert keyset.problems(value) == problems
    with pytest.raises(keyset.KeySetError) as raised:
        keyset.parse(json.dumps(value))
    assert str(raised.value) == "; ".join(problems) and SECRET not in str(raised.value)


def test_a_value_that_is_no_json_is_refused():
    with pytest.raises(keyset.KeySetError, match="the key set is not JSON"):
        keyset.parse("not json")


def test_dumps_and_parse_round_trip():
    first = keyset.initial(counter())
    assert keyset.parse(keyset.dumps(first)) == first
