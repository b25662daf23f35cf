"""What every portal response shares: the page's language, strict headers, the client's IP."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

LANGUAGES = ("nb", "nn", "en")
SESSION_LANGUAGE = "portal_language"
SESSION_OFFERED = "portal_languages"
LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}

# Nothing from anywhere else; no scripts at all (the pages need none).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

View = Callable[..., HttpResponse]


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the nearest trusted proxy saw (``SAMTYKKE_TRUSTED_PROXIES``)."""
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0))
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def offered_languages(request: HttpRequest) -> list[str]:
    """The dealer's languages (its default first), kept in the session when a link is opened."""
    offered = request.session.get(SESSION_OFFERED)
    if isinstance(offered, list) and offered and all(code in LANGUAGES for code in offered):
        return offered
    return list(LANGUAGES)


def page_language(request: HttpRequest, offered: list[str]) -> str:
    """The customer's choice (in the session), else Accept-Language, else the dealer's default."""
    chosen = request.session.get(SESSION_LANGUAGE)
    if chosen in offered:
        return str(chosen)
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _ in parse_accept_lang_header(header):
        if code == "*":
            break
        base = code.split("-")[0]
        base = "nb" if base == "no" else base  # "no" is Norwegian, written as Bokmål
        if base in offered:
            return base
    return offered[0]


def remember_dealer_languages(request: HttpRequest, languages: list[str], default: str) -> None:
    ordered = [default] + [code for code in languages if code != default]
    offered = [code for code in ordered if code in LANGUAGES] or list(LANGUAGES)
    if request.session.get(SESSION_OFFERED) != offered:
        request.session[SESSION_OFFERED] = offered


def add_security_headers(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "DENY"
    response["Cross-Origin-Opener-Policy"] = "same-origin"
    response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)  # personal data: never kept by a shared cache
    return response


def portal_page(view: View) -> View:
    """Run ``view`` in the page's language and give its response the portal's headers."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        offered = offered_languages(request)
        language = page_language(request, offered)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            # A tuple: it also keys the switcher's kept fragment (templates/portal/base.html).
            request.portal_languages = tuple((code, LANGUAGE_NAMES[code]) for code in offered)  # type: ignore[attr-defined]
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
        response["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return add_security_headers(response)

    return wrapper
