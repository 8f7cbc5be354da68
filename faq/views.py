from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog import seo
from catalog.currency import visitor_currency
from catalog.selectors import products_by_slug
from faq.selectors import answers_by_topic, published_answers


@require_safe
def faq_list(request):
    products = products_by_slug(visitor_currency(request))
    answers = published_answers(products)
    context = seo.page_context(
        "Questions about CPMA certifications, buying and team seats · CPMA",
        "Answers for production buyers: which credential fits your role, whether the PMP helps, what the "
        "Bundle includes, team seats, receipts, refunds and the exam.",
        trail=[("Questions and answers", request.path)],
        data=[seo.faq_page(answers)] if answers else [],
    )
    context.update(groups=answers_by_topic(answers), bundle=products.get("bundle"))
    return render(request, "faq/faq_list.html", context)
