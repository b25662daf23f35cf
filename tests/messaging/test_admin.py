"""The vendor's operators see messaging's rows in Django admin; route secrets are never shown."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from samtykke.messaging.models import InboundRoute
from samtykke.messaging.sms.base import SmsMessage
from samtykke.messaging.sms.outbox import OutboxBackend
from samtykke.tenancy.models import Dealer

pytestmark = pytest.mark.django_db


def test_admin_lists(client: Client, dealer: Dealer) -> None:
    operator = get_user_model().objects.create_superuser(
        "ops@vendor.no", "ops@vendor.no", "pw-123456"
    )
    client.force_login(operator)
    route, secret = InboundRoute.issue(dealer, "twilio")
    OutboxBackend().send(SmsMessage("+4791234567", "Hei", "Bil", "r1", 1, dealer.pk))
    for path in ("inboundroute", "inboundmessage", "outboxmessage"):
        response = client.get(f"/admin/messaging/{path}/")
        assert response.status_code == 200, path
        assert secret not in response.content.decode()
    page = client.get(f"/admin/messaging/inboundroute/{route.pk}/change/").content.decode()
    assert secret not in page and route.secret_hash not in page
    assert client.get("/admin/messaging/inboundroute/add/").status_code == 403
