"""Reading and publishing notice texts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from samtykke.consent.models import Notice, NoticeVersion
from samtykke.tenancy.models import Dealer


class NoticeError(ValueError):
    pass


def newest_notice_versions(dealer: Dealer | int, key: str = "consent") -> dict[str, NoticeVersion]:
    """The newest published version of the dealer's notice ``key`` in each language."""
    newest: dict[str, NoticeVersion] = {}
    for version in (
        NoticeVersion.objects.for_dealer(dealer)
        .filter(notice__key=key)
        .select_related("notice", "dealer")
        .order_by("language", "-version")
    ):
        newest.setdefault(version.language, version)
    return newest


def pick_notice_version(
    newest: dict[str, NoticeVersion], language: str, default_language: str
) -> NoticeVersion | None:
    """From ``newest_notice_versions``: the language, else the dealer's default, else Bokmål."""
    for lang in (language, default_language, "nb"):
        if lang in newest:
            return newest[lang]
    return None


def current_notice_version(dealer: Dealer, language: str, key: str = "consent") -> NoticeVersion:
    """The newest published version in ``language``, else in the dealer's default language."""
    found = pick_notice_version(
        newest_notice_versions(dealer, key), language, dealer.default_language
    )
    if found is None:
        raise NoticeError(f"Dealer {dealer.slug} has no published notice {key!r}.")
    return found


def find_notice_version(dealer: Dealer, reference: str) -> NoticeVersion:
    """A version by its printed reference (``slug/key/lang/vN``) or its id, of this dealer only."""
    versions = NoticeVersion.objects.for_dealer(dealer).select_related("notice", "dealer")
    if reference.isdigit():
        found = versions.filter(pk=int(reference)).first()
    else:
        parts = reference.strip().split("/")
        found = None
        if len(parts) == 4 and parts[0] == dealer.slug and parts[3][:1] == "v":
            number = parts[3][1:]
            if number.isdigit():
                found = versions.filter(
                    notice__key=parts[1], language=parts[2], version=int(number)
                ).first()
    if found is None:
        raise NoticeError(f"Notice version {reference!r} is not one of {dealer.slug}'s.")
    return found


@transaction.atomic
def publish_notice_version(
    *,
    dealer: Dealer,
    language: str,
    title: str,
    text: str,
    key: str = "consent",
    published_by: AbstractBaseUser | None = None,
) -> NoticeVersion:
    """Publish a new version; events recorded before keep pointing at the one they showed."""
    if language not in ("nb", "nn", "en"):
        raise NoticeError(f"Unknown language {language!r}.")
    if not title.strip() or not text.strip():
        raise NoticeError("A notice needs a title and a text.")
    notice, _ = Notice.objects.for_dealer(dealer).get_or_create(dealer=dealer, key=key)
    Notice.all_dealers.select_for_update().filter(pk=notice.pk).first()
    latest = (
        NoticeVersion.objects.for_dealer(dealer)
        .filter(notice=notice, language=language)
        .aggregate(m=Max("version"))["m"]
        or 0
    )
    version = NoticeVersion(
        dealer=dealer,
        notice=notice,
        language=language,
        version=latest + 1,
        title=title.strip(),
        text=text.strip(),
        published_by=published_by,  # type: ignore[misc]
    )
    version.save()
    return version
