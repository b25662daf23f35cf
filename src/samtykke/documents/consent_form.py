"""The paper consent form (PDF, A4), one customer per form, many forms in one PDF.

Interface kept stable for callers (back office, API, CLI):
``render_consent_forms(dealer=…, requests=[FormRequest(customer, order_reference)]) -> bytes``.

Each form carries, in the chosen language (nb, nn or en; default the dealer's):
the dealer as controller (name, organisation number, address, contact); the notice's title; the
customer pre-filled with room for corrections; the exact text of the current notice version and
its reference; one unticked box per purpose and channel; date, place and signature lines; how to
withdraw; a QR code to a personal link made for this form (origin ``paper_form``, valid 60 days)
so the customer can answer on the phone instead; and the form reference (text and Code 128
barcode) that staff type or scan when the signed form comes back (see ``reference.py``).
Every value from the register is escaped, so a name like ``<b>`` prints as written.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import qrcode
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from qrcode.constants import ERROR_CORRECT_M
from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from samtykke.consent.links import issue_personal_link
from samtykke.consent.models import NoticeVersion, PersonalLink, Purpose
from samtykke.consent.notices import current_notice_version
from samtykke.customers.models import Customer
from samtykke.customers.normalize import normalize_phone
from samtykke.documents.pdf import (
    INK,
    MUTED,
    RULE,
    SHADE,
    fonts,
    format_org_number,
    plain,
    styles,
    text,
)
from samtykke.documents.reference import format_form_reference
from samtykke.tenancy.models import Dealer

LANGUAGES = ("nb", "nn", "en")
MARGIN = 16 * mm
FOOTER = 17 * mm
WIDTH = A4[0] - 2 * MARGIN
BODY_HEIGHT = A4[1] - MARGIN - FOOTER - 3 * mm


@dataclass(frozen=True)
class FormRequest:
    """One form: the customer, the order it is printed for (if any), the language."""

    customer: Customer
    order_reference: str = ""
    language: str | None = None  # default: the dealer's default language


@dataclass(frozen=True)
class _Footer:
    reference: str
    page_label: str


class _Mark(Flowable):
    """Zero-size marker: from here on, the page footer shows this form's reference."""

    def __init__(self, holder: dict[str, _Footer], footer: _Footer) -> None:
        super().__init__()
        self.holder, self.footer = holder, footer
        self.width = self.height = 0

    def draw(self) -> None:
        self.holder["current"] = self.footer


class _Box(Flowable):
    """An empty tick box (never pre-ticked)."""

    def __init__(self, size: float = 5 * mm) -> None:
        super().__init__()
        self.width = self.height = size

    def draw(self) -> None:
        self.canv.setStrokeColor(INK)
        self.canv.setLineWidth(1.2)
        self.canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)


class _QrCode(Flowable):
    """A QR code drawn as one filled path (one rectangle per run of dark modules).

    The ``qrcode`` library encodes it; mask 2 is fixed instead of trying all eight, which is
    valid QR and 8× faster (ReportLab's own QR widget took ~0.2 s per form).
    """

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=2)
        code.add_data(data)
        code.make(fit=True)
        self.matrix = code.get_matrix()
        self.width = self.height = size

    def draw(self) -> None:
        count = len(self.matrix)
        module = self.width / count
        path = self.canv.beginPath()
        for y, row in enumerate(self.matrix):
            top = self.height - (y + 1) * module
            x = 0
            while x < count:
                if not row[x]:
                    x += 1
                    continue
                run = x
                while run < count and row[run]:
                    run += 1
                path.rect(x * module, top, (run - x) * module, module)
                x = run
        self.canv.setFillColor(INK)
        self.canv.drawPath(path, stroke=0, fill=1)


def _draw_footer(canvas: Canvas, doc: Any) -> None:
    footer: _Footer | None = doc.footer_holder.get("current")
    if footer is None:
        return
    f = fonts()
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, FOOTER, A4[0] - MARGIN, FOOTER)
    canvas.setFillColor(INK)
    canvas.setFont(f.bold, 9)
    canvas.drawString(MARGIN, FOOTER - 5 * mm, plain(footer.reference))
    canvas.setFont(f.regular, 7)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN, FOOTER - 8.5 * mm, plain(footer.page_label))
    barcode = code128.Code128(footer.reference, barHeight=8 * mm, barWidth=0.8, quiet=False)
    barcode.drawOn(canvas, A4[0] - MARGIN - barcode.width, FOOTER - 11 * mm)
    canvas.restoreState()


