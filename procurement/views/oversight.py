"""Oversight pages: the appeals a reviewer resolves. See procurement/urls.py."""

urlpatterns: list = []
