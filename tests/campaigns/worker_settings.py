"""Settings of the worker subprocesses in the campaign scenarios: production settings, with the
campaign timings short enough for a test (a dead send is settled after a few seconds)."""

import os

from samtykke.settings import *  # noqa: F403

CAMPAIGN_STALE_SECONDS = float(os.environ.get("CAMPAIGN_STALE_SECONDS", "4"))
CAMPAIGN_WATCH_SECONDS = float(os.environ.get("CAMPAIGN_WATCH_SECONDS", "1"))
CAMPAIGN_BACKOFF_SECONDS = float(os.environ.get("CAMPAIGN_BACKOFF_SECONDS", "0.2"))
CAMPAIGN_BACKOFF_MAX = float(os.environ.get("CAMPAIGN_BACKOFF_MAX", "2"))
CAMPAIGN_BATCH_SIZE = int(os.environ.get("CAMPAIGN_BATCH_SIZE", "200"))
CAMPAIGN_SEND_CONCURRENCY = int(os.environ.get("CAMPAIGN_SEND_CONCURRENCY", "16"))
LOGGING = {"version": 1, "disable_existing_loggers": False}

# `kill -USR1 <worker>` writes every thread's stack to the worker's log (a stuck scenario).
import faulthandler  # noqa: E402
import signal  # noqa: E402

faulthandler.register(signal.SIGUSR1, all_threads=True)
