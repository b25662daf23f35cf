"""Consent receipts: ISO/IEC TS 27560 (via W3C DPV) and Kantara Consent Receipt v1.1 fields."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from samtykke.consent.models import ConsentEvent, ConsentState, Source
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer

DPV_STATUS = {
    "given": "dpv:ConsentGiven",
    "refused": "dpv:ConsentRefused",
    "withdrawn": "dpv:ConsentWithdrawn",
    "unknown": "dpv:ConsentUnknown",
    "requested": "dpv:ConsentRequested",
    "pending": "dpv:ConsentRequested",
    "expired": "dpv:ConsentExpired",
}
COLLECTION_METHOD = {
    Source.PORTAL: "web form (personal link)",
    Source.PAPER_FORM: "signed paper form",
    Source.STAFF: "recorded by staff (in person or by phone)",
    Source.DMS_API: "recorded in the dealer management system",
    Source.SMS_REPLY: "SMS reply",
    Source.IMPORT: "file import",
    Source.GDPR_RESET: "GDPR reset of legacy register (no consent)",
    Source.EMAIL_CONFIRMATION: "e-mail confirmation link (double opt-in)",
    Source.SYSTEM: "system",
}
HOW_TO_WITHDRAW = {
    "nb": "Bruk den personlige lenken, svar STOPP på en SMS, eller kontakt forhandleren.",
    "nn": "Bruk den personlege lenkja, svar STOPP på ein SMS, eller kontakt forhandlaren.",
    "en": "Use your personal link, reply STOP to an SMS, or contact the dealer.",
}


def _controller(dealer: Dealer) -> dict[str, Any]:
    return {
        "name": dealer.name,
        "organisation_number": dealer.org_number,
        "address": dealer.address_line,
        "email": dealer.contact_email,
        "phone": dealer.contact_phone,
    }


def _event_record(event: ConsentEvent, language: str) -> dict[str, Any]:
    notice = event.notice_version
    return {
        "record_id": f"{event.dealer.slug}:{event.sequence}",
        "sequence": event.sequence,
        "purpose": {"key": event.purpose.key, "name": event.purpose.label(language)},
        "channel": event.channel.key,
        "status": event.status,
        "dpv_status": DPV_STATUS[event.status],
        "legal_basis": "dpv:Consent (GDPR Art. 6(1)(a); markedsføringsloven § 15)",
        "collection_method": COLLECTION_METHOD.get(Source(event.source), event.source),
        "source": event.source,
        "notice": (
            {
                "reference": notice.reference,
                "language": notice.language,
                "title": notice.title,
                "sha256": notice.content_sha256,
                "assumed": event.notice_assumed,
            }
            if notice
            else None
        ),
        "expressed_by": event.actor_kind,
        "recorded_by": event.actor_label,
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "evidence": event.evidence,
        "hash": event.hash,
    }


def build_receipt(dealer: Dealer, customer: Customer, language: str = "nb") -> dict[str, Any]:
    """The customer's consent: current state per purpose and channel, and the full history."""
    events = list(
        ConsentEvent.objects.for_dealer(dealer)
        .filter(customer=customer)
        .select_related(
            "purpose", "channel", "notice_version__notice", "notice_version__dealer", "dealer"
        )
        .order_by("sequence")
    )
    states = (
        ConsentState.objects.for_dealer(dealer)
        .filter(customer=customer)
        .select_related("purpose", "channel", "event")
        .order_by("purpose__order", "channel__order")
    )
    by_id = {e.pk: e for e in events}
    return {
        "version": "samtykke-receipt-1 (Kantara CR v1.1 / ISO/IEC TS 27560 fields)",
        "receipt_id": f"{dealer.slug}:{customer.external_id}:{timezone.now():%Y%m%dT%H%M%S}",
        "issued_at": timezone.now().isoformat(),
        "jurisdiction": "NO",
        "language": language,
        "controller": _controller(dealer),
        "data_subject": {
            "external_id": customer.external_id,
            "customer_number": customer.customer_number,
            "name": customer.name,
            "erased": customer.is_erased,
        },
        "how_to_withdraw": HOW_TO_WITHDRAW.get(language, HOW_TO_WITHDRAW["nb"]),
        "withdraw_url": settings.PUBLIC_URL,
        "current": [
            {
                "purpose": s.purpose.key,
                "channel": s.channel.key,
                "status": s.status,
                "dpv_status": DPV_STATUS[s.status],
                "since": s.since.isoformat(),
                "source": s.source,
                "record_id": f"{dealer.slug}:{by_id[s.event_id].sequence}"
                if s.event_id in by_id
                else None,
            }
            for s in states
        ],
        "records": [_event_record(e, language) for e in events],
    }
