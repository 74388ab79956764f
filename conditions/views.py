from django.shortcuts import render

from . import selectors, structured_data


def home(request):
    return render(request, "conditions/home.html", {"conditions": selectors.home()})


def condition_detail(request, slug):
    page = selectors.clinician_page(slug)
    data = structured_data.clinician(page, request.build_absolute_uri)
    context = {**vars(page), "structured_data": structured_data.script(data)}
    return render(request, "conditions/clinician.html", context)


def condition_patient(request, slug):
    page = selectors.patient_page(slug)
    data = structured_data.patient(page, request.build_absolute_uri)
    context = {**vars(page), "structured_data": structured_data.script(data)}
    return render(request, "conditions/patient.html", context)


def study_list(request):
    return render(request, "conditions/study_list.html", {"studies": selectors.study_list()})


def claim_detail(request, key):
    return render(request, "conditions/claim_detail.html", vars(selectors.claim_detail(key)))


def general(request):
    return render(request, "conditions/general.html", vars(selectors.general_page()))
