"""STOPP replies withdraw SMS consent at the dealer whose inbound URL was called."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samtykke.consent.actions import Actor, Decision, record_consent
from samtykke.consent.models import ConsentEvent, ConsentState, Source, Status
from samtykke.customers.models import Customer
from samtykke.messaging.models import InboundMessage, InboundRoute
from samtykke.messaging.replies import is_stop_word
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer
from tests.messaging.fakes import FakeLinkMobility, FakeSveve, FakeTwilio, twilio_signature

pytestmark = pytest.mark.django_db

NUMBER = "+4790000001"  # make_customer(dealer, 1)'s mobile


def give_consent(dealer: Dealer, customer: Customer) -> None:
    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=[Decision("marketing", "sms", "given"), Decision("marketing", "email", "given")],
        source=Source.STAFF,
        actor=Actor.system("test"),
    )


def status(customer: Customer, channel: str) -> str:
    return (
        ConsentState.objects.for_dealer(customer.dealer_id)
        .get(customer=customer, channel__key=channel)
        .status
    )


def twilio_post(client: Client, path: str, params: dict[str, str], token: str) -> Any:
    url = "http://testserver" + path
    signature = twilio_signature(url, params.items(), token)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.mark.parametrize(
    ("body", "stop"),
    [
        ("STOPP", True),
        ("stopp", True),
        ("  Stop  ", True),
        ("SLUTT", True),
        ("avmeld", True),
        ("Stopp.", True),
        ("\tAVMELD!\n", True),
        ("Stopp takk", False),
        ("Hva betyr dette?", False),
        ("", False),
    ],
)
def test_stop_words(body: str, stop: bool) -> None:
    assert is_stop_word(body) is stop


@pytest.fixture
def people(dealer: Dealer, other_dealer: Dealer) -> dict[str, Customer]:
    """Two customers of the dealer share NUMBER; an erased one had it; the other dealer's too."""
    first = make_customer(dealer, 1)
    second = make_customer(dealer, 2, mobile="+47 900 00 001")
    erased = make_customer(dealer, 3, mobile="900 00 001")
    elsewhere = make_customer(other_dealer, 1)
    stranger = make_customer(dealer, 4)
    for c in (first, second, erased, elsewhere, stranger):
        give_consent(c.dealer, c)
    Customer.all_dealers.filter(pk=erased.pk).update(erased_at=timezone.now())
    assert first.mobile == second.mobile == elsewhere.mobile == NUMBER
    return {
        "first": first,
        "second": second,
        "erased": erased,
        "elsewhere": elsewhere,
        "stranger": stranger,
    }


def test_twilio_stopp_withdraws_every_customer_of_that_dealer_only(
    client: Client, dealer: Dealer, people: dict[str, Customer], settings: Any
) -> None:
    settings.TWILIO_AUTH_TOKEN = "token-123"
    _, secret = InboundRoute.issue(dealer, "twilio")
    path = reverse("messaging:twilio_inbound", kwargs={"secret": secret})
    params = {"MessageSid": "SM1", "From": NUMBER, "To": "+4759440000", "Body": " Stopp "}
    response = twilio_post(client, path, params, "token-123")
    assert response.status_code == 200 and b"<Response>" in response.content
    assert status(people["first"], "sms") == status(people["second"], "sms") == Status.WITHDRAWN
    assert status(people["first"], "email") == Status.GIVEN  # SMS only
    assert status(people["erased"], "sms") == Status.GIVEN
    assert status(people["elsewhere"], "sms") == Status.GIVEN  # another dealer's customer
    assert status(people["stranger"], "sms") == Status.GIVEN
    event = ConsentEvent.objects.for_dealer(dealer).filter(source=Source.SMS_REPLY).first()
    assert event is not None and event.actor_kind == "customer"
    assert event.evidence == {
        "from": NUMBER,
        "body": " Stopp ",
        "provider": "twilio",
        "provider_id": "SM1",
    }
    stored = InboundMessage.objects.for_dealer(dealer).get()
    assert stored.action == "withdrew" and stored.customers_withdrawn == 2

    # The same message again (Twilio retries): nothing new.
    before = ConsentEvent.objects.for_dealer(dealer).count()
    assert twilio_post(client, path, params, "token-123").status_code == 200
    assert ConsentEvent.objects.for_dealer(dealer).count() == before
    assert InboundMessage.objects.for_dealer(dealer).count() == 1


def test_other_replies_are_kept_and_ignored(
    client: Client, dealer: Dealer, people: dict[str, Customer], settings: Any
) -> None:
    settings.TWILIO_AUTH_TOKEN = "token-123"
    _, secret = InboundRoute.issue(dealer, "twilio")
    path = reverse("messaging:twilio_inbound", kwargs={"secret": secret})
    params = {"MessageSid": "SM2", "From": NUMBER, "To": "+4759440000", "Body": "Stopp takk"}
    assert twilio_post(client, path, params, "token-123").status_code == 200
    assert status(people["first"], "sms") == Status.GIVEN
    assert InboundMessage.objects.for_dealer(dealer).get().action == "ignored"


