from django.urls import URLPattern, path

from samtykke.campaigns import views

app_name = "campaigns"
urlpatterns: list[URLPattern] = [
    path("", views.campaign_list, name="list"),
    path("ny/", views.campaign_new, name="new"),
    path("maal/", views.message_measure, name="measure"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/eksport.csv", views.campaign_csv, name="csv"),
    path("<int:pk>/<slug:action>/", views.campaign_action, name="action"),
]
