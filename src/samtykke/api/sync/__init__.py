"""The sync agent: a reference connector between an on-premise DMS and samtykke's API.

It needs no Django: it runs next to the DMS, reads its database with SQL from the config file,
pushes through the API with httpx, and writes consent changes back with SQL from the config.
"""
