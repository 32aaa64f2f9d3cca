"""Reverse factoring chains (NAFIN "Cadenas Productivas"): buyers' confirmed invoices discounted by
financial institutions without recourse. Lives in ``tradedocs`` because it lives on the invoices that
app holds; its models are registered through ``tradedocs/models.py``."""
