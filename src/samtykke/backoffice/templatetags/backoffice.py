"""Template helpers of the back office: the navigation and small formatting filters."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from samtykke.tenancy.models import Membership

register = template.Library()


def _optional(name: str) -> str | None:
    """A link to another helper's page, only when its route exists in this install."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@register.inclusion_tag("backoffice/_nav.html", takes_context=True)
def backoffice_nav(context: dict[str, Any]) -> dict[str, Any]:
    request: HttpRequest = context["request"]
    path = request.path
    items: list[tuple[str, str]] = [
        (reverse("backoffice:home"), _("Overview")),
        (reverse("backoffice:customers"), _("Customers")),
        (reverse("backoffice:orders"), _("Orders")),
    ]
    for name, label in (("campaigns:list", _("Campaigns")), ("messaging:outbox", _("SMS outbox"))):
        url = _optional(name)
        if url:
            items.append((url, label))
    imports = _optional("backoffice:imports")
    if imports:
        items.append((imports, _("Import")))
    if getattr(request, "role", None) == Membership.Role.ADMIN:
        items.append((reverse("backoffice:settings"), _("Settings")))
    home = reverse("backoffice:home")
    links = [
        {
            "url": url,
            "label": label,
            "current": path == url if url == home else path.startswith(url),
        }
        for url, label in items
    ]
    return {"links": links, "request": request}


@register.filter
def pretty_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def label(obj: Any, language: str) -> str:
    """A purpose's or channel's name in ``language``."""
    return str(obj.label(language)) if hasattr(obj, "label") else str(obj)


@register.filter
def status_label(status: str) -> str:
    """A consent status (``given``) in the page's language (Gitt)."""
    from samtykke.consent.models import Status

    try:
        return str(Status(status).label)
    except ValueError:
        return status
