from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from catalog import seo
from catalog.selectors import products_by_slug
from faq.selectors import answers_by_topic, published_answers


@require_safe
def faq_list(request):
    answers = published_answers(products_by_slug())
    trail = [("Home", reverse("catalog:home")), ("Questions and answers", request.path)]
    context = {
        "page_title": "Questions about CPMA certifications, buying and team seats · CPMA",
        "page_description": "Answers for production buyers: which credential fits your role, whether the "
        "PMP helps, what the Bundle includes, team seats, receipts, refunds and the exam.",
        "breadcrumbs": trail,
        "structured_data": [seo.faq_page(answers), seo.breadcrumb_list(trail)] if answers else [],
        "groups": answers_by_topic(answers),
    }
    return render(request, "faq/faq_list.html", context)
