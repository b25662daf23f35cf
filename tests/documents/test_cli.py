"""``samtykke print-forms``."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from samtykke.cli import main
from samtykke.customers.services import record_contact
from samtykke.tenancy.models import Dealer
from tests.conftest import make_customer
from tests.documents.pdfs import page_count, pdf_text


def test_print_forms_for_customers(
    dealer: Dealer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_customer(dealer, 1), make_customer(dealer, 2)
    out = tmp_path / "forms.pdf"
    code = main(
        [
            "print-forms",
            "--dealer",
            dealer.slug,
            "--customer",
            "1002",
            "--customer",
            "1001",
            "--output",
            str(out),
            "--language",
            "en",
        ]
    )
    assert code == 0
    assert "2 forms written" in capsys.readouterr().out
    pages = pdf_text(out.read_bytes())
    assert "Kari Nordmann 2" in pages[0] and "Kari Nordmann 1" in pages[1]
    assert "Consent to marketing" in pages[0]


def test_print_forms_for_todays_orders(dealer: Dealer, tmp_path: Path) -> None:
    today = timezone.localtime().replace(hour=0, minute=5)
    for number in (1, 2, 3):
        customer = make_customer(dealer, number)
        record_contact(
            customer=customer, kind="workshop_order", reference=f"T-{number}", occurred_at=today
        )
    make_customer(dealer, 4)  # an order last month only
    out = tmp_path / "today.pdf"
    assert (
        main(
            [
                "print-forms",
                "--dealer",
                dealer.slug,
                "--orders-on",
                f"{today:%Y-%m-%d}",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    pdf = out.read_bytes()
    assert page_count(pdf) == 3
    assert "bilhuset-nord/1001/nb-v1/T-1" in pdf_text(pdf)[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dealer", "nobody", "--customer", "1"], "no dealer"),
        (
            ["--dealer", "bilhuset-nord", "--customer", "1001", "--customer", "999"],
            "no customer number 999",
        ),
        (["--dealer", "bilhuset-nord", "--orders-on", "2001-01-01"], "no orders on 2001-01-01"),
    ],
)
def test_bad_arguments_fail_clearly(
    dealer: Dealer,
    tmp_path: Path,
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_customer(dealer, 1)
    out = tmp_path / "x.pdf"
    assert main(["print-forms", *args, "--output", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_argument_errors_exit_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["print-forms", "--dealer", "x", "--orders-on", "tomorrow", "--output", "a.pdf"])
    assert exit_info.value.code == 2
    assert "is not a date" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["print-forms", "--dealer", "x", "--output", "a.pdf"])
    assert (
        main(
            ["print-forms", "--dealer", "x", "--customer", "1", "--output", str(tmp_path / "a.txt")]
        )
        == 2
    )
    assert (
        main(["print-forms", "--dealer", "x", "--customer", "1", "--output", "/no/such/dir/a.pdf"])
        == 2
    )
