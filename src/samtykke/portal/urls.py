from django.urls import path

from samtykke.portal import views

app_name = "portal"
urlpatterns = [
    path("s/<str:token>", views.open_link, name="personal_link"),
    path("e/<str:token>", views.open_confirmation_link, name="confirmation_link"),
    path("samtykke/", views.choices, name="choices"),
    path("samtykke/lagret/", views.saved, name="saved"),
    path("samtykke/e-post/", views.confirm_email_page, name="confirm_email"),
    path("samtykke/sprak/", views.choose_language, name="language"),
]
