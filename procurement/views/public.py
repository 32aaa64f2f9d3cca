"""Procurement pages (public). See procurement/urls.py."""

urlpatterns: list = []
