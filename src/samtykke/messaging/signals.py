"""Signals of the messaging app.

``delivery_reported`` — a provider told us what became of an SMS we sent.

    from samtykke.messaging.signals import delivery_reported

    @receiver(delivery_reported)
    def on_delivery(sender: object, report: DeliveryReport, **kwargs: object) -> bool:
        ...  # find the recipient by report.reference (or report.provider_id), move its state
        return True  # "I know this message"; return False (or None) when it is not yours

- Sent synchronously while the webhook request is handled (after its signature or secret was
  checked), with ``sender=DeliveryReport`` and ``report=<DeliveryReport>``.
- ``report.reference`` is the ``SmsMessage.reference`` we sent (every provider module arranges
  for it to come back: Twilio through the StatusCallback URL, LINK as ``refId``, Sveve as
  ``ref``); ``report.provider_id`` is the provider's message id (``SendResult.provider_id``).
- ``report.status`` is one of ``DeliveryStatus`` (``delivered``, ``failed``, ``sent``);
  ``report.is_final`` tells ``delivered``/``failed`` from progress notes.
- The same report may arrive twice (providers retry): receivers must be idempotent.
- A receiver that raises makes the webhook answer 500, so the provider retries later. A report
  nobody claims (every receiver returned a falsy value) is logged and answered 200, so the
  provider stops retrying.

``sms_received`` — an inbound SMS (a reply) was stored, after the STOP words were handled;
sent with ``sender=InboundMessage`` and ``message=<InboundMessage>`` on commit.
"""

from __future__ import annotations

from django.dispatch import Signal

delivery_reported = Signal()
sms_received = Signal()
