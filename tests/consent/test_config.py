"""The per-process configuration of an append (purposes, channels, notices) is never stale.

"Another process" is played by putting back the configuration this process had before a change:
a process that did not make the change still holds exactly that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samtykke.consent import config
from samtykke.consent.actions import Actor, ConsentError, Decision, record_consent
from samtykke.consent.models import Channel, ConsentEvent, LedgerHead, Purpose
from samtykke.consent.notices import current_notice_version, publish_notice_version
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.conftest import executed


def give(dealer: Dealer, customer: Customer, channel: str = "sms") -> list[ConsentEvent]:
    return record_consent(
        dealer=dealer,
        customer=customer,
        decisions=[Decision("marketing", channel, "given")],
        source="dms_api",
        actor=Actor.system("test"),
    )


def head_version(dealer: Dealer) -> int:
    return LedgerHead.objects.get(dealer=dealer).config_version


def as_another_process(dealer: Dealer, change: Callable[[], Any]) -> None:
    """Make ``change``, then hold the configuration from before it, as another process would."""
    give(dealer, Customer.objects.for_dealer(dealer).first())  # loads and keeps the config
    before = config._configs[dealer.pk]
    version = head_version(dealer)
    change()
    assert head_version(dealer) != version, "the change did not give the head a new version"
    config._configs[dealer.pk] = before


def test_a_notice_published_elsewhere_is_the_one_recorded(
    dealer: Dealer, customer: Customer
) -> None:
    as_another_process(
        dealer,
        lambda: publish_notice_version(
            dealer=dealer, language="nb", title="Ny tekst", text="Andre versjon."
        ),
    )
    (event,) = give(dealer, customer)
    assert event.notice_version == current_notice_version(dealer, "nb")
    assert event.notice_version is not None and event.notice_version.version == 2


def test_a_purpose_retired_elsewhere_is_refused(dealer: Dealer, customer: Customer) -> None:
    purpose = Purpose.objects.for_dealer(dealer).get(key="marketing")

    def retire() -> None:
        purpose.active = False
        purpose.save()

    as_another_process(dealer, retire)
    with pytest.raises(ConsentError) as refused:
        give(dealer, customer)
    assert refused.value.code == "unknown_purpose"


def test_a_channel_taken_off_a_purpose_elsewhere_is_refused(
    dealer: Dealer, customer: Customer
) -> None:
    purpose = Purpose.objects.for_dealer(dealer).get(key="marketing")
    as_another_process(dealer, lambda: purpose.channels.remove(Channel.objects.get(key="email")))
    with pytest.raises(ConsentError) as refused:
        give(dealer, customer, "email")
    assert refused.value.code == "unknown_channel"
    assert give(dealer, customer, "sms")


def test_a_new_channel_changes_every_dealers_version(dealer: Dealer, other_dealer: Dealer) -> None:
    before = {d.pk: head_version(d) for d in (dealer, other_dealer)}
    Channel.objects.create(key="post", name_nb="Brev", name_nn="Brev", name_en="Letter", order=3)
    assert all(head_version(d) != before[d.pk] for d in (dealer, other_dealer))


def test_the_kept_configuration_saves_its_queries(dealer: Dealer, customer: Customer) -> None:
    give(dealer, customer)
    with CaptureQueriesContext(connection) as queries:
        give(dealer, customer, "email")
    read = " ".join(executed(queries))
    assert "consent_purpose" not in read and "consent_noticeversion" not in read
    # lock the head, then the event, the current view and the head (one statement on PostgreSQL)
    writes = [q for q in executed(queries) if "consent_" in q]
    assert len(writes) == (2 if connection.vendor == "postgresql" else 4)


def test_a_refusal_inside_a_callers_transaction_leaves_it_usable(
    dealer: Dealer, customer: Customer
) -> None:
    from django.db import transaction

    with transaction.atomic():
        with pytest.raises(ConsentError):
            record_consent(
                dealer=dealer,
                customer=customer,
                decisions=[Decision("marketing", "fax", "given")],
                source="staff",
                actor=Actor.system(),
            )
        (event,) = give(dealer, customer)
    assert ConsentEvent.objects.for_dealer(dealer).get() == event
