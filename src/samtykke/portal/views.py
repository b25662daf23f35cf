"""The customer's page behind a personal link (``/s/<token>``) and the e-mail confirmation.

A token is looked up once (rate limited per IP), its link kept in the session, and the browser
sent on to a clean URL, so the token neither lingers in the history nor travels in a Referer.
GET never changes consent; POSTs are CSRF-protected and answered with a redirect (PRG).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from samtykke.consent.models import NoticeVersion, PersonalLink, Status
from samtykke.consent.notices import NoticeError, find_notice_version
from samtykke.customers.normalize import mask_email, mask_phone
from samtykke.portal import ratelimit
from samtykke.portal.choices import PurposeChoices, State, channel_address, load_choices
from samtykke.portal.csrf import portal_csrf
from samtykke.portal.http import (
    SESSION_LANGUAGE,
    client_ip,
    offered_languages,
    portal_page,
    remember_dealer_languages,
)
from samtykke.portal.models import EmailConfirmation
from samtykke.portal.pagedata import dealer_page
from samtykke.portal.services import (
    ConfirmationGone,
    LinkGone,
    PortalError,
    confirm_email,
    find_confirmation,
    link_for_token,
    open_confirmation,
    save_choices,
    submitting,
    usable_link_with_states,
)
from samtykke.tenancy.models import Dealer

SESSION_LINK = "portal_link"
SESSION_CONFIRMATION = "portal_email_confirmation"


class SeeOther(HttpResponseRedirect):
    status_code = 303


def _gone(request: HttpRequest, dealer: Dealer | None, status: int) -> HttpResponse:
    return render(
        request, "portal/link_gone.html", {"dealer": dealer, "next": request.path}, status=status
    )


def _limited(request: HttpRequest) -> HttpResponse | None:
    """The 429 page when this client used up its look-ups; counts this look-up otherwise."""
    if ratelimit.allow_lookup(client_ip(request)):
        return None
    response = render(request, "portal/rate_limited.html", {"next": ""}, status=429)
    response["Retry-After"] = str(ratelimit.window_seconds())
    return response


@require_safe
@portal_page
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """``/s/<token>``: note "opened" (once), remember the link, go to the clean URL."""
    limited = _limited(request)
    if limited is not None:
        return limited
    link = link_for_token(token)
    if link is None:
        ratelimit.lookup_failed(client_ip(request))
        return _gone(request, None, 404)
    if not link.is_usable or link.customer.is_erased:
        return _gone(request, link.dealer, 410)
    if link.first_opened_at is None:  # set once, by whichever request comes first
        PersonalLink.all_dealers.filter(pk=link.pk, first_opened_at__isnull=True).update(
            first_opened_at=timezone.now()
        )
    if request.session.get(SESSION_LINK) != link.pk:
        request.session.cycle_key()
        request.session[SESSION_LINK] = link.pk
    remember_dealer_languages(request, list(link.dealer.languages), link.dealer.default_language)
    return SeeOther(reverse("portal:choices"))


def _session_link_id(request: HttpRequest) -> int | None:
    link_id = request.session.get(SESSION_LINK)
    return link_id if isinstance(link_id, int) else None


def _session_link(request: HttpRequest) -> tuple[PersonalLink, list[State]] | None:
    """The session's usable link with the customer's current states (one statement)."""
    link_id = _session_link_id(request)
    return usable_link_with_states(link_id) if link_id is not None else None


def _gone_for_session(request: HttpRequest) -> HttpResponse:
    """No usable link in this session: name the dealer if the session knew one."""
    link_id = _session_link_id(request)
    dealer = None
    if link_id is not None:
        old = PersonalLink.all_dealers.select_related("dealer").filter(pk=link_id).first()
        dealer = old.dealer if old else None
    return _gone(request, dealer, 410 if dealer else 404)


def _evidence(request: HttpRequest, link: PersonalLink) -> dict[str, Any]:
    return {
        "ip": client_ip(request),
        "user_agent": request.headers.get("User-Agent", "")[:400],
        "personal_link": link.pk,
        "link_origin": link.origin,
        "page_language": request.LANGUAGE_CODE,
    }


def _view_rows(
    link: PersonalLink,
    rows: list[PurposeChoices],
    ticked: set[str] | None,
    language: str,
    pending_email: str = "",
) -> list[dict[str, Any]]:
    """What the template shows per purpose; ``ticked`` (after an error) overrides the state."""
    shown = []
    for row in rows:
        items = []
        for choice in row.choices:
            items.append(
                {
                    "name": choice.name,
                    "id": f"id_{choice.name}",
                    "label": choice.channel.label(language),
                    "key": choice.channel.key,
                    "address": (
                        pending_email
                        if choice.pending and pending_email
                        else channel_address(link.customer, choice.channel.key)
                    ),
                    "checked": choice.name in ticked if ticked is not None else choice.ticked,
                    "pending": choice.pending,
                    "given": choice.status == Status.GIVEN,
                }
            )
        shown.append({"label": row.purpose.label(language), "choices": items})
    return shown


def _any_pending(rows: list[PurposeChoices]) -> bool:
    return any(c.pending for row in rows for c in row.choices)


def _render_choices(
    request: HttpRequest,
    link: PersonalLink,
    *,
    notice: NoticeVersion | None = None,
    states: list[State] | None = None,
    error: str = "",
    ticked: set[str] | None = None,
    typed_email: str = "",
    status: int = 200,
) -> HttpResponse:
    language = request.LANGUAGE_CODE
    dealer, customer = link.dealer, link.customer
    notice = notice or dealer_page(dealer).notice(dealer, language)
    rows = load_choices(dealer, customer, states)
    pending = open_confirmation(link) if _any_pending(rows) else None
    pending_email = mask_email(pending.email) if pending else ""
    context = {
        "dealer": dealer,
        "first_name": customer.first_name,
        "mobile": mask_phone(customer.mobile) if customer.can_receive_sms else "",
        "email": mask_email(customer.email) if customer.email_is_valid else "",
        "pending_email": pending_email,
        "notice": notice,
        "paragraphs": [p.strip() for p in notice.text.split("\n\n") if p.strip()],
        "rows": _view_rows(link, rows, ticked, language, pending_email),
        "has_email_channel": any(c.channel.key == "email" for r in rows for c in r.choices),
        "expires_at": link.expires_at,
        "error": error,
        "typed_email": typed_email,
        "next": request.path,
    }
    return render(request, "portal/choices.html", context, status=status)


@portal_csrf
@require_http_methods(["GET", "HEAD", "POST"])
@portal_page
def choices(request: HttpRequest) -> HttpResponse:
    """``/samtykke/``: the choices (GET) and saving them (POST, then to the receipt)."""
    if request.method == "POST":
        link_id = _session_link_id(request)
        return _save(request, link_id) if link_id is not None else _gone_for_session(request)
    found = _session_link(request)
    if found is None:
        return _gone_for_session(request)
    link, states = found
    return _render_choices(request, link, states=states)


def _save(request: HttpRequest, link_id: int) -> HttpResponse:
    """Record the submit in one transaction (the customer locked first), then the receipt."""
    refuse = request.POST.get("action") == "refuse"
    ticked = (
        set()
        if refuse
        else {k for k, v in request.POST.items() if k.startswith("c-") and v == "yes"}
    )
    typed_email = "" if refuse else request.POST.get("email", "")[:300]
    link: PersonalLink | None = None
    notice: NoticeVersion | None = None
    try:
        with submitting(link_id) as submit:
            link = submit.link
            notice = _posted_notice(request, link.dealer)
            save_choices(
                submit=submit,
                ticked=ticked,
                typed_email=typed_email,
                notice=notice,
                evidence=_evidence(request, link),
            )
    except LinkGone:
        return _gone_for_session(request)
    except (NoticeError, PortalError) as exc:  # nothing was written: show the page again
        if link is None:  # not raised before submitting() gave the link; kept for the types
            return _gone_for_session(request)
        code = exc.code if isinstance(exc, PortalError) else "notice_changed"
        return _render_choices(
            request,
            link,
            notice=notice,
            error=code,
            ticked=ticked,
            typed_email=typed_email,
            status=409 if code == "notice_changed" else 400,
        )
    return SeeOther(reverse("portal:saved"))


def _posted_notice(request: HttpRequest, dealer: Dealer) -> NoticeVersion:
    """The notice version the page showed: this dealer's, in the language the page is in."""
    reference = request.POST.get("notice", "")[:200]
    shown = dealer_page(dealer).notices.get(request.LANGUAGE_CODE)
    if shown is not None and shown.reference == reference:
        return shown  # the usual case: the current version, known without a query
    notice = find_notice_version(dealer, reference)
    if notice.language == request.LANGUAGE_CODE and notice.notice.key == "consent":
        return notice
    expected = dealer_page(dealer).notice(dealer, request.LANGUAGE_CODE)  # the fallback
    if notice.language != expected.language or notice.notice_id != expected.notice_id:
        raise NoticeError("The page's language changed since it was shown.")
    return notice


