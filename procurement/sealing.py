"""Sealed bids: envelope encryption of bid content with master keys that are not in the database.

What this module guarantees, and what it leaves to the services
------------------------------------------------------------------
A bid's content (prices, documents) is stored only as a :class:`SealedBox`. Every field of a box is
safe to keep in the database and in its dumps, exports and backups: without a master key, which
lives only in the environment (``BID_SEALING_KEYS``), a box reveals neither prices nor documents.

This module does **not** decide *when* a box may be opened. The rule "before the opening time nobody
(entity staff, other bidders, administrators, the API, exports, notifications) can read a bid" is
enforced by the procurement services: :func:`open_box` is called only from the opening service, after
it has checked the opening time against :mod:`portal.core.clock` under a row lock, and nothing else
(selectors, serializers, admin, exports, tasks, templates) calls it. Keep it that way: a call to
``open_box`` anywhere else is a bug to be caught in review.

Design
------
* A fresh random 256-bit *data key* per box encrypts the content with AES-256-GCM under a random
  96-bit nonce. The associated data is the algorithm tag plus the caller's ``context``
  (``"tender:42/lot:1/bidder:20601234018/envelope:economic"``), so a box copied onto another bid, lot
  or envelope does not open there, and a box cannot be reinterpreted under another algorithm.
* The data key is wrapped with the active *master key* (key-encryption key) using AES key wrap
  (RFC 3394, NIST SP 800-38F) rather than AES-GCM. Key wrap is made for exactly this: it has an
  integrity check, needs no nonce (so there is no random-nonce budget of about 2**32 messages per
  master key to track over years of bids), and its determinism reveals nothing because each data key
  is random and used once. It cannot carry associated data, but it does not need to: a wrapped key
  moved to another box yields a data key that fails that box's GCM tag. Keeping the key id out of the
  associated data is what lets :func:`rewrap` move old boxes to a new master key without touching
  their content.
* ``digest`` is the SHA-256 of the plaintext, the value printed on the bidder's receipt; it is checked
  again after decryption. Caveat: a digest lets anyone who holds it test guesses offline. Content with
  little entropy (an envelope that is only a price) must carry a random salt field, e.g.
  ``{"salt": secrets.token_hex(16), "price": ...}``, before it is canonicalised and sealed; the salt
  is inside the sealed content and on the receipt, so the bidder can still recompute the digest.

Keys and rotation
-----------------
``BID_SEALING_KEYS`` is ``keyid:base64url-32-bytes[,keyid:...]``. The first key seals; the others only
open older boxes. To rotate: put the new key first and keep the old ones; optionally :func:`rewrap`
the old boxes (a cheap update of ``key_id`` and ``wrapped_key``) and only then drop the old key. A box
whose key was dropped cannot be opened by anyone: keep copies of the keys outside the database, and
never in the same backup as it. Keys are never logged, shown in errors or in ``repr``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "ALGORITHM",
    "Keyring",
    "KeyringError",
    "SealError",
    "SealedBox",
    "TamperedBox",
    "UnknownAlgorithm",
    "UnknownKey",
    "active_keyring",
    "canonical_json",
    "open_box",
    "parse_keyring",
    "receipt_digest",
    "rewrap",
    "seal",
]

#: Tag stored with every box: AES key wrap of the data key, AES-256-GCM of the content, layout v1.
ALGORITHM = "A256KW+A256GCM/v1"

KEY_BYTES = 32
NONCE_BYTES = 12
WRAPPED_KEY_BYTES = KEY_BYTES + 8
TAG_BYTES = 16
KEY_ID_MAX_LENGTH = 32

_KEY_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{KEY_ID_MAX_LENGTH - 1}}}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


# --- Errors ---------------------------------------------------------------------------------------


class KeyringError(ImproperlyConfigured):
    """``BID_SEALING_KEYS`` is malformed. The message names entries and key ids, never key material."""


class SealError(Exception):
    """A box could not be opened. Nothing of its content is returned."""


class UnknownKey(SealError):
    """The box names a master key that is not in the keyring (dropped, or another deployment's)."""


class TamperedBox(SealError):
    """The box fails its integrity checks: altered, truncated, malformed or opened under another context."""


class UnknownAlgorithm(SealError):
    """The box was sealed with an algorithm tag this code does not know."""


# --- Keyring --------------------------------------------------------------------------------------


class Keyring:
    """Master keys by id; the first one seals. Its ``repr`` shows the ids only."""

    __slots__ = ("_keys", "active_id")

    def __init__(self, keys: Mapping[str, bytes], *, active_id: str) -> None:
        if active_id not in keys:
            raise KeyringError(f"The active key {active_id!r} is not in the keyring")
        self._keys = dict(keys)
        self.active_id = active_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def key(self, key_id: str) -> bytes:
        try:
            return self._keys[key_id]
        except KeyError:
            raise UnknownKey(
                f"The box was sealed with master key {key_id!r}, which is not in BID_SEALING_KEYS "
                f"(known: {', '.join(self._keys)})"
            ) from None

    def __repr__(self) -> str:
        return f"Keyring(active_id={self.active_id!r}, key_ids={list(self._keys)!r})"


def parse_keyring(raw: str) -> Keyring:
    """Parse ``keyid:base64url-32-bytes[,keyid:...]``; the first entry is the active key.

    Raises :class:`KeyringError` for an empty value, an entry without ``:``, a bad key id, bad base64,
    a key that is not 32 bytes, a repeated key id or the same key under two ids.
    """
    if not raw or not raw.strip():
        raise KeyringError("BID_SEALING_KEYS is empty: set at least one keyid:base64url-32-bytes entry")
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(raw.split(","), start=1):
        key_id, colon, encoded = (part.strip() for part in entry.strip().partition(":"))
        if not colon or not key_id or not encoded:
            # The entry itself is not repeated: it may be a key pasted without its id.
            raise KeyringError(f"BID_SEALING_KEYS entry {position} is not of the form keyid:base64url-32-bytes")
        if not _KEY_ID.fullmatch(key_id):
            raise KeyringError(
                f"BID_SEALING_KEYS entry {position} has an invalid key id: use 1 to {KEY_ID_MAX_LENGTH} "
                "letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        if key_id in keys:
            raise KeyringError(f"BID_SEALING_KEYS names key id {key_id!r} twice")
        key = _decode_key(key_id, encoded)
        for other_id, other in keys.items():
            if hmac.compare_digest(key, other):
                raise KeyringError(f"BID_SEALING_KEYS keys {other_id!r} and {key_id!r} are the same key")
        keys[key_id] = key
    return Keyring(keys, active_id=next(iter(keys)))


def _decode_key(key_id: str, encoded: str) -> bytes:
    if not _BASE64URL.fullmatch(encoded):
        raise KeyringError(f"BID_SEALING_KEYS key {key_id!r} is not base64url (A-Z, a-z, 0-9, '-', '_')")
    try:
        key = base64.urlsafe_b64decode(encoded.rstrip("=") + "=" * (-len(encoded.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise KeyringError(f"BID_SEALING_KEYS key {key_id!r} is not valid base64url") from None
    if len(key) != KEY_BYTES:
        raise KeyringError(f"BID_SEALING_KEYS key {key_id!r} is {len(key)} bytes; it must be {KEY_BYTES} random bytes")
    return key


@lru_cache(maxsize=4)
def _parse_cached(raw: str) -> Keyring:
    return parse_keyring(raw)


def active_keyring() -> Keyring:
    """The keyring from ``settings.BID_SEALING_KEYS``, parsed and validated on first use.

    Cached by the setting's value, so a changed setting (tests, a reloaded process) takes effect.
    """
    return _parse_cached(settings.BID_SEALING_KEYS)


# --- Boxes ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SealedBox:
    """A sealed bid content: plain values for database columns, none of them secret."""

    algorithm: str
    key_id: str
    wrapped_key: bytes = field(repr=False)
    nonce: bytes = field(repr=False)
    ciphertext: bytes = field(repr=False)
    digest: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form: bytes as standard base64 text."""
        return {
            "algorithm": self.algorithm,
            "key_id": self.key_id,
            "wrapped_key": base64.b64encode(self.wrapped_key).decode("ascii"),
            "nonce": base64.b64encode(self.nonce).decode("ascii"),
            "ciphertext": base64.b64encode(self.ciphertext).decode("ascii"),
            "digest": self.digest,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SealedBox:
        """Inverse of :meth:`to_dict`; a malformed mapping raises :class:`TamperedBox`."""
        expected = {"algorithm", "key_id", "wrapped_key", "nonce", "ciphertext", "digest"}
        if not isinstance(data, Mapping) or set(data) != expected:
            raise TamperedBox(f"A stored box must have exactly the fields {', '.join(sorted(expected))}")
        if not all(isinstance(value, str) for value in data.values()):
            raise TamperedBox("Every field of a stored box must be text")
        if not _HEX_DIGEST.fullmatch(data["digest"]):
            raise TamperedBox("The stored box's digest is not a lowercase hex SHA-256")

        def decode(name: str) -> bytes:
            try:
                return base64.b64decode(data[name], validate=True)
            except (binascii.Error, ValueError):
                raise TamperedBox(f"The stored box's {name} is not valid base64") from None

        return cls(
            algorithm=data["algorithm"],
            key_id=data["key_id"],
            wrapped_key=decode("wrapped_key"),
            nonce=decode("nonce"),
            ciphertext=decode("ciphertext"),
            digest=data["digest"],
        )


def receipt_digest(plaintext: bytes) -> str:
    """Hex SHA-256 of exactly the bytes received: the digest printed on the bid's receipt."""
    return hashlib.sha256(plaintext).hexdigest()


def _associated_data(context: str) -> bytes:
    if not isinstance(context, str) or not context:
        raise ValueError("A sealing context is required, e.g. 'tender:42/lot:1/bidder:…/envelope:economic'")
    # The tag never contains NUL, so the split between tag and context is unambiguous.
    return ALGORITHM.encode("ascii") + b"\x00" + context.encode("utf-8")


def seal(plaintext: bytes, *, context: str, keyring: Keyring | None = None) -> SealedBox:
    """Encrypt ``plaintext`` for the bid named by ``context`` under the active master key.

    ``keyring`` defaults to :func:`active_keyring`. The same ``context`` must be given to open the box.
    """
    if not isinstance(plaintext, bytes):
        raise TypeError(f"seal() takes bytes, not {type(plaintext).__name__}; see canonical_json()")
    associated_data = _associated_data(context)
    if keyring is None:
        keyring = active_keyring()
    data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return SealedBox(
        algorithm=ALGORITHM,
        key_id=keyring.active_id,
        wrapped_key=aes_key_wrap(keyring.key(keyring.active_id), data_key),
        nonce=nonce,
        ciphertext=AESGCM(data_key).encrypt(nonce, plaintext, associated_data),
        digest=receipt_digest(plaintext),
    )


def _unwrap(box: SealedBox, keyring: Keyring) -> bytes:
    if box.algorithm != ALGORITHM:
        raise UnknownAlgorithm(f"The box was sealed with {box.algorithm!r}; this portal opens {ALGORITHM!r}")
    master_key = keyring.key(box.key_id)
    if len(box.wrapped_key) != WRAPPED_KEY_BYTES:
        raise TamperedBox(f"The box's wrapped key is {len(box.wrapped_key)} bytes, not {WRAPPED_KEY_BYTES}")
    try:
        return aes_key_unwrap(master_key, box.wrapped_key)
    except InvalidUnwrap:
        raise TamperedBox(
            f"The box's wrapped key does not unwrap with master key {box.key_id!r}: it was altered"
        ) from None


def open_box(box: SealedBox, *, context: str, keyring: Keyring | None = None) -> bytes:
    """Decrypt a box sealed for ``context``; all of the content or an exception, never part of it.

    Raises :class:`UnknownKey` if its master key is not in the keyring, :class:`UnknownAlgorithm` for
    an unknown tag, and :class:`TamperedBox` if any field was altered or the context differs.
    Only the opening service may call this, after the opening time (see the module docstring).
    """
    associated_data = _associated_data(context)
    data_key = _unwrap(box, active_keyring() if keyring is None else keyring)
    if len(box.nonce) != NONCE_BYTES or len(box.ciphertext) < TAG_BYTES:
        raise TamperedBox("The box's nonce or ciphertext has the wrong length: it was altered or truncated")
    try:
        plaintext = AESGCM(data_key).decrypt(box.nonce, box.ciphertext, associated_data)
    except InvalidTag:
        raise TamperedBox(
            "The box does not open: its content, nonce or key was altered, or it belongs to another "
            f"bid than {context!r}"
        ) from None
    if not hmac.compare_digest(receipt_digest(plaintext), box.digest):
        raise TamperedBox("The box opens but its stored digest does not match its content: the digest was altered")
    return plaintext


def rewrap(box: SealedBox, *, keyring: Keyring | None = None) -> SealedBox:
    """The same box with its data key wrapped under the keyring's active master key.

    For key rotation: content, nonce and digest are unchanged and the content is never decrypted, so
    this may run before the opening time. A box already under the active key is returned as is.
    """
    if keyring is None:
        keyring = active_keyring()
    if box.key_id == keyring.active_id:
        return box
    data_key = _unwrap(box, keyring)
    return SealedBox(
        algorithm=box.algorithm,
        key_id=keyring.active_id,
        wrapped_key=aes_key_wrap(keyring.key(keyring.active_id), data_key),
        nonce=box.nonce,
        ciphertext=box.ciphertext,
        digest=box.digest,
    )


# --- Canonical content ----------------------------------------------------------------------------


def canonical_json(obj: Any) -> bytes:
    """Bid content as canonical JSON bytes: equal content gives equal bytes, so equal receipt digests.

    Sorted keys, no whitespace, UTF-8 (non-ASCII kept as is). ``Decimal`` becomes a string in plain
    notation without trailing zeros (``Decimal("1234.50")`` and ``Decimal("1234.5")`` are equal, so
    both give ``"1234.5"``); tuples become lists. Floats are refused (money is ``Decimal``; a float
    has no single decimal form), as are non-finite Decimals, non-text keys and any other type.
    """
    return json.dumps(
        _canonical(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _canonical(obj: Any) -> Any:
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, Decimal):
        return _decimal_text(obj)
    if isinstance(obj, Mapping):
        for key in obj:
            if not isinstance(key, str):
                raise TypeError(f"canonical_json() needs text keys, not {type(key).__name__} ({key!r})")
        return {key: _canonical(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_canonical(item) for item in obj]
    if isinstance(obj, float):
        raise TypeError("canonical_json() refuses floats: use Decimal for amounts and quantities")
    raise TypeError(f"canonical_json() cannot serialise {type(obj).__name__}")


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"canonical_json() refuses the non-finite Decimal {value}")
    if value.is_zero():
        return "0"
    # format(..., "f") is exact (no context rounding, unlike normalize()) and never uses exponents.
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
