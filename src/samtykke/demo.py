"""`samtykke demo`: a fresh SQLite database with a realistic Norwegian dealer."""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEMO_SLUG = "demo-bil"
DEMO_STAFF_EMAIL = "demo@demo-bil.no"


def prepare_environment(database: str, port: int) -> Path:
    """Recreate the SQLite file and keep a generated secret beside it for later commands."""
    path = Path(database).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal", ".secret"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    secret_file = Path(str(path) + ".secret")
    secret_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    secret_file.chmod(0o600)
    os.environ["SAMTYKKE_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("SAMTYKKE_PUBLIC_URL", f"http://127.0.0.1:{port}")
    os.environ.setdefault("SAMTYKKE_SMS_BACKEND", "outbox")
    os.environ.setdefault("SAMTYKKE_TASKS_BACKEND", "db")
    os.environ.setdefault("SAMTYKKE_EMAIL_BACKEND", "console")
    os.environ.pop("SAMTYKKE_SECRET_KEY", None)
    os.environ.pop("SAMTYKKE_SECRET_KEY_FILE", None)
    return path


@dataclass
class DemoSummary:
    dealer: str
    customers: int
    reset_events: int
    staff_email: str
    staff_password: str
    api_key: str
    links: list[tuple[str, str]] = field(default_factory=list)

    def describe(self, *, database: Path, port: int) -> str:
        lines = [
            f"Demo dealer: {self.dealer} (slug {DEMO_SLUG}), {self.customers} customers;",
            f"GDPR reset: {self.reset_events} consents set to 'unknown'.",
            f"Database: {database}",
            f"  other commands: SAMTYKKE_DATABASE_URL=sqlite:///{database} uv run samtykke …",
            f"Back office: http://127.0.0.1:{port}/",
            f"  staff user: {self.staff_email}",
            f"  password:   {self.staff_password}",
            f"API: http://127.0.0.1:{port}/api/v1/docs",
            f"  API key:    {self.api_key}",
            "Personal links (the customer's page):",
        ]
        lines += [f"  {name}: {url}" for name, url in self.links]
        return "\n".join(lines)


def _mobile(rng: random.Random) -> str:
    import phonenumbers

    while True:
        candidate = f"+47{rng.choice('49')}{rng.randrange(10**7):07d}"
        number = phonenumbers.parse(candidate)
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
        ):
            return candidate


def seed(*, customers: int = 500, rng_seed: int = 2026) -> DemoSummary:
    from django.core.management import call_command
    from django.utils import timezone
    from faker import Faker

    from samtykke.consent.actions import gdpr_reset
    from samtykke.consent.links import issue_personal_link
    from samtykke.customers.models import Contact, Customer
    from samtykke.customers.services import CustomerData, apply_customer_data
    from samtykke.tenancy.models import ApiKey, Dealer
    from samtykke.tenancy.services import add_staff_user, create_dealer

    call_command("migrate", interactive=False, verbosity=0)
    fake = Faker("no_NO")  # Faker names Norwegian Bokmål "no_NO"
    Faker.seed(rng_seed)
    rng = random.Random(rng_seed)
    dealer = create_dealer(
        name="Demo Bil AS",
        org_number="923609016",
        slug=DEMO_SLUG,
        consent_option=Dealer.ConsentOption.ASSISTED,
        street="Bilveien 1",
        postal_code="0580",
        city="Oslo",
        contact_email="post@demo-bil.no",
        contact_phone="+47 22 00 00 00",
        sms_sender="DemoBil",
        sending_hours=None,  # the demo has no quiet hours, so it works at any hour
    )
    now = timezone.now()
    rows: list[Customer] = []
    for index in range(customers):
        first, last = fake.first_name(), fake.last_name()
        data = CustomerData(
            external_id=f"C{100000 + index}",
            customer_number=str(10000 + index),
            name=f"{first} {last}",
            mobile="" if rng.random() < 0.1 else _mobile(rng),
            email=(
                ""
                if rng.random() < 0.15
                else f"{first}.{last}{rng.randrange(100)}@example.no".lower().replace(" ", "")
            ),
            birth_date=fake.date_of_birth(minimum_age=16, maximum_age=85),
            street=fake.street_address(),
            postal_code=fake.postcode(),
            city=fake.city(),
            legacy_consent=(
                {"sms": "Ja", "email": rng.choice(["Ja", "Nei"])} if rng.random() < 0.3 else {}
            ),
        )
        customer = Customer(dealer=dealer)
        apply_customer_data(customer, data)
        rows.append(customer)
    Customer.objects.bulk_create(rows)
    saved = list(Customer.objects.for_dealer(dealer).order_by("pk"))
    contacts = []
    kinds = [k for k, _ in Contact.Kind.choices]
    for customer in saved:
        latest = None
        for n in range(rng.randint(1, 4)):
            when = now - dt.timedelta(days=rng.randint(1, 8 * 365), hours=rng.randint(0, 10))
            latest = max(latest or when, when)
            contacts.append(
                Contact(
                    dealer=dealer,
                    customer=customer,
                    kind=rng.choice(kinds),
                    reference=f"{customer.customer_number}-{n + 1}",
                    occurred_at=when,
                )
            )
        customer.last_contact_at = latest
    Contact.objects.bulk_create(contacts)
    Customer.all_dealers.bulk_update(saved, ["last_contact_at"])
    reset = gdpr_reset(dealer=dealer)
    _, password = add_staff_user(dealer=dealer, email=DEMO_STAFF_EMAIL, role="admin")
    _, api_key = ApiKey.issue(dealer, "Demo DMS")
    links = [
        (c.name, issue_personal_link(customer=c, origin="staff").url)
        for c in [c for c in saved if c.can_receive_sms][:3]
    ]
    return DemoSummary(
        dealer=dealer.name,
        customers=len(saved),
        reset_events=reset,
        staff_email=DEMO_STAFF_EMAIL,
        staff_password=password or "",
        api_key=api_key,
        links=links,
    )
