from django.shortcuts import render

from . import selectors


def home(request):
    return render(request, "conditions/home.html", {"conditions": selectors.home()})


def condition_detail(request, slug):
    return render(request, "conditions/clinician.html", vars(selectors.clinician_page(slug)))


def condition_patient(request, slug):
    return render(request, "conditions/patient.html", vars(selectors.patient_page(slug)))


def study_list(request):
    return render(request, "conditions/study_list.html", {"studies": selectors.study_list()})


def claim_detail(request, key):
    return render(request, "conditions/claim_detail.html", vars(selectors.claim_detail(key)))


def general(request):
    return render(request, "conditions/general.html", vars(selectors.general_page()))
