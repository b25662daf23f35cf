"""Sending a campaign: lanes of batches, each recipient claimed under a conditional update.

The domain state is the guard, not the queue. A recipient moves pending → sending (claimed with a
conditional UPDATE, on PostgreSQL under ``SELECT … FOR UPDATE SKIP LOCKED``) → sent / failed, and
its id goes to the provider as the reference. A task that runs twice finds nothing left to claim.
A recipient left in ``sending`` by a dead worker is settled by ASKING the provider whether a
message with its personal link went out since it was claimed; so is every retry after an
ambiguous error (a timeout may have been sent). Never is a message sent blindly a second time.

Tasks (tasks.py): a few ``send_lane`` chains per campaign, each running one batch and enqueueing
the next (``run_after`` for quiet hours, throughput and backoff), and a ``watch_campaign`` chain
that settles stale sends and revives lanes a killed worker took down with it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django_tasks import default_task_backend

from samtykke.campaigns import budget, links
from samtykke.campaigns.message import render
from samtykke.campaigns.models import Campaign, Recipient
from samtykke.campaigns.schedule import next_open
from samtykke.messaging.email import send_email
from samtykke.messaging.sms.base import (
    FindSentUnsupported,
    SendResult,
    SmsBackend,
    SmsMessage,
    get_sms_backend,
)

log = logging.getLogger("samtykke.campaigns")


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, f"CAMPAIGN_{name}", default))


def batch_size() -> int:
    return int(_setting("BATCH_SIZE", 200))


def lanes() -> int:
    return int(_setting("LANES", 2))


def stale_after() -> dt.timedelta:
    """A send claimed longer ago than this is dead (well above the provider call's timeout)."""
    return dt.timedelta(seconds=_setting("STALE_SECONDS", 120))


def watch_every() -> dt.timedelta:
    return dt.timedelta(seconds=_setting("WATCH_SECONDS", 30))


def backoff(attempts: int) -> dt.timedelta:
    base = _setting("BACKOFF_SECONDS", 5)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), _setting("BACKOFF_MAX", 900)))


# Transient errors are retried this often (with a 5 s … 15 min backoff: about four hours).
MAX_ATTEMPTS = 24


@dataclass(frozen=True)
class Stage:
    """The first message or the reminder: the same claim → send → settle, on its own fields."""

    name: str
    state: str
    claimed_at: str
    sent_at: str
    provider_id: str
    suffix: str  # appended to the provider reference

    def q(self, value: str, **extra: object) -> Q:
        return Q(**{self.state: value}, **extra)


FIRST = Stage("first", "state", "claimed_at", "sent_at", "provider_id", "")
REMINDER = Stage(
    "reminder", "reminder", "reminder_claimed_at", "reminder_sent_at", "reminder_provider_id", "-r"
)
STAGES = (FIRST, REMINDER)
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


_backends: dict[str, SmsBackend] = {}


def sms_backend() -> SmsBackend:
    """One backend per worker process: its connection pool outlives the batch."""
    name = settings.SMS_BACKEND
    backend = _backends.get(name)
    if backend is None:
        backend = _backends[name] = get_sms_backend(name)
        getattr(backend, "client", None)  # open the pool before the threads share it
    return backend


# --- enqueueing -----------------------------------------------------------------------------


def supports_defer() -> bool:
    return bool(default_task_backend.supports_defer)


def _enqueue_lane(campaign_id: int, when: dt.datetime | None = None) -> None:
    from samtykke.campaigns.tasks import send_lane

    task = send_lane
    if when is not None and when > timezone.now() + dt.timedelta(milliseconds=200):
        task = send_lane.using(run_after=when)
    task.enqueue(campaign_id)


def kick(campaign_id: int) -> None:
    """After commit: start the lanes and the watchdog."""

    def go() -> None:
        from samtykke.campaigns.tasks import watch_campaign

        if supports_defer():
            watch_campaign.using(run_after=timezone.now() + watch_every()).enqueue(campaign_id)
        for _ in range(lanes()):
            _enqueue_lane(campaign_id)

    transaction.on_commit(go)


def schedule_start(campaign_id: int, when: dt.datetime) -> None:
    from samtykke.campaigns.tasks import start_scheduled

    if supports_defer():
        transaction.on_commit(lambda: start_scheduled.using(run_after=when).enqueue(campaign_id))


