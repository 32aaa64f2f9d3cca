"""Procurement pages (supplier). See procurement/urls.py."""

urlpatterns: list = []
