"""Paper consent form rendering: one form, and a batch of 500, against a bare ReportLab page.

    uv run python bench/consent_form.py [--postgres] [--batch 500]

Baseline: a one-page canvas PDF with the same customer text in Helvetica (no font embedding,
no layout, no link, no codes). Each form also issues a personal link (one INSERT).
Target: one form in under 150 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    if args.postgres:
        os.environ["SAMTYKKE_DATABASE_URL"] = (
            "postgres://postgres@127.0.0.1:5432/samtykke_bench_forms"
        )
    else:
        path = Path(tempfile.gettempdir()) / "samtykke-bench-forms.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["SAMTYKKE_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("SAMTYKKE_SECRET_KEY", "bench-" + "x" * 50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "samtykke.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.IS_POSTGRES:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS samtykke_bench_forms")
            c.execute("CREATE DATABASE samtykke_bench_forms")
    call_command("migrate", verbosity=0)
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from samtykke.customers.services import CustomerData, upsert_customer
    from samtykke.documents.consent_form import FormRequest, render_consent_forms
    from samtykke.documents.pdf import fonts
    from samtykke.tenancy.services import create_dealer

    dealer = create_dealer(
        name="Bilhuset Nord AS",
        org_number="923609016",
        slug="bilhuset-nord",
        street="Storgata 1",
        postal_code="9008",
        city="Tromsø",
        contact_email="post@bilhuset-nord.no",
        contact_phone="+47 77 00 00 00",
    )
    customers = [
        upsert_customer(
            dealer=dealer,
            data=CustomerData(
                external_id=str(10_000 + i),
                customer_number=str(10_000 + i),
                name=f"Åse Ørnes-Bækken {i}",
                mobile=f"9{i:07d}",
                email=f"kunde{i}@example.no",
                street="Fjordveien 2",
                postal_code="9010",
                city="Tromsø",
            ),
        )[0]
        for i in range(args.batch)
    ]
    print(f"font: {fonts().source}; database: {settings.DATABASES['default']['ENGINE']}")
    render_consent_forms(dealer=dealer, requests=[FormRequest(customers[0])])  # warm up

    def bare(customer: object) -> bytes:
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(50, 780, dealer.name)
        pdf.drawString(50, 760, str(customer))
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()

    singles, baselines, cpu = [], [], []
    for customer in customers[:30]:
        started, cpu_started = time.perf_counter(), time.process_time()
        render_consent_forms(dealer=dealer, requests=[FormRequest(customer, "WO-1")])
        singles.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        started = time.perf_counter()
        bare(customer)
        baselines.append(time.perf_counter() - started)
    one, base = statistics.median(singles), statistics.median(baselines)
    print(
        f"one form: median {one * 1000:.1f} ms wall, {statistics.median(cpu) * 1000:.1f} ms CPU "
        f"(target < 150 ms); bare page {base * 1000:.1f} ms; ratio bare/form {base / one:.3f}"
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    pdf = render_consent_forms(dealer=dealer, requests=[FormRequest(c, "WO-1") for c in customers])
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    started = time.perf_counter()
    for customer in customers:
        bare(customer)
    bare_seconds = time.perf_counter() - started
    print(
        f"batch of {len(customers)}: {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU "
        f"({seconds / len(customers) * 1000:.1f} ms per form, {len(pdf) / 1e6:.1f} MB); "
        f"bare pages {bare_seconds:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
