"""Who a campaign asks, and what preparing it records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from samtykke.campaigns import links
from samtykke.campaigns.models import Campaign, Recipient
from samtykke.campaigns.services import CampaignError, create_campaign, start
from samtykke.consent.actions import Actor, Decision, record_consent, reset_new_customers
from samtykke.consent.models import ConsentState, Source, Status
from samtykke.customers.models import Customer
from samtykke.portal.services import link_for_token
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


def _ids(campaign: Campaign) -> set[int]:
    return set(
        Recipient.objects.for_dealer(campaign.dealer)
        .filter(campaign=campaign)
        .values_list("customer_id", flat=True)
    )


def test_audience_rules(dealer: Dealer, other_dealer: Dealer) -> None:
    ok = make_customer(dealer, 1)
    gave = make_customer(dealer, 2)
    record_consent(
        dealer=dealer,
        customer=gave,
        decisions=[Decision("marketing", "sms", Status.GIVEN)],
        source=Source.STAFF,
        actor=Actor.system(),
    )
    young = make_customer(dealer, 3, birth_date=timezone.localdate() - dt.timedelta(days=14 * 365))
    old_contact = make_customer(dealer, 4)
    Customer.objects.for_dealer(dealer).filter(pk=old_contact.pk).update(
        last_contact_at=timezone.now() - dt.timedelta(days=6 * 366)
    )
    landline = make_customer(dealer, 5, mobile="+47 22 33 44 55", email="")
    email_only = make_customer(dealer, 6, mobile="")
    erased = make_customer(dealer, 7)
    Customer.objects.for_dealer(dealer).filter(pk=erased.pk).update(erased_at=timezone.now())
    reset_new_customers(dealer=dealer, customers=[ok, young, email_only])
    theirs = make_customer(other_dealer, 1)

    sms_only = create_campaign(dealer=dealer, channels=["sms"], years=5)
    assert _ids(sms_only) == {ok.pk}
    assert theirs.pk not in _ids(sms_only)
    # The customer asked has a usable link now: a second campaign does not ask again.
    both = create_campaign(dealer=dealer, channels=["sms", "email"], years=5)
    assert _ids(both) == {email_only.pk}
    assert landline.pk not in _ids(both)
    (r,) = Recipient.objects.for_dealer(dealer).filter(campaign=both)
    assert r.channel == "email"
    # A longer window reaches the customer whose last contact is six years ago.
    wide = create_campaign(dealer=dealer, channels=["sms"], years=10)
    assert _ids(wide) == {old_contact.pk}


def test_prepare_records_requested_and_a_working_link(dealer: Dealer) -> None:
    customer = make_customer(dealer, 1)
    reset_new_customers(dealer=dealer, customers=[customer])
    campaign = create_campaign(dealer=dealer, channels=["sms"])
    assert campaign.recipient_count == 1
    state = ConsentState.objects.for_dealer(dealer).get(customer=customer, channel__key="sms")
    assert state.status == Status.REQUESTED
    r = Recipient.objects.for_dealer(dealer).get(campaign=campaign)
    token = links.token_for(r.link_nonce)
    assert len(token) >= 32 and token not in r.link_nonce
    link = link_for_token(token)  # what the customer's page resolves
    assert link is not None and link.pk == r.personal_link_id and link.is_usable
    assert (link.expires_at - timezone.now()).days in (59, 60)


def test_expired_request_is_asked_again(dealer: Dealer) -> None:
    customer = make_customer(dealer, 1)
    first = create_campaign(dealer=dealer)
    assert _ids(first) == {customer.pk}
    Recipient.objects.for_dealer(dealer).filter(campaign=first).update()
    from samtykke.consent.models import PersonalLink

    PersonalLink.objects.for_dealer(dealer).update(expires_at=timezone.now() - dt.timedelta(days=1))
    again = create_campaign(dealer=dealer)
    assert _ids(again) == {customer.pk}


def test_message_must_have_link_and_dealer(dealer: Dealer) -> None:
    with pytest.raises(CampaignError) as info:
        create_campaign(dealer=dealer, message="Hei {fornavn}, svar oss!")
    assert "{lenke}" in info.value.message and "{forhandler}" in info.value.message
    with pytest.raises(CampaignError, match="uten motpart"):
        create_campaign(dealer=dealer, message="Hei {fornavn {lenke}")
    # The dealer's own name is as good as the placeholder.
    create_campaign(dealer=dealer, message="Bilhuset Nord AS spør: {lenke}")


def test_manual_dealer_cannot_start(other_dealer: Dealer) -> None:
    make_customer(other_dealer, 1)
    campaign = create_campaign(dealer=other_dealer)
    with pytest.raises(CampaignError) as info:
        start(campaign)
    assert info.value.code == "manual_dealer"
    assert "manuelt" in info.value.message
