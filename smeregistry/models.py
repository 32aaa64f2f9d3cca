"""Filled by its own issue; registered now so that migrations and URLs have a home."""
