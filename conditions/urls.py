from django.urls import path

from . import views

app_name = "conditions"

urlpatterns = [
    path("", views.home, name="home"),
    path("conditions/<slug:slug>/", views.condition_detail, name="detail"),
    path("conditions/<slug:slug>/patient/", views.condition_patient, name="patient"),
]
