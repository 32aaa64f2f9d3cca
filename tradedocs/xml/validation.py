"""Validation of a trade document as a scenario: which schema and which rule sets judge it.

A document says which specification it follows (EN 16931 BT-24, "Specification identifier"): in
CII and Order-X ``rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/
ram:ID``, in UBL ``cbc:CustomizationID``. ``SCENARIOS`` is tried in order and the first scenario
whose root and specification identifier match is used.

Each scenario as (root; specification identifier) → schema; rule sets in order:

- ``facturx-minimum`` (CII; ``urn:factur-x.eu:1p0:minimum``) → cii-facturx-minimum; facturx-minimum
- ``facturx-basicwl`` (CII; ``urn:factur-x.eu:1p0:basicwl``) → cii-facturx-basicwl; facturx-basicwl
- ``facturx-basic`` (CII; ``urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic``)
  → cii-facturx-basic; en16931-cii, facturx-basic
- ``facturx-extended`` (CII; ``urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended``)
  → cii-facturx-extended; en16931-cii, facturx-extended
- ``cii-en16931`` (CII; any other identifier starting ``urn:cen.eu:en16931:2017``) → cii-en16931; en16931-cii
- ``ubl-invoice`` (UBL Invoice; starting ``urn:cen.eu:en16931:2017``) → ubl-invoice; en16931-ubl
- ``ubl-credit-note`` (UBL CreditNote; starting ``urn:cen.eu:en16931:2017``) → ubl-credit-note; en16931-ubl
- ``orderx-basic`` / ``orderx-comfort`` / ``orderx-extended`` (Order-X; ``urn:order-x.eu:1p0:basic`` /
  ``…:comfort`` / ``…:extended``) → orderx-<profile>; orderx-<profile>

Decisions:

- MINIMUM and BASIC WL are not EN 16931 invoices (no lines, no full VAT breakdown): only their
  Factur-X rules apply, never the CEN rules.
- Factur-X rules apply only to a document that declares a Factur-X guideline identifier. The
  Factur-X EN 16931 profile declares exactly ``urn:cen.eu:en16931:2017`` (Factur-X 1.0 §"Profiles";
  the ``factur-x`` package writes the same), the identifier every plain EN 16931 CII invoice carries
  too. Such a document cannot be told apart from a plain CEN invoice, so it is judged by the CEN
  rules only (``en16931-cii``) — as are the CIUS and extensions that build on the EN (XRechnung,
  Peppol BIS, national CIUS: ``urn:cen.eu:en16931:2017#compliant#…``), whose own additional rules
  are not run here. The Factur-X EN 16931 rule set (``facturx-en16931``) is therefore not used.
- No matching scenario: the report carries one fatal finding ``PORTAL-SCENARIO`` naming the
  identifier found (or its absence) and the accepted ones.

Stages: the schema first; each schema violation is a fatal finding with rule id ``XSD``. When the
schema fails, the rule sets are not run (their stages are ``skipped``): Schematron over a document
of the wrong shape reports noise. Then each rule set in order; all of them run even if an earlier
one found errors.

Pure Python, no Django: the web views, the API and the ``validate_document`` command use it alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .intake import Intake
from .rules import FATAL, WARNING, Finding, readable_path, run_rules
from .schemas import schema_errors

__all__ = [
    "FATAL",
    "SCENARIOS",
    "WARNING",
    "Finding",
    "Report",
    "Scenario",
    "Stage",
    "find_scenario",
    "specification_id",
    "validate",
]

CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
CII_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ORDERX = "urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100"
ORDERX_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128"

EN16931 = "urn:cen.eu:en16931:2017"
FACTURX_MINIMUM = "urn:factur-x.eu:1p0:minimum"
FACTURX_BASICWL = "urn:factur-x.eu:1p0:basicwl"
FACTURX_BASIC = "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic"
FACTURX_EXTENDED = "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended"

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"


def _exactly(expected: str) -> Callable[[str | None], bool]:
    return lambda found: found == expected


def _starts_with(prefix: str) -> Callable[[str | None], bool]:
    return lambda found: found is not None and found.startswith(prefix)


@dataclass(frozen=True)
class Scenario:
    """How one kind of document is judged: the schema, then the rule sets in order."""

    name: str
    syntax: str  # "cii" | "ubl" | "orderx"
    root: tuple[str, str]  # (namespace, local name) of the root element
    accepts: Callable[[str | None], bool]  # the specification identifier (BT-24)
    accepted: str  # the identifier(s) accepted, said for people
    schema: str
    rulesets: tuple[str, ...]

    def matches(self, root: etree._Element, spec_id: str | None) -> bool:
        qname = etree.QName(root)
        return (qname.namespace or "", qname.localname) == self.root and self.accepts(spec_id)


_CII_ROOT = (CII, "CrossIndustryInvoice")
_ORDERX_ROOT = (ORDERX, "SCRDMCCBDACIOMessageStructure")

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "facturx-minimum",
        "cii",
        _CII_ROOT,
        _exactly(FACTURX_MINIMUM),
        FACTURX_MINIMUM,
        "cii-facturx-minimum",
        ("facturx-minimum",),
    ),
    Scenario(
        "facturx-basicwl",
        "cii",
        _CII_ROOT,
        _exactly(FACTURX_BASICWL),
        FACTURX_BASICWL,
        "cii-facturx-basicwl",
        ("facturx-basicwl",),
    ),
    Scenario(
        "facturx-basic",
        "cii",
        _CII_ROOT,
        _exactly(FACTURX_BASIC),
        FACTURX_BASIC,
        "cii-facturx-basic",
        ("en16931-cii", "facturx-basic"),
    ),
    Scenario(
        "facturx-extended",
        "cii",
        _CII_ROOT,
        _exactly(FACTURX_EXTENDED),
        FACTURX_EXTENDED,
        "cii-facturx-extended",
        ("en16931-cii", "facturx-extended"),
    ),
    Scenario(
        "cii-en16931",
        "cii",
        _CII_ROOT,
        _starts_with(EN16931),
        f"{EN16931}…",
        "cii-en16931",
        ("en16931-cii",),
    ),
    Scenario(
        "ubl-invoice",
        "ubl",
        (UBL_INVOICE, "Invoice"),
        _starts_with(EN16931),
        f"{EN16931}…",
        "ubl-invoice",
        ("en16931-ubl",),
    ),
    Scenario(
        "ubl-credit-note",
        "ubl",
        (UBL_CREDIT_NOTE, "CreditNote"),
        _starts_with(EN16931),
        f"{EN16931}…",
        "ubl-credit-note",
        ("en16931-ubl",),
    ),
    *(
        Scenario(
            f"orderx-{profile}",
            "orderx",
            _ORDERX_ROOT,
            _exactly(f"urn:order-x.eu:1p0:{profile}"),
            f"urn:order-x.eu:1p0:{profile}",
            f"orderx-{profile}",
            (f"orderx-{profile}",),
        )
        for profile in ("basic", "comfort", "extended")
    ),
)

# Where the specification identifier is, by root element.
_SPEC_ID_PATHS: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    _CII_ROOT: (
        "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
        {"rsm": CII, "ram": CII_RAM},
    ),
    (UBL_INVOICE, "Invoice"): ("cbc:CustomizationID", {"cbc": UBL_CBC}),
    (UBL_CREDIT_NOTE, "CreditNote"): ("cbc:CustomizationID", {"cbc": UBL_CBC}),
    _ORDERX_ROOT: (
        "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
        {"rsm": ORDERX, "ram": ORDERX_RAM},
    ),
}


def specification_id(root: etree._Element) -> str | None:
    """The document's specification identifier (BT-24), whitespace trimmed; None when absent."""
    qname = etree.QName(root)
    where = _SPEC_ID_PATHS.get((qname.namespace or "", qname.localname))
    if where is None:
        return None
    path, namespaces = where
    element = root.find(path, namespaces)
    if element is None:
        return None
    value = " ".join("".join(element.itertext()).split())
    return value or None


