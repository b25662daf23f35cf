import pytest

from samtykke.consent.models import ConsentEvent, ConsentState
from samtykke.customers.models import Customer
from samtykke.tenancy.models import ApiKey, Dealer
from samtykke.tenancy.scoping import UnscopedQuery, get_for_dealer, scoped
from tests.conftest import make_customer


def test_unscoped_queries_raise(customer: Customer) -> None:
    with pytest.raises(UnscopedQuery):
        Customer.objects.filter(name="x")
    with pytest.raises(UnscopedQuery):
        Customer.objects.all()
    with pytest.raises(UnscopedQuery):
        ConsentEvent.objects.count()
    with pytest.raises(UnscopedQuery):
        Customer.objects.create(external_id="no-dealer")


def test_scope_never_returns_another_dealers_rows(
    dealer: Dealer, other_dealer: Dealer, customer: Customer, other_customer: Customer
) -> None:
    for number in range(2, 5):
        make_customer(other_dealer, number)
    assert list(scoped(Customer, dealer)) == [customer]
    assert other_customer not in Customer.objects.for_dealer(dealer)
    with pytest.raises(Customer.DoesNotExist):
        get_for_dealer(Customer, dealer, pk=other_customer.pk)
    # the same external id may exist at both dealers, each sees its own
    assert get_for_dealer(Customer, dealer, external_id="EXT-1") == customer
    assert get_for_dealer(Customer, other_dealer, external_id="EXT-1") == other_customer
    assert not ConsentState.objects.for_dealer(dealer).filter(customer=other_customer).exists()


def test_api_key_is_stored_hashed_and_revocable(dealer: Dealer) -> None:
    key, raw = ApiKey.issue(dealer, "DMS")
    assert raw.startswith("smt_") and len(raw) > 40
    assert raw not in key.key_hash and key.prefix == raw[:12]
    found = ApiKey.authenticate(raw)
    assert found == key and found.last_used_at is not None
    assert ApiKey.authenticate(raw + "x") is None
    assert ApiKey.authenticate("") is None
    key.revoke()
    assert ApiKey.authenticate(raw) is None
