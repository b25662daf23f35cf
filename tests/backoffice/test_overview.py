"""The overview: counts per channel, the weekly chart and who is reachable."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from samtykke.consent.actions import Actor, Decision, gdpr_reset, record_consent
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


def test_overview_counts_and_chart(
    bob_client: Client, dealer: Dealer, other_dealer: Dealer, django_assert_max_num_queries: Any
) -> None:
    people = [make_customer(dealer, n) for n in range(1, 5)]
    no_mobile = make_customer(dealer, 5, mobile="")
    make_customer(other_dealer, 1)
    gdpr_reset(dealer=dealer)
    staff = Actor.system("test")
    for person in [people[0], people[1], no_mobile]:
        record_consent(
            dealer=dealer,
            customer=person,
            decisions=[
                Decision("marketing", "sms", "given"),
                Decision("marketing", "email", "given"),
            ],
            source="staff",
            actor=staff,
        )
    record_consent(
        dealer=dealer,
        customer=people[1],
        decisions=[Decision("marketing", "sms", "withdrawn")],
        source="staff",
        actor=staff,
    )
    record_consent(
        dealer=dealer,
        customer=people[2],
        decisions=[Decision("marketing", "email", "refused")],
        source="staff",
        actor=staff,
    )
    with django_assert_max_num_queries(13):
        response = bob_client.get("/")
    counts = {c.channel.key: c for c in response.context["counts"]}
    sms, email = counts["sms"], counts["email"]
    assert (sms.given, sms.withdrawn, sms.refused, sms.not_asked) == (2, 1, 0, 2)
    assert (email.given, email.refused, email.not_asked) == (3, 1, 1)
    reach = response.context["reach"]
    assert (reach.customers, reach.sms, reach.email) == (5, 1, 3)
    assert response.context["sms_share"] == 20.0
    chart = response.context["chart"]
    assert chart.bars[-1].given == 6 and chart.bars[-1].withdrawn == 1
    text = response.content.decode()
    assert "<svg" in text and 'class="withdrawn"' in text
