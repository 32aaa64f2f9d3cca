"""``manage.py validate_document``: one JSON line per file, intake refusals as findings, exit code 0 only
when every file is valid."""

from __future__ import annotations

import inspect
import json

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from tests.tradedocs.test_validation import ORDER_X_BASIC, cii_basic, cii_invoice, ubl_invoice
from tradedocs.management.commands import validate_document

HOSTILE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&secret;</Invoice>"""


@pytest.fixture
def files(tmp_path):
    def write(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def json_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def broken_cii() -> bytes:
    return cii_invoice().replace(
        b"<ram:LineTotalAmount>3500.00</ram:LineTotalAmount>", b"<ram:LineTotalAmount>3600.00</ram:LineTotalAmount>"
    )


def test_a_valid_file_prints_its_verdict_and_exits_normally(files, capsys):
    path = files("invoice.xml", cii_invoice())
    call_command("validate_document", path, "--json")
    [outcome] = json_lines(capsys)
    assert outcome == {
        "file": path,
        "syntax": "cii",
        "document_type": "invoice",
        "scenario": "cii-en16931",
        "valid": True,
        "findings": [],
    }


def test_one_invalid_file_among_several_fails_the_command_after_printing_all(files, capsys):
    paths = [
        files("ubl.xml", ubl_invoice()),
        files("broken.xml", broken_cii()),
        files("order.xml", ORDER_X_BASIC),
    ]
    with pytest.raises(CommandError) as error:
        call_command("validate_document", *paths, "--json")
    assert error.value.returncode == 1
    outcomes = json_lines(capsys)
    assert [(o["file"], o["syntax"], o["valid"]) for o in outcomes] == [
        (paths[0], "ubl", True),
        (paths[1], "cii", False),
        (paths[2], "orderx", True),
    ]
    findings = outcomes[1]["findings"]
    assert {f["rule_id"] for f in findings} == {"BR-CO-10", "BR-CO-13"}
    assert all(set(f) == {"rule_id", "severity", "location", "line", "message"} for f in findings)
    assert all(f["severity"] == "fatal" and isinstance(f["line"], int) for f in findings)


def test_a_hostile_file_is_refused_at_intake(files, capsys):
    path = files("hostile.xml", HOSTILE)
    with pytest.raises(CommandError):
        call_command("validate_document", path, "--json")
    [outcome] = json_lines(capsys)
    assert outcome["valid"] is False
    assert outcome["syntax"] is None
    [finding] = outcome["findings"]
    assert finding["rule_id"] == "INTAKE-doctype_forbidden"
    assert (finding["severity"], finding["location"], finding["line"]) == ("fatal", "", None)
    assert "DOCTYPE" in finding["message"]


@pytest.mark.parametrize(
    ("data", "rule_id"),
    [(b"", "INTAKE-empty"), (b"<not-closed>", "INTAKE-not_xml"), (b"<a xmlns='urn:x'/>", "INTAKE-unknown_document")],
)
def test_other_intake_refusals_keep_their_codes(files, capsys, data, rule_id):
    with pytest.raises(CommandError):
        call_command("validate_document", files("doc.xml", data), "--json")
    [outcome] = json_lines(capsys)
    assert [f["rule_id"] for f in outcome["findings"]] == [rule_id]


def test_an_unreadable_path_is_a_finding(tmp_path, capsys):
    missing = str(tmp_path / "missing.xml")
    with pytest.raises(CommandError):
        call_command("validate_document", missing, str(tmp_path), "--json")
    outcomes = json_lines(capsys)
    assert [o["findings"][0]["rule_id"] for o in outcomes] == ["INTAKE-unreadable_file"] * 2
    assert all(o["syntax"] is None and o["valid"] is False for o in outcomes)


def test_the_readable_summary(files, capsys):
    valid = files("valid.xml", cii_basic())
    broken = files("broken.xml", broken_cii())
    with pytest.raises(CommandError, match="1 of 2 documents are not valid"):
        call_command("validate_document", valid, broken)
    out = capsys.readouterr().out
    assert f"{valid}: VALID (cii invoice facturx-basic)" in out
    assert f"{broken}: INVALID (cii invoice cii-en16931)" in out
    line = next(n for n, text in enumerate(broken_cii().splitlines(), 1) if b"3600.00" in text) - 1
    assert f"  [fatal] BR-CO-10 line {line}: [BR-CO-10]-Sum of Invoice line net amount (BT-106)" in out


def test_the_process_exit_code(files, capsys):
    valid = files("valid.xml", cii_invoice())
    broken = files("broken.xml", broken_cii())
    execute_from_command_line(["manage.py", "validate_document", "--json", valid])  # no SystemExit: 0
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "validate_document", "--json", valid, broken])
    assert exit_.value.code == 1
    assert len(json_lines(capsys)) == 3


def test_the_command_does_not_use_lxml_itself():
    assert "lxml" not in inspect.getsource(validate_document)
