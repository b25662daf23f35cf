"""Bringing a DMS's customers and orders in from an exported file (CSV)."""
