"""Campaign benchmarks, as ratios to a baseline measured in the same run.

1. Preparing a campaign of N recipients (audience query, tokens, link + recipient rows and a
   ``requested`` event in the ledger each) against a plain bulk insert of the same rows into the
   same tables (no query, no hashing, no ledger chain). Target ratio (baseline / prepare) ≥ 0.3.
2. Sending to a local fake Twilio (its own process) with the real dispatch code: SMS per second
   (target ≥ 500), and the same fake driven by bare httpx calls from the same thread pool as the
   baseline.

    SAMTYKKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/samtykke_campaigns \\
        uv run python bench/campaigns.py --postgres [--recipients 1000000] [--sms 5000]

It recreates the database named in SAMTYKKE_DATABASE_URL with the suffix ``_bench`` (``--suffix``).
``--recipients 0`` measures only the sending.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _database(postgres: bool, suffix: str = "_bench") -> str:
    if not postgres:
        return f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    import psycopg

    url = os.environ.get("SAMTYKKE_DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("--postgres needs SAMTYKKE_DATABASE_URL=postgres://…/<your database>")
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def _customers(dealer: object, n: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from samtykke.customers.models import Customer

    now = timezone.now()
    recent = now - dt.timedelta(days=100)
    if connection.vendor == "postgresql":
        columns = (
            "dealer_id, external_id, customer_number, name, mobile, mobile_is_valid, "
            "mobile_is_mobile, mobile_problem, email, email_is_valid, email_problem, street, "
            "postal_code, city, legacy_consent, last_contact_at, created_at, updated_at"
        )
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY customers_customer ({columns}) FROM STDIN") as copy:
                for i in range(n):
                    copy.write_row(
                        (
                            dealer.pk,
                            f"B{i}",
                            "",
                            f"Kari Nordmann {i}",
                            f"+479{i:07d}",
                            True,  # type: ignore[attr-defined]
                            True,
                            "",
                            "",
                            False,
                            "",
                            "",
                            "",
                            "",
                            "{}",
                            recent,
                            now,
                            now,
                        )
                    )
            cursor.execute("ANALYZE")
        return
    Customer.objects.bulk_create(
        [
            Customer(
                dealer=dealer,
                external_id=f"B{i}",
                name=f"Kari {i}",
                mobile=f"+479{i:07d}",
                mobile_is_valid=True,
                mobile_is_mobile=True,
                last_contact_at=recent,
            )
            for i in range(n)
        ],
        batch_size=5000,
    )


def bench_prepare(n: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from samtykke.campaigns.models import Campaign, Recipient
    from samtykke.campaigns.services import create_campaign
    from samtykke.consent.models import (
        Channel,
        ConsentEvent,
        ConsentState,
        PersonalLink,
        Purpose,
    )
    from samtykke.customers.models import Customer
    from samtykke.tenancy.models import Dealer
    from samtykke.tenancy.services import create_dealer

    dealer = create_dealer(
        name="Bench Bil AS",
        org_number="923609016",
        slug="bench-bil",
        consent_option=Dealer.ConsentOption.ASSISTED,
        sms_sender="BenchBil",
        sending_hours=None,
    )
    t = time.perf_counter()
    _customers(dealer, n)
    print(f"setup: {n:,} customers in {time.perf_counter() - t:.1f}s")
    ids = list(Customer.objects.for_dealer(dealer).order_by("pk").values_list("pk", flat=True))
    purpose = Purpose.objects.for_dealer(dealer).get()
    channel = Channel.objects.get(key="sms")

    class Rollback(Exception):
        pass

    # Baseline: the same rows, bulk-inserted plainly (in a transaction rolled back after).
    t = time.perf_counter()
    try:
        with transaction.atomic():
            now = timezone.now()
            campaign = Campaign.objects.create(
                dealer=dealer, name="baseline", contact_window_years=5, message="x"
            )
            chunk = 5000
            for start in range(0, n, chunk):
                part = ids[start : start + chunk]
                links = PersonalLink.all_dealers.bulk_create(
                    [
                        PersonalLink(
                            dealer=dealer,
                            customer_id=c,
                            token_hash=f"{c:064d}",
                            origin="campaign",
                            expires_at=now,
                        )
                        for c in part
                    ]
                )
                rs = Recipient.all_dealers.bulk_create(
                    [
                        Recipient(
                            dealer=dealer,
                            campaign=campaign,
                            customer_id=c,
                            channel="sms",
                            personal_link_id=link.pk,
                            link_nonce="0" * 32,
                        )
                        for c, link in zip(part, links, strict=True)
                    ]
                )
                events = ConsentEvent.all_dealers.bulk_create(
                    [
                        ConsentEvent(
                            dealer=dealer,
                            sequence=r.pk,
                            customer_id=r.customer_id,
                            purpose=purpose,
                            channel=channel,
                            status="requested",
                            source="system",
                            actor_kind="system",
                            evidence={"recipient": r.pk},
                            evidence_sha256="0" * 64,
                            occurred_at=now,
                            recorded_at=now,
                            prev_hash="0" * 64,
                            hash="0" * 64,
                        )
                        for r in rs
                    ]
                )
                ConsentState.all_dealers.bulk_create(
                    [
                        ConsentState(
                            dealer=dealer,
                            customer_id=e.customer_id,
                            purpose=purpose,
                            channel=channel,
                            status="requested",
                            source="system",
                            since=now,
                            event=e,
                        )
                        for e in events
                    ]
                )
            baseline = time.perf_counter() - t
            raise Rollback
    except Rollback:
        pass
    print(
        f"baseline: plain bulk insert of {4 * n:,} rows (links, recipients, events, "
        f"states) in {baseline:.1f}s"
    )
    t = time.perf_counter()
    campaign = create_campaign(dealer=dealer, channels=["sms"], reminder_after_days=None)
    prepared = time.perf_counter() - t
    assert campaign.recipient_count == n, campaign.recipient_count
    print(
        f"prepare: campaign of {n:,} recipients in {prepared:.1f}s "
        f"({n / prepared:,.0f} recipients/s)"
    )
    print(f"PREPARE RATIO (baseline / prepare) = {baseline / prepared:.2f}  (target ≥ 0.3)")


def bench_send(n: int) -> None:
    import httpx
    from django.db import connection

    from samtykke.campaigns import dispatch
    from samtykke.campaigns.models import Campaign
    from samtykke.tenancy.models import Dealer

    dealer = Dealer.objects.filter(slug="bench-bil").first()
    if dealer is None:  # --recipients 0: a campaign of n only for this part
        from samtykke.campaigns.services import create_campaign
        from samtykke.tenancy.services import create_dealer

        dealer = create_dealer(
            name="Bench Bil AS",
            org_number="923609016",
            slug="bench-bil",
            consent_option=Dealer.ConsentOption.ASSISTED,
            sms_sender="BenchBil",
            sending_hours=None,
        )
        _customers(dealer, n)
        create_campaign(dealer=dealer, channels=["sms"], reminder_after_days=None)
    Dealer.objects.filter(pk=dealer.pk).update(sms_per_minute=10**8)
    campaign = Campaign.objects.for_dealer(dealer).exclude(name="baseline").get()
    from samtykke.campaigns.models import Recipient

    # Send to the first n recipients only: the others are cancelled.
    keep = Recipient.objects.for_dealer(dealer).filter(campaign=campaign).order_by("pk")[n : n + 1]
    first_out = keep[0].pk if keep else None
    if first_out is not None:
        Recipient.objects.for_dealer(dealer).filter(campaign=campaign, pk__gte=first_out).update(
            state="cancelled"
        )
    Campaign.objects.for_dealer(dealer).filter(pk=campaign.pk).update(status="sending")
    backend = dispatch.sms_backend()
    client = httpx.Client(
        base_url=os.environ["SAMTYKKE_TWILIO_BASE_URL"],
        auth=(os.environ["SAMTYKKE_TWILIO_ACCOUNT_SID"], os.environ["SAMTYKKE_TWILIO_AUTH_TOKEN"]),
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
    )
    pool = dispatch._pool()
    assert pool is not None and backend is not None
    t = time.perf_counter()
    list(
        pool.map(
            lambda i: client.post(
                f"/2010-04-01/Accounts/{os.environ['SAMTYKKE_TWILIO_ACCOUNT_SID']}/Messages.json",
                data={"To": f"+478{i:07d}", "Body": "x" * 120},
            ),
            range(n),
        )
    )
    bare = n / (time.perf_counter() - t)
    connection.close()

    def lane() -> None:  # as a worker's lane does, minus the queue
        from django.db import connection as own

        while dispatch.run_batch(campaign.pk) is not None:
            pass
        own.close()

    import threading

    t = time.perf_counter()
    lanes = [threading.Thread(target=lane) for _ in range(dispatch.lanes())]
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join()
    elapsed = time.perf_counter() - t
    sent = Recipient.objects.for_dealer(dealer).filter(campaign=campaign, state="sent").count()
    assert sent == n, sent
    print(f"baseline: bare httpx calls to the fake, same pool: {bare:,.0f} calls/s")
    print(
        f"SEND RATE = {n / elapsed:,.0f} SMS/s through dispatch ({n:,} in {elapsed:.1f}s; "
        f"target ≥ 500), {n / elapsed / bare:.2f} of the bare calls"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--sms", type=int, default=5000)
    parser.add_argument("--suffix", default="_bench", help="database name suffix (PostgreSQL)")
    args = parser.parse_args()
    database = _database(args.postgres, args.suffix)
    from tests.messaging.fakes import FakeProcess

    with FakeProcess("twilio") as fake:  # messaging's fake Twilio, in its own process
        os.environ.update(
            {f"SAMTYKKE_{name}": str(value) for name, value in fake.values.items()},
            SAMTYKKE_DATABASE_URL=database,
            SAMTYKKE_SECRET_KEY="bench-" + "b" * 50,
            SAMTYKKE_TASKS_BACKEND="immediate",
            SAMTYKKE_PUBLIC_URL="https://samtykke.example.no",
            SAMTYKKE_LOG_LEVEL="WARNING",
        )
        from samtykke.cli import setup_django

        setup_django()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        if args.recipients:
            bench_prepare(args.recipients)
        bench_send(args.sms)
        stats = fake.stats()
        assert not stats["duplicates"], stats


if __name__ == "__main__":
    main()
