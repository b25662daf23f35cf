from django.urls import URLPattern, URLResolver, path
from django.views.i18n import set_language

from samtykke.backoffice.views import (
    auth,
    consent,
    customers,
    dealer_settings,
    imports,
    orders,
    overview,
)

app_name = "backoffice"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", overview.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("forhandler/", auth.choose_dealer_view, name="choose_dealer"),
    path("sprak/", set_language, name="set_language"),
    # the customer register and the customer card
    path("kunder/", customers.customer_list, name="customers"),
    path("kunder/skjema/", consent.form_lookup, name="form_lookup"),
    path("kunder/<int:pk>/", customers.customer_card, name="customer"),
    path("kunder/<int:pk>/skriv-ut/", customers.print_form, name="print_form"),
    path("kunder/<int:pk>/papirskjema/", consent.paper_form, name="paper_form"),
    path("kunder/<int:pk>/nei/", consent.staff_decision, name="staff_decision"),
    path("kunder/<int:pk>/historikk.json", customers.history_json, name="history_json"),
    path("kunder/<int:pk>/historikk.pdf", customers.history_pdf, name="history_pdf"),
    path("kunder/<int:pk>/skann/<int:event_pk>/", customers.event_scan, name="event_scan"),
    # orders
    path("ordre/", orders.order_list, name="orders"),
    path("ordre/skriv-ut/", orders.order_batch_print, name="order_batch_print"),
    path("ordre/<int:pk>/skriv-ut/", orders.order_print, name="order_print"),
    # imports
    path("import/", imports.upload, name="imports"),
    path("import/<int:pk>/", imports.job_page, name="import_job"),
    path("import/<int:pk>/start/", imports.job_start, name="import_job_start"),
    path("import/<int:pk>/status.json", imports.job_status, name="import_job_status"),
    # settings (administrators)
    path("innstillinger/", dealer_settings.general, name="settings"),
    path("innstillinger/formal/", dealer_settings.purposes, name="settings_purposes"),
    path("innstillinger/formal/<int:pk>/", dealer_settings.purpose_edit, name="settings_purpose"),
    path("innstillinger/tekster/", dealer_settings.notices, name="settings_notices"),
    path("innstillinger/brukere/", dealer_settings.staff, name="settings_staff"),
    path(
        "innstillinger/brukere/<int:pk>/rolle/",
        dealer_settings.membership_role,
        name="settings_membership_role",
    ),
    path(
        "innstillinger/brukere/<int:pk>/fjern/",
        dealer_settings.membership_remove,
        name="settings_membership_remove",
    ),
    path("innstillinger/api-nokler/", dealer_settings.api_keys, name="settings_api_keys"),
    path(
        "innstillinger/api-nokler/<int:pk>/trekk-tilbake/",
        dealer_settings.api_key_revoke,
        name="settings_api_key_revoke",
    ),
]
