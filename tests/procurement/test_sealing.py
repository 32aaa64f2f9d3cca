"""Sealed bids: a box opens only with its key and its context, reveals nothing, and survives rotation."""

import base64
import dataclasses
import hashlib
import json
from decimal import Decimal

import pytest

from procurement.sealing import (
    ALGORITHM,
    Keyring,
    KeyringError,
    SealedBox,
    TamperedBox,
    UnknownAlgorithm,
    UnknownKey,
    active_keyring,
    canonical_json,
    open_box,
    parse_keyring,
    receipt_digest,
    rewrap,
    seal,
)
from tests.portal.test_settings import PRODUCTION, run_check

KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))
CONTEXT = "tender:42/lot:1/bidder:20601234018/envelope:economic"
CONTENT = canonical_json(
    {"salt": "9f1c0b7e2a5d4c3b", "currency": "PEN", "lots": [{"lot": 1, "price": Decimal("1234.56")}]}
)


def entry(key_id, key):
    return f"{key_id}:{base64.urlsafe_b64encode(key).decode()}"


RING_A = parse_keyring(entry("a", KEY_A))
RING_B_A = parse_keyring(f"{entry('b', KEY_B)},{entry('a', KEY_A)}")
RING_B = parse_keyring(entry("b", KEY_B))


def flip(data, index):
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


# --- Sealing and opening --------------------------------------------------------------------------


def test_a_sealed_box_opens_to_exactly_what_was_sealed():
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    assert open_box(box, context=CONTEXT, keyring=RING_A) == CONTENT
    assert box.algorithm == "A256KW+A256GCM/v1" == ALGORITHM
    assert box.key_id == "a"
    assert len(box.wrapped_key) == 40  # RFC 3394: 32-byte data key + 8-byte integrity block
    assert len(box.nonce) == 12
    assert len(box.ciphertext) == len(CONTENT) + 16  # GCM tag
    assert box.digest == hashlib.sha256(CONTENT).hexdigest()


def test_empty_content_seals_and_opens():
    box = seal(b"", context=CONTEXT, keyring=RING_A)

    assert open_box(box, context=CONTEXT, keyring=RING_A) == b""
    assert box.digest == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_no_stored_field_reveals_the_content():
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)
    stored = json.dumps(box.to_dict()).encode()

    assert b"1234.56" in CONTENT
    for secret in (b"1234.56", b"PEN", b"9f1c0b7e2a5d4c3b", CONTENT):
        for value in (box.wrapped_key, box.nonce, box.ciphertext, box.digest.encode(), stored):
            assert secret not in value
    for key in (KEY_A, base64.b64encode(KEY_A), base64.urlsafe_b64encode(KEY_A)):
        assert key not in stored
        assert key not in box.wrapped_key
    assert "1234.56" not in repr(box)


def test_two_seals_of_the_same_content_share_only_the_digest():
    first = seal(CONTENT, context=CONTEXT, keyring=RING_A)
    second = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    assert first.nonce != second.nonce
    assert first.wrapped_key != second.wrapped_key  # a fresh data key each time
    assert first.ciphertext != second.ciphertext
    assert first.digest == second.digest


def test_a_box_does_not_open_for_another_bid():
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    for other in (
        "tender:42/lot:1/bidder:20601234018/envelope:technical",
        "tender:42/lot:2/bidder:20601234018/envelope:economic",
        "tender:42/lot:1/bidder:20100000001/envelope:economic",
        CONTEXT + " ",
    ):
        with pytest.raises(TamperedBox, match="belongs to another bid"):
            open_box(box, context=other, keyring=RING_A)