def _dealer_block(dealer: Dealer) -> Table:
    s = styles()
    contact = " · ".join(p for p in (dealer.contact_phone, dealer.contact_email) if p)
    lines = [
        Paragraph(text(dealer.name), s["dealer"]),
        Paragraph(
            text(_("Organisation number") + " " + format_org_number(dealer.org_number)), s["body"]
        ),
    ]
    if dealer.address_line:
        lines.append(Paragraph(text(dealer.address_line), s["body"]))
    if contact:
        lines.append(Paragraph(text(contact), s["body"]))
    role = Paragraph(text(_("Controller of your personal data (GDPR art. 4(7))")), s["small"])
    table = Table([[lines, role]], colWidths=[WIDTH * 0.68, WIDTH * 0.32])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("LINEBELOW", (0, 0), (-1, -1), 0.8, INK),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _customer_block(customer: Customer) -> Table:
    s = styles()
    rows: list[list[Any]] = [
        [
            Paragraph(text(_("Your details")), s["cellbold"]),
            Paragraph(text(_("In our register")), s["cellbold"]),
            Paragraph(text(_("Correction, if anything is wrong")), s["cellbold"]),
        ]
    ]
    mobile = customer.mobile
    if customer.mobile_is_valid:
        mobile = _pretty_phone(customer.mobile)
    fields = [
        (_("Name"), customer.name),
        (_("Customer number"), customer.customer_number or customer.external_id),
        (_("Address"), customer.address_line),
        (_("Mobile"), mobile),
        (_("E-mail"), customer.email),
    ]
    for label, value in fields:
        style = s["value"] if len(value) <= 60 else s["cellbold"]
        rows.append([Paragraph(text(label), s["label"]), Paragraph(text(value), style), ""])
    table = Table(rows, colWidths=[WIDTH * 0.18, WIDTH * 0.46, WIDTH * 0.36])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                ("LINEBEFORE", (2, 1), (2, -1), 0.4, RULE),
                ("TOPPADDING", (0, 1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 5),
            ]
        )
    )
    return table


