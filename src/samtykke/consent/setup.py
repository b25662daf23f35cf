"""A new dealer's defaults: the ledger head, the marketing purpose and its notice texts."""

from __future__ import annotations

from django.db import transaction

from samtykke.consent.models import Channel, LedgerHead, Notice, NoticeVersion, Purpose
from samtykke.tenancy.models import Dealer

DEFAULT_PURPOSE = {
    "key": "marketing",
    "name_nb": "Tilbud og nyheter",
    "name_nn": "Tilbod og nyheiter",
    "name_en": "Offers and news",
}

DEFAULT_NOTICE = {
    "nb": (
        "Samtykke til markedsføring på SMS og e-post",
        "Vi vil gjerne sende deg tilbud og nyheter om bil, verksted, deler og tilbehør fra oss "
        "på SMS og/eller e-post. Du velger selv hvilke kanaler du sier ja til.\n\n"
        "Samtykket er frivillig og er ikke et vilkår for å handle hos oss. Du kan når som helst "
        "trekke det tilbake eller endre valget ditt, like enkelt som du ga det: med den personlige "
        "lenken din, ved å svare STOPP på en SMS fra oss, eller ved å kontakte oss.\n\n"
        "Vi lagrer hva du svarte, når og hvordan, for å kunne dokumentere samtykket "
        "(personvernforordningen art. 7 og markedsføringsloven § 15).",
    ),
    "nn": (
        "Samtykke til marknadsføring på SMS og e-post",
        "Vi vil gjerne sende deg tilbod og nyheiter om bil, verkstad, delar og tilbehøyr frå oss "
        "på SMS og/eller e-post. Du vel sjølv kva kanalar du seier ja til.\n\n"
        "Samtykket er frivillig og er ikkje eit vilkår for å handle hos oss. Du kan når som helst "
        "trekkje det tilbake eller endre valet ditt, like enkelt som du gav det: med den personlege "
        "lenkja di, ved å svare STOPP på ein SMS frå oss, eller ved å kontakte oss.\n\n"
        "Vi lagrar kva du svarte, når og korleis, for å kunne dokumentere samtykket "
        "(personvernforordninga art. 7 og marknadsføringslova § 15).",
    ),
    "en": (
        "Consent to marketing by SMS and e-mail",
        "We would like to send you offers and news about cars, servicing, parts and accessories "
        "from us by SMS and/or e-mail. You choose which channels you say yes to.\n\n"
        "Consent is voluntary and is not a condition for buying from us. You can withdraw it or "
        "change your choice at any time, as easily as you gave it: with your personal link, by "
        "replying STOP to an SMS from us, or by contacting us.\n\n"
        "We keep what you answered, when and how, to be able to document your consent "
        "(GDPR art. 7 and the Norwegian Marketing Control Act § 15).",
    ),
}


# The same rows as migration 0002_channels: made again here when missing (a database flushed
# by transactional tests, or by `manage flush`, has lost the migration's data).
DEFAULT_CHANNELS = [
    ("sms", "SMS", "SMS", "SMS", 1),
    ("email", "E-post", "E-post", "E-mail", 2),
]


def ensure_channels() -> None:
    for key, nb, nn, en, order in DEFAULT_CHANNELS:
        Channel.objects.get_or_create(
            key=key, defaults={"name_nb": nb, "name_nn": nn, "name_en": en, "order": order}
        )


@transaction.atomic
def install_defaults(dealer: Dealer) -> None:
    LedgerHead.objects.get_or_create(dealer=dealer)
    ensure_channels()
    if not Purpose.objects.for_dealer(dealer).exists():
        purpose = Purpose.objects.create(dealer=dealer, **DEFAULT_PURPOSE)
        purpose.channels.set(Channel.objects.filter(key__in=["sms", "email"]))
    notice = Notice.objects.for_dealer(dealer).filter(key="consent").first()
    if notice is None:
        notice = Notice.objects.create(dealer=dealer, key="consent")
        for language, (title, text) in DEFAULT_NOTICE.items():
            NoticeVersion(
                dealer=dealer, notice=notice, language=language, version=1, title=title, text=text
            ).save()
