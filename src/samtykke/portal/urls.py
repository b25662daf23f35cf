from django.urls import path

from samtykke.portal import views

app_name = "portal"
urlpatterns = [
    path("s/<str:token>", views.personal_link, name="personal_link"),
]