def _pretty_phone(e164: str) -> str:
    number = normalize_phone(e164)
    if not number.is_valid:
        return e164
    import phonenumbers

    parsed = phonenumbers.parse(number.value, "NO")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _choices(purposes: Sequence[Purpose], customer: Customer, language: str) -> Table:
    s = styles()
    rows = []
    for purpose in purposes:
        for channel in purpose.channels.all():
            where = ""
            if channel.key == "sms" and customer.mobile:
                where = _pretty_phone(customer.mobile) if customer.mobile_is_valid else ""
            elif channel.key == "email" and customer.email_is_valid:
                where = customer.email
            label = _("Yes to “%(purpose)s” by %(channel)s") % {
                "purpose": purpose.label(language),
                "channel": _channel_word(channel.label(language), language),
            }
            detail = f"<br/><font size=8 color='#555555'>{text(where)}</font>" if where else ""
            rows.append([_Box(), Paragraph(f"<b>{text(label)}</b>{detail}", s["body"])])
    if not rows:
        rows.append(["", Paragraph(text(_("The dealer offers no purposes.")), s["body"])])
    table = Table(rows, colWidths=[9 * mm, WIDTH - 9 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _channel_word(label: str, language: str) -> str:
    """ "E-post" reads "e-post" inside a Norwegian sentence; "SMS" stays as it is."""
    if language == "en" or label.isupper():
        return label
    return label[:1].lower() + label[1:]


def _signature_block() -> Table:
    s = styles()
    gap = 6 * mm
    widths = [WIDTH * 0.2, gap, WIDTH * 0.26, gap, WIDTH * 0.54 - 2 * gap]
    labels = [_("Date"), "", _("Place"), "", _("Signature")]
    table = Table(
        [[""] * 5, [Paragraph(text(label), s["label"]) if label else "" for label in labels]],
        colWidths=widths,
        rowHeights=[11 * mm, None],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (0, 0), 0.8, INK),
                ("LINEBELOW", (2, 0), (2, 0), 0.8, INK),
                ("LINEBELOW", (4, 0), (4, 0), 0.8, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _phone_block(dealer: Dealer, url: str, expires: dt.datetime) -> Table:
    s = styles()
    withdraw = _(
        "You can withdraw or change your consent at any time, free of charge and as easily as "
        "you gave it: scan the code or open the link, reply STOP to an SMS from us, or contact "
        "us at %(contact)s. Withdrawing does not affect anything else you have with us."
    ) % {
        "contact": " / ".join(p for p in (dealer.contact_phone, dealer.contact_email) if p)
        or dealer.name
    }
    answer = _(
        "Would you rather answer on your phone? Scan the code (your personal link, valid "
        "until %(date)s):"
    ) % {"date": date_format(timezone.localtime(expires).date(), "SHORT_DATE_FORMAT")}
    right = [
        Paragraph(text(_("How to withdraw")), s["cellbold"]),
        Paragraph(text(withdraw), s["cell"]),
        Spacer(1, 3 * mm),
        Paragraph(text(answer), s["cell"]),
        Paragraph(text(url), s["small"]),
    ]
    # 3 mm of white around the code: the quiet zone scanners need.
    table = Table([[_QrCode(url, 28 * mm), right]], colWidths=[34 * mm, WIDTH - 34 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (0, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (0, -1), 3 * mm),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _form(
    dealer: Dealer,
    request: FormRequest,
    notice: NoticeVersion,
    purposes: Sequence[Purpose],
    link_url: str,
    link: PersonalLink,
    holder: dict[str, _Footer],
) -> list[Flowable]:
    s = styles()
    customer = request.customer
    reference = format_form_reference(
        dealer=dealer,
        customer=customer,
        notice_version=notice,
        order_reference=request.order_reference,
    )
    label = _("Form reference — write it on any letter to us about this form")
    if request.order_reference:
        label = _("Printed for order %(order)s") % {"order": request.order_reference}
    story: list[Flowable] = [
        _dealer_block(dealer),
        Spacer(1, 4 * mm),
        Paragraph(text(notice.title), s["title"]),
        _customer_block(customer),
        Spacer(1, 3 * mm),
    ]
    for paragraph in notice.text.split("\n\n"):
        if paragraph.strip():
            story += [Paragraph(text(paragraph.strip()), s["body"]), Spacer(1, 1.5 * mm)]
    story += [
        Paragraph(
            text(_("Notice version %(reference)s") % {"reference": notice.reference}),
            s["small"],
        ),
        Paragraph(text(_("Your choice")), s["heading"]),
        Paragraph(
            text(
                _(
                    "Tick a box only for what you say yes to. An empty box means no. "
                    "Saying no has no consequences for you as a customer."
                )
            ),
            s["body"],
        ),
        Spacer(1, 1 * mm),
        _choices(purposes, customer, notice.language),
        Spacer(1, 3 * mm),
        _signature_block(),
        Spacer(1, 5 * mm),
        _phone_block(dealer, link_url, link.expires_at),
    ]
    # Always one page per form: a long name or notice text shrinks the form to fit.
    return [
        _Mark(holder, _Footer(reference, label)),
        KeepInFrame(WIDTH, BODY_HEIGHT, story, mode="shrink"),
    ]


@transaction.atomic
def render_consent_forms(*, dealer: Dealer, requests: Sequence[FormRequest]) -> bytes:
    """One PDF with one A4 form per request, in order.

    Issues a personal link (origin ``paper_form``) per form for its QR code, all in one
    transaction (a failed render leaves no links behind). Raises ValueError for a customer of
    another dealer or an erased customer, or an unknown language.
    """
    for request in requests:
        if request.customer.dealer_id != dealer.pk:
            raise ValueError("The customer does not belong to this dealer.")
        if request.customer.is_erased:
            raise ValueError("An erased customer gets no consent form.")
    purposes = list(
        Purpose.objects.for_dealer(dealer).filter(active=True).prefetch_related("channels")
    )
    notices: dict[str, NoticeVersion] = {}
    buffer = io.BytesIO()
    holder: dict[str, _Footer] = {}
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=FOOTER + 3 * mm,
        title=f"Samtykkeskjema – {dealer.name}",
        author=dealer.name,
        creator="samtykke",
    )
    doc.footer_holder = holder
    frame = Frame(
        MARGIN,
        FOOTER + 3 * mm,
        WIDTH,
        A4[1] - MARGIN - FOOTER - 3 * mm,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="form", frames=[frame], onPageEnd=_draw_footer)])
    story: list[Flowable] = []
    for index, request in enumerate(requests):
        language = request.language or dealer.default_language
        if language not in LANGUAGES:
            raise ValueError(f"Unknown language {language!r}; use nb, nn or en.")
        if language not in notices:
            notices[language] = current_notice_version(dealer, language)
        notice = notices[language]
        issued = issue_personal_link(
            customer=request.customer, origin=PersonalLink.Origin.PAPER_FORM
        )
        with translation.override(notice.language):
            if index:
                story.append(PageBreak())
            story += _form(dealer, request, notice, purposes, issued.url, issued.link, holder)
    if not story:
        raise ValueError("No forms to print.")
    doc.build(story)
    return buffer.getvalue()