@pytest.mark.parametrize(
    ("field", "index"),
    [
        ("ciphertext", 0),
        ("ciphertext", 20),
        ("ciphertext", -1),  # the GCM tag
        ("nonce", 0),
        ("nonce", 11),
        ("wrapped_key", 0),
        ("wrapped_key", 39),
    ],
)
def test_a_flipped_byte_anywhere_is_detected(field, index):
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)
    value = getattr(box, field)
    tampered = dataclasses.replace(box, **{field: flip(value, index % len(value))})

    with pytest.raises(TamperedBox):
        open_box(tampered, context=CONTEXT, keyring=RING_A)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ciphertext", b""),
        ("ciphertext", b"x" * 15),
        ("nonce", b"x" * 11),
        ("nonce", b"x" * 16),
        ("wrapped_key", b"x" * 32),
        ("wrapped_key", b""),
    ],
)
def test_a_truncated_or_resized_field_is_detected(field, value):
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    with pytest.raises(TamperedBox, match=r"wrong length|is 32 bytes|is 0 bytes"):
        open_box(dataclasses.replace(box, **{field: value}), context=CONTEXT, keyring=RING_A)


def test_a_wrapped_key_moved_from_another_box_does_not_open_it():
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)
    other = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    with pytest.raises(TamperedBox):
        open_box(dataclasses.replace(box, wrapped_key=other.wrapped_key), context=CONTEXT, keyring=RING_A)


def test_an_altered_digest_is_detected():
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    with pytest.raises(TamperedBox, match="digest was altered"):
        open_box(dataclasses.replace(box, digest=receipt_digest(b"other")), context=CONTEXT, keyring=RING_A)


def test_a_box_under_another_master_key_with_the_same_id_is_tampered():
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)
    impostor = parse_keyring(entry("a", KEY_B))

    with pytest.raises(TamperedBox, match="does not unwrap with master key 'a'"):
        open_box(box, context=CONTEXT, keyring=impostor)


def test_an_unknown_key_id_is_refused_by_name():
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    with pytest.raises(UnknownKey, match=r"master key 'zz', which is not in BID_SEALING_KEYS \(known: a\)"):
        open_box(dataclasses.replace(box, key_id="zz"), context=CONTEXT, keyring=RING_A)


def test_an_unknown_algorithm_is_refused():
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    with pytest.raises(UnknownAlgorithm, match="'A128KW'"):
        open_box(dataclasses.replace(box, algorithm="A128KW"), context=CONTEXT, keyring=RING_A)


def test_seal_refuses_text_and_an_empty_context():
    with pytest.raises(TypeError, match="takes bytes, not str"):
        seal("1234.56", context=CONTEXT, keyring=RING_A)
    with pytest.raises(ValueError, match="context is required"):
        seal(CONTENT, context="", keyring=RING_A)


# --- Rotation -------------------------------------------------------------------------------------


def test_rotation_keeps_old_boxes_open_and_seals_with_the_new_key():
    old = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    new = seal(CONTENT, context=CONTEXT, keyring=RING_B_A)

    assert new.key_id == "b"
    assert open_box(old, context=CONTEXT, keyring=RING_B_A) == CONTENT
    assert open_box(new, context=CONTEXT, keyring=RING_B_A) == CONTENT
    assert open_box(new, context=CONTEXT, keyring=RING_B) == CONTENT
    with pytest.raises(UnknownKey, match="'a'"):
        open_box(old, context=CONTEXT, keyring=RING_B)


def test_rewrap_moves_a_box_to_the_active_key_without_touching_its_content():
    old = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    moved = rewrap(old, keyring=RING_B_A)

    assert moved.key_id == "b"
    assert moved.wrapped_key != old.wrapped_key
    assert (moved.nonce, moved.ciphertext, moved.digest, moved.algorithm) == (
        old.nonce,
        old.ciphertext,
        old.digest,
        old.algorithm,
    )
    assert open_box(moved, context=CONTEXT, keyring=RING_B) == CONTENT
    assert rewrap(moved, keyring=RING_B_A) is moved


def test_rewrap_refuses_a_tampered_wrapped_key():
    old = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    with pytest.raises(TamperedBox):
        rewrap(dataclasses.replace(old, wrapped_key=flip(old.wrapped_key, 5)), keyring=RING_B_A)


# --- Storage --------------------------------------------------------------------------------------


