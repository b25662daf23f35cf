"""What every append needs to know about a dealer, kept per process and checked under the lock.

A consent write must know the dealer's purposes, the channels each offers and the current notice
version per language. They change a few times a year but are read on every append, so each
process keeps them here. The ledger head carries a ``config_version``: every change to a
purpose, its channels, a channel, a notice or a notice version gives the affected heads a new
random version (signals below, in the changing transaction). An append reads the version in the
same statement that locks the head, so it always validates against the configuration that is
committed at that moment, whichever process changed it: no time-to-live, no stale read.

The version is random, not a counter, so a dealer id reused after a rollback or a deletion can
never match a configuration kept for the old one.

Other apps may key their own per-dealer answers on the version too: ``consent_recorded`` carries
the version the append saw, and an app whose settings change what an append sets off calls
``config_changed`` when they change (the API does for its webhook endpoints).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from samtykke.consent.models import (
    Channel,
    LedgerHead,
    Notice,
    NoticeVersion,
    Purpose,
    new_config_version,
)
from samtykke.consent.notices import newest_notice_versions, pick_notice_version


@dataclass(frozen=True)
class LedgerConfig:
    version: int
    purposes: dict[str, Purpose]  # every purpose by key, retired ones too (they are refused)
    channels: dict[str, dict[str, Channel]]  # purpose key → offered channel key → channel
    notices: dict[str, NoticeVersion]  # the newest "consent" notice version per language

    def notice(self, language: str, default_language: str) -> NoticeVersion | None:
        """As ``notices.current_notice_version``: the language, else the default, else nb."""
        return pick_notice_version(self.notices, language, default_language)


_configs: dict[int, LedgerConfig] = {}


def ledger_config(dealer_id: int, version: int) -> LedgerConfig:
    """The dealer's configuration as of ``version`` (read from its locked ledger head)."""
    cached = _configs.get(dealer_id)
    if cached is not None and cached.version == version:
        return cached
    config = _load(dealer_id, version)
    _configs[dealer_id] = config
    return config


def _load(dealer_id: int, version: int) -> LedgerConfig:
    purposes: dict[str, Purpose] = {}
    channels: dict[str, dict[str, Channel]] = {}
    for purpose in Purpose.objects.for_dealer(dealer_id).prefetch_related("channels"):
        purposes[purpose.key] = purpose
        channels[purpose.key] = {c.key: c for c in purpose.channels.all()}
    return LedgerConfig(version, purposes, channels, newest_notice_versions(dealer_id))


def config_changed(dealer_id: int | None) -> None:
    """Give the dealer's head (every head when ``None``) a new version; forget it here at once."""
    heads = LedgerHead.objects.all()
    if dealer_id is not None:
        heads = heads.filter(dealer_id=dealer_id)
        _configs.pop(dealer_id, None)
    else:
        _configs.clear()
    heads.update(config_version=new_config_version())


@receiver(post_save, sender=Purpose, dispatch_uid="consent.config.purpose")
@receiver(post_delete, sender=Purpose, dispatch_uid="consent.config.purpose_deleted")
@receiver(post_save, sender=Notice, dispatch_uid="consent.config.notice")
@receiver(post_delete, sender=Notice, dispatch_uid="consent.config.notice_deleted")
@receiver(post_save, sender=NoticeVersion, dispatch_uid="consent.config.notice_version")
@receiver(post_delete, sender=NoticeVersion, dispatch_uid="consent.config.notice_version_deleted")
def _dealer_config_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    config_changed(instance.dealer_id)


@receiver(m2m_changed, sender=Purpose.channels.through, dispatch_uid="consent.config.channels")
def _purpose_channels_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        config_changed(instance.dealer_id if isinstance(instance, Purpose) else None)


@receiver(post_save, sender=Channel, dispatch_uid="consent.config.channel")
@receiver(post_delete, sender=Channel, dispatch_uid="consent.config.channel_deleted")
def _channel_saved(sender: Any, **kwargs: Any) -> None:
    config_changed(None)
