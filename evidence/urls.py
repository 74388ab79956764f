from django.urls import path, register_converter

from . import views


class ExportFormatConverter:
    regex = "ris|bib|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormatConverter, "export_format")

app_name = "evidence"

urlpatterns = [
    path("studies/<int:pk>/", views.study_by_id, name="study-by-id"),
    path("studies/<slug:key>/", views.study_detail, name="study-detail"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<slug:key>/", views.source_detail, name="source-detail"),
    path("sources/<slug:key>.<export_format:fmt>", views.source_export, name="source-export"),
    path("mechanisms/", views.mechanism_list, name="mechanism-list"),
    path("mechanisms/<slug:slug>/", views.mechanism_detail, name="mechanism-detail"),
    path("methods/", views.methods, name="methods"),
]
