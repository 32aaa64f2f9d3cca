"""XML Schema validation with lxml against the official XSDs (see ``artefacts.py``).

Each schema is compiled once per process. The schema files are read with a parser that may follow
their local ``xs:import``/``xs:include`` but never the network.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from lxml import etree

from .artefacts import SCHEMAS


@dataclass(frozen=True)
class SchemaError:
    """One schema violation: where (line and an XPath to the element) and what."""

    message: str
    line: int
    path: str


@functools.cache
def schema(name: str) -> etree.XMLSchema:
    path = SCHEMAS[name]()
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(path), parser=parser))


def schema_errors(name: str, root: etree._Element) -> list[SchemaError]:
    """Validate ``root`` against the schema ``name``; the violations, empty when valid."""
    xsd = schema(name)
    if xsd.validate(root):
        return []
    return [SchemaError(message=error.message, line=error.line, path=error.path or "") for error in xsd.error_log]


class RenderError(ValueError):
    """A document rendered by the portal does not satisfy its schema: a bug, or a model the syntax
    cannot carry. The document is not sent."""

    def __init__(self, schema_name: str, errors: list[SchemaError]) -> None:
        self.schema_name = schema_name
        self.errors = errors
        details = "; ".join(f"line {e.line}: {e.message}" for e in errors[:5])
        super().__init__(f"The rendered document does not satisfy {schema_name}: {details}")


def ensure_valid(name: str, root: etree._Element) -> bytes:
    """Validate a rendered tree and serialise it (UTF-8, with declaration); RenderError otherwise."""
    errors = schema_errors(name, root)
    if errors:
        raise RenderError(name, errors)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
