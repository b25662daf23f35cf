"""The import engine: every bad row reported, nothing half-imported, upserts, the GDPR reset."""

from __future__ import annotations

import pytest
from django.utils import timezone

from samtykke.consent.actions import Actor, Decision, erase_customer, record_consent
from samtykke.consent.models import ConsentEvent, ConsentState, Source, Status
from samtykke.consent.verify import verify_dealer
from samtykke.customers.models import Contact, Customer
from samtykke.imports.engine import run_import
from samtykke.imports.mapping import Mapping, propose_mapping
from samtykke.imports.parsing import read_upload
from samtykke.imports.records import RowProblem, validate
from samtykke.tenancy.models import Dealer
from tests.imports.files import EN_HEADERS, NB_HEADERS, ROWS, export


def _run(dealer: Dealer, data: bytes, **options: object):  # type: ignore[no-untyped-def]
    parsed = read_upload(data)
    return run_import(
        dealer=dealer, parsed=parsed, mapping=propose_mapping(parsed.headers), **options
    )


def _bad_rows() -> list[list[str]]:
    rows = [list(r) for r in ROWS]
    rows[1][9] = "31.02.2025"  # no such day: line 3, Ordredato
    rows[2][0] = ""  # no customer number: line 4, Kundenr
    rows[3][7] = "i fjor"  # line 5, Fødselsdato
    return rows


def test_validate_reports_every_bad_row_by_line_and_column() -> None:
    parsed = read_upload(export(_bad_rows()))
    problems = validate(parsed, propose_mapping(parsed.headers))
    assert [(p.line, p.column, p.value) for p in problems] == [
        (3, "Ordredato", "31.02.2025"),
        (4, "Kundenr", ""),
        (5, "Fødselsdato", "i fjor"),
    ]
    assert "not a date" in problems[0].reason
    assert "missing" in problems[1].reason
    assert (
        str(problems[0]) == "line 3, column 'Ordredato': not a date (use 31.12.2024) ('31.02.2025')"
    )


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        ((9, "01.01.2999"), "Ordredato", "in the future"),
        ((8, ""), "Ordrenr", "date but no number"),
        ((9, ""), "Ordredato", "no date"),
        ((1, "Åse Annen"), "Navn", "differs from line 2"),
        ((7, "01.01.2990"), "Fødselsdato", "in the future"),
        ((5, "12345678901"), "Postnr", "longer than 10"),
        ((1, "Bell\x07"), "Navn", "control character"),
        ((8, "WO-1"), "Ordrenr", "same order is on line 2"),
    ],
)
def test_each_kind_of_bad_value(change: tuple[int, str], column: str, reason: str) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][change[0]] = change[1]
    parsed = read_upload(export(rows))
    (problem,) = validate(parsed, propose_mapping(parsed.headers))
    assert (problem.line, problem.column) == (3, column)
    assert reason in problem.reason


def test_a_row_with_too_many_values_is_reported() -> None:
    data = export() + b"10009;Per;;;;;;;;;;;;ekstra\r\n"
    parsed = read_upload(data)
    (problem,) = validate(parsed, propose_mapping(parsed.headers))
    assert problem.line == 6 and "14 values" in problem.reason


def test_import_writes_customers_orders_and_the_gdpr_reset(dealer: Dealer) -> None:
    outcome = _run(dealer, export(), dry_run=False)
    assert outcome.ok and outcome.problems == []
    summary = outcome.summary
    assert (summary.created, summary.updated, summary.orders_created) == (3, 0, 3)
    customers = Customer.objects.for_dealer(dealer)
    ase = customers.get(external_id="10001")
    assert ase.customer_number == "10001"
    assert ase.name == "Åse Ørnes-Bækken"
    assert ase.mobile == "+4791234567" and ase.can_receive_sms
    assert ase.birth_date.isoformat() == "1970-02-01"
    assert (ase.street, ase.postal_code, ase.city) == ("Storgata 1", "9008", "Tromsø")
    assert ase.last_contact_at is not None
    assert timezone.localtime(ase.last_contact_at).date().isoformat() == "2025-02-04"
    orders = Contact.objects.for_dealer(dealer).filter(customer=ase)
    assert sorted(orders.values_list("reference", "kind")) == [
        ("WO-1", "workshop_order"),
        ("WO-2", "workshop_order"),
    ]
    bjorn = customers.get(external_id="10002")
    assert bjorn.email == "ikke-en-epost" and not bjorn.email_is_valid
    assert "not a valid e-mail address" in bjorn.email_problem
    assert Contact.objects.for_dealer(dealer).get(customer=bjorn).kind == "vehicle_sale"
    ola = customers.get(external_id="10003")
    assert not ola.can_receive_sms and "not a mobile" in ola.mobile_problem
    assert summary.invalid_emails == 1 and summary.invalid_mobiles == 0
    # Every purpose and channel of every new customer: unknown, by the GDPR reset.
    states = ConsentState.objects.for_dealer(dealer)
    assert states.count() == 3 * 2
    assert set(states.values_list("status", "source")) == {(Status.UNKNOWN, Source.GDPR_RESET)}
    assert summary.consent_reset_events == 6


