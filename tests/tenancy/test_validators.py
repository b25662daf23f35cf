import pytest
from django.core.exceptions import ValidationError

from samtykke.tenancy.validators import org_number_is_valid, validate_sms_sender


@pytest.mark.parametrize("number", ["923609016", "974760673", "923 609 016"])
def test_valid_org_numbers(number: str) -> None:
    assert org_number_is_valid(number)


@pytest.mark.parametrize("number", ["923609017", "12345678", "1234567890", "abcdefghi", ""])
def test_invalid_org_numbers(number: str) -> None:
    assert not org_number_is_valid(number)


@pytest.mark.parametrize("sender", ["DemoBil", "Bil4You", "A", "ABCDEFGHIJK"])
def test_valid_sms_senders(sender: str) -> None:
    validate_sms_sender(sender)


@pytest.mark.parametrize("sender", ["12345", "ABCDEFGHIJKL", "Demo Bil", "Bilæøå", ""])
def test_invalid_sms_senders(sender: str) -> None:
    with pytest.raises(ValidationError):
        validate_sms_sender(sender)
