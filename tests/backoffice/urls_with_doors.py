"""A URLconf with the campaign and outbox pages other helpers add, for the navigation test."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


campaigns = ([path("kampanjer/", _page, name="list")], "campaigns")
messaging = ([path("sms-utboks/", _page, name="outbox")], "messaging")

urlpatterns = [
    path("", include(campaigns)),
    path("", include(messaging)),
    path("", include("samtykke.backoffice.urls")),
]