def test_to_dict_and_from_dict_round_trip():
    box = SealedBox(
        algorithm=ALGORITHM,
        key_id="a",
        wrapped_key=b"\x00" * 40,
        nonce=b"\x01" * 12,
        ciphertext=b"\xff\xfe",
        digest="ab" * 32,
    )

    assert box.to_dict() == {
        "algorithm": "A256KW+A256GCM/v1",
        "key_id": "a",
        "wrapped_key": "A" * 54 + "==",
        "nonce": "AQEBAQEBAQEBAQEB",
        "ciphertext": "//4=",
        "digest": "ab" * 32,
    }
    assert SealedBox.from_dict(box.to_dict()) == box
    assert SealedBox.from_dict(json.loads(json.dumps(box.to_dict()))) == box


def test_a_real_box_survives_json_storage():
    box = seal(CONTENT, context=CONTEXT, keyring=RING_A)

    restored = SealedBox.from_dict(json.loads(json.dumps(box.to_dict())))

    assert open_box(restored, context=CONTEXT, keyring=RING_A) == CONTENT


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nonce": "not base64!"}, "nonce is not valid base64"),
        ({"ciphertext": "AQ"}, "ciphertext is not valid base64"),
        ({"ciphertext": 12}, "must be text"),
        ({"extra": "x"}, "exactly the fields"),
        ({"digest": "AB" * 32}, "not a lowercase hex SHA-256"),
    ],
)
def test_from_dict_refuses_malformed_storage(change, message):
    data = {**seal(CONTENT, context=CONTEXT, keyring=RING_A).to_dict(), **change}

    with pytest.raises(TamperedBox, match=message):
        SealedBox.from_dict(data)


def test_from_dict_refuses_a_missing_field():
    data = seal(CONTENT, context=CONTEXT, keyring=RING_A).to_dict()
    del data["digest"]

    with pytest.raises(TamperedBox, match="exactly the fields"):
        SealedBox.from_dict(data)


# --- Receipts and canonical content ---------------------------------------------------------------


def test_receipt_digest_is_the_sha256_of_the_bytes():
    assert receipt_digest(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert seal(b"abc", context=CONTEXT, keyring=RING_A).digest == receipt_digest(b"abc")


def test_canonical_json_is_compact_sorted_and_writes_decimals_as_text():
    content = {"price": Decimal("1234.56"), "items": [1, "x", None, True], "name": "Año", "qty": (2, 3)}

    assert canonical_json(content) == '{"items":[1,"x",null,true],"name":"Año","price":"1234.56","qty":[2,3]}'.encode()


def test_equal_content_gives_equal_bytes_and_digests():
    first = {"b": {"y": Decimal("1234.50"), "x": Decimal("1E+3")}, "a": [Decimal("0.00")]}
    second = {"a": [Decimal("-0")], "b": {"x": Decimal("1000"), "y": Decimal("1234.5")}}

    assert first == second
    assert canonical_json(first) == canonical_json(second) == b'{"a":["0"],"b":{"x":"1000","y":"1234.5"}}'
    assert receipt_digest(canonical_json(first)) == receipt_digest(canonical_json(second))


def test_canonical_json_keeps_every_digit_of_a_decimal():
    assert canonical_json(Decimal("1.23456789012345678901234567890123")) == b'"1.23456789012345678901234567890123"'
    assert canonical_json(Decimal("-0.0100")) == b'"-0.01"'


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ({"price": 1234.56}, TypeError, "refuses floats"),
        ({1: "a"}, TypeError, "needs text keys"),
        ({"price": Decimal("NaN")}, ValueError, "non-finite"),
        ({"price": Decimal("Infinity")}, ValueError, "non-finite"),
        ({"when": object()}, TypeError, "cannot serialise object"),
    ],
)
def test_canonical_json_refuses_what_has_no_single_form(value, error, message):
    with pytest.raises(error, match=message):
        canonical_json(value)


# --- Keyring --------------------------------------------------------------------------------------


