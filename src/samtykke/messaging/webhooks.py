"""Provider webhooks: delivery reports and inbound SMS (urls under /hooks/sms/).

Each view first checks who is calling (Twilio's signature; LINK's and Sveve's secret in the
URL), answers 400 for a bad signature and 404 for an unknown secret, then normalizes:
delivery reports go out as ``delivery_reported`` (200 even when nobody knows the message, so the
provider stops retrying; 500 if a receiver fails, so it retries), replies go to
``replies.handle_reply`` (idempotent on the provider's message id).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from samtykke.messaging.models import InboundRoute, Provider
from samtykke.messaging.replies import Reply, handle_reply
from samtykke.messaging.reports import announce
from samtykke.messaging.sms import linkmobility, sveve, twilio

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _not_found() -> HttpResponse:
    return HttpResponse("Not found.", status=404, content_type="text/plain")


def _bad(reason: str) -> HttpResponse:
    return HttpResponseBadRequest(reason, content_type="text/plain")


def _ok() -> HttpResponse:
    return HttpResponse("OK", content_type="text/plain")


def _secret_matches(given: str, expected: str) -> bool:
    if not expected:
        return False
    return hmac.compare_digest(
        hashlib.sha256(given.encode()).digest(), hashlib.sha256(expected.encode()).digest()
    )


# --- Twilio -----------------------------------------------------------------------------------
def _twilio_signed(request: HttpRequest) -> bool:
    url = settings.PUBLIC_URL + request.get_full_path()
    params = [(k, v) for k, values in request.POST.lists() for v in values]
    signature = request.headers.get("X-Twilio-Signature", "")
    return twilio.is_valid_signature(url, params, signature, settings.TWILIO_AUTH_TOKEN)


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    if not _twilio_signed(request):
        return _bad("Invalid X-Twilio-Signature.")
    report = twilio.parse_status(request.POST.dict(), reference=request.GET.get("ref", ""))
    if report is None:
        return _bad("MessageSid and MessageStatus are required.")
    announce(report)
    return _ok()


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest, secret: str) -> HttpResponse:
    if not _twilio_signed(request):
        return _bad("Invalid X-Twilio-Signature.")
    route = InboundRoute.find(Provider.TWILIO, secret)
    if route is None:
        return _not_found()
    sid, sender = request.POST.get("MessageSid", ""), request.POST.get("From", "")
    if not sid or not sender:
        return _bad("MessageSid and From are required.")
    reply = Reply("twilio", sid, sender, request.POST.get("To", ""), request.POST.get("Body", ""))
    handle_reply(route, reply)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


# --- LINK Mobility ----------------------------------------------------------------------------
def _json_body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


@csrf_exempt
@require_POST
def linkmobility_delivery(request: HttpRequest, secret: str) -> HttpResponse:
    if not _secret_matches(secret, settings.LINK_WEBHOOK_SECRET):
        return _not_found()
    body = _json_body(request)
    items = body if isinstance(body, list) else [body]  # one report, or several at once
    reports = [linkmobility.parse_delivery(i) if isinstance(i, dict) else None for i in items]
    if not reports or None in reports:
        return _bad("Expected a JSON delivery report with id and resultCode.")
    for report in reports:
        if report is not None:
            announce(report)
    return _ok()


@csrf_exempt
@require_POST
def linkmobility_inbound(request: HttpRequest, secret: str) -> HttpResponse:
    route = InboundRoute.find(Provider.LINKMOBILITY, secret)
    if route is None:
        return _not_found()
    body = _json_body(request)
    parsed = linkmobility.parse_inbound(body) if isinstance(body, dict) else None
    if parsed is None:
        return _bad("Expected a JSON message with messageId, source and userData.")
    handle_reply(route, Reply("linkmobility", *parsed))
    return _ok()


# --- Sveve ------------------------------------------------------------------------------------
# Sveve calls with query parameters (GET); a form POST is read the same way. Both carry a
# secret, so a GET here is not a link anyone can be tricked into opening.
def _sveve_params(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" and request.POST else request.GET


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sveve_delivery(request: HttpRequest, secret: str) -> HttpResponse:
    if not _secret_matches(secret, settings.SVEVE_WEBHOOK_SECRET):
        return _not_found()
    params = _sveve_params(request)
    report = sveve.parse_delivery({k: str(params.get(k, "")) for k in params})
    if report is None:
        return _bad("id and status (true/false) are required.")
    announce(report)
    return _ok()


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sveve_inbound(request: HttpRequest, secret: str) -> HttpResponse:
    route = InboundRoute.find(Provider.SVEVE, secret)
    if route is None:
        return _not_found()
    params = _sveve_params(request)
    if "status" in params:  # an account with one callback URL sends its reports here too
        report = sveve.parse_delivery({k: str(params.get(k, "")) for k in params})
        if report is None:
            return _bad("id and status (true/false) are required.")
        announce(report)
        return _ok()
    number, text = params.get("number", ""), params.get("msg")
    if not number or text is None:
        return _bad("number and msg are required.")
    # Sveve gives no id of its own for a reply: the call's content is its identity.
    key = "|".join([number, params.get("id", ""), params.get("shortnumber", ""), text])
    provider_id = hashlib.sha256(key.encode()).hexdigest()[:40]
    to = params.get("shortnumber", "")
    handle_reply(route, Reply("sveve", provider_id, sveve.e164_from_sveve(number), to, text))
    return _ok()
