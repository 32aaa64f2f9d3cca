"""Hardened intake of XML documents from integrators and people: the one way bytes become a tree.

One parser configuration for the whole portal: no DTD is loaded or validated, no entity is resolved
or expanded, nothing is fetched from the network, huge text nodes are not allowed, and comments and
processing instructions are dropped. Before parsing, the bytes are checked: not empty, not larger
than ``MAX_BYTES``, and without a document type declaration (a DOCTYPE is refused outright, so that
neither external entities nor entity expansion — "billion laughs" — can reach the parser). After
parsing, the tree may be no deeper than ``MAX_DEPTH``.

Every refusal is an ``IntakeError`` with a stable ``code`` an integrator can match on:
``empty``, ``too_large``, ``doctype_forbidden``, ``not_xml``, ``too_deep``, ``unknown_document``.

``read_document`` also says what the document is (the syntax and type, from the root element's
namespace and name) and keeps the original bytes' SHA-256, the identity used for idempotent
resubmission.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from lxml import etree

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64

# (namespace, root element) → (syntax, document type)
KNOWN_ROOTS: dict[tuple[str, str], tuple[str, str]] = {
    ("urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100", "CrossIndustryInvoice"): ("cii", "invoice"),
    ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "Invoice"): ("ubl", "invoice"),
    ("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "CreditNote"): ("ubl", "credit_note"),
    ("urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100", "SCRDMCCBDACIOMessageStructure"): (
        "orderx",
        "order",
    ),
}

# A DOCTYPE anywhere before the root element, in any of the encodings lxml would accept (UTF-8/ASCII
# and UTF-16 in either byte order): the check looks at the bytes, not at a decoded string.
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DOCTYPE_UTF16 = ("<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


class IntakeError(ValueError):
    """A document refused at the door, with a stable ``code`` and a message saying what to fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Intake:
    """A document that passed the door: its tree, what it is, and the identity of its bytes."""

    root: etree._Element
    syntax: str
    document_type: str
    sha256: str
    size: int


def hardened_parser() -> etree.XMLParser:
    """The portal's only XML parser configuration (a new one per call: lxml parsers are not
    thread-safe)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _has_doctype(data: bytes) -> bool:
    head = data[: 64 * 1024]  # a DOCTYPE comes before the root element, at the top
    upper = head.upper()
    return bool(_DOCTYPE.search(head)) or any(marker.upper() in upper for marker in _DOCTYPE_UTF16)


def _depth(root: etree._Element) -> int:
    deepest = 0
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in element)
    return deepest


def parse_xml(data: bytes, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse ``data`` with the hardened parser after the byte checks; the root element, or IntakeError."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_xml takes the document's bytes, as received")
    if not data.strip():
        raise IntakeError("empty", "The document is empty.")
    if len(data) > max_bytes:
        raise IntakeError(
            "too_large", f"The document is larger than {max_bytes // (1024 * 1024)} MB; send it in parts or compressed."
        )
    if _has_doctype(bytes(data)):
        raise IntakeError("doctype_forbidden", "Documents with a DOCTYPE declaration are not accepted.")
    try:
        root = etree.fromstring(bytes(data), parser=hardened_parser())
    except etree.XMLSyntaxError as error:
        raise IntakeError("not_xml", f"The document is not well-formed XML: {error.msg}") from None
    if root is None:
        raise IntakeError("not_xml", "The document has no root element.")
    if _depth(root) > MAX_DEPTH:
        raise IntakeError("too_deep", f"The document is nested more than {MAX_DEPTH} levels deep.")
    return root


def read_document(data: bytes, *, max_bytes: int = MAX_BYTES) -> Intake:
    """Parse and identify a trade document: a CII or UBL invoice, a UBL credit note, an Order-X order."""
    root = parse_xml(data, max_bytes=max_bytes)
    qname = etree.QName(root)
    known = KNOWN_ROOTS.get((qname.namespace or "", qname.localname))
    if known is None:
        raise IntakeError(
            "unknown_document",
            f"The root element {{{qname.namespace or ''}}}{qname.localname} is not a CII or UBL invoice, a UBL "
            "credit note or an Order-X order.",
        )
    syntax, document_type = known
    return Intake(
        root=root,
        syntax=syntax,
        document_type=document_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
