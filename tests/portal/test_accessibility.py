"""Pages a first-time user meets: labelled controls, AA contrast, no scripts needed, light weight."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from tests.factories import member

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "portal.css"


class FormAudit(HTMLParser):
    """Collects form controls, the ids that labels point at, and script tags."""

    def __init__(self):
        super().__init__()
        self.controls, self.labelled, self.scripts, self.lang = [], set(), 0, None
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "script":
            self.scripts += 1
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit"}:
            self.controls.append((attrs.get("id"), attrs.get("name"), self._label_depth > 0 or "aria-label" in attrs))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1

    def unlabelled(self):
        return [name for id_, name, wrapped in self.controls if not wrapped and id_ not in self.labelled]


def audit(response):
    parser = FormAudit()
    parser.feed(response.content.decode())
    return parser


PAGES = ["home", "login", "inbox", "notification-preferences", "api-tokens", "organisation-members"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_every_control_is_labelled_and_no_script_is_needed(client, page):
    admin = member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR)
    organisation = admin.memberships.get().organisation
    if page != "login":
        client.force_login(admin)
    args = [organisation.pk] if page in {"api-tokens", "organisation-members"} else []

    response = client.get(reverse(page, args=args))

    assert response.status_code == 200
    found = audit(response)
    assert found.lang == "es"
    assert found.unlabelled() == []
    assert found.scripts == 0
    assert len(response.content) < 50_000


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        ("ink", "bg"),
        ("muted", "bg"),
        ("muted", "soft"),
        ("brand", "bg"),
        ("brand", "soft"),
        ("bad", "bg"),
        ("bad", "soft"),
        ("ok", "bg"),
        ("#ffffff", "brand"),
        ("#ffffff", "brand-dark"),
        ("#ffffff", "bad"),
    ],
)
def test_colour_pairs_meet_wcag_aa_contrast(foreground, background):
    palette = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))

    def colour(name):
        return name if name.startswith("#") else palette[name]

    assert contrast(colour(foreground), colour(background)) >= 4.5
