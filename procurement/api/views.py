"""Procurement API for integrators: procedure types, plans, tenders, participation and sealed bids.

Every endpoint calls the procurement service that the pages call; the service's refusals become
RFC 9457 problems with its stable ``code`` (``DomainError`` 400, ``RuleViolation`` 409,
``NotFoundError`` 404, ``PermissionDenied`` 403: see ``portal.api.problems``).

Who may call what (see ``procurement.api.permissions``):

- Reads of public data (procedure types, plans, tenders, published answers) are public, as in the
  registry's API: anonymous callers are throttled, people read, tokens need the ``read`` scope. An
  entity's members (and its own token) also see its drafts; everyone else gets 404 for a draft.
- The acts of a contracting entity (plans, tenders, answers), of the oversight body (annulment) and a
  supplier's registration and questions need a signed-in person: tokens get 403, the registry's
  ``PersonOnly`` rule for acts someone answers for. The services record that person (``created_by``,
  ``answered_by``, ``uploaded_by``…) and check their role; no token scope grants those acts.
- Bids: a person who speaks for the supplier, or the supplier's own token with ``bids:write`` (reading
  its bids needs ``read``). A token acts for its own organisation only. The bid services check the
  supplier representative's role and know nothing of scopes, so once the scope is checked the token's
  principal carries that role for its own supplier (``permissions.supplier_actor``); the audit trail
  still names the token.
- The number of live bids per lot: the entity's procurement officers only, never who bid; a bid's
  content is never read here, and another organisation's bid is "not found".
"""

from procurement.api import bids, lifecycle, participation, plans, tenders

urlpatterns = [
    *plans.urlpatterns,
    *tenders.urlpatterns,
    *participation.urlpatterns,
    *bids.urlpatterns,
    *lifecycle.urlpatterns,
]
