from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("studies/", views.study_list, name="study-list"),
    path("studies/<int:pk>/", views.study_detail, name="study-detail"),
    path("sources/<slug:key>/", views.source_detail, name="source-detail"),
    path("mechanisms/", views.mechanism_list, name="mechanism-list"),
    path("mechanisms/<slug:slug>/", views.mechanism_detail, name="mechanism-detail"),
    path("methods/", views.methods, name="methods"),
]
