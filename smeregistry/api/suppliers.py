"""API for integrators: supplier lookup and search, registration, sanctions, eligibility checks. (To be filled.)"""

urlpatterns: list = []
