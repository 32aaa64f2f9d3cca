"""The UN/CEFACT vocabulary CII and Order-X share: the Reusable Aggregate Business Information
Entities (``ram:``) for addresses, contacts, parties, identifiers, notes, products and trade taxes,
and the header (document context and exchanged document) both messages open with.

CII D16B and Order-X (D20B) use the same element names in different namespace versions
(``ReusableAggregateBusinessInformationEntity:100`` and ``:128``), so ``Ram`` holds the namespace
map and each adapter has its own instance. What differs between the two (document structure, line
and price layout, what a profile leaves out, the wording of unreadable-term messages) stays in
``cii.py`` and ``orderx.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from lxml import etree

from tradedocs.model import Address, Contact, Delivery, Identifier, Invoice, Item, Note, Order, Party

from ._common import Names, number, stripped

DATE_FORMAT = "102"  # UNTDID 2379: CCYYMMDD
VAT = "VAT"  # ram:TypeCode of a trade tax
VAT_SCHEME = "VA"  # the tax registration scheme of a VAT identifier (BT-31, BT-48)
TAX_REGISTRATION_SCHEME = "FC"  # … and of the seller's tax registration (BT-32)
PROJECT_NAME = "Project reference"  # ram:Name of a project is mandatory; the model has only its id (BT-11)


class Ram(Names):
    """The ``ram:`` vocabulary in the namespace version of ``namespaces`` (which maps ``ram``, ``udt``
    and ``rsm``); ``number`` writes a decimal."""

    def __init__(self, namespaces: dict[str, str], *, number: Callable[[Decimal], str] = number) -> None:
        super().__init__(namespaces)
        self.number = number

    # ── reading ──────────────────────────────────────────────────────────────────────────────────

    @staticmethod
    def identifier(element: etree._Element | None, scheme_attribute: str = "schemeID") -> Identifier | None:
        """The identifier ``element`` holds, with its scheme; None when absent or empty."""
        value = stripped(element)
        if not value:
            return None
        return Identifier(value, (element.get(scheme_attribute) or "").strip())

    def parse_address(self, element: etree._Element | None) -> Address | None:
        if element is None:
            return None
        return Address(
            line1=self.text(element, "ram:LineOne"),
            line2=self.text(element, "ram:LineTwo"),
            line3=self.text(element, "ram:LineThree"),
            city=self.text(element, "ram:CityName"),
            postcode=self.text(element, "ram:PostcodeCode"),
            subdivision=self.text(element, "ram:CountrySubDivisionName"),
            country=self.text(element, "ram:CountryID"),
        )

    def parse_contact(self, element: etree._Element | None) -> Contact | None:
        if element is None:
            return None
        return Contact(
            # BT-41 is the person's name, or the department's when no person is named (BT-41-0).
            name=self.text(element, "ram:PersonName") or self.text(element, "ram:DepartmentName"),
            phone=self.text(element, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
            email=self.text(element, "ram:EmailURIUniversalCommunication/ram:URIID"),
        )

    def party_identifiers(self, party: etree._Element) -> tuple[Identifier, ...]:
        """BT-29/BT-46: ram:ID (no scheme) and ram:GlobalID (with one), in document order."""
        tags = (self.qname("ram:ID"), self.qname("ram:GlobalID"))
        found = (self.identifier(e) for e in party if e.tag in tags)
        return tuple(i for i in found if i is not None)

    def legal_organization(self, party: etree._Element, path: str) -> etree._Element | None:
        """``path`` under the party's ram:SpecifiedLegalOrganization (the first one)."""
        return self.find(self.find(party, "ram:SpecifiedLegalOrganization"), path)

    def tax_registration(self, party: etree._Element, scheme: str) -> str:
        """The party's tax registration in ``scheme`` (the first one)."""
        for element in self.findall(party, "ram:SpecifiedTaxRegistration/ram:ID"):
            if (element.get("schemeID") or "").strip() == scheme:
                return stripped(element)
        return ""

    def parse_party(self, party: etree._Element, name: str) -> Party:
        """The party ``party`` whose name (read by the caller, which words its absence) is ``name``."""
        return Party(
            name=name,
            trading_name=stripped(self.legal_organization(party, "ram:TradingBusinessName")),
            identifiers=self.party_identifiers(party),
            legal_id=self.identifier(self.legal_organization(party, "ram:ID")),
            vat_id=self.tax_registration(party, VAT_SCHEME),
            tax_registration_id=self.tax_registration(party, TAX_REGISTRATION_SCHEME),
            legal_info=self.text(party, "ram:Description"),
            electronic_address=self.identifier(self.find(party, "ram:URIUniversalCommunication/ram:URIID")),
            address=self.parse_address(self.find(party, "ram:PostalTradeAddress")) or Address(),
            contact=self.parse_contact(self.find(party, "ram:DefinedTradeContact")),
        )

    def parse_notes(self, document: etree._Element | None) -> tuple[Note, ...]:
        return tuple(
            Note(text=self.text(note, "ram:Content"), subject_code=self.text(note, "ram:SubjectCode"))
            for note in self.findall(document, "ram:IncludedNote")
        )

    def parse_item(self, product: etree._Element | None, name: str) -> Item:
        """The item of ram:SpecifiedTradeProduct ``product`` whose name (read by the caller) is ``name``."""
        classifications = (
            self.identifier(code, "listID")
            for code in self.findall(product, "ram:DesignatedProductClassification/ram:ClassCode")
        )
        return Item(
            name=name,
            description=self.text(product, "ram:Description"),
            seller_id=self.text(product, "ram:SellerAssignedID"),
            buyer_id=self.text(product, "ram:BuyerAssignedID"),
            standard_id=self.identifier(self.find(product, "ram:GlobalID")),
            classifications=tuple(c for c in classifications if c is not None),
            origin_country=self.text(product, "ram:OriginTradeCountry/ram:ID"),
        )

    # ── writing ──────────────────────────────────────────────────────────────────────────────────

    def render_date(
        self, parent: etree._Element, path: str, value: datetime.date | None, *, qualified: bool = False
    ) -> None:
        """An optional date in format 102 at ``path`` (udt:DateTimeString, or qdt: when ``qualified``)."""
        if value is not None:
            self.chain(
                parent,
                f"{path}/{'qdt' if qualified else 'udt'}:DateTimeString",
                value.strftime("%Y%m%d"),
                format=DATE_FORMAT,
            )

    def render_amount(self, parent: etree._Element, name: str, value: Decimal | None, currency: str = "") -> None:
        """An optional amount, quantity or rate, with @currencyID when ``currency`` is given."""
        if value is not None:
            self.sub(parent, name, self.number(value), currencyID=currency)

    def render_id(self, parent: etree._Element, identifier: Identifier | None) -> None:
        """BT-29/46/71: ram:GlobalID with its scheme, or ram:ID when there is none."""
        if identifier is None:
            return
        if identifier.scheme:
            self.sub(parent, "ram:GlobalID", identifier.value, schemeID=identifier.scheme)
        else:
            self.sub(parent, "ram:ID", identifier.value)

    def render_header(self, root: etree._Element, document: Invoice | Order) -> etree._Element:
        """rsm:ExchangedDocumentContext and rsm:ExchangedDocument of an invoice or order; returns the
        (new, empty) rsm:SupplyChainTradeTransaction that follows them."""
        context = self.sub(root, "rsm:ExchangedDocumentContext")
        self.opt(context, "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID", document.business_process)
        self.chain(context, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", document.specification)

        exchanged = self.sub(root, "rsm:ExchangedDocument")
        self.sub(exchanged, "ram:ID", document.number)
        self.sub(exchanged, "ram:TypeCode", document.type_code)
        self.render_date(exchanged, "ram:IssueDateTime", document.issue_date)
        for note in document.notes:
            included = self.sub(exchanged, "ram:IncludedNote")
            self.sub(included, "ram:Content", note.text)
            self.opt(included, "ram:SubjectCode", note.subject_code)
        return self.sub(root, "rsm:SupplyChainTradeTransaction")

    def render_address(self, parent: etree._Element, address: Address | None) -> None:
        if address is None or address == Address():
            return
        element = self.sub(parent, "ram:PostalTradeAddress")
        self.opt(element, "ram:PostcodeCode", address.postcode)
        self.opt(element, "ram:LineOne", address.line1)
        self.opt(element, "ram:LineTwo", address.line2)
        self.opt(element, "ram:LineThree", address.line3)
        self.opt(element, "ram:CityName", address.city)
        self.sub(element, "ram:CountryID", address.country)  # mandatory: an empty one is a RenderError
        self.opt(element, "ram:CountrySubDivisionName", address.subdivision)

    def render_party_details(self, element: etree._Element, party: Party, *, tax_registrations: int = 2) -> None:
        """What follows the identifiers, name and description of a party, in XSD order; at most
        ``tax_registrations`` of the VAT identifier and the tax registration, in that order."""
        if party.legal_id is not None or party.trading_name:
            legal = self.sub(element, "ram:SpecifiedLegalOrganization")
            if party.legal_id is not None:
                self.sub(legal, "ram:ID", party.legal_id.value, schemeID=party.legal_id.scheme)
            self.opt(legal, "ram:TradingBusinessName", party.trading_name)
        if party.contact is not None:
            contact = self.sub(element, "ram:DefinedTradeContact")
            self.opt(contact, "ram:PersonName", party.contact.name)
            self.opt(contact, "ram:TelephoneUniversalCommunication/ram:CompleteNumber", party.contact.phone)
            self.opt(contact, "ram:EmailURIUniversalCommunication/ram:URIID", party.contact.email)
        self.render_address(element, party.address)
        if party.electronic_address is not None:
            self.chain(
                element,
                "ram:URIUniversalCommunication/ram:URIID",
                party.electronic_address.value,
                schemeID=party.electronic_address.scheme,
            )
        registrations = [
            (scheme, value)
            for scheme, value in ((VAT_SCHEME, party.vat_id), (TAX_REGISTRATION_SCHEME, party.tax_registration_id))
            if value
        ]
        for scheme, value in registrations[:tax_registrations]:
            self.chain(element, "ram:SpecifiedTaxRegistration/ram:ID", value, schemeID=scheme)

    def render_product(self, parent: etree._Element, item: Item, *, details: bool = True) -> None:
        """ram:SpecifiedTradeProduct; ``details`` (description, classifications, origin) only when the
        schema has room for them."""
        product = self.sub(parent, "ram:SpecifiedTradeProduct")
        if item.standard_id is not None:
            self.sub(product, "ram:GlobalID", item.standard_id.value, schemeID=item.standard_id.scheme)
        self.opt(product, "ram:SellerAssignedID", item.seller_id)
        self.opt(product, "ram:BuyerAssignedID", item.buyer_id)
        self.sub(product, "ram:Name", item.name)
        if not details:
            return
        self.opt(product, "ram:Description", item.description)
        for classification in item.classifications:
            self.chain(
                product,
                "ram:DesignatedProductClassification/ram:ClassCode",
                classification.value,
                listID=classification.scheme,
            )
        self.opt(product, "ram:OriginTradeCountry/ram:ID", item.origin_country)

    def render_tax(
        self,
        parent: etree._Element,
        name: str,
        category: str,
        rate: Decimal | None,
        *,
        calculated: Decimal | None = None,
        basis: Decimal | None = None,
        exemption_reason: str = "",
        exemption_reason_code: str = "",
    ) -> None:
        """A ram:TradeTaxType in XSD order; a rate that is None (category O) is left out."""
        tax = self.sub(parent, name)
        self.render_amount(tax, "ram:CalculatedAmount", calculated)
        self.sub(tax, "ram:TypeCode", VAT)
        self.opt(tax, "ram:ExemptionReason", exemption_reason)
        self.render_amount(tax, "ram:BasisAmount", basis)
        self.sub(tax, "ram:CategoryCode", category)
        self.opt(tax, "ram:ExemptionReasonCode", exemption_reason_code)
        self.render_amount(tax, "ram:RateApplicablePercent", rate)

    def render_project(self, agreement: etree._Element, reference: str) -> None:
        if reference:
            project = self.sub(agreement, "ram:SpecifiedProcuringProject")
            self.sub(project, "ram:ID", reference)
            self.sub(project, "ram:Name", PROJECT_NAME)

    def render_delivery(self, parent: etree._Element, delivery: Delivery | None, *, event: str) -> None:
        """ram:ApplicableHeaderTradeDelivery: the ship-to party and the date in ``event`` (actual in an
        invoice, requested in an order)."""
        element = self.sub(parent, "ram:ApplicableHeaderTradeDelivery")
        if delivery is None:
            return
        if delivery.party_name or delivery.location_id is not None or delivery.address is not None:
            ship_to = self.sub(element, "ram:ShipToTradeParty")
            self.render_id(ship_to, delivery.location_id)
            self.opt(ship_to, "ram:Name", delivery.party_name)
            self.render_address(ship_to, delivery.address)
        self.render_date(element, f"{event}/ram:OccurrenceDateTime", delivery.date)