def test_inbound_needs_a_valid_signature_and_a_known_route(
    client: Client, dealer: Dealer, people: dict[str, Customer], settings: Any
) -> None:
    settings.TWILIO_AUTH_TOKEN = "token-123"
    route, secret = InboundRoute.issue(dealer, "twilio")
    path = reverse("messaging:twilio_inbound", kwargs={"secret": secret})
    params = {"MessageSid": "SM3", "From": NUMBER, "Body": "STOPP"}
    assert twilio_post(client, path, params, "wrong-token").status_code == 400
    assert client.post(path, params).status_code == 400  # no signature at all
    unknown = reverse("messaging:twilio_inbound", kwargs={"secret": "not-a-route"})
    assert twilio_post(client, unknown, params, "token-123").status_code == 404
    _, sveve_secret = InboundRoute.issue(dealer, "sveve")  # a route of another provider
    wrong = reverse("messaging:twilio_inbound", kwargs={"secret": sveve_secret})
    assert twilio_post(client, wrong, params, "token-123").status_code == 404
    route.revoked_at = timezone.now()
    route.save()
    assert twilio_post(client, path, params, "token-123").status_code == 404
    assert status(people["first"], "sms") == Status.GIVEN
    assert client.get(path).status_code == 405


def test_linkmobility_stopp(client: Client, dealer: Dealer, people: dict[str, Customer]) -> None:
    _, secret = InboundRoute.issue(dealer, "linkmobility")
    path = reverse("messaging:linkmobility_inbound", kwargs={"secret": secret})
    body = {"messageId": "mo-1", "source": NUMBER, "destination": "2200", "userData": "SLUTT"}
    assert client.post(path, body, content_type="application/json").status_code == 200
    assert status(people["first"], "sms") == Status.WITHDRAWN
    assert status(people["elsewhere"], "sms") == Status.GIVEN
    assert client.post(path, "nonsense", content_type="application/json").status_code == 400
    assert client.post(path, {"source": NUMBER}, content_type="application/json").status_code == 400


def test_sveve_stopp(client: Client, dealer: Dealer, people: dict[str, Customer]) -> None:
    _, secret = InboundRoute.issue(dealer, "sveve")
    path = reverse("messaging:sveve_inbound", kwargs={"secret": secret})
    assert client.get(path, {"number": "90000001", "msg": "avmeld", "id": "77"}).status_code == 200
    assert status(people["second"], "sms") == Status.WITHDRAWN
    assert status(people["elsewhere"], "sms") == Status.GIVEN
    assert client.get(path, {"msg": "STOPP"}).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_replies_over_real_http_from_each_fake(
    live_server: Any, dealer: Dealer, other_dealer: Dealer, settings: Any
) -> None:
    customer = make_customer(dealer, 1)
    give_consent(dealer, customer)
    with FakeTwilio() as twilio, FakeLinkMobility() as link, FakeSveve() as sveve:
        twilio.configure(settings)
        _, secret = InboundRoute.issue(dealer, "twilio")
        path = reverse("messaging:twilio_inbound", kwargs={"secret": secret})
        reply = twilio.send_inbound(
            "http://testserver" + path, sender=NUMBER, body="STOP", target=live_server.url
        )
        assert reply.status_code == 200
        assert status(customer, "sms") == Status.WITHDRAWN

        give_consent(dealer, customer)
        _, secret = InboundRoute.issue(dealer, "linkmobility")
        url = live_server.url + reverse("messaging:linkmobility_inbound", kwargs={"secret": secret})
        assert link.send_inbound(url, sender=NUMBER, body="stopp").status_code == 200
        assert status(customer, "sms") == Status.WITHDRAWN

        give_consent(dealer, customer)
        _, secret = InboundRoute.issue(dealer, "sveve")
        url = live_server.url + reverse("messaging:sveve_inbound", kwargs={"secret": secret})
        assert sveve.send_inbound(url, number="90000001", body="Stopp").status_code == 200
        assert status(customer, "sms") == Status.WITHDRAWN


def test_erasing_a_customer_blanks_the_replies_from_them(
    client: Client,
    dealer: Dealer,
    people: dict[str, Customer],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from samtykke.consent.actions import erase_customer

    _, secret = InboundRoute.issue(dealer, "sveve")
    path = reverse("messaging:sveve_inbound", kwargs={"secret": secret})
    client.get(path, {"number": "90000001", "msg": "Hvem er dette?"})
    client.get(path, {"number": "90000004", "msg": "STOPP"})  # the stranger's
    first = InboundMessage.objects.for_dealer(dealer).get(body="Hvem er dette?")
    assert sorted(first.customer_ids) == sorted([people["first"].pk, people["second"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        erase_customer(dealer=dealer, customer=people["first"], actor=Actor.system("test"))
    first.refresh_from_db()
    assert (first.from_number, first.body) == ("", "")
    other = InboundMessage.objects.for_dealer(dealer).get(body="STOPP")
    assert other.from_number == "+4790000004"
