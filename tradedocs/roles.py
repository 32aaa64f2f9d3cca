"""Who may send and answer trade documents for an organisation: read by services, selectors and views."""

from portal.accounts.enums import Role

SENDER_ROLES = frozenset({Role.SUPPLIER_REPRESENTATIVE, Role.PROCUREMENT_OFFICER, Role.INTEGRATOR, Role.ADMINISTRATOR})
# An organisation's token acts with the integrator role: a buyer's ERP answers invoices as its officers do.
ANSWER_ROLES = frozenset({Role.PROCUREMENT_OFFICER, Role.SUPPLIER_REPRESENTATIVE, Role.ADMINISTRATOR, Role.INTEGRATOR})
