from django.urls import URLPattern, URLResolver, path

from samtykke.messaging import views, webhooks

app_name = "messaging"
urlpatterns: list[URLPattern | URLResolver] = [
    path("sms-utboks/", views.outbox, name="outbox"),
    path("sms-utboks/levert/", views.outbox_deliver, name="outbox_deliver"),
    path("hooks/sms/twilio/status/", webhooks.twilio_status, name="twilio_status"),
    path("hooks/sms/twilio/inbound/<str:secret>/", webhooks.twilio_inbound, name="twilio_inbound"),
    path(
        "hooks/sms/linkmobility/delivery/<str:secret>/",
        webhooks.linkmobility_delivery,
        name="linkmobility_delivery",
    ),
    path(
        "hooks/sms/linkmobility/inbound/<str:secret>/",
        webhooks.linkmobility_inbound,
        name="linkmobility_inbound",
    ),
    path("hooks/sms/sveve/delivery/<str:secret>/", webhooks.sveve_delivery, name="sveve_delivery"),
    path("hooks/sms/sveve/inbound/<str:secret>/", webhooks.sveve_inbound, name="sveve_inbound"),
]