def drive(campaign_id: int) -> None:
    """One lane step. Without deferred tasks (the immediate backend) the lane runs to its end."""
    if supports_defer():
        when = run_batch(campaign_id)
        if when is not None:
            Campaign.all_dealers.filter(pk=campaign_id).update(last_batch_at=when)
            _enqueue_lane(campaign_id, when)
        return
    while (when := run_batch(campaign_id)) is not None:
        wait = (when - timezone.now()).total_seconds()
        if wait > _setting("INLINE_MAX_WAIT", 90):
            return
        time.sleep(max(wait, 0))


def watch(campaign_id: int) -> None:
    """Every WATCH_SECONDS while a campaign sends: settle dead sends, revive dead lanes."""
    from samtykke.campaigns.tasks import watch_campaign

    now = timezone.now()
    every = watch_every()
    took = Campaign.all_dealers.filter(
        Q(watched_at__isnull=True) | Q(watched_at__lte=now - every * 0.8),
        pk=campaign_id,
        status=Campaign.Status.SENDING,
    ).update(watched_at=now)
    if not took:
        return  # stopped, or another watchdog runs this campaign
    watch_campaign.using(run_after=now + every).enqueue(campaign_id)  # successor first
    campaign = Campaign.all_dealers.select_related("dealer").get(pk=campaign_id)
    backend = sms_backend()
    for stage in STAGES:
        settle_stale(campaign, stage, backend)
    if campaign.last_batch_at is None or campaign.last_batch_at < now - 2 * every:
        log.info("campaign %s: reviving its lanes", campaign_id)
        Campaign.all_dealers.filter(pk=campaign_id).update(last_batch_at=now)
        for _ in range(lanes()):
            _enqueue_lane(campaign_id)


# --- one batch ------------------------------------------------------------------------------


def run_batch(campaign_id: int) -> dt.datetime | None:
    """Send one batch. Returns when the lane should run again, or None when it should stop."""
    campaign = Campaign.all_dealers.select_related("dealer").filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Campaign.Status.SENDING:
        return None
    dealer, now = campaign.dealer, timezone.now()
    opens = next_open(dealer.sending_hours, now)
    if opens > now:
        return opens
    Campaign.all_dealers.filter(pk=campaign_id).update(last_batch_at=now)
    backend = sms_backend()
    for stage in STAGES:
        settle_stale(campaign, stage, backend)
        allowed, window_end = budget.take(dealer, batch_size())
        if not allowed:
            return window_end
        claimed = claim(campaign, stage, allowed)
        budget.give_back(dealer, allowed - len(claimed))
        if claimed:
            send_claimed(campaign, stage, claimed, backend)
            return timezone.now()
    return _after_idle(campaign)


def _after_idle(campaign: Campaign) -> dt.datetime | None:
    """Nothing to claim: wait for retries and sends in flight, or finish."""
    mine = Recipient.all_dealers.filter(campaign_id=campaign.pk)
    now = timezone.now()
    waits: list[dt.datetime] = []
    for stage in STAGES:
        retry = mine.filter(stage.q(PENDING)).aggregate(at=Min("next_attempt_at"))["at"]
        if retry is not None or mine.filter(stage.q(PENDING)).exists():
            waits.append(max(retry or now, now + dt.timedelta(milliseconds=200)))
        if mine.filter(stage.q(SENDING)).exists():
            waits.append(now + min(stale_after() / 4, dt.timedelta(seconds=5)))
    if waits:
        return min(waits)
    finish(campaign)
    return None


def finish(campaign: Campaign) -> None:
    from samtykke.campaigns.tasks import start_reminder

    now = timezone.now()
    done = Campaign.all_dealers.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
        status=Campaign.Status.DONE, finished_at=now
    )
    if done and campaign.reminder_after_days and campaign.reminder_started_at is None:
        when = (campaign.started_at or now) + dt.timedelta(days=campaign.reminder_after_days)
        if supports_defer():
            start_reminder.using(run_after=max(when, now)).enqueue(campaign.pk)


