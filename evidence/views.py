from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse

from . import export, selectors

# Study records merged into another record of the same study (one record per real study):
# the old address leads to the record that now holds the article's account of it.
MERGED_STUDIES = {"bigliardi2007-pruritus-trial": "bigliardi2007-crossover-trial"}


def study_detail(request, key):
    if key in MERGED_STUDIES:
        url = reverse("evidence:study-detail", args=[MERGED_STUDIES[key]])
        return HttpResponsePermanentRedirect(f"{url}#accounts-heading")
    return render(request, "evidence/study_detail.html", vars(selectors.study_detail(key)))


def study_by_id(request, pk):
    """The old /studies/<id>/ address: a permanent redirect to /studies/<key>/."""
    key = selectors.study_pk_to_key(pk)
    return HttpResponsePermanentRedirect(reverse("evidence:study-detail", args=[key]))


def source_detail(request, key):
    return render(request, "evidence/source_detail.html", selectors.source_detail(key))


def source_list(request):
    return render(request, "evidence/source_list.html", {"sources": selectors.source_list()})


def source_export(request, key, fmt):
    source = selectors.published_source(key)
    body, content_type, extension = export.FORMATS[fmt](source)
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{source.key}.{extension}"'
    return response


def mechanism_list(request):
    return render(
        request, "evidence/mechanism_list.html", {"mechanisms": selectors.mechanism_list()}
    )


def mechanism_detail(request, slug):
    return render(request, "evidence/mechanism_detail.html", vars(selectors.mechanism_detail(slug)))


def methods(request):
    return render(request, "evidence/methods.html", selectors.methods())