def test_the_first_key_of_the_ring_is_active():
    ring = parse_keyring(f" {entry('k2', KEY_B)} , {entry('k1', KEY_A)} ")

    assert ring.active_id == "k2"
    assert ring.key_ids == ("k2", "k1")
    assert ring.key("k1") == KEY_A


def test_unpadded_base64url_is_accepted():
    assert parse_keyring(entry("k1", KEY_A).rstrip("=")).key("k1") == KEY_A


def test_the_keyring_repr_shows_ids_only():
    assert repr(RING_B_A) == "Keyring(active_id='b', key_ids=['b', 'a'])"


SHORT = base64.urlsafe_b64encode(b"\x07" * 16).decode()
KEY_A_TEXT = base64.urlsafe_b64encode(KEY_A).decode()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "BID_SEALING_KEYS is empty"),
        ("   ", "BID_SEALING_KEYS is empty"),
        (KEY_A_TEXT, "entry 1 is not of the form keyid:base64url-32-bytes"),
        (f"k1:{KEY_A_TEXT},", "entry 2 is not of the form"),
        ("k1:", "entry 1 is not of the form"),
        (f":{KEY_A_TEXT}", "entry 1 is not of the form"),
        (f"k 1:{KEY_A_TEXT}", "entry 1 has an invalid key id"),
        (f"{'k' * 33}:{KEY_A_TEXT}", "entry 1 has an invalid key id"),
        ("k1:abc+def/ghi=", "key 'k1' is not base64url"),
        ("k1:abcde", "key 'k1' is not valid base64url"),
        (f"k1:{SHORT}", "key 'k1' is 16 bytes; it must be 32 random bytes"),
        (f"k1:{KEY_A_TEXT.rstrip('=')}AAAA", "key 'k1' is 35 bytes"),
        (f"k1:{KEY_A_TEXT},k1:{base64.urlsafe_b64encode(KEY_B).decode()}", "names key id 'k1' twice"),
        (f"k1:{KEY_A_TEXT},k2:{KEY_A_TEXT.rstrip('=')}", "keys 'k1' and 'k2' are the same key"),
    ],
)
def test_a_malformed_keyring_is_refused_without_echoing_keys(raw, message):
    with pytest.raises(KeyringError, match=message) as excinfo:
        parse_keyring(raw)

    assert KEY_A_TEXT.rstrip("=") not in str(excinfo.value)
    assert SHORT.rstrip("=") not in str(excinfo.value)


def test_a_keyring_needs_its_active_key():
    with pytest.raises(KeyringError, match="active key 'x' is not in the keyring"):
        Keyring({"a": KEY_A}, active_id="x")


# --- Settings -------------------------------------------------------------------------------------


def test_development_uses_the_labelled_development_key():
    box = seal(CONTENT, context=CONTEXT)

    assert active_keyring().key_ids == ("dev-insecure",)
    assert box.key_id == "dev-insecure"
    assert open_box(box, context=CONTEXT) == CONTENT


def test_the_keyring_follows_the_setting(settings):
    old = seal(CONTENT, context=CONTEXT)
    settings.BID_SEALING_KEYS = f"{entry('b', KEY_B)},{settings.BID_SEALING_KEYS}"

    new = seal(CONTENT, context=CONTEXT)

    assert new.key_id == "b"
    assert open_box(old, context=CONTEXT) == CONTENT
    assert open_box(new, context=CONTEXT, keyring=RING_B) == CONTENT


def test_a_malformed_setting_fails_on_first_use(settings):
    settings.BID_SEALING_KEYS = "k1:c2hvcnQ"

    with pytest.raises(KeyringError, match="key 'k1' is 5 bytes"):
        seal(CONTENT, context=CONTEXT)


def test_production_refuses_the_development_key():
    result = run_check(
        {
            **PRODUCTION,
            "BID_SEALING_KEYS": f"{entry('k2', KEY_B)},dev-insecure:ZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1zZWNyZXQhISE",
        }
    )

    assert result.returncode != 0
    assert "BID_SEALING_KEYS contains the public development key" in result.stderr