@require_safe
@portal_page
def saved(request: HttpRequest) -> HttpResponse:
    """``/samtykke/lagret/``: what the customer chose, and how to change it later."""
    found = _session_link(request)
    if found is None:
        return _gone_for_session(request)
    link, states = found
    language = request.LANGUAGE_CODE
    rows = load_choices(link.dealer, link.customer, states)
    pending = open_confirmation(link) if _any_pending(rows) else None
    context = {
        "dealer": link.dealer,
        "first_name": link.customer.first_name,
        "rows": _view_rows(link, rows, None, language),
        "any_yes": any(c.ticked for r in rows for c in r.choices),
        "pending_email": mask_email(pending.email) if pending else "",
        "expires_at": link.expires_at,
        "next": request.path,
    }
    return render(request, "portal/saved.html", context)


@portal_csrf
@require_POST
@portal_page
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: kept in the session (no cookie of its own)."""
    language = request.POST.get("language", "")
    if language in offered_languages(request):
        request.session[SESSION_LANGUAGE] = language
    target = request.POST.get("next", "")
    if not _is_portal_path(target):
        target = reverse("portal:choices")
    return SeeOther(target)


def _is_portal_path(path: str) -> bool:
    return (
        path.startswith(("/samtykke/", "/s/", "/e/"))
        and "//" not in path
        and "\\" not in path
        and len(path) < 200
    )


@require_safe
@portal_page
def open_confirmation_link(request: HttpRequest, token: str) -> HttpResponse:
    """``/e/<token>`` from the e-mail: remember it, go to the clean URL (nothing confirmed yet)."""
    limited = _limited(request)
    if limited is not None:
        return limited
    confirmation = find_confirmation(token)
    if confirmation is None:
        ratelimit.lookup_failed(client_ip(request))
        return _gone(request, None, 404)
    if request.session.get(SESSION_CONFIRMATION) != confirmation.pk:
        request.session.cycle_key()
        request.session[SESSION_CONFIRMATION] = confirmation.pk
        request.session.setdefault(SESSION_LANGUAGE, confirmation.language)  # the e-mail's
    dealer = confirmation.dealer
    remember_dealer_languages(request, list(dealer.languages), dealer.default_language)
    return SeeOther(reverse("portal:confirm_email"))


@portal_csrf
@require_http_methods(["GET", "HEAD", "POST"])
@portal_page
def confirm_email_page(request: HttpRequest) -> HttpResponse:
    """``/samtykke/e-post/``: a button to confirm (POST); GET only shows."""
    confirmation_id = request.session.get(SESSION_CONFIRMATION)
    confirmation = (
        EmailConfirmation.all_dealers.select_related("dealer", "customer")
        .filter(pk=confirmation_id)
        .first()
        if isinstance(confirmation_id, int)
        else None
    )
    if confirmation is None:
        return _gone(request, None, 404)
    if request.method == "POST":
        try:
            confirm_email(
                confirmation_id=confirmation.pk,
                evidence={
                    "ip": client_ip(request),
                    "user_agent": request.headers.get("User-Agent", "")[:400],
                    "page_language": request.LANGUAGE_CODE,
                },
            )
        except ConfirmationGone:
            pass
        return SeeOther(reverse("portal:confirm_email"))
    if confirmation.confirmed_at is None and not confirmation.is_open:
        return _gone(request, confirmation.dealer, 410)
    context = {
        "dealer": confirmation.dealer,
        "first_name": confirmation.customer.first_name,
        "email": mask_email(confirmation.email),
        "confirmed": confirmation.confirmed_at is not None,
        "next": request.path,
    }
    return render(request, "portal/confirm_email.html", context)
