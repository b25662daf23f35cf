"""Double opt-in: a corrected e-mail address is confirmed before e-mail consent is ``given``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from samtykke.consent.links import hash_token
from samtykke.consent.models import ConsentEvent
from samtykke.customers.models import Customer
from samtykke.portal.models import EmailConfirmation
from samtykke.tenancy.models import Dealer
from tests.portal.conftest import statuses, submit

pytestmark = pytest.mark.django_db
NEW = "kari.ny@example.org"


def _ask(portal: Client, capture: Callable[..., Any], email: str = NEW) -> str:
    """Say yes to SMS and e-mail with a new address; return the link from the e-mail."""
    mail.outbox.clear()
    with capture(execute=True):
        response = submit(portal, "c-marketing-sms", "c-marketing-email", email=email)
    assert response.status_code == 303
    assert len(mail.outbox) == 1
    found = re.search(r"http://testserver(/e/[A-Za-z0-9_-]+)", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    return found.group(1)


def test_new_address_stays_pending_until_confirmed_by_post(
    portal: Client,
    dealer: Dealer,
    customer: Customer,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    path = _ask(portal, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.to == [NEW]
    assert "Bilhuset Nord AS" in message.subject and "Bekreft" in message.subject
    assert message.reply_to == ["post@bilhuset-nord.no"]
    assert statuses(dealer, customer) == {"marketing/sms": "given", "marketing/email": "pending"}
    pending = ConsentEvent.objects.for_dealer(dealer).get(customer=customer, status="pending")
    assert pending.evidence["email_entered"] == NEW
    customer.refresh_from_db()
    assert customer.email == "kari1@example.no"  # applied only on confirmation

    # The receipt and the page say what we wait for; the box shows the customer's own yes.
    assert "Venter på bekreftelse" in portal.get("/samtykke/lagret/").content.decode()
    page = portal.get("/samtykke/").content.decode()
    assert "k•••@example.org" in page and NEW not in page
    assert re.search(r"E-post</span>\s*<span class=\"address\">til k•••@example.org", page)

    # The token is stored only as a hash.
    confirmation = EmailConfirmation.objects.for_dealer(dealer).get(customer=customer)
    token = path.removeprefix("/e/")
    assert confirmation.token_hash == hash_token(token)
    assert token not in str(EmailConfirmation.objects.for_dealer(dealer).values().get())

    # Another browser follows the e-mail link: GET shows, changes nothing.
    other = Client()
    opened = other.get(path)
    assert opened.status_code == 303 and opened["Location"] == "/samtykke/e-post/"
    shown = other.get("/samtykke/e-post/")
    assert shown.status_code == 200 and "Bekreft e-postadressen din" in shown.content.decode()
    assert statuses(dealer, customer)["marketing/email"] == "pending"

    confirmed = other.post("/samtykke/e-post/", {"action": "confirm"})
    assert confirmed.status_code == 303
    assert statuses(dealer, customer) == {"marketing/sms": "given", "marketing/email": "given"}
    event = (
        ConsentEvent.objects.for_dealer(dealer).filter(customer=customer).order_by("-sequence")[0]
    )
    assert event.source == "email_confirmation" and event.status == "given"
    assert event.notice_version == pending.notice_version
    assert event.evidence["email_confirmed"] == NEW
    customer.refresh_from_db()
    assert customer.email == NEW and customer.email_is_valid
    assert "er bekreftet" in other.get("/samtykke/e-post/").content.decode()
    # A second press changes nothing.
    count = ConsentEvent.objects.for_dealer(dealer).count()
    assert other.post("/samtykke/e-post/", {"action": "confirm"}).status_code == 303
    assert ConsentEvent.objects.for_dealer(dealer).count() == count


def test_the_same_address_is_not_asked_twice(
    portal: Client,
    dealer: Dealer,
    customer: Customer,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    _ask(portal, django_capture_on_commit_callbacks)
    events = ConsentEvent.objects.for_dealer(dealer).count()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(portal, "c-marketing-sms", "c-marketing-email", email=NEW)
    assert mail.outbox == [] and ConsentEvent.objects.for_dealer(dealer).count() == events


def test_a_no_on_the_page_cancels_the_confirmation(
    portal: Client,
    dealer: Dealer,
    customer: Customer,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    path = _ask(portal, django_capture_on_commit_callbacks)
    submit(portal, action="refuse")
    assert statuses(dealer, customer) == {
        "marketing/sms": "withdrawn",
        "marketing/email": "refused",
    }
    other = Client()
    other.get(path)
    gone = other.get("/samtykke/e-post/")
    assert gone.status_code == 410 and "Bilhuset Nord AS" in gone.content.decode()
    other.post("/samtykke/e-post/", {"action": "confirm"})
    assert statuses(dealer, customer)["marketing/email"] == "refused"
    customer.refresh_from_db()
    assert customer.email == "kari1@example.no"


def test_a_newer_address_replaces_the_older_request(
    portal: Client,
    dealer: Dealer,
    customer: Customer,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    first = _ask(portal, django_capture_on_commit_callbacks)
    second = _ask(portal, django_capture_on_commit_callbacks, email="kari.tredje@example.org")
    old = Client()
    old.get(first)
    assert old.get("/samtykke/e-post/").status_code == 410
    new = Client()
    new.get(second)
    new.post("/samtykke/e-post/", {"action": "confirm"})
    customer.refresh_from_db()
    assert customer.email == "kari.tredje@example.org"
    assert statuses(dealer, customer)["marketing/email"] == "given"


def test_an_expired_confirmation_does_nothing(
    portal: Client,
    dealer: Dealer,
    customer: Customer,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    path = _ask(portal, django_capture_on_commit_callbacks)
    EmailConfirmation.objects.for_dealer(dealer).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    other = Client()
    other.get(path)
    assert other.get("/samtykke/e-post/").status_code == 410
    other.post("/samtykke/e-post/", {"action": "confirm"})
    assert statuses(dealer, customer)["marketing/email"] == "pending"


def test_unknown_confirmation_token(client: Client) -> None:
    response = client.get("/e/nothing-here")
    assert response.status_code == 404
    assert client.get("/samtykke/e-post/").status_code == 404


def test_confirmation_email_is_in_the_pages_language(
    portal: Client,
    dealer: Dealer,
    customer: Customer,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    portal.post("/samtykke/sprak/", {"language": "nn", "next": "/samtykke/"})
    _ask(portal, django_capture_on_commit_callbacks)
    assert "Stadfest" in mail.outbox[0].subject
    pending = ConsentEvent.objects.for_dealer(dealer).get(customer=customer, status="pending")
    assert pending.notice_version is not None and pending.notice_version.language == "nn"


def test_erasure_forgets_the_typed_address(
    portal: Client,
    dealer: Dealer,
    customer: Customer,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from samtykke.consent.actions import Actor, erase_customer

    path = _ask(portal, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        erase_customer(dealer=dealer, customer=customer, actor=Actor.system())
    assert not EmailConfirmation.objects.for_dealer(dealer).exists()
    other = Client()
    assert other.get(path).status_code == 404


class RefusingBackend:
    """A mail server that is down: every send raises."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


def test_a_failed_send_is_retried_with_a_new_token_and_sent_once(
    portal: Client, dealer: Dealer, customer: Customer
) -> None:
    from django.test import override_settings

    from samtykke.portal.tasks import send_email_confirmation

    submit(portal, "c-marketing-email", email=NEW)  # on_commit not run: nothing sent yet
    confirmation = EmailConfirmation.objects.for_dealer(dealer).get(customer=customer)
    with override_settings(EMAIL_BACKEND="tests.portal.test_email_confirmation.RefusingBackend"):
        with pytest.raises(Exception, match="mail server down"):
            send_email_confirmation.call(confirmation.pk)
    confirmation.refresh_from_db()
    assert confirmation.sent_at is None and confirmation.token_hash is None
    mail.outbox.clear()
    assert send_email_confirmation.call(confirmation.pk) is True
    assert send_email_confirmation.call(confirmation.pk) is False  # a task run twice sends once
    assert len(mail.outbox) == 1
    confirmation.refresh_from_db()
    token = re.search(r"/e/([A-Za-z0-9_-]+)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    assert confirmation.token_hash == hash_token(token)