def find_scenario(root: etree._Element, spec_id: str | None) -> Scenario | None:
    return next((scenario for scenario in SCENARIOS if scenario.matches(root, spec_id)), None)


@dataclass(frozen=True)
class Stage:
    """One step of a validation: ``schema:<schema>`` or ``rules:<rule set>`` (or ``scenario``)."""

    name: str
    status: str  # "passed" | "failed" | "skipped"
    fatal: int = 0
    warnings: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "fatal": self.fatal,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 4),
        }


@dataclass(frozen=True)
class Report:
    """What the validation of one document found."""

    scenario: str | None
    specification_id: str | None
    syntax: str
    document_type: str
    findings: list[Finding]
    stages: list[Stage]
    svrl: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not any(finding.severity == FATAL for finding in self.findings)

    @property
    def fatal(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == FATAL]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == WARNING]

    def stage(self, name: str) -> Stage | None:
        return next((stage for stage in self.stages if stage.name == name), None)

    def to_dict(self, *, svrl: bool = True) -> dict[str, Any]:
        """JSON-ready (with the raw SVRL per rule set unless ``svrl=False``)."""
        result: dict[str, Any] = {
            "scenario": self.scenario,
            "specification_id": self.specification_id,
            "syntax": self.syntax,
            "document_type": self.document_type,
            "valid": self.valid,
            "findings": [finding.to_dict() for finding in self.findings],
            "stages": [stage.to_dict() for stage in self.stages],
        }
        if svrl:
            result["svrl"] = dict(self.svrl)
        return result


