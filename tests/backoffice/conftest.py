"""Fixtures for the staff pages: logged-in clients for alice (admin) and bob (staff)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer


@pytest.fixture
def alice_client(alice: Any) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob: Any) -> Client:
    client = Client()
    client.force_login(bob)
    return client


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def minimal_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(50, 750, "Signert skjema")
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def scripted_customer(dealer: Dealer) -> Customer:
    from tests.conftest import make_customer

    return make_customer(dealer, 77, name="<script>alert(1)</script>")
