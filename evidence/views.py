from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Mechanism, Source, Study


def study_list(request):
    return HttpResponse(
        "\n".join(str(s) for s in Study.objects.published()), content_type="text/plain"
    )


def study_detail(request, pk):
    return HttpResponse(
        str(get_object_or_404(Study.objects.published(), pk=pk)), content_type="text/plain"
    )


def source_detail(request, key):
    return HttpResponse(str(get_object_or_404(Source, key=key)), content_type="text/plain")


def mechanism_list(request):
    return HttpResponse(
        "\n".join(str(m) for m in Mechanism.objects.all()), content_type="text/plain"
    )


def mechanism_detail(request, slug):
    return HttpResponse(str(get_object_or_404(Mechanism, slug=slug)), content_type="text/plain")


def methods(request):
    return HttpResponse("methods", content_type="text/plain")