def claim(campaign: Campaign, stage: Stage, limit: int) -> list[Recipient]:
    """Take up to ``limit`` due recipients of the stage: pending → sending, marked with a claim."""
    now = timezone.now()
    token = uuid.uuid4().hex
    due = (
        Recipient.all_dealers.filter(campaign_id=campaign.pk)
        .filter(stage.q(PENDING))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        first = {"first_claimed_at": now} if stage is FIRST else {}
        Recipient.all_dealers.filter(stage.q(PENDING), pk__in=ids).update(
            **{stage.state: SENDING, stage.claimed_at: now},
            claim=token,
            attempts=F("attempts") + 1,
            **first,
        )
    return list(
        Recipient.all_dealers.filter(stage.q(SENDING), claim=token).select_related("customer")
    )


# --- sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    recipient: Recipient
    message: SmsMessage
    link: str
    since: dt.datetime
    ask_first: bool  # a previous attempt may have gone out


def _job(campaign: Campaign, stage: Stage, r: Recipient) -> Job:
    url = links.url_for(r.link_nonce)
    body = render(
        campaign.message, first_name=r.customer.first_name, dealer=campaign.dealer, url=url
    )
    since = (r.first_claimed_at if stage is FIRST else r.reminder_claimed_at) or timezone.now()
    return Job(
        recipient=r,
        message=SmsMessage(
            to=r.customer.mobile,
            body=body,
            sender=campaign.dealer.sms_sender or campaign.dealer.name[:11],
            reference=f"{r.pk}{stage.suffix}",
            campaign_id=campaign.pk,
            dealer_id=campaign.dealer_id,
        ),
        link=url,
        since=since - dt.timedelta(seconds=5),
        ask_first=r.maybe_sent,
    )


def _perform(backend: SmsBackend, job: Job) -> SendResult:
    """Runs in a thread: no database here, only the provider."""
    if job.ask_first and backend.supports_find_sent:
        try:
            found = backend.find_sent(
                to=job.message.to,
                since=job.since,
                reference=job.message.reference,
                body_contains=job.link,
            )
        except Exception as exc:  # the provider could not say: try again later
            return SendResult("failed", error=f"could not ask the provider: {exc}")
        if found:
            return SendResult("sent", provider_id=found[0].provider_id)
        # Not there: safe to send.
    try:
        return backend.send(job.message)
    except Exception as exc:  # a backend must not raise, but a bug must not lose the row
        log.exception("SMS backend raised")
        return SendResult("failed", error=f"{type(exc).__name__}: {exc}")


def send_claimed(
    campaign: Campaign, stage: Stage, claimed: list[Recipient], backend: SmsBackend
) -> None:
    sms = [r for r in claimed if r.channel == "sms"]
    for r in claimed:
        if r.channel == "email":
            _record(stage, r, _send_email(campaign, stage, r), backend)
    if not sms:
        return
    jobs = [_job(campaign, stage, r) for r in sms]
    if len(jobs) > 1 and _pool() is not None:
        results = list(_pool().map(lambda j: _perform(backend, j), jobs))  # type: ignore[union-attr]
    else:
        results = [_perform(backend, j) for j in jobs]
    sent = {j.recipient.pk: r.provider_id for j, r in zip(jobs, results, strict=True) if r.ok}
    with transaction.atomic():  # one commit for the batch's outcomes
        if sent:
            _mark_sent(stage, claimed[0].claim, sent)
        for job, result in zip(jobs, results, strict=True):
            if not result.ok:
                _record(stage, job.recipient, result, backend)


_pools: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor | None:
    """Provider calls of a batch run side by side (they wait on the network, not the CPU)."""
    workers = int(_setting("SEND_CONCURRENCY", 8))
    if workers <= 1:
        return None
    if not _pools:
        _pools.append(ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sms"))
    return _pools[0]


def _send_email(campaign: Campaign, stage: Stage, r: Recipient) -> SendResult:
    dealer, url = campaign.dealer, links.url_for(r.link_nonce)
    first_name = r.customer.first_name
    subject = render(campaign.email_subject, first_name=first_name, dealer=dealer, url=url)
    return send_email(
        r.customer.email,
        " ".join(subject.split()),
        render(campaign.email_message, first_name=first_name, dealer=dealer, url=url),
        reference=f"recipient:{r.pk}{stage.suffix}",
        reply_to=[dealer.contact_email] if dealer.contact_email else (),
    )


def _record(stage: Stage, r: Recipient, result: SendResult, backend: SmsBackend) -> None:
    now = timezone.now()
    if result.uncertain and (r.channel == "email" or not backend.supports_find_sent):
        # It may have gone out and nobody can tell us: at most once.
        result = SendResult(
            "failed", error=f"uncertain, not resent: {result.error}"[:300], permanent=True
        )
    mine = Recipient.all_dealers.filter(stage.q(SENDING), pk=r.pk, claim=r.claim)
    if result.status == "sent":
        mine.update(
            **{stage.state: SENT, stage.sent_at: now, stage.provider_id: result.provider_id}
        )
    elif result.permanent or r.attempts >= MAX_ATTEMPTS:
        reason = result.error or "failed"
        if not result.permanent:
            reason = f"gave up after {r.attempts} attempts: {reason}"
        extra = {"failed_at": now} if stage is FIRST else {}
        mine.update(**{stage.state: FAILED}, failure_reason=reason[:300], **extra)
    else:
        mine.update(
            **{stage.state: PENDING},
            failure_reason=(result.error or "")[:300],
            next_attempt_at=now + backoff(r.attempts),
            maybe_sent=r.maybe_sent or result.uncertain,
        )


def _mark_sent(stage: Stage, claim_token: str, sent: dict[int, str]) -> None:
    """One UPDATE … FROM (VALUES …) for all that went out, still only rows this claim holds.

    (A CASE with a WHEN per row costs more in the ORM than the sends themselves.)
    """
    table = Recipient._meta.db_table
    rows = ", ".join(["(%s, %s)"] * len(sent))
    # The column names come from the Stage constants, never from input.
    sql = (
        f"WITH v(rid, pid) AS (VALUES {rows}) "  # noqa: S608
        f"UPDATE {table} SET {stage.state} = %s, {stage.sent_at} = %s, "
        f"{stage.provider_id} = v.pid FROM v "
        f"WHERE {table}.id = v.rid AND {table}.{stage.state} = %s AND {table}.claim = %s"
    )
    params: list[Any] = []
    for pk, provider_id in sent.items():
        params += [pk, provider_id]
    params += [SENT, timezone.now(), SENDING, claim_token]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def settle_stale(campaign: Campaign, stage: Stage, backend: SmsBackend) -> int:
    """Recipients a dead worker left in ``sending``: ask the provider, never send blindly."""
    now = timezone.now()
    cutoff = now - stale_after()
    stale = list(
        Recipient.all_dealers.filter(
            stage.q(SENDING), campaign_id=campaign.pk, **{f"{stage.claimed_at}__lt": cutoff}
        ).values_list("pk", flat=True)[:500]
    )
    settled = 0
    for pk in stale:
        token = uuid.uuid4().hex
        if not Recipient.all_dealers.filter(
            stage.q(SENDING), pk=pk, **{f"{stage.claimed_at}__lt": cutoff}
        ).update(claim=token, **{stage.claimed_at: now}):
            continue  # another worker settles it
        r = Recipient.all_dealers.select_related("customer").get(pk=pk)
        mine = Recipient.all_dealers.filter(stage.q(SENDING), pk=pk, claim=token)
        if r.channel == "email" or not backend.supports_find_sent:  # cannot ask: at most once
            mine.update(
                **{stage.state: FAILED}, failure_reason="interrupted while sending; not resent"
            )
            continue
        job = _job(campaign, stage, r)
        try:
            found = backend.find_sent(
                to=job.message.to,
                since=job.since,
                reference=job.message.reference,
                body_contains=job.link,
            )
        except FindSentUnsupported:
            mine.update(**{stage.state: FAILED}, failure_reason="interrupted; not resent")
            continue
        except Exception as exc:
            log.warning("campaign %s: cannot settle recipient %s yet: %s", campaign.pk, pk, exc)
            continue  # stays in sending; tried again after stale_after()
        if found:
            mine.update(
                **{stage.state: SENT, stage.sent_at: now, stage.provider_id: found[0].provider_id}
            )
        else:
            mine.update(**{stage.state: PENDING}, next_attempt_at=now, maybe_sent=False)
        settled += 1
    return settled
