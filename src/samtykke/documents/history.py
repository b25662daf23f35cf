"""A customer's consent history as a PDF for the person (GDPR art. 15; art. 7(1) proof).

``render_consent_history(dealer=…, customer=…, language="nb") -> bytes``: the controller, the
person, the current status per purpose and channel, every ledger event with how, when, by whom,
the notice version shown and its evidence, and the full text of every notice version referred
to (with its SHA-256, so the printout can be checked against the ledger). The machine-readable
twin is ``consent.receipts.build_receipt``.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from samtykke.consent.models import ConsentEvent, NoticeVersion, Source, Status
from samtykke.consent.receipts import HOW_TO_WITHDRAW
from samtykke.consent.selectors import current_states
from samtykke.customers.models import Customer
from samtykke.documents.pdf import MUTED, RULE, SHADE, fonts, format_org_number, plain, styles, text
from samtykke.tenancy.models import Dealer

MARGIN = 15 * mm
STATUS_LABELS = {
    Status.GIVEN: gettext_lazy("Given"),
    Status.REFUSED: gettext_lazy("Refused"),
    Status.WITHDRAWN: gettext_lazy("Withdrawn"),
    Status.UNKNOWN: gettext_lazy("Not asked"),
    Status.REQUESTED: gettext_lazy("Requested"),
    Status.PENDING: gettext_lazy("Awaiting confirmation"),
    Status.EXPIRED: gettext_lazy("Expired"),
}
SOURCE_LABELS = {
    Source.PORTAL: gettext_lazy("Customer's page"),
    Source.PAPER_FORM: gettext_lazy("Paper form"),
    Source.STAFF: gettext_lazy("Staff"),
    Source.DMS_API: gettext_lazy("DMS (API)"),
    Source.SMS_REPLY: gettext_lazy("SMS reply"),
    Source.IMPORT: gettext_lazy("Import"),
    Source.GDPR_RESET: gettext_lazy("GDPR reset"),
    Source.EMAIL_CONFIRMATION: gettext_lazy("E-mail confirmation"),
    Source.SYSTEM: gettext_lazy("System"),
}
WIDTH = A4[0] - 2 * MARGIN - 12  # the frame pads 6 pt on each side


def _when(value: Any) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _grid(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _evidence(event: ConsentEvent) -> str:
    if event.evidence_erased_at:
        return _("erased %(date)s") % {"date": _when(event.evidence_erased_at)}
    parts = []
    for key, value in sorted((event.evidence or {}).items()):
        parts.append(f"{key}: {value}")
    return "; ".join(parts)


def _page_number(canvas: Canvas, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(fonts().regular, 7)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(A4[0] - MARGIN, 8 * mm, plain(f"{doc.footer_text} · {doc.page}"))
    canvas.restoreState()


def render_consent_history(*, dealer: Dealer, customer: Customer, language: str) -> bytes:
    """The customer's consent history in ``language`` (nb, nn or en). ValueError otherwise."""
    if customer.dealer_id != dealer.pk:
        raise ValueError("The customer does not belong to this dealer.")
    if language not in ("nb", "nn", "en"):
        raise ValueError(f"Unknown language {language!r}; use nb, nn or en.")
    s = styles()
    events = list(
        ConsentEvent.objects.for_dealer(dealer)
        .filter(customer=customer)
        .select_related("purpose", "channel", "notice_version__notice", "notice_version__dealer")
        .order_by("sequence")
    )
    states = list(current_states(dealer, customer))
    buffer = io.BytesIO()
    with translation.override(language):
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=_("Consent history"),
            author=dealer.name,
            creator="samtykke",
        )
        doc.footer_text = (
            f"{dealer.name} · {_('Consent history')} · {timezone.localdate():%d.%m.%Y}"
        )
        statuses, sources = dict(Status.choices), dict(Source.choices)
        story: list[Any] = [
            Paragraph(text(_("Consent history")), s["title"]),
            Paragraph(text(_("Controller")), s["heading"]),
            Paragraph(
                text(
                    f"{dealer.name}, {_('Organisation number')} "
                    f"{format_org_number(dealer.org_number)}"
                ),
                s["body"],
            ),
            Paragraph(
                text(
                    " · ".join(
                        p
                        for p in (dealer.address_line, dealer.contact_phone, dealer.contact_email)
                        if p
                    )
                ),
                s["body"],
            ),
            Paragraph(text(_("The person")), s["heading"]),
        ]
        person = [
            (_("Name"), customer.name if not customer.is_erased else _("(erased)")),
            (_("Customer number"), customer.customer_number),
            (_("External id"), customer.external_id),
            (_("Issued"), _when(timezone.now())),
        ]
        story.append(
            _grid(
                [
                    [Paragraph(text(k), s["cellbold"]), Paragraph(text(v), s["cell"])]
                    for k, v in person
                ],
                [WIDTH * 0.25, WIDTH * 0.75],
            )
        )
        story.append(Paragraph(text(_("Current status")), s["heading"]))
        rows: list[list[Any]] = [
            [
                Paragraph(text(h), s["cellbold"])
                for h in (_("Purpose"), _("Channel"), _("Status"), _("Since"), _("Source"))
            ]
        ]
        for state in states:
            rows.append(
                [
                    Paragraph(text(state.purpose.label(language)), s["cell"]),
                    Paragraph(text(state.channel.label(language)), s["cell"]),
                    Paragraph(text(str(statuses.get(state.status, state.status))), s["cellbold"]),
                    Paragraph(text(_when(state.since)), s["cell"]),
                    Paragraph(text(str(sources.get(state.source, state.source))), s["cell"]),
                ]
            )
        if not states:
            rows.append([Paragraph(text(_("Nothing recorded yet.")), s["cell"]), "", "", "", ""])
        story.append(_grid(rows, [WIDTH * f for f in (0.28, 0.14, 0.18, 0.18, 0.22)]))
        story.append(Paragraph(text(_("Every event")), s["heading"]))
        rows = [
            [
                Paragraph(text(h), s["cellbold"])
                for h in (
                    "#",
                    _("When"),
                    _("What"),
                    _("How and by whom"),
                    _("Notice shown"),
                    _("Evidence"),
                )
            ]
        ]
        notices: dict[int, NoticeVersion] = {}
        for event in events:
            notice = event.notice_version
            shown = ""
            if notice is not None:
                notices[notice.pk] = notice
                assumed = _("assumed")
                shown = notice.reference + (f" ({assumed})" if event.notice_assumed else "")
            when = _when(event.occurred_at)
            if abs((event.recorded_at - event.occurred_at).total_seconds()) > 60:
                when += "\n" + _("recorded %(when)s") % {"when": _when(event.recorded_at)}
            rows.append(
                [
                    Paragraph(text(event.sequence), s["cell"]),
                    Paragraph(text(when), s["cell"]),
                    Paragraph(
                        text(f"{event.purpose.label(language)} · {event.channel.label(language)}: ")
                        + f"<b>{text(statuses.get(event.status, event.status))}</b>",
                        s["cell"],
                    ),
                    Paragraph(
                        text(f"{sources.get(event.source, event.source)}\n{event.actor_label}"),
                        s["cell"],
                    ),
                    Paragraph(text(shown), s["cell"]),
                    Paragraph(text(_evidence(event)), s["cell"]),
                ]
            )
        if not events:
            rows.append([Paragraph(text(_("Nothing recorded yet.")), s["cell"])] + [""] * 5)
        story.append(_grid(rows, [WIDTH * f for f in (0.04, 0.13, 0.16, 0.20, 0.25, 0.22)]))
        if notices:
            story.append(Paragraph(text(_("Notice texts shown")), s["heading"]))
        for notice in sorted(notices.values(), key=lambda n: (n.language, n.version)):
            story += [
                Paragraph(
                    text(
                        _("%(reference)s, published %(when)s")
                        % {"reference": notice.reference, "when": _when(notice.published_at)}
                    ),
                    s["cellbold"],
                ),
                Paragraph(text(notice.title), s["cellbold"]),
                Paragraph(text(notice.text), s["cell"]),
                Paragraph(text(f"SHA-256 {notice.content_sha256}"), s["small"]),
                Spacer(1, 3 * mm),
            ]
        story += [
            Paragraph(text(_("How to withdraw")), s["heading"]),
            Paragraph(text(HOW_TO_WITHDRAW.get(language, HOW_TO_WITHDRAW["nb"])), s["body"]),
        ]
        doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