def test_legacy_sms_ja_is_evidence_never_consent(dealer: Dealer) -> None:
    _run(dealer, export(), dry_run=False)
    ase = Customer.objects.for_dealer(dealer).get(external_id="10001")
    assert ase.legacy_consent == {"SMS": "Ja", "E-post samtykke": "Nei"}
    events = ConsentEvent.objects.for_dealer(dealer).filter(customer=ase)
    assert {e.status for e in events} == {Status.UNKNOWN}
    assert all(
        e.evidence == {"legacy_dms_value": {"SMS": "Ja", "E-post samtykke": "Nei"}} for e in events
    )
    assert not ConsentState.objects.for_dealer(dealer).filter(status=Status.GIVEN).exists()


def test_a_real_run_with_a_bad_row_imports_nothing(dealer: Dealer) -> None:
    outcome = _run(dealer, export(_bad_rows()), dry_run=False)
    assert outcome.status == "refused"
    assert [p.line for p in outcome.problems] == [3, 4, 5]
    assert not Customer.objects.for_dealer(dealer).exists()
    assert not Contact.objects.for_dealer(dealer).exists()
    assert not ConsentEvent.objects.for_dealer(dealer).exists()


def test_skipping_bad_rows_imports_the_rest_and_lists_what_was_skipped(dealer: Dealer) -> None:
    outcome = _run(dealer, export(_bad_rows()), dry_run=False, skip_bad_rows=True)
    assert outcome.ok
    assert outcome.summary.skipped_lines == [3, 4, 5]
    assert "Skipped (bad) lines: 3, 4, 5." in outcome.summary.lines()
    assert list(Customer.objects.for_dealer(dealer).values_list("external_id", flat=True)) == [
        "10001"
    ]
    assert list(Contact.objects.for_dealer(dealer).values_list("reference", flat=True)) == ["WO-1"]


def test_a_dry_run_writes_nothing_and_says_what_would_happen(dealer: Dealer) -> None:
    outcome = _run(dealer, export(_bad_rows()), dry_run=True)
    assert outcome.ok and len(outcome.problems) == 3
    assert outcome.summary.created == 1
    assert not Customer.objects.for_dealer(dealer).exists()


def test_importing_twice_changes_nothing_the_second_time(dealer: Dealer) -> None:
    _run(dealer, export(), dry_run=False)
    before = (
        list(Customer.objects.for_dealer(dealer).order_by("pk").values()),
        list(Contact.objects.for_dealer(dealer).order_by("pk").values_list("pk", "reference")),
        ConsentEvent.objects.for_dealer(dealer).count(),
    )
    outcome = _run(dealer, export(), dry_run=False)
    assert (outcome.summary.created, outcome.summary.updated) == (0, 3)
    assert (outcome.summary.orders_created, outcome.summary.orders_updated) == (0, 3)
    after_customers = list(Customer.objects.for_dealer(dealer).order_by("pk").values())
    for old, new in zip(before[0], after_customers, strict=True):
        old.pop("updated_at"), new.pop("updated_at")
        assert old == new
    assert (
        list(Contact.objects.for_dealer(dealer).order_by("pk").values_list("pk", "reference"))
        == before[1]
    )
    assert ConsentEvent.objects.for_dealer(dealer).count() == before[2]


