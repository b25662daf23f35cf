"""Verifying a dealer's ledger: the HMAC chain, gapless numbers, evidence and the current view."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from samtykke.consent.actions import hash_of
from samtykke.consent.ledger import GENESIS, evidence_digest
from samtykke.consent.models import ConsentEvent, ConsentState, LedgerHead, NoticeVersion
from samtykke.tenancy.models import Dealer


@dataclass(frozen=True)
class VerifyResult:
    dealer: str
    events: int
    problem: str = ""
    sequence: int | None = None  # the first bad event, when there is one

    @property
    def ok(self) -> bool:
        return not self.problem


def _events(dealer: Dealer) -> Iterator[ConsentEvent]:
    return ConsentEvent.objects.for_dealer(dealer).order_by("sequence").iterator(chunk_size=5000)


def verify_dealer(dealer: Dealer) -> VerifyResult:
    notices = {
        v.pk: v
        for v in NoticeVersion.objects.for_dealer(dealer).only(
            "pk", "title", "text", "content_sha256"
        )
    }
    expected_sequence = 1
    prev = GENESIS
    replay: dict[tuple[int, int, int], tuple[str, str, object, int]] = {}
    count = 0
    for event in _events(dealer):
        count += 1
        seq = event.sequence
        if seq != expected_sequence:
            missing = "deleted" if seq > expected_sequence else "duplicated"
            return VerifyResult(
                dealer.slug,
                count,
                f"event #{expected_sequence} is {missing} (found #{seq})",
                expected_sequence,
            )
        notice_sha = ""
        if event.notice_version_id is not None:
            notice = notices.get(event.notice_version_id)
            if notice is None:
                return VerifyResult(
                    dealer.slug, count, f"event #{seq}: its notice version is gone", seq
                )
            if NoticeVersion.digest(notice.title, notice.text) != notice.content_sha256:
                return VerifyResult(
                    dealer.slug, count, f"event #{seq}: the notice text it showed was changed", seq
                )
            notice_sha = notice.content_sha256
        if event.prev_hash != prev:
            return VerifyResult(
                dealer.slug, count, f"event #{seq}: does not follow #{seq - 1} (chain broken)", seq
            )
        if hash_of(event, notice_sha) != event.hash:
            return VerifyResult(
                dealer.slug, count, f"event #{seq}: content does not match its hash", seq
            )
        if (
            event.evidence_erased_at is None
            and evidence_digest(event.evidence) != event.evidence_sha256
        ):
            return VerifyResult(dealer.slug, count, f"event #{seq}: evidence was changed", seq)
        key = (event.customer_id, event.purpose_id, event.channel_id)
        current = replay.get(key)
        if current is None or event.occurred_at >= current[2]:  # type: ignore[operator]
            replay[key] = (event.status, event.source, event.occurred_at, event.pk)
        prev = event.hash
        expected_sequence += 1
    head = LedgerHead.objects.filter(dealer=dealer).first()
    last = expected_sequence - 1
    if head is not None and (head.sequence != last or (last and head.hash != prev)):
        return VerifyResult(
            dealer.slug,
            count,
            f"the ledger head says #{head.sequence} but the last event is #{last}",
            last + 1,
        )
    for state in ConsentState.objects.for_dealer(dealer).iterator(chunk_size=5000):
        key = (state.customer_id, state.purpose_id, state.channel_id)
        want = replay.pop(key, None)
        got = (state.status, state.source, state.since, state.event_id)
        if want != got:
            return VerifyResult(
                dealer.slug,
                count,
                f"current view of customer {state.customer_id} differs from the ledger",
            )
    if replay:
        customer_id = next(iter(replay))[0]
        return VerifyResult(
            dealer.slug, count, f"current view of customer {customer_id} is missing"
        )
    return VerifyResult(dealer.slug, count)
