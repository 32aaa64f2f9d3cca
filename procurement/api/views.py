"""Procurement API for integrators."""

urlpatterns: list = []
