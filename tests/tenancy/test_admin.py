from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from samtykke.tenancy.models import Dealer


def test_vendor_operators_see_every_dealer_and_its_option(
    client: Client, dealer: Dealer, other_dealer: Dealer, alice: Any
) -> None:
    operator = get_user_model().objects.create_superuser(
        "operator", "op@vendor.no", "operator-pass-1"
    )
    client.force_login(operator)
    page = client.get("/admin/tenancy/dealer/").content.decode()
    assert dealer.name in page and other_dealer.name in page
    for shown in (dealer, other_dealer):
        assert str(shown.get_consent_option_display()) in page
    detail = client.get(f"/admin/tenancy/dealer/{other_dealer.pk}/change/")
    assert detail.status_code == 200


def test_dealer_staff_cannot_use_django_admin(client: Client, alice: Any) -> None:
    client.force_login(alice)
    response = client.get("/admin/tenancy/dealer/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
