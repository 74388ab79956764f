from django.urls import path

from . import views

app_name = "conditions"

urlpatterns = [
    path("", views.home, name="home"),
    path("conditions/<slug:slug>/", views.condition_detail, name="detail"),
    path("conditions/<slug:slug>/patient/", views.condition_patient, name="patient"),
    # These pages show conditions beside evidence, so they live here: evidence never imports
    # conditions.
    path("ldn/", views.general, name="general"),
    path("studies/", views.study_list, name="study-list"),
    path("claims/<slug:key>/", views.claim_detail, name="claim-detail"),
]
