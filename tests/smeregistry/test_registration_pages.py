"""The supplier's pages: the guided registration, their own record, consortia, the category picker."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.accounts.models import Membership, Organisation, User
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from smeregistry.models import (
    Consortium,
    ConsortiumMember,
    RegistrationDraft,
    Supplier,
    SupplierCategory,
    SupplierDocument,
)
from tests.factories import UserFactory, valid_ruc
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

PASSWORD = "Quinua.Andina.2026"
RUC = valid_ruc(70_000_001)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

STEP_VALUES = {
    1: {"ruc": RUC, "legal_name": "Quinua del Valle S.A.C.", "trade_name": "Quinua Valle"},
    2: {
        "address": "Jr. Puno 245, Huancayo",
        "region_code": "12",
        "district_ubigeo": "120101",
        "phone": "064 212345",
        "email": "ventas@quinuavalle.pe",
    },
    3: {"representative_name": "Rosa Mamani Quispe", "representative_document": "41234567"},
    4: {"registers": ["goods", "services"], "category_codes": ["43210000"]},
    5: {"annual_sales": "500000.00", "sales_fiscal_year": "2025", "employees": "6"},
}


@pytest.fixture(autouse=True)
def _english_and_private_media(client, settings, tmp_path):
    # Messages are asserted in English (the msgids); the Spanish catalogue is kept by translators.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path


def step_url(n: int) -> str:
    return reverse("supplier-register-step", args=[n])


def create_account(client, email: str = "rosa@quinuavalle.pe"):
    return client.post(
        reverse("supplier-register"),
        {
            "first_name": "Rosa",
            "last_name": "Mamani",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def fill_steps(client, last: int, **overrides):
    """Post steps 1..last (5 at most) with valid values; ``overrides`` replace values by step number."""
    for n in range(1, min(last, 5) + 1):
        values = {**STEP_VALUES[n], **overrides.get(f"step{n}", {})}
        response = client.post(step_url(n), values)
        assert response.status_code == 302, (n, response.content.decode()[:3000])


def upload(client, name: str, content: bytes, doc_type: str = "ruc_record"):
    return client.post(
        step_url(6), {"action": "upload", "doc_type": doc_type, "file": SimpleUploadedFile(name, content)}
    )


def registry_rows() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "suppliers": Supplier.objects.count(),
        "memberships": Membership.objects.count(),
        "categories": SupplierCategory.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


NOTHING = {"organisations": 0, "suppliers": 0, "memberships": 0, "categories": 0, "audit": 0, "notifications": 0}


class PageAudit(HTMLParser):
    """The visible form fields inside <main> (a group of checkboxes with one name is one field),
    labels, and scripts."""

    def __init__(self):
        super().__init__()
        self.in_main = False
        self.fields: list[str] = []
        self.controls: list[tuple[str | None, bool]] = []
        self.labelled: set[str] = set()
        self.scripts = 0
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        if tag == "script":
            self.scripts += 1
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit", "button"}:
            self.controls.append((attrs.get("id"), self._label_depth > 0 or "aria-label" in attrs))
            if self.in_main and attrs.get("name") not in self.fields:
                self.fields.append(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1
        if tag == "main":
            self.in_main = False

    def unlabelled(self) -> list[str | None]:
        return [id_ for id_, wrapped in self.controls if not wrapped and id_ not in self.labelled]


def audit(response) -> PageAudit:
    parser = PageAudit()
    parser.feed(response.content.decode())
    return parser


# --- The whole wizard -----------------------------------------------------------------------------


def test_a_first_time_user_registers_from_account_to_submission(client):
    # given an anonymous visitor
    response = client.get(reverse("supplier-register"))
    assert response.status_code == 200
    assert "Create my account and continue" in response.content.decode()

    # when they create their account
    response = create_account(client)

    # then they are signed in and sent to step 1; only the account was written
    assert response.status_code == 302
    assert response["Location"] == step_url(1)
    user = User.objects.get(email="rosa@quinuavalle.pe")
    assert (user.username, user.first_name, user.last_name) == ("rosa@quinuavalle.pe", "Rosa", "Mamani")
    assert user.check_password(PASSWORD)
    assert registry_rows() == NOTHING
    page = client.get(step_url(1)).content.decode()
    assert "Step 1 of 7: Your business" in page

    # when they fill the five steps of fields
    fill_steps(client, 5)

    # then the size step shows the size class in plain words
    response = client.get(step_url(5))
    assert "With sales of S/ 500,000.00 in 2025 (93.46 UIT) your business is a MICRO enterprise." in (
        response.content.decode()
    )
    draft = RegistrationDraft.objects.get(user=user)
    assert draft.data == {
        "ruc": RUC,
        "legal_name": "Quinua del Valle S.A.C.",
        "trade_name": "Quinua Valle",
        "address": "Jr. Puno 245, Huancayo",
        "region_code": "12",
        "district_ubigeo": "120101",
        "phone": "064 212345",
        "email": "ventas@quinuavalle.pe",
        "representative_name": "Rosa Mamani Quispe",
        "representative_document": "41234567",
        "registers": ["goods", "services"],
        "category_codes": ["43210000"],
        "annual_sales": "500000.00",
        "sales_fiscal_year": 2025,
        "employees": 6,
    }
    assert registry_rows() == NOTHING

    # when they upload a document and continue to the review
    assert upload(client, "ficha-ruc.pdf", PDF).status_code == 302
    response = client.post(step_url(6), {"action": "continue"})
    assert response["Location"] == step_url(7)
    review = client.get(step_url(7)).content.decode()
    assert "Quinua del Valle S.A.C." in review
    assert "Junín" in review
    assert "ficha-ruc.pdf" in review
    assert registry_rows() == NOTHING

    # when they send it
    response = client.post(step_url(7))

    # then the supplier waits for verification, with its size, its documents and its representative
    assert response.status_code == 200
    page = response.content.decode()
    assert "It now awaits verification by the registry" in page
    assert "Your business is a MICRO enterprise." in page
    supplier = Supplier.objects.get(ruc=RUC)
    assert (supplier.status, supplier.size_class, supplier.legal_name) == (
        "pending",
        "micro",
        "Quinua del Valle S.A.C.",
    )
    assert (supplier.region.code, supplier.district_ubigeo, supplier.annual_sales) == (
        "12",
        "120101",
        Decimal("500000.00"),
    )
    assert (supplier.goods, supplier.services, supplier.works_consulting) == (True, True, False)
    assert list(supplier.category_links.values_list("category__code", flat=True)) == ["43210000"]
    document = SupplierDocument.objects.get()
    assert (document.supplier_id, document.owner_id, document.content_type) == (supplier.pk, user.pk, "application/pdf")
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {
        "supplier_representative",
        "administrator",
    }
    assert not RegistrationDraft.objects.filter(user=user).exists()
    assert list(AuditEvent.objects.filter(action="supplier.registered").values_list("object_id", flat=True)) == [
        str(supplier.pk)
    ]


def test_the_account_needs_a_unique_email_and_a_good_password_twice(client):
    UserFactory(email="Rosa@QuinuaValle.pe")

    response = client.post(
        reverse("supplier-register"),
        {
            "first_name": "Rosa",
            "last_name": "Mamani",
            "email": "rosa@quinuavalle.pe",
            "password1": "123",
            "password2": "124",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "An account with this e-mail already exists. Sign in with it instead." in page
    assert "The two passwords are not the same. Write them again." in page
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("supplier-register"),
        {"first_name": "Ana", "last_name": "Poma", "email": "ana@poma.pe", "password1": "12345", "password2": "12345"},
    )
    assert response.status_code == 400
    assert "This password is too short. It must contain at least 10 characters." in response.content.decode()
    assert User.objects.count() == 1


def test_resume_after_signing_out_lands_on_the_first_unfinished_step(client):
    # given someone who saved three steps and left
    create_account(client)
    fill_steps(client, 3)
    client.post(reverse("logout"))

    # when they sign in again and open the registration
    client.post(reverse("login"), {"username": "rosa@quinuavalle.pe", "password": PASSWORD})
    response = client.get(reverse("supplier-register"))

    # then they continue at step 4, and can go back to edit step 1
    assert response.status_code == 302
    assert response["Location"] == step_url(4)
    step1 = client.get(step_url(1)).content.decode()
    assert f'value="{RUC}"' in step1
    assert "Quinua del Valle S.A.C." in step1
    # a step further than the first unfinished one sends them back to it
    assert client.get(step_url(6))["Location"] == step_url(4)


def test_another_persons_draft_is_never_visible(client):
    create_account(client)
    fill_steps(client, 2)
    client.post(reverse("logout"))

    other = UserFactory()
    client.force_login(other)
    response = client.get(reverse("supplier-register"))

    assert response["Location"] == step_url(1)
    page = client.get(step_url(1)).content.decode()
    assert RUC not in page
    assert "Quinua del Valle" not in page
    assert client.get(step_url(2))["Location"] == step_url(1)


def test_anonymous_visitors_are_sent_to_sign_in_for_the_steps(client):
    response = client.get(step_url(2))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={step_url(2)}"


# --- Step 1: the RUC ------------------------------------------------------------------------------


def test_a_ruc_with_a_wrong_check_digit_is_refused_at_step_1_saying_what_to_fix(client):
    create_account(client)
    bad = RUC[:-1] + str((int(RUC[-1]) + 1) % 10)

    response = client.post(step_url(1), {**STEP_VALUES[1], "ruc": bad})

    assert response.status_code == 400
    assert "The RUC must have 11 digits and a valid check digit (e.g. 20131312955)." in response.content.decode()
    assert not RegistrationDraft.objects.exists()
    assert registry_rows() == NOTHING


def test_a_duplicate_ruc_is_refused_at_step_1_and_again_at_submission_leaving_nothing(client):
    # given a RUC someone else already registered
    other = registered_supplier(1)
    create_account(client)

    # when it is typed at step 1, then it is refused there
    response = client.post(step_url(1), {**STEP_VALUES[1], "ruc": other.ruc})
    assert response.status_code == 400
    message = (
        f"A supplier with RUC {other.ruc} is already registered. If it is yours, ask its administrator to add you."
    )
    assert message in response.content.decode()
    assert not RegistrationDraft.objects.filter(data__has_key="ruc").exists()

    # given a free RUC saved at step 1, and the other supplier registered with it before the submission
    fill_steps(client, 5)
    client.post(step_url(6), {"action": "continue"})
    registered_supplier(2, ruc=RUC)
    before = registry_rows()

    # when the registration is sent
    response = client.post(step_url(7))

    # then the refusal is shown at step 1, with the RUC field, and nothing was written
    assert response.status_code == 400
    page = response.content.decode()
    assert "Step 1 of 7: Your business" in page
    assert f"A supplier with RUC {RUC} is already registered." in page
    assert registry_rows() == before
    assert Supplier.objects.filter(ruc=RUC).count() == 1
    user = User.objects.get(email="rosa@quinuavalle.pe")
    assert not Membership.objects.filter(user=user).exists()
    assert RegistrationDraft.objects.filter(user=user).exists()


def test_invalid_input_on_a_step_shows_the_same_page_with_errors(client):
    create_account(client)
    fill_steps(client, 1)

    response = client.post(step_url(2), {**STEP_VALUES[2], "district_ubigeo": "150101"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Step 2 of 7: Address and contact" in page
    assert "The district ubigeo has 6 digits and starts with the region&#x27;s code (12)." in page
    assert "address" not in RegistrationDraft.objects.get().data


# --- Step 4: categories without JavaScript ---------------------------------------------------------


def test_the_category_search_reloads_the_page_keeping_the_chosen_ones(client):
    create_account(client)
    fill_steps(client, 3)

    response = client.post(
        step_url(4), {"action": "search", "q": "4321", "registers": ["goods"], "category_codes": ["43000000"]}
    )

    assert response.status_code == 200
    found = audit(response)
    page = response.content.decode()
    assert 'value="43000000" id="id_category_codes_0" checked' in page
    assert 'value="43210000"' in page
    assert found.unlabelled() == []
    assert "category_codes" not in RegistrationDraft.objects.get().data

    response = client.post(step_url(4), {"action": "save", "registers": ["goods"], "category_codes": []})
    assert response.status_code == 400
    assert "Choose at least one category of what you sell, from the list." in response.content.decode()


# --- Step 5: the size on its boundaries -----------------------------------------------------------


@pytest.mark.parametrize(
    ("sales", "sentence"),
    [
        ("802500.00", "With sales of S/ 802,500.00 in 2025 (150.00 UIT) your business is a MICRO enterprise."),
        ("802501.00", "With sales of S/ 802,501.00 in 2025 (150.00 UIT) your business is a SMALL enterprise."),
    ],
)
def test_the_size_step_shows_the_size_class_on_the_exact_boundary(client, sales, sentence):
    create_account(client)
    fill_steps(client, 4)

    response = client.post(step_url(5), {**STEP_VALUES[5], "annual_sales": sales}, follow=True)

    assert response.status_code == 200
    assert sentence in response.content.decode()
    assert RegistrationDraft.objects.get().data["annual_sales"] == sales


# --- Step 6: documents ----------------------------------------------------------------------------


def test_a_pdf_is_kept_with_its_digest_and_can_be_removed(client):
    create_account(client)
    fill_steps(client, 5)

    response = upload(client, "ficha.pdf", PDF)

    assert response.status_code == 302
    document = SupplierDocument.objects.get()
    assert (document.supplier, document.doc_type, document.size) == (None, "ruc_record", len(PDF))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "ficha.pdf" in client.get(step_url(6)).content.decode()

    response = client.post(step_url(6), {"action": "remove", "document": document.pk})
    assert response.status_code == 302
    assert not SupplierDocument.objects.exists()


def test_an_exe_renamed_to_pdf_is_refused_and_nothing_is_stored(client, settings):
    create_account(client)
    fill_steps(client, 5)

    response = upload(client, "ficha.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)

    assert response.status_code == 400
    assert "Upload a PDF, JPEG or PNG file." in response.content.decode()
    assert not SupplierDocument.objects.exists()
    assert list(settings.MEDIA_ROOT.rglob("*.*")) == []


def test_a_file_over_5_mb_is_refused_and_nothing_is_stored(client, settings):
    create_account(client)
    fill_steps(client, 5)

    response = upload(client, "escaneo.pdf", b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024))

    assert response.status_code == 413
    assert "The file is larger than 5 MB." in response.content.decode()
    assert not SupplierDocument.objects.exists()
    assert list(settings.MEDIA_ROOT.rglob("*.*")) == []


def test_someone_elses_document_cannot_be_removed(client):
    create_account(client)
    fill_steps(client, 5)
    upload(client, "ficha.pdf", PDF)
    document = SupplierDocument.objects.get()
    client.post(reverse("logout"))
    client.force_login(UserFactory())
    client.post(step_url(1), STEP_VALUES[1] | {"ruc": valid_ruc(70_000_002)})
    fill_steps(client, 5, step1={"ruc": valid_ruc(70_000_002)})

    response = client.post(step_url(6), {"action": "remove", "document": document.pk})

    assert response.status_code == 404
    assert SupplierDocument.objects.filter(pk=document.pk).exists()
    assert "ficha.pdf" not in client.get(step_url(6)).content.decode()


# --- Light, labelled, no script, few fields -------------------------------------------------------


def test_every_page_of_the_registration_is_light_labelled_and_has_fewer_than_ten_fields(client):
    pages = [client.get(reverse("supplier-register"))]
    create_account(client)
    fill_steps(client, 5)
    upload(client, "ficha.pdf", PDF)
    client.post(step_url(6), {"action": "continue"})
    pages += [client.get(step_url(n)) for n in range(1, 8)]
    pages.append(client.get(step_url(4), {"q": "43"}))

    for response in pages:
        assert response.status_code == 200
        found = audit(response)
        assert len(found.fields) < 10, found.fields
        assert found.scripts == 0
        assert found.unlabelled() == []
        assert len(response.content) < 50_000
        assert 'name="csrfmiddlewaretoken"' in response.content.decode()
        assert '<link rel="stylesheet"' in response.content.decode()  # it extends base.html
    assert [audit(r).fields for r in pages[:4]] == [
        ["first_name", "last_name", "email", "password1", "password2"],
        ["ruc", "legal_name", "trade_name"],
        ["address", "region_code", "district_ubigeo", "phone", "email"],
        ["representative_name", "representative_document"],
    ]


# --- The supplier's own page ----------------------------------------------------------------------


def test_supplier_mine_needs_a_signed_in_person(client):
    for name in ("supplier-mine", "consortium-create"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={reverse(name)}"


def test_supplier_mine_without_a_supplier_links_to_the_registration(client):
    client.force_login(UserFactory())

    response = client.get(reverse("supplier-mine"))

    assert response.status_code == 200
    assert f'href="{reverse("supplier-register")}"' in response.content.decode()


def test_supplier_mine_shows_the_record_and_takes_newer_sales(client):
    supplier = registered_supplier(1)
    client.force_login(supplier.owner)

    response = client.get(reverse("supplier-mine"))
    found = audit(response)
    assert (found.scripts, found.unlabelled(), len(response.content) < 50_000) == (0, [], True)
    page = response.content.decode()
    assert supplier.legal_name in page
    assert "Active" in page
    assert "With sales of S/ 500,000.00 in 2025 (93.46 UIT) your business is a MICRO enterprise." in page

    prefix = f"s{supplier.pk}"
    response = client.post(
        reverse("supplier-mine"),
        {
            "supplier": supplier.pk,
            "action": "size",
            f"{prefix}-annual_sales": "9100000.00",
            f"{prefix}-sales_fiscal_year": "2025",
            f"{prefix}-employees": "40",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "(1,700.93 UIT) your business is a MEDIUM enterprise." in response.content.decode()
    supplier.refresh_from_db()
    assert (supplier.annual_sales, supplier.size_class, supplier.employees) == (Decimal("9100000.00"), "medium", 40)


def test_supplier_mine_refuses_a_renewal_too_early_with_its_message(client):
    supplier = registered_supplier(1)
    client.force_login(supplier.owner)
    before = registry_rows()

    response = client.post(reverse("supplier-mine"), {"supplier": supplier.pk, "action": "renew"})

    assert response.status_code == 400
    assert "A registration can be renewed from 60 days before it expires." in response.content.decode()
    assert registry_rows() == before


def test_supplier_mine_renews_within_the_window(client, frozen_clock):
    supplier = registered_supplier(1)
    client.force_login(supplier.owner)
    expires = supplier.valid_until
    frozen_clock.advance(days=330)  # 35 days before it expires

    response = client.post(reverse("supplier-mine"), {"supplier": supplier.pk, "action": "renew"}, follow=True)

    supplier.refresh_from_db()
    assert response.status_code == 200
    assert supplier.valid_until == expires + timedelta(days=365)
    assert f"Your registration was renewed until {supplier.valid_until}." in response.content.decode()


def test_supplier_mine_does_not_act_on_someone_elses_supplier(client):
    supplier = registered_supplier(1)
    client.force_login(UserFactory())

    response = client.post(reverse("supplier-mine"), {"supplier": supplier.pk, "action": "renew"})

    assert response.status_code == 404


# --- Consortia ------------------------------------------------------------------------------------


def consortium_post(client, lead, members: list[tuple[str, str]], share_1: str, name: str = "Consorcio Sierra"):
    values = {"name": name, "lead": lead.pk, "share_1": share_1}
    for n, (ruc, share) in enumerate(members, start=2):
        values[f"ruc_{n}"] = ruc
        values[f"share_{n}"] = share
    return client.post(reverse("consortium-create"), values)


def test_a_consortium_of_micro_and_small_suppliers_is_mype(client):
    lead = registered_supplier(1)
    small = registered_supplier(2, annual_sales="900000.00")
    client.force_login(lead.owner)
    form_page = client.get(reverse("consortium-create"))
    found = audit(form_page)
    assert (found.scripts, found.unlabelled(), len(form_page.content) < 50_000) == (0, [], True)
    assert f'name="lead" value="{lead.pk}"' in form_page.content.decode()

    response = consortium_post(client, lead, [(small.ruc, "40")], "60", name="Consorcio Sierra")

    assert response.status_code == 200
    page = response.content.decode()
    assert "This consortium counts as MYPE" in page
    consortium = Consortium.objects.get()
    assert (consortium.name, consortium.lead_id) == ("Consorcio Sierra", lead.pk)
    assert sorted(consortium.members.values_list("supplier__ruc", "participation")) == sorted(
        [(lead.ruc, Decimal("60.00")), (small.ruc, Decimal("40.00"))]
    )


def test_a_member_of_medium_size_makes_the_consortium_not_mype(client):
    lead = registered_supplier(1)
    medium = registered_supplier(2, annual_sales="10000000.00")
    assert medium.size_class == "medium"
    client.force_login(lead.owner)

    response = consortium_post(client, lead, [(medium.ruc, "50")], "50")

    assert response.status_code == 200
    page = response.content.decode()
    assert "This consortium does not count as MYPE" in page
    assert f"{medium.legal_name} (Medium enterprise)" in page


def test_shares_not_adding_to_100_are_refused_and_nothing_is_written(client):
    lead = registered_supplier(1)
    other = registered_supplier(2)
    client.force_login(lead.owner)
    audit_before = AuditEvent.objects.count()

    response = consortium_post(client, lead, [(other.ruc, "30")], "60")

    assert response.status_code == 400
    assert "The participations add up to 90%; they must add up to exactly 100%." in response.content.decode()
    assert (Consortium.objects.count(), ConsortiumMember.objects.count()) == (0, 0)
    assert AuditEvent.objects.count() == audit_before


def test_an_unknown_member_ruc_is_refused(client):
    lead = registered_supplier(1)
    client.force_login(lead.owner)

    response = consortium_post(client, lead, [(valid_ruc(99_999_999), "40")], "60")

    assert response.status_code == 400
    assert f"No supplier with RUC {valid_ruc(99_999_999)} is registered." in response.content.decode()
    assert not Consortium.objects.exists()


def test_only_representatives_of_an_active_supplier_form_consortia(client):
    pending = registered_supplier(1, verified=False)
    client.force_login(pending.owner)

    response = client.get(reverse("consortium-create"))

    assert response.status_code == 403
    assert "you must represent a supplier whose registration is active" in response.content.decode()


# --- The category picker --------------------------------------------------------------------------


def test_the_category_picker_answers_a_page_and_json(client):
    response = client.get(reverse("category-picker"), {"q": "4321"})
    assert response.status_code == 200
    assert "43210000" in response.content.decode()
    assert audit(response).scripts == 0

    response = client.get(reverse("category-picker"), {"q": "4321", "format": "json"})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["q"] == "4321"
    assert [row["code"] for row in body["results"]] == [
        code for code in sorted(r["code"] for r in body["results"]) if code.startswith("4321")
    ]
    assert body["results"][0] == {"code": "43210000", "name": "Computer Equipment and Accessories", "level": "family"}
