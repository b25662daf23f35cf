"""Outgoing webhooks (Standard Webhooks): signing, fan-out from the ledger, delivery tasks."""