# lxml's XMLSchema objects are cached per process by schemas.schema(); validating with one keeps
# its error log on the shared object, so two threads must not validate with it at the same time.
_schema_lock = threading.Lock()


def _counts(findings: list[Finding]) -> tuple[int, int]:
    fatal = sum(1 for finding in findings if finding.severity == FATAL)
    return fatal, len(findings) - fatal


def validate(intake: Intake, data: bytes) -> Report:
    """Validate a document that passed intake (``data`` are its bytes, ``intake`` their reading)."""
    root = intake.root
    spec_id = specification_id(root)
    scenario = find_scenario(root, spec_id)
    if scenario is None:
        return _no_scenario(intake, spec_id)

    findings: list[Finding] = []
    stages: list[Stage] = []
    svrl: dict[str, str] = {}

    started = time.perf_counter()
    with _schema_lock:
        errors = schema_errors(scenario.schema, root)
    stage_name = f"schema:{scenario.schema}"
    schema_findings = [
        Finding(
            rule_id="XSD",
            severity=FATAL,
            location=error.path,
            path=error.path,
            line=error.line or None,
            message=error.message,
            stage=stage_name,
        )
        for error in errors
    ]
    findings.extend(schema_findings)
    stages.append(
        Stage(
            stage_name,
            FAILED if schema_findings else PASSED,
            fatal=len(schema_findings),
            seconds=time.perf_counter() - started,
        )
    )

    for ruleset in scenario.rulesets:
        if schema_findings:
            stages.append(Stage(f"rules:{ruleset}", SKIPPED))
            continue
        started = time.perf_counter()
        result = run_rules(ruleset, data, root=root)
        svrl[ruleset] = result.svrl
        findings.extend(result.findings)
        fatal, warnings = _counts(result.findings)
        stages.append(
            Stage(
                f"rules:{ruleset}",
                FAILED if fatal else PASSED,
                fatal=fatal,
                warnings=warnings,
                seconds=time.perf_counter() - started,
            )
        )

    return Report(
        scenario=scenario.name,
        specification_id=spec_id,
        syntax=intake.syntax,
        document_type=intake.document_type,
        findings=findings,
        stages=stages,
        svrl=svrl,
    )


def _no_scenario(intake: Intake, spec_id: str | None) -> Report:
    root = intake.root
    qname = etree.QName(root)
    accepted = sorted(
        {scenario.accepted for scenario in SCENARIOS if scenario.root == (qname.namespace or "", qname.localname)}
    )
    found = f"The specification identifier {spec_id!r}" if spec_id else "No specification identifier (BT-24)"
    where = "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID" if intake.syntax != "ubl" else "cbc:CustomizationID"
    accepted_text = ", ".join(accepted) if accepted else "none for this document"
    message = f"{found} was found in {where}; this portal accepts: {accepted_text}."
    location = f"/*:{qname.localname}[namespace-uri()='{qname.namespace or ''}'][1]"
    finding = Finding(
        rule_id="PORTAL-SCENARIO",
        severity=FATAL,
        location=location,
        path=readable_path(location, root),
        line=root.sourceline,
        message=message,
        stage="scenario",
    )
    return Report(
        scenario=None,
        specification_id=spec_id,
        syntax=intake.syntax,
        document_type=intake.document_type,
        findings=[finding],
        stages=[Stage("scenario", FAILED, fatal=1)],
        svrl={},
    )
