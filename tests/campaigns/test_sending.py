"""Sending with the in-memory backend and the immediate task backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

from samtykke.campaigns import dispatch, links
from samtykke.campaigns.models import Campaign, Recipient
from samtykke.campaigns.receivers import on_delivery_reported
from samtykke.campaigns.services import cancel, create_campaign, pause, resume, start
from samtykke.messaging.reports import DeliveryReport, announce
from samtykke.messaging.sms.base import test_outbox
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _outbox() -> Iterator[None]:
    """An empty outbox; and a task that failed fails the test (the immediate backend only
    records it)."""
    failed: list[str] = []

    def finished(sender: object, task_result: Any, **kwargs: object) -> None:
        if task_result.status == TaskResultStatus.FAILED:
            failed.append(f"{task_result.task.name}: {task_result.errors}")

    test_outbox.clear()
    task_finished.connect(finished, dispatch_uid="campaign-tests")
    yield
    task_finished.disconnect(dispatch_uid="campaign-tests")
    test_outbox.clear()
    assert not failed, failed


def test_campaign_sends_once_to_each(dealer: Dealer) -> None:
    customers = [make_customer(dealer, n) for n in range(1, 6)]
    make_customer(dealer, 9, mobile="", email="nomobile@example.no")
    campaign = create_campaign(dealer=dealer, channels=["sms", "email"])
    start(campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DONE
    assert sorted(m.to for m in test_outbox.messages) == sorted(c.mobile for c in customers)
    rs = {r.customer_id: r for r in Recipient.objects.for_dealer(dealer).filter(campaign=campaign)}
    for m in test_outbox.messages:
        r = next(r for r in rs.values() if str(r.pk) == m.reference)
        assert links.url_for(r.link_nonce) in m.body
        assert "Bilhuset Nord AS" in m.body and "Kari" in m.body
        assert m.sender == "BilhusNord"
    assert all(r.state == "sent" for r in rs.values())
    (email,) = mail.outbox
    assert email.to == ["nomobile@example.no"] and "/s/" in email.body
    # Running a lane again sends nothing more: the state is the guard.
    dispatch.drive(campaign.pk)
    assert len(test_outbox.messages) == 5


def test_delivery_reports(dealer: Dealer) -> None:
    make_customer(dealer, 1)
    make_customer(dealer, 2)
    campaign = start(create_campaign(dealer=dealer))
    a, b = Recipient.objects.for_dealer(dealer).filter(campaign=campaign).order_by("pk")
    now = timezone.now()
    assert announce(DeliveryReport("twilio", a.provider_id, str(a.pk), "delivered", now))
    assert announce(DeliveryReport("twilio", "SMx", str(b.pk), "failed", now, error="30005"))
    # Twice is harmless; an unknown message is nobody's.
    assert announce(DeliveryReport("twilio", "SMx", str(b.pk), "failed", now, error="30005"))
    assert not on_delivery_reported(None, DeliveryReport("twilio", "SMy", "", "delivered", now))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == "delivered" and b.state == "failed" and b.failure_reason == "30005"


def test_pause_resume_cancel(dealer: Dealer) -> None:
    for n in range(1, 4):
        make_customer(dealer, n)
    campaign = create_campaign(dealer=dealer)
    Campaign.objects.for_dealer(dealer).filter(pk=campaign.pk).update(status="sending")
    campaign.refresh_from_db()
    assert pause(campaign)
    dispatch.drive(campaign.pk)
    assert test_outbox.messages == []
    assert resume(campaign)
    assert len(test_outbox.messages) == 3
    campaign.refresh_from_db()
    assert campaign.status == "done"
    assert not cancel(campaign) or campaign.status == "done"


def test_cancel_revokes_unsent_links(dealer: Dealer) -> None:
    make_customer(dealer, 1)
    campaign = create_campaign(dealer=dealer)
    assert cancel(campaign)
    r = Recipient.objects.for_dealer(dealer).get(campaign=campaign)
    assert r.state == "cancelled" and not r.personal_link.is_usable
    dispatch.drive(campaign.pk)
    assert test_outbox.messages == []


def test_quiet_hours_hold_the_batch(dealer: Dealer) -> None:
    from samtykke.campaigns.schedule import next_open

    hours = {"weekdays": ["09:00", "20:00"], "saturday": ["10:00", "16:00"], "sunday": None}
    # Friday 16 May 2025 21:00 Oslo → Saturday 17 May is Constitution Day → Monday 09:00.
    late = dt.datetime(2025, 5, 16, 19, 0, tzinfo=dt.UTC)
    assert next_open(hours, late) == dt.datetime(2025, 5, 19, 7, 0, tzinfo=dt.UTC)
    assert next_open(None, late) == late
    noon = dt.datetime(2025, 5, 20, 10, 0, tzinfo=dt.UTC)
    assert next_open(hours, noon) == noon
    make_customer(dealer, 1)
    Dealer.objects.filter(pk=dealer.pk).update(
        sending_hours={"weekdays": None, "saturday": None, "sunday": ["00:00", "00:01"]}
    )
    campaign = create_campaign(dealer=dealer)
    Campaign.objects.for_dealer(dealer).filter(pk=campaign.pk).update(status="sending")
    assert dispatch.run_batch(campaign.pk) > timezone.now()
    assert test_outbox.messages == []


def test_throughput_limit(dealer: Dealer, settings: object) -> None:
    from samtykke.campaigns import budget

    Dealer.objects.filter(pk=dealer.pk).update(sms_per_minute=3)
    dealer.refresh_from_db()
    assert budget.take(dealer, 2)[0] == 2
    assert budget.take(dealer, 2)[0] == 1
    allowed, until = budget.take(dealer, 2)
    assert allowed == 0 and until > timezone.now()
    budget.give_back(dealer, 1)
    assert budget.take(dealer, 5)[0] == 1


def test_stuck_sends_are_settled_by_asking(dealer: Dealer, settings: Any) -> None:
    """A worker died after the provider took one message and before it took the other."""
    from samtykke.messaging.sms.base import SmsMessage, TestBackend

    settings.CAMPAIGN_STALE_SECONDS = 0
    make_customer(dealer, 1)
    make_customer(dealer, 2)
    campaign = create_campaign(dealer=dealer)
    Campaign.objects.for_dealer(dealer).filter(pk=campaign.pk).update(status="sending")
    claimed = dispatch.claim(campaign, dispatch.FIRST, 10)
    assert {r.state for r in claimed} == {"sending"}
    went_out, lost = claimed
    job = dispatch._job(campaign, dispatch.FIRST, went_out)
    TestBackend().send(SmsMessage(job.message.to, job.message.body, "x", str(went_out.pk)))
    dispatch.drive(campaign.pk)
    went_out.refresh_from_db()
    lost.refresh_from_db()
    assert went_out.state == "sent" and went_out.provider_id == "test-1"
    assert lost.state == "sent"
    assert sorted(m.to for m in test_outbox.messages) == sorted(
        [went_out.customer.mobile, lost.customer.mobile]
    )


def test_reminder_goes_to_those_who_did_not_answer(dealer: Dealer) -> None:
    from samtykke.campaigns.reminders import start_reminders
    from samtykke.consent.actions import Actor, Decision, record_consent

    quiet = make_customer(dealer, 1)
    answered = make_customer(dealer, 2)
    campaign = start(create_campaign(dealer=dealer, reminder_after_days=7))
    assert len(test_outbox.messages) == 2
    record_consent(
        dealer=dealer,
        customer=answered,
        decisions=[Decision("marketing", "sms", "given")],
        source="portal",
        actor=Actor.customer(),
    )
    assert start_reminders(campaign.pk) == 1
    assert start_reminders(campaign.pk) == 0  # once
    campaign.refresh_from_db()
    assert campaign.status == "done" and campaign.reminder_started_at is not None
    assert len(test_outbox.messages) == 3
    reminder = test_outbox.messages[-1]
    first = next(m for m in test_outbox.messages if m.to == quiet.mobile)
    assert reminder.to == quiet.mobile and reminder.body == first.body
    assert reminder.reference.endswith("-r")
    r = Recipient.objects.for_dealer(dealer).get(campaign=campaign, customer=quiet)
    assert r.reminder == "sent" and r.state == "sent"


def test_scheduled_start(dealer: Dealer) -> None:
    from samtykke.campaigns.tasks import start_scheduled

    make_customer(dealer, 1)
    later = timezone.now() + dt.timedelta(hours=2)
    campaign = start(create_campaign(dealer=dealer, start_at=later))
    assert campaign.status == "scheduled" and test_outbox.messages == []
    start_scheduled.call(campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == "done" and len(test_outbox.messages) == 1
