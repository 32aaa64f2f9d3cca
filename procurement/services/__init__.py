"""Write side of public procurement, one module per aggregate (plans, tenders)."""
