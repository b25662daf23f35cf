"""Phone and e-mail normalization for a worker process: imports nothing from Django, so a
freshly spawned process can run it without setting Django up."""

from __future__ import annotations

from collections.abc import Sequence

from samtykke.customers.normalize import EmailResult, PhoneResult, normalize_email, normalize_phone


def normalize_contacts(pairs: Sequence[tuple[str, str]]) -> list[tuple[PhoneResult, EmailResult]]:
    """normalize_phone and normalize_email for (mobile, e-mail) pairs."""
    return [(normalize_phone(mobile), normalize_email(email)) for mobile, email in pairs]
