"""Database engines: Django's, with what this product changes (``SAMTYKKE_DATABASE_URL`` picks)."""
