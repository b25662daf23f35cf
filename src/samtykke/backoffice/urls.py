from django.urls import URLPattern, URLResolver, path

from samtykke.backoffice import views

app_name = "backoffice"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("forhandler/", views.choose_dealer_view, name="choose_dealer"),
]
