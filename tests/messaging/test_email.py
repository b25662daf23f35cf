"""send_email through Django's mail backends."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core import mail

from samtykke.messaging.email import REFERENCE_HEADER, send_email


def test_sends_text_and_html_with_the_reference(settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "post@bilhuset-nord.no"
    result = send_email(
        " Kari@Example.no ",
        "Samtykke fra Bilhuset Nord",
        "Hei Kari: https://x.no/s/a",
        html="<p>Hei Kari</p>",
        reference="recipient:42",
    )
    assert result.ok and result.provider_id.endswith("@bilhuset-nord.no>")
    [sent] = mail.outbox
    assert sent.to == ["Kari@example.no"]
    assert sent.extra_headers[REFERENCE_HEADER] == "recipient:42"
    assert sent.extra_headers["Message-ID"] == result.provider_id
    assert sent.alternatives[0][1] == "text/html"  # type: ignore[attr-defined]
    assert sent.body == "Hei Kari: https://x.no/s/a"


@pytest.mark.parametrize("address", ["", "not-an-address", "kari@"])
def test_a_bad_address_fails_for_good(address: str) -> None:
    result = send_email(address, "Hei", "tekst")
    assert not result.ok and result.permanent
    assert mail.outbox == []


def test_header_injection_is_refused() -> None:
    result = send_email("kari@example.no", "Hei\nBcc: x@example.no", "tekst")
    assert not result.ok and result.permanent


def test_a_mail_server_that_is_down_is_worth_a_retry(settings: Any) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    result = send_email("kari@example.no", "Hei", "tekst")
    assert not result.ok and not result.permanent and result.error
