"""Local fake SMS providers that speak Twilio's, LINK Mobility's and Sveve's HTTP APIs.

Each fake is a small threaded HTTP server on 127.0.0.1 (port 0), for tests and benchmarks:

    with FakeTwilio() as fake:
        fake.configure(settings)            # pytest-django's `settings`: backend + URLs + keys
        backend = get_sms_backend()         # now talks to the fake
        ...
        assert fake.count(to="+4791234567") == 1       # every accepted message is counted
        assert not fake.duplicates()                    # (to, body) pairs received twice
        fake.report_delivery(sid, "delivered", target=live_server.url)  # signed status callback

- ``accepted``: every message the provider accepted (``Received``: id, to, body, reference,
  at); ``attempts``: every send call, answered or not; ``count(to=…, body=…)``, ``counts()``,
  ``duplicates()``.
- Faults: ``fail_rate`` (answer 500, nothing accepted), ``hang_rate`` (accept the message, then
  hold the answer ``hang_seconds`` — past the client's timeout — the nasty case where the
  provider has it but we don't know), ``fail_next("500", "hang", …)`` for exact sequences;
  ``invalid_numbers``/``blocked_numbers`` get the provider's permanent error.
- Twilio's list endpoint (``GET …/Messages.json`` with ``To``, ``From``, ``DateSent``,
  ``DateSent>``/``DateSent<`` and paging) lists what was accepted.
- Delivery reports and inbound SMS are posted back like the provider does (Twilio: signed form
  posts to the StatusCallback URL; LINK: JSON to the gate URL; Sveve: GET with parameters).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.messaging.fakes.base import Answer, Call, FakeProvider, Received
from tests.messaging.fakes.linkmobility import FakeLinkMobility
from tests.messaging.fakes.process import FAKES, FakeProcess
from tests.messaging.fakes.sveve import FakeSveve
from tests.messaging.fakes.twilio import FakeTwilio, twilio_signature

__all__ = [
    "FAKES",
    "Answer",
    "Call",
    "FakeLinkMobility",
    "FakeProcess",
    "FakeProvider",
    "FakeSet",
    "FakeSveve",
    "FakeTwilio",
    "Received",
    "twilio_signature",
]


@dataclass
class FakeSet:
    """All three, for tests that want each provider (``with FakeSet() as fakes: …``)."""

    twilio: FakeTwilio = field(default_factory=FakeTwilio)
    linkmobility: FakeLinkMobility = field(default_factory=FakeLinkMobility)
    sveve: FakeSveve = field(default_factory=FakeSveve)

    def __enter__(self) -> FakeSet:
        for fake in (self.twilio, self.linkmobility, self.sveve):
            fake.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for fake in (self.twilio, self.linkmobility, self.sveve):
            fake.stop()
