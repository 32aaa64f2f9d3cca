urlpatterns: list = [
    # Filled by the API modules: suppliers.py (lookup, list, register, sanctions, eligibility) and quotas.py.
]
