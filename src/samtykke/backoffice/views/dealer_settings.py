"""The dealer's settings: how consent is collected, purposes, notice texts, staff and API keys."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samtykke.backoffice.access import admin_view, dealer_object, dealer_of
from samtykke.backoffice.settings_forms import (
    ApiKeyForm,
    DealerSettingsForm,
    NoticeForm,
    PurposeForm,
    RoleForm,
    StaffUserForm,
)
from samtykke.consent.models import NoticeVersion, Purpose
from samtykke.consent.notices import NoticeError, current_notice_version, publish_notice_version
from samtykke.tenancy.models import ApiKey, Membership
from samtykke.tenancy.services import add_staff_user


@require_http_methods(["GET", "POST"])
@admin_view
def general(request: HttpRequest) -> HttpResponse:
    dealer = dealer_of(request)
    form = DealerSettingsForm(request.POST or None, instance=dealer)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The settings are saved."))
        return redirect("backoffice:settings")
    return render(request, "backoffice/settings/general.html", {"form": form, "tab": "general"})


@require_http_methods(["GET", "POST"])
@admin_view
def purposes(request: HttpRequest) -> HttpResponse:
    dealer = dealer_of(request)
    form = PurposeForm(request.POST or None, dealer=dealer, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The purpose is added."))
        return redirect("backoffice:settings_purposes")
    found = Purpose.objects.for_dealer(dealer).prefetch_related("channels").order_by("order")
    return render(
        request,
        "backoffice/settings/purposes.html",
        {"form": form, "purposes": found, "tab": "purposes"},
    )


@require_http_methods(["GET", "POST"])
@admin_view
def purpose_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dealer = dealer_of(request)
    purpose = dealer_object(request, Purpose, pk=pk)
    form = PurposeForm(request.POST or None, instance=purpose, dealer=dealer)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The purpose is saved."))
        return redirect("backoffice:settings_purposes")
    return render(
        request,
        "backoffice/settings/purpose_edit.html",
        {"form": form, "purpose": purpose, "tab": "purposes"},
    )


@require_http_methods(["GET", "POST"])
@admin_view
def notices(request: HttpRequest) -> HttpResponse:
    dealer = dealer_of(request)
    language = request.GET.get("language") or dealer.default_language
    if language not in ("nb", "nn", "en"):
        language = dealer.default_language
    try:
        current = current_notice_version(dealer, language)
    except NoticeError:
        current = None
    initial = {"language": language}
    if current is not None and current.language == language:
        initial.update(title=current.title, text=current.text)
    form = NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = publish_notice_version(
                dealer=dealer,
                published_by=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except NoticeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Version %(ref)s is published.") % {"ref": version.reference}
            )
            return redirect(f"{request.path}?language={version.language}")
    versions = (
        NoticeVersion.objects.for_dealer(dealer)
        .select_related("notice", "dealer", "published_by")
        .order_by("language", "-version")
    )
    return render(
        request,
        "backoffice/settings/notices.html",
        {"form": form, "versions": versions, "language": language, "tab": "notices"},
    )


def _admins_left(request: HttpRequest, without: Membership) -> int:
    return (
        Membership.objects.for_dealer(dealer_of(request))
        .filter(role=Membership.Role.ADMIN)
        .exclude(pk=without.pk)
        .count()
    )


@require_http_methods(["GET", "POST"])
@admin_view
def staff(request: HttpRequest) -> HttpResponse:
    dealer = dealer_of(request)
    form = StaffUserForm(request.POST or None)
    password = None
    if request.method == "POST" and form.is_valid():
        user, password = add_staff_user(
            dealer=dealer, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
        )
        messages.success(request, _("%(email)s can now log in.") % {"email": user.email})
        if password is None:
            return redirect("backoffice:settings_staff")
        form = StaffUserForm()
    members = Membership.objects.for_dealer(dealer).select_related("user").order_by("user__email")
    response = render(
        request,
        "backoffice/settings/staff.html",
        {
            "form": form,
            "members": [
                (m, RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in members
            ],
            "password": password,
            "tab": "staff",
        },
    )
    response["Cache-Control"] = "no-store"  # a new user's password may be on the page
    return response


@require_POST
@admin_view
def membership_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = dealer_object(request, Membership, pk=pk)
    form = RoleForm(request.POST, prefix=f"m{membership.pk}")
    if form.is_valid():
        role = form.cleaned_data["role"]
        if role != Membership.Role.ADMIN and not _admins_left(request, membership):
            messages.error(request, _("The dealer needs at least one administrator."))
        else:
            membership.role = role
            membership.save(update_fields=["role"])
            messages.success(request, _("The role is changed."))
    return redirect("backoffice:settings_staff")


@require_POST
@admin_view
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        membership = dealer_object(request, Membership, pk=pk)
        if membership.user_id == request.user.pk:
            messages.error(request, _("You cannot remove yourself."))
        elif membership.role == Membership.Role.ADMIN and not _admins_left(request, membership):
            messages.error(request, _("The dealer needs at least one administrator."))
        else:
            membership.delete()
            messages.success(request, _("The user no longer has access to this dealer."))
    return redirect("backoffice:settings_staff")


@require_http_methods(["GET", "POST"])
@admin_view
def api_keys(request: HttpRequest) -> HttpResponse:
    dealer = dealer_of(request)
    form = ApiKeyForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _key, raw = ApiKey.issue(dealer, form.cleaned_data["name"])
        form = ApiKeyForm()
    keys = ApiKey.objects.for_dealer(dealer).order_by("-created_at")
    response = render(
        request,
        "backoffice/settings/api_keys.html",
        {"form": form, "keys": keys, "raw_key": raw, "tab": "api_keys"},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@admin_view
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = dealer_object(request, ApiKey, pk=pk)
    key.revoke()
    messages.success(request, _("The key %(prefix)s… is revoked.") % {"prefix": key.prefix})
    return redirect("backoffice:settings_api_keys")
