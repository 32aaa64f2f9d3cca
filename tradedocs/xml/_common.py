"""Helpers every syntax adapter (CII, UBL, Order-X) uses, whatever its vocabulary.

``Names`` finds, reads and builds elements named ``prefix:Local`` against one namespace map; the
module functions read decimals and dates and write decimals. Each adapter keeps its own wording of
the ``IntakeError("unreadable", …)`` messages: these helpers take the message from the caller.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from lxml import etree

from .intake import IntakeError


class Names:
    """Element names ``prefix:Local`` resolved against ``namespaces``: finding, reading and building."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = namespaces

    # ── reading ──

    def find(self, parent: etree._Element | None, path: str) -> etree._Element | None:
        return None if parent is None else parent.find(path, self.namespaces)

    def findall(self, parent: etree._Element | None, path: str) -> list[etree._Element]:
        return [] if parent is None else parent.findall(path, self.namespaces)

    def text(self, parent: etree._Element | None, path: str = "") -> str:
        """The stripped text of the first ``path`` under ``parent`` (``parent`` itself when the path
        is empty); ``""`` when absent."""
        return stripped(parent if not path else self.find(parent, path))

    def attribute(self, parent: etree._Element | None, path: str, name: str, /) -> str:
        """The stripped attribute ``name`` of the first ``path`` under ``parent``; ``""`` when absent."""
        found = self.find(parent, path)
        return "" if found is None else (found.get(name) or "").strip()

    # ── writing ──

    def qname(self, name: str) -> str:
        prefix, local = name.split(":")
        return f"{{{self.namespaces[prefix]}}}{local}"

    def sub(self, parent: etree._Element, name: str, text: str | None = None, /, **attributes: str) -> etree._Element:
        """Append the child ``prefix:Local`` with optional text; attributes with an empty value are left out."""
        element = etree.SubElement(parent, self.qname(name), {k: v for k, v in attributes.items() if v})
        if text is not None:
            element.text = text
        return element

    def opt(self, parent: etree._Element, name: str, text: str, /, **attributes: str) -> None:
        """An optional text child (or chain ``a/b``, as ``chain``), written only when there is a value."""
        if text:
            self.chain(parent, name, text, **attributes)

    def chain(self, parent: etree._Element, path: str, text: str | None = None, /, **attributes: str) -> etree._Element:
        """Append a chain of new elements ``a/b/c``; text and attributes go on the last."""
        *outer, last = path.split("/")
        for name in outer:
            parent = self.sub(parent, name)
        return self.sub(parent, last, text, **attributes)


def unreadable(message: str) -> IntakeError:
    return IntakeError("unreadable", message)


def stripped(element: etree._Element | None) -> str:
    """The stripped text of ``element``; ``""`` when it is absent or has none."""
    return "" if element is None else (element.text or "").strip()


def to_decimal(raw: str, complaint: Callable[[str], str], *, finite: bool = True) -> Decimal:
    """``raw`` as a Decimal, exactly as written. Not a number (nor, with ``finite``, an infinity or
    NaN): ``unreadable(complaint(what))``, ``what`` being "a number" or "a finite number"."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise unreadable(complaint("a number")) from None
    if finite and not value.is_finite():
        raise unreadable(complaint("a finite number"))
    return value


def ymd(digits: str) -> datetime.date:
    """The date of the first eight digits ``CCYYMMDD``; ValueError when there is no such day."""
    return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


def number(value: Decimal) -> str:
    """The decimal as given, in plain notation so that xs:decimal accepts it (``1E+3`` → ``1000``)."""
    return format(value, "f")
