"""The paper consent form: what it says, its QR code to a working link, its form reference."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from samtykke.consent.models import PersonalLink
from samtykke.consent.notices import current_notice_version, publish_notice_version
from samtykke.customers.models import Customer
from samtykke.documents.consent_form import FormRequest, render_consent_forms
from samtykke.documents.reference import parse_form_reference
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer
from tests.documents.pdfs import codes, page_count, pdf_text, render_pages


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_form_holds_the_customer_the_dealer_the_notice_and_the_reference(
    dealer: Dealer, customer: Customer
) -> None:
    pdf = render_consent_forms(dealer=dealer, requests=[FormRequest(customer, "WO-1")])
    (page,) = pdf_text(pdf)
    flat = _one_line(page)
    for expected in (
        "Bilhuset Nord AS",
        "923 609 016",
        "Storgata 1, 9008 Tromsø",
        "post@bilhuset-nord.no",
        customer.name,
        customer.customer_number,
        "Fjordveien 2, 9010 Tromsø",
        "+47 90 00 00 01",
        "kari1@example.no",
        "bilhuset-nord/consent/nb/v1",
        "bilhuset-nord/1001/nb-v1/WO-1",
    ):
        assert expected in flat, expected
    notice = current_notice_version(dealer, "nb")
    # The exact notice text is printed (line breaks aside).
    assert _one_line(notice.text.replace("\n\n", " ")) in flat
    assert notice.title in flat


def test_the_reference_on_the_form_parses_back(dealer: Dealer, customer: Customer) -> None:
    pdf = render_consent_forms(dealer=dealer, requests=[FormRequest(customer, "WO-77")])
    (page,) = render_pages(pdf)
    found = codes(page)
    reference = found["Code128"]
    assert reference == "bilhuset-nord/1001/nb-v1/WO-77"
    parsed = parse_form_reference(dealer, reference)
    assert parsed.customer_number == "1001"
    assert parsed.order_reference == "WO-77"
    assert parsed.notice_version == current_notice_version(dealer, "nb")
    assert parsed.find_customer(dealer) == customer


def test_qr_code_opens_the_customers_personal_link(
    dealer: Dealer, customer: Customer, client: Client
) -> None:
    pdf = render_consent_forms(dealer=dealer, requests=[FormRequest(customer)])
    (page,) = render_pages(pdf, save_as="consent-form")
    url = codes(page)["QRCode"]
    assert url.startswith("http://testserver/s/")
    link = PersonalLink.objects.for_dealer(dealer).get(customer=customer)
    assert link.origin == PersonalLink.Origin.PAPER_FORM
    days = (link.expires_at - timezone.now()) / dt.timedelta(days=1)
    assert 59.9 < days <= 60
    response = client.get(urlsplit(url).path, follow=True)  # the portal redirects to a clean URL
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/samtykke/"
    page = response.content.decode()
    assert "Bilhuset Nord AS" in page and customer.first_name in page


def test_norwegian_letters_and_markup_in_names_print_as_text(dealer: Dealer) -> None:
    name = "Bjørnstjerne Æsøy-Ågård <script>alert(1)</script> <b>fet</b> (x) \\ Åse"
    customer = make_customer(dealer, 5, name=name, street="Øvre Ærfuglvei 3 (bak)", city="Ålesund")
    pdf = render_consent_forms(dealer=dealer, requests=[FormRequest(customer)])
    flat = _one_line(pdf_text(pdf)[0])
    assert "Bjørnstjerne Æsøy-Ågård" in flat
    assert "<script>alert(1)</script>" in flat
    assert "<b>fet</b> (x) \\ Åse" in flat
    assert "Øvre Ærfuglvei 3 (bak)" in flat


def test_a_very_long_name_wraps_and_stays_on_one_page(dealer: Dealer) -> None:
    name = "Anne-Margrethe Kristiansen-Søderstrøm " * 6
    customer = make_customer(dealer, 6, name=name.strip())
    pdf = render_consent_forms(dealer=dealer, requests=[FormRequest(customer)])
    assert page_count(pdf) == 1
    assert "Søderstrøm" in pdf_text(pdf)[0]


def test_batch_prints_one_page_per_customer_in_order(dealer: Dealer) -> None:
    customers = [make_customer(dealer, n) for n in range(1, 13)]
    pdf = render_consent_forms(
        dealer=dealer, requests=[FormRequest(c, f"WO-{c.pk}") for c in customers]
    )
    assert page_count(pdf) == 12
    pages = pdf_text(pdf)
    for customer, page in zip(customers, pages, strict=True):
        assert customer.name in page
        assert f"bilhuset-nord/{customer.customer_number}/nb-v1/WO-{customer.pk}" in page
    assert PersonalLink.objects.for_dealer(dealer).count() == 12


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nb", ("Samtykke til markedsføring", "Signatur", "Slik trekker du samtykket")),
        ("nn", ("Samtykke til marknadsføring", "Signatur", "Slik trekkjer du samtykket")),
        ("en", ("Consent to marketing", "Signature", "How to withdraw")),
    ],
)
def test_form_speaks_the_chosen_language(
    dealer: Dealer, customer: Customer, language: str, words: tuple[str, ...]
) -> None:
    pdf = render_consent_forms(dealer=dealer, requests=[FormRequest(customer, "", language)])
    flat = _one_line(pdf_text(pdf)[0])
    for word in words:
        assert word in flat
    assert f"bilhuset-nord/consent/{language}/v1" in flat


def test_form_prints_the_newest_notice_version(dealer: Dealer, customer: Customer) -> None:
    publish_notice_version(dealer=dealer, language="nb", title="Ny tekst", text="Versjon to.")
    flat = _one_line(
        pdf_text(render_consent_forms(dealer=dealer, requests=[FormRequest(customer)]))[0]
    )
    assert "bilhuset-nord/consent/nb/v2" in flat
    assert "bilhuset-nord/1001/nb-v2" in flat
    assert "Versjon to." in flat


def test_one_box_per_purpose_and_channel(dealer: Dealer, customer: Customer) -> None:
    flat = _one_line(
        pdf_text(render_consent_forms(dealer=dealer, requests=[FormRequest(customer)]))[0]
    )
    assert flat.count("Ja til «Tilbud og nyheter» på") == 2
    assert "på SMS" in flat and "på e-post" in flat.lower()


def test_another_dealers_or_erased_customer_is_refused(
    dealer: Dealer, other_customer: Customer, customer: Customer
) -> None:
    with pytest.raises(ValueError, match="does not belong"):
        render_consent_forms(dealer=dealer, requests=[FormRequest(other_customer)])
    with pytest.raises(ValueError, match="language"):
        render_consent_forms(dealer=dealer, requests=[FormRequest(customer, "", "de")])
    customer.erased_at = timezone.now()
    with pytest.raises(ValueError, match="erased"):
        render_consent_forms(dealer=dealer, requests=[FormRequest(customer)])


def test_without_dejavu_the_form_uses_reportlabs_own_font(
    dealer: Dealer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh machine without fonts-dejavu-core: Bitstream Vera from ReportLab, æøå intact."""
    from pathlib import Path

    from samtykke.documents import pdf

    customer = make_customer(dealer, 7, name="Åse Ørnes-Bækken")
    monkeypatch.setattr(pdf, "_SYSTEM_DEJAVU", Path("/nonexistent"))
    pdf.fonts.cache_clear()
    pdf.styles.cache_clear()
    try:
        assert pdf.fonts().source == "Bitstream Vera"
        document = render_consent_forms(dealer=dealer, requests=[FormRequest(customer)])
        assert b"Vera" in document
        assert "Åse Ørnes-Bækken" in pdf_text(document)[0]
    finally:
        monkeypatch.undo()
        pdf.fonts.cache_clear()
        pdf.styles.cache_clear()
        assert pdf.fonts().source == "DejaVu Sans" or not pdf._SYSTEM_DEJAVU.is_dir()
