from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("samtykke.api.urls")),
    path("kampanjer/", include("samtykke.campaigns.urls")),
    path("", include("samtykke.messaging.urls")),
    path("", include("samtykke.portal.urls")),
    path("", include("samtykke.backoffice.urls")),
]
