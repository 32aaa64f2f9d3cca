"""Hardened XML intake: hostile documents are refused with their stable codes before anything is
expanded or fetched, and what passes is identified by its root element."""

import hashlib
import socket

import pytest

from tradedocs.xml.intake import MAX_DEPTH, IntakeError, parse_xml, read_document

CII = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">
  <!-- comments are dropped -->
  <rsm:ExchangedDocument/>
</rsm:CrossIndustryInvoice>
"""
UBL_CREDIT_NOTE = b'<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/>'
ORDER_X = b'<x:SCRDMCCBDACIOMessageStructure xmlns:x="urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100"/>'


def refused(data: bytes, **kwargs) -> str:
    with pytest.raises(IntakeError) as error:
        read_document(data, **kwargs)
    return error.value.code


@pytest.mark.parametrize(
    ("data", "syntax", "document_type"),
    [
        (CII, "cii", "invoice"),
        (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', "ubl", "invoice"),
        (UBL_CREDIT_NOTE, "ubl", "credit_note"),
        (ORDER_X, "orderx", "order"),
    ],
)
def test_a_trade_document_is_identified_by_its_root(data, syntax, document_type):
    intake = read_document(data)
    assert (intake.syntax, intake.document_type) == (syntax, document_type)
    assert intake.sha256 == hashlib.sha256(data).hexdigest()
    assert intake.size == len(data)


def test_comments_and_processing_instructions_are_dropped():
    root = parse_xml(CII.replace(b"<rsm:ExchangedDocument/>", b"<?evil x?><rsm:ExchangedDocument/>"))
    assert [element.tag.split("}")[1] for element in root] == ["ExchangedDocument"]


def test_an_external_entity_is_refused_before_any_file_or_network_is_read(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the parser tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY remote SYSTEM "http://127.0.0.1:9/x">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&secret;&remote;</Invoice>"""
    assert refused(xxe) == "doctype_forbidden"


def test_billion_laughs_is_refused():
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
        )
        + b"]><lolz>&lol9;</lolz>"
    )
    assert refused(lol) == "doctype_forbidden"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_a_doctype_in_utf16_is_refused_too(encoding):
    text = '<?xml version="1.0" encoding="UTF-16"?><!doctype x [<!ENTITY a "b">]><x>&a;</x>'
    assert refused(text.encode(encoding)) == "doctype_forbidden"


def test_deep_nesting_is_refused():
    deep = b"<a>" * (MAX_DEPTH + 1) + b"</a>" * (MAX_DEPTH + 1)
    assert refused(deep) == "too_deep"


def test_nesting_up_to_the_limit_is_fine_for_the_parser():
    ok = b"<a>" * MAX_DEPTH + b"</a>" * MAX_DEPTH
    assert parse_xml(ok).tag == "a"


def test_a_20_mb_document_is_refused_without_parsing():
    big = CII.replace(
        b"<rsm:ExchangedDocument/>",
        b"<rsm:ExchangedDocument>" + b"x" * (20 * 1024 * 1024) + b"</rsm:ExchangedDocument>",
    )
    assert refused(big) == "too_large"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"%PDF-1.4 not xml", "not_xml"),
        (b"<Invoice><unclosed></Invoice>", "not_xml"),
        (b'{"json": true}', "not_xml"),
        (b"<html><body>hello</body></html>", "unknown_document"),
        (b'<Invoice xmlns="urn:example:not-ubl"/>', "unknown_document"),
    ],
)
def test_what_is_not_a_trade_document_is_refused_with_its_code(data, code):
    assert refused(data) == code


def test_the_refusal_says_what_to_fix():
    with pytest.raises(IntakeError) as error:
        read_document(b"<Invoice><unclosed></Invoice>")
    assert "well-formed" in error.value.message