def test_an_update_changes_only_mapped_columns_and_keeps_consent(dealer: Dealer) -> None:
    _run(dealer, export(), dry_run=False)
    ase = Customer.objects.for_dealer(dealer).get(external_id="10001")
    record_consent(
        dealer=dealer,
        customer=ase,
        decisions=[Decision("marketing", "sms", Status.GIVEN)],
        source=Source.STAFF,
        actor=Actor.system("test"),
    )
    data = b"Kundenr;Mobil\r\n10001;99 88 77 66\r\n10004;40 00 00 04\r\n"
    outcome = _run(dealer, data, dry_run=False)
    assert (outcome.summary.created, outcome.summary.updated) == (1, 1)
    ase.refresh_from_db()
    assert ase.mobile == "+4799887766"
    assert ase.name == "Åse Ørnes-Bækken"  # not in the file: left alone
    assert ase.legacy_consent == {"SMS": "Ja", "E-post samtykke": "Nei"}
    state = ConsentState.objects.for_dealer(dealer).get(customer=ase, channel__key="sms")
    assert state.status == Status.GIVEN


def test_english_headers_and_an_external_id_column(dealer: Dealer) -> None:
    headers = ["External id", *EN_HEADERS]
    rows = [[f"DMS-{r[0]}", *r] for r in ROWS]
    outcome = _run(dealer, export(rows, headers=headers, delimiter=","), dry_run=False)
    assert outcome.ok
    ase = Customer.objects.for_dealer(dealer).get(external_id="DMS-10001")
    assert ase.customer_number == "10001"
    assert ase.legacy_consent == {"SMS consent": "Ja", "Email consent": "Nei"}


def test_an_erased_customer_is_not_imported_again(dealer: Dealer) -> None:
    _run(dealer, export(), dry_run=False)
    ola = Customer.objects.for_dealer(dealer).get(external_id="10003")
    erase_customer(dealer=dealer, customer=ola, actor=Actor.system("test"))
    outcome = _run(dealer, export(), dry_run=False)
    assert outcome.status == "refused"
    (problem,) = outcome.problems
    assert problem.line == 5 and "erased" in problem.reason
    ola.refresh_from_db()
    assert ola.name == "" and ola.is_erased


def test_orders_in_a_second_file(dealer: Dealer, customer: Customer) -> None:
    customers = export([r[:8] for r in ROWS], headers=NB_HEADERS[:8])
    orders = (
        "Kundenr;Ordrenr;Ordredato;Ordretype\r\n"
        "10001;WO-1;03.01.2025;Verksted\r\n"
        "10002;S-9;06.05.2024;Bilsalg\r\n"
        f"{customer.customer_number};WO-55;07.05.2024;Deler\r\n"
        "99999;WO-56;07.05.2024;Deler\r\n"
    ).encode("cp1252")
    parsed, order_file = read_upload(customers), read_upload(orders)
    options = {
        "dealer": dealer,
        "parsed": parsed,
        "mapping": propose_mapping(parsed.headers),
        "orders_file": order_file,
        "orders_mapping": propose_mapping(order_file.headers),
    }
    refused = run_import(**options, dry_run=False)
    assert refused.status == "refused"
    assert refused.problems == [
        RowProblem(5, "Kundenr", "99999", "no such customer in the file or the register", "orders")
    ]
    assert str(refused.problems[0]).startswith("orders file, line 5")
    outcome = run_import(**options, dry_run=False, skip_bad_rows=True)
    assert outcome.ok and outcome.summary.orders_created == 3
    assert outcome.summary.skipped_order_lines == [5]
    references = Contact.objects.for_dealer(dealer).values_list(
        "customer__external_id", "reference"
    )
    assert set(references) >= {("10001", "WO-1"), ("10002", "S-9"), (customer.external_id, "WO-55")}


def test_first_and_last_name_columns_are_joined(dealer: Dealer) -> None:
    data = b"Kundenr;Fornavn;Etternavn\r\n7;Kari;Nordmann\r\n"
    parsed = read_upload(data)
    mapping = Mapping.from_json(propose_mapping(parsed.headers).to_json(), parsed.headers)
    run_import(dealer=dealer, parsed=parsed, mapping=mapping, dry_run=False)
    assert Customer.objects.for_dealer(dealer).get(external_id="7").name == "Kari Nordmann"


def test_another_dealers_customers_are_not_touched(
    dealer: Dealer, other_customer: Customer
) -> None:
    data = f"Kundenr;Navn\r\n{other_customer.external_id};Ny Navn\r\n".encode()
    outcome = _run(dealer, data, dry_run=False)
    assert outcome.summary.created == 1
    other_customer.refresh_from_db()
    assert other_customer.name == "Kari Nordmann 1"


