"""Campaign fixtures."""

from __future__ import annotations

import pytest

from samtykke.consent.models import Channel


@pytest.fixture(autouse=True)
def channels(request: pytest.FixtureRequest) -> None:
    """A transactional test's flush also empties the channels a data migration made."""
    if "django_db" not in request.keywords:
        return
    request.getfixturevalue("db")
    for key, nb, en, order in [("sms", "SMS", "SMS", 1), ("email", "E-post", "E-mail", 2)]:
        Channel.objects.get_or_create(
            key=key, defaults={"name_nb": nb, "name_nn": nb, "name_en": en, "order": order}
        )
