from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from . import export, selectors
from .models import Source


def study_list(request):
    return render(request, "evidence/study_list.html", {"studies": selectors.study_list()})


def study_detail(request, pk):
    return render(request, "evidence/study_detail.html", selectors.study_detail(pk))


def source_detail(request, key):
    return render(request, "evidence/source_detail.html", selectors.source_detail(key))


def source_export(request, key, fmt):
    source = get_object_or_404(Source, key=key)
    body, content_type, extension = export.FORMATS[fmt](source)
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{source.key}.{extension}"'
    return response


def mechanism_list(request):
    return render(
        request, "evidence/mechanism_list.html", {"mechanisms": selectors.mechanism_list()}
    )


def mechanism_detail(request, slug):
    return render(request, "evidence/mechanism_detail.html", selectors.mechanism_detail(slug))


def methods(request):
    return render(request, "evidence/methods.html", selectors.methods())