def test_phones_and_emails_normalized_in_a_worker_process_give_the_same_result(
    dealer: Dealer, other_dealer: Dealer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(dealer, export(), dry_run=False, batch_size=2)
    monkeypatch.setattr("samtykke.imports.engine.PARALLEL_MIN", 1)
    _run(other_dealer, export(), dry_run=False, batch_size=2)
    fields = (
        "external_id",
        "mobile",
        "mobile_is_valid",
        "mobile_is_mobile",
        "mobile_problem",
        "email",
        "email_is_valid",
        "email_problem",
    )
    inline = list(Customer.objects.for_dealer(dealer).order_by("external_id").values_list(*fields))
    worker = list(
        Customer.objects.for_dealer(other_dealer).order_by("external_id").values_list(*fields)
    )
    assert inline == worker and len(worker) == 3


def test_new_and_known_customers_in_one_file_and_the_ledger_verifies(dealer: Dealer) -> None:
    """Known customers' orders are upserted, new customers' orders inserted (COPY straight into
    the table on PostgreSQL); only the new customers get the GDPR reset."""
    _run(dealer, export([r for r in ROWS if r[0] == "10001"]), dry_run=False)
    ase = Customer.objects.for_dealer(dealer).get(external_id="10001")
    record_consent(
        dealer=dealer,
        customer=ase,
        decisions=[Decision("marketing", "sms", "given")],
        source="portal",
        actor=Actor.customer(),
    )
    outcome = _run(dealer, export(), dry_run=False)
    summary = outcome.summary
    assert (summary.created, summary.updated) == (2, 1)
    assert (summary.orders_created, summary.orders_updated) == (1, 2)
    assert summary.consent_reset_events == 4
    assert sorted(Contact.objects.for_dealer(dealer).values_list("reference", flat=True)) == [
        "S-9",
        "WO-1",
        "WO-2",
    ]
    assert ConsentState.objects.for_dealer(dealer).get(customer=ase, channel__key="sms").status == (
        Status.GIVEN
    )
    for customer in Customer.objects.for_dealer(dealer):
        assert customer.last_contact_at == max(
            Contact.objects.for_dealer(dealer)
            .filter(customer=customer)
            .values_list("occurred_at", flat=True),
            default=None,
        )
    assert verify_dealer(dealer).ok


def _many_rows(count: int) -> list[list[str]]:
    rows = []
    for n in range(count):
        row = list(ROWS[0])
        row[0] = str(20000 + n)
        row[2] = f"9{n:07d}"
        row[3] = f"kunde{n}@example.no"
        row[8] = f"WO-{n}"
        row[11] = "Ja" if n % 2 else ""
        rows.append(row)
    return rows


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writer_threads_write_what_one_writes(
    dealer: Dealer, other_dealer: Dealer, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = export(_many_rows(23))
    one = _run(dealer, data, dry_run=False, batch_size=5)
    monkeypatch.setattr("samtykke.imports.engine.PARALLEL_MIN", 1)
    two = _run(other_dealer, data, dry_run=False, batch_size=5)
    assert one.summary == two.summary
    assert (two.summary.created, two.summary.orders_created) == (23, 23)
    assert two.summary.consent_reset_events == 46
    for each in (dealer, other_dealer):
        assert Customer.objects.for_dealer(each).count() == 23
        assert Contact.objects.for_dealer(each).count() == 23
        assert ConsentState.objects.for_dealer(each).filter(status=Status.UNKNOWN).count() == 46
        assert verify_dealer(each).ok
    sequences = list(
        ConsentEvent.objects.for_dealer(other_dealer)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, 47))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_writer_thread_failing_stops_the_import_with_its_error(
    dealer: Dealer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from samtykke.imports import engine

    monkeypatch.setattr(engine, "PARALLEL_MIN", 1)
    original = engine._write_batch
    calls = []

    def failing(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_write_batch", failing)
    with pytest.raises(RuntimeError, match="database went away"):
        _run(dealer, export(_many_rows(30)), dry_run=False, batch_size=5)
    # what was written is whole batches, and a second run completes the import
    assert Customer.objects.for_dealer(dealer).count() % 5 == 0
    monkeypatch.setattr(engine, "_write_batch", original)
    outcome = _run(dealer, export(_many_rows(30)), dry_run=False, batch_size=5)
    assert outcome.ok and Customer.objects.for_dealer(dealer).count() == 30
    assert ConsentEvent.objects.for_dealer(dealer).count() == 60
    assert verify_dealer(dealer).ok
