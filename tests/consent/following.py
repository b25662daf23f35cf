"""Writers on their own connections and a reader following the ledger by sequence number."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection

from samtykke.consent.models import ConsentEvent
from samtykke.tenancy.models import Dealer


def follow_while_writing(
    dealer: Dealer, writers: list[Callable[[], object]], expected: int, timeout: float = 300
) -> list[int]:
    """Run every writer in its own thread while a reader follows the dealer's ledger by
    sequence number, asserting it never skips one (a gap would mean a later event committed
    first). Returns the sequence numbers read; raises what any thread raised."""
    errors: list[BaseException] = []
    seen: list[int] = []
    done = threading.Event()

    def run(writer: Callable[[], object]) -> None:
        try:
            writer()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def read() -> None:
        cursor = 0
        try:
            deadline = time.monotonic() + timeout
            while len(seen) < expected and time.monotonic() < deadline:
                batch = list(
                    ConsentEvent.objects.for_dealer(dealer)
                    .filter(sequence__gt=cursor)
                    .order_by("sequence")
                    .values_list("sequence", flat=True)[:500]
                )
                for sequence in batch:
                    assert sequence == cursor + 1, f"skipped from {cursor} to {sequence}"
                    seen.append(sequence)
                    cursor = sequence
                if not batch:
                    time.sleep(0.005)
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in writers]
    follower = threading.Thread(target=read)
    follower.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.wait(timeout=timeout)
    follower.join()
    assert not errors, errors
    return seen
