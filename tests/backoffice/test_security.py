"""Every back-office route: another dealer's object is a 404, every POST needs its CSRF token,
no GET changes anything, and names are shown as text."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from pypdf import PdfReader

from samtykke.backoffice.models import LoginFailure
from samtykke.consent.actions import Actor, Decision, record_consent
from samtykke.consent.models import ConsentEvent, Purpose
from samtykke.customers.models import Contact, Customer
from samtykke.imports.services import create_import_job
from samtykke.tenancy.models import ApiKey, Dealer, Membership

pytestmark = pytest.mark.django_db


def backoffice_routes() -> Iterator[tuple[str, URLPattern]]:
    """(name, pattern) of every route in the back office's namespace."""

    def walk(patterns: list[Any], namespace: str | None) -> Iterator[tuple[str, URLPattern]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace == "backoffice" and entry.name:
                yield entry.name, entry

    yield from walk(get_resolver().url_patterns, None)


def objects_of(dealer: Dealer, user: Any) -> dict[str, int]:
    """One object of each kind a route can name, belonging to ``dealer``."""
    customer = Customer.objects.for_dealer(dealer).order_by("pk").first()
    assert customer is not None
    record_consent(
        dealer=dealer,
        customer=customer,
        decisions=[Decision("marketing", "sms", "refused")],
        source="staff",
        actor=Actor.staff(user),
        evidence={"scan": {"path": "scans/none.png", "sha256": "0", "content_type": "image/png"}},
    )
    job = create_import_job(dealer=dealer, uploaded_by=user, data=b"Kundenr;Navn\n1;A\n")
    key, _raw = ApiKey.issue(dealer, "x")
    return {
        "customer": customer.pk,
        "event": ConsentEvent.objects.for_dealer(dealer).filter(customer=customer).first().pk,  # type: ignore[union-attr]
        "order": Contact.objects.for_dealer(dealer).filter(customer=customer).first().pk,  # type: ignore[union-attr]
        "purpose": Purpose.objects.for_dealer(dealer).first().pk,  # type: ignore[union-attr]
        "membership": Membership.objects.for_dealer(dealer).filter(user=user).first().pk,  # type: ignore[union-attr]
        "api_key": key.pk,
        "import": job.pk,
    }


# Which kind of object each route's URL arguments name.
ROUTE_OBJECTS: dict[str, dict[str, str]] = {
    "customer": {"pk": "customer"},
    "print_form": {"pk": "customer"},
    "paper_form": {"pk": "customer"},
    "staff_decision": {"pk": "customer"},
    "history_json": {"pk": "customer"},
    "history_pdf": {"pk": "customer"},
    "event_scan": {"pk": "customer", "event_pk": "event"},
    "order_print": {"pk": "order"},
    "settings_purpose": {"pk": "purpose"},
    "settings_membership_role": {"pk": "membership"},
    "settings_membership_remove": {"pk": "membership"},
    "settings_api_key_revoke": {"pk": "api_key"},
    "import_job": {"pk": "import"},
    "import_job_start": {"pk": "import"},
    "import_job_status": {"pk": "import"},
}


def url_for(pattern: URLPattern, objects: dict[str, int], name: str) -> str:
    from django.urls import reverse

    kwargs = {arg: objects[kind] for arg, kind in ROUTE_OBJECTS.get(name, {}).items()}
    return reverse(f"backoffice:{name}", kwargs=kwargs)


def methods_of(pattern: URLPattern) -> list[str]:
    """What the view accepts, read from Django's require_http_methods wrapper if present."""
    client_methods = []
    view: Callable[..., Any] = pattern.callback
    allowed = None
    while view is not None and allowed is None:
        for cell in getattr(view, "__closure__", None) or ():
            contents = cell.cell_contents
            if (
                isinstance(contents, list)
                and contents
                and all(isinstance(m, str) and m.isupper() for m in contents)
            ):
                allowed = contents
        view = getattr(view, "__wrapped__", None)  # type: ignore[assignment]
    for method in allowed or ["GET", "POST"]:
        if method in ("GET", "POST"):
            client_methods.append(method)
    return client_methods


@pytest.fixture
def world(
    dealer: Dealer,
    other_dealer: Dealer,
    alice: Any,
    carol: Any,
    customer: Customer,
    other_customer: Customer,
) -> dict[str, dict[str, int]]:
    return {"own": objects_of(dealer, alice), "other": objects_of(other_dealer, carol)}


def test_every_object_route_is_known() -> None:
    routes = dict(backoffice_routes())
    assert methods_of(routes["print_form"]) == ["POST"]
    assert methods_of(routes["customers"]) == ["GET"]
    assert methods_of(routes["paper_form"]) == ["GET", "POST"]
    with_args = {name for name, p in backoffice_routes() if p.pattern.converters}
    assert with_args == set(ROUTE_OBJECTS), "add new routes to ROUTE_OBJECTS"


def test_another_dealers_object_is_404_on_every_route(
    alice_client: Client, world: dict[str, dict[str, int]]
) -> None:
    checked = 0
    for name, pattern in backoffice_routes():
        if not pattern.pattern.converters:
            continue
        url = url_for(pattern, world["other"], name)
        for method in methods_of(pattern):
            response = getattr(alice_client, method.lower())(url)
            assert response.status_code == 404, (name, method, response.status_code)
            checked += 1
    assert checked >= len(ROUTE_OBJECTS)
    # own customer, another dealer's event
    mixed = f"/kunder/{world['own']['customer']}/skann/{world['other']['event']}/"
    assert alice_client.get(mixed).status_code == 404


def test_every_post_needs_the_csrf_token(alice: Any, world: dict[str, dict[str, int]]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    posted = 0
    for name, pattern in backoffice_routes():
        if "POST" not in methods_of(pattern):
            continue
        response = client.post(url_for(pattern, world["own"], name), {})
        assert response.status_code == 403, name
        posted += 1
    assert posted >= 12
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/login/", {"username": "a", "password": "b"}).status_code == 403


def _snapshot() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if model in (Session, LoginFailure):
            continue
        counts[model._meta.label] = model._base_manager.count()
    counts["dealer_fields"] = hash(
        repr(list(Dealer.objects.values_list("sms_sender", "sending_hours")))
    )
    counts["roles"] = hash(repr(list(Membership.all_dealers.values_list("role", flat=True))))
    counts["revoked"] = ApiKey.all_dealers.filter(revoked_at__isnull=False).count()
    return counts


def test_no_get_changes_anything(alice_client: Client, world: dict[str, dict[str, int]]) -> None:
    before = _snapshot()
    visited = 0
    for name, pattern in backoffice_routes():
        if "GET" not in methods_of(pattern) or name in ("logout",):
            continue
        response = alice_client.get(url_for(pattern, world["own"], name))
        assert response.status_code < 500, name
        visited += 1
    assert visited >= 15
    assert _snapshot() == before


def test_a_script_name_is_shown_as_text(bob_client: Client, scripted_customer: Customer) -> None:
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    pages = [
        f"/kunder/{scripted_customer.pk}/",
        "/kunder/?q=%3Cscript",
        "/ordre/?day_from=2000-01-01",
        f"/kunder/{scripted_customer.pk}/papirskjema/",
    ]
    for url in pages:
        text = bob_client.get(url).content.decode()
        assert escaped in text, url
        assert "<script>alert(1)" not in text, url
    pdf = bob_client.post(f"/kunder/{scripted_customer.pk}/skriv-ut/").content
    printed = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>alert(1)</script>" in printed
