"""Benchmark: the customer's page against a bare Django view, on one server, in one run.

    uv run python bench/portal.py [--postgres] [--seconds 3]

Starts gunicorn (one sync worker, the production server) on a socket bound to 127.0.0.1:0,
with the real settings plus one extra URL, ``/bench/bare/``, a view that returns "ok". Then
measures requests per second, one client, one request at a time (the kinds interleaved in
rounds, so a busy machine weighs on all of them alike), for:

- bare       GET /bench/bare/                (the baseline: Django's own request cost)
- open link  GET /s/<token>                  (rate-limit count, token look-up, "opened", 303)
- page       GET /samtykke/                  (the choices page, rendered)
- save       POST /samtykke/                 (a change recorded in the ledger, then 303)

and prints each as a ratio to the baseline (target ≥ 0.3 for the page and the save).
SQLite uses a temporary file; --postgres recreates the database ``samtykke_portal``.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_app: Any = None


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """The server side (imported by gunicorn): the real site plus /bench/bare/."""
    global _app
    if _app is None:
        import django
        from django.conf import settings
        from django.http import HttpRequest, HttpResponse
        from django.urls import path

        django.setup()
        settings.PORTAL_LOOKUPS_PER_WINDOW = 10**9  # the benchmark opens one link many times

        def bare(request: HttpRequest) -> HttpResponse:
            return HttpResponse("ok", content_type="text/plain")

        import samtykke.urls

        samtykke.urls.urlpatterns.insert(0, path("bench/bare/", bare))
        from django.core.wsgi import get_wsgi_application

        _app = get_wsgi_application()
    return _app(environ, start_response)


def _environment(postgres: bool, folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "samtykke.settings",
            "SAMTYKKE_SECRET_KEY": "bench-" + "k" * 50,
            "SAMTYKKE_DEBUG": "0",
            "SAMTYKKE_TASKS_BACKEND": "immediate",
            "SAMTYKKE_EMAIL_BACKEND": "locmem",
            "SAMTYKKE_SMS_BACKEND": "test",
            "SAMTYKKE_PUBLIC_URL": "http://127.0.0.1",
            "SAMTYKKE_STATIC_ROOT": str(folder / "static"),
            "SAMTYKKE_LOG_LEVEL": "WARNING",
            "SAMTYKKE_DATABASE_URL": (
                "postgres://postgres@127.0.0.1:5432/samtykke_portal"
                if postgres
                else f"sqlite:///{folder / 'bench.sqlite3'}"
            ),
        }
    )
    return env


def _prepare(postgres: bool) -> str:
    """Migrate, make a dealer with one customer, and return a personal link's token."""
    if postgres:  # a fresh database each run (this branch's own name)
        for command in ("dropdb --if-exists", "createdb"):
            subprocess.run(
                [*command.split(), "-h", "127.0.0.1", "-U", "postgres", "samtykke_portal"],
                capture_output=True,
                check=True,
            )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from samtykke.consent.links import issue_personal_link
    from samtykke.customers.services import CustomerData, upsert_customer
    from samtykke.tenancy.models import Dealer
    from samtykke.tenancy.services import create_dealer

    slug = f"bench-{secrets.token_hex(4)}"
    dealer = create_dealer(
        name="Benk Bil AS",
        org_number="923609016",
        slug=slug,
        consent_option=Dealer.ConsentOption.ASSISTED,
        contact_email="post@benk.no",
        contact_phone="+47 22 00 00 00",
        sending_hours=None,
    )
    customer, _ = upsert_customer(
        dealer=dealer,
        data=CustomerData(
            external_id="B-1", name="Kari Benk", mobile="+4791234567", email="kari@benk.no"
        ),
    )
    return issue_personal_link(customer=customer, origin="api").token


def _measure(
    runs: list[tuple[str, Callable[[], Any]]], seconds: float
) -> list[tuple[str, float, float]]:
    """(label, requests per second, median ms) for each run, interleaved in rounds of ten
    requests so that every kind sees the same machine load (the ratios stay fair on a busy box).
    """
    for _, call in runs:
        for _ in range(20):
            call()
    times: dict[str, list[float]] = {label: [] for label, _ in runs}
    deadline = time.perf_counter() + seconds * len(runs)
    while time.perf_counter() < deadline:
        for label, call in runs:
            for _ in range(10):
                t0 = time.perf_counter()
                call()
                times[label].append(time.perf_counter() - t0)
    return [
        (label, len(spent) / sum(spent), statistics.median(spent) * 1000)
        for label, spent in times.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    import httpx

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = _environment(args.postgres, folder)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT / "src"))
        token = _prepare(args.postgres)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"fd://{listener.fileno()}",
                "--workers",
                "1",
                "--pythonpath",
                str(ROOT / "bench"),
                "--log-level",
                "warning",
                "portal:application",
            ],
            env=env,
            pass_fds=[listener.fileno()],
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=10) as client:
                for _ in range(100):
                    try:
                        client.get("/bench/bare/")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                assert client.get(f"/s/{token}").status_code == 303
                page = client.get("/samtykke/").text
                csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
                notice = re.search(r'name="notice" value="([^"]+)"', page)
                assert csrf and notice, page[:500]
                form = {"csrfmiddlewaretoken": csrf.group(1), "notice": notice.group(1)}
                flip = [False]

                def save() -> None:
                    flip[0] = not flip[0]
                    data = {**form, "action": "save"}
                    if flip[0]:
                        data["c-marketing-sms"] = "yes"
                    response = client.post(
                        "/samtykke/",
                        data=data,
                        headers={"Origin": base, "Sec-Fetch-Site": "same-origin"},
                    )
                    assert response.status_code == 303, response.text[:300]

                def get(path: str, status: int) -> Callable[[], None]:
                    def call() -> None:
                        assert client.get(path).status_code == status

                    return call

                runs = [
                    ("bare view", get("/bench/bare/", 200)),
                    ("open link (GET /s/<token>)", get(f"/s/{token}", 303)),
                    ("page (GET /samtykke/)", get("/samtykke/", 200)),
                    ("save (POST /samtykke/)", save),
                ]
                results = _measure(runs, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)
            listener.close()
    database = "PostgreSQL" if args.postgres else "SQLite"
    baseline = results[0][1]
    print(f"portal benchmark on {database}, gunicorn 1 sync worker, one client")
    base_median = results[0][2]
    print(f"{'':32} {'req/s':>8} {'median ms':>10} {'ratio':>7} {'ratio (medians)':>16}")
    for label, rate, median in results:
        print(
            f"{label:32} {rate:8.0f} {median:10.2f} {rate / baseline:7.2f} "
            f"{base_median / median:16.2f}"
        )


if __name__ == "__main__":
    main()
