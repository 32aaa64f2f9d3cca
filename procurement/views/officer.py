"""Procurement pages (officer). See procurement/urls.py."""

urlpatterns: list = []
