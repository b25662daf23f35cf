"""``samtykke import customers``: mapping printed, progress, summary, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samtykke.cli import main
from samtykke.customers.models import Customer
from samtykke.tenancy.models import Dealer
from tests.imports.files import ROWS, export


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    path = tmp_path / "kunder.csv"
    path.write_bytes(export(encoding="cp1252", delimiter="\t"))
    return path


def test_import_prints_the_proposed_mapping_and_a_summary(
    dealer: Dealer, export_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "customers", str(export_file), "--dealer", dealer.slug]) == 0
    out, err = capsys.readouterr()
    assert "iso-8859-1, separated by tab" in out
    assert '"customer_number": "Kundenr"' in out
    assert "3 customers in the file: 3 were created, 0 were updated." in out
    assert "3/3" in err  # the progress bar
    assert Customer.objects.for_dealer(dealer).count() == 3


def test_dry_run_with_a_mapping_file_writes_nothing(
    dealer: Dealer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][7] = "32.13.1970"
    data = tmp_path / "kunder.csv"
    data.write_bytes(export(rows))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"customer_number": "Kundenr", "name": "Navn", "birth_date": "Fødselsdato"})
    )
    code = main(
        [
            "import",
            "customers",
            str(data),
            "--dealer",
            dealer.slug,
            "--mapping",
            str(mapping),
            "--dry-run",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 1
    assert "line 3, column 'Fødselsdato': not a date" in out
    assert "Dry run: nothing was written." in out
    assert "Proposed mapping" not in out
    assert not Customer.objects.for_dealer(dealer).exists()


def test_a_bad_row_stops_the_real_run(
    dealer: Dealer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][0] = ""
    data = tmp_path / "kunder.csv"
    data.write_bytes(export(rows))
    assert main(["import", "customers", str(data), "--dealer", dealer.slug]) == 1
    out, err = capsys.readouterr()
    assert "line 4, column 'Kundenr'" in out
    assert "Nothing was imported" in err
    assert not Customer.objects.for_dealer(dealer).exists()
    assert main(["import", "customers", str(data), "--dealer", dealer.slug, "--skip-bad-rows"]) == 0
    out, _ = capsys.readouterr()
    assert "Skipped (bad) lines: 4." in out
    assert Customer.objects.for_dealer(dealer).count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dealer", "nobody"], "no dealer with slug 'nobody'"),
        (["--dealer", "bilhuset-nord", "--mapping", "/no/such.json"], "No such file"),
        (["--dealer", "bilhuset-nord", "--orders-mapping", "x.json"], "needs --orders"),
    ],
)
def test_bad_arguments_fail_clearly(
    dealer: Dealer,
    export_file: Path,
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["import", "customers", str(export_file), *args]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_file_and_a_bad_mapping_fail_clearly(
    dealer: Dealer, export_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "customers", str(tmp_path / "nope.csv"), "--dealer", dealer.slug]) == 2
    assert "nope.csv" in capsys.readouterr().err
    mapping = tmp_path / "m.json"
    mapping.write_text('{"navn": "Navn"}')
    assert (
        main(
            [
                "import",
                "customers",
                str(export_file),
                "--dealer",
                dealer.slug,
                "--mapping",
                str(mapping),
            ]
        )
        == 2
    )
    assert "Unknown field 'navn'" in capsys.readouterr().err
