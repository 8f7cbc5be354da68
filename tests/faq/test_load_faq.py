from io import StringIO

from django.core.management import call_command

from faq.models import Question
from faq.seed import QUESTIONS


def test_load_faq_creates_every_launch_question(db):
    out = StringIO()

    call_command("load_faq", stdout=out)

    assert Question.objects.count() == len(QUESTIONS)
    assert f"Created {len(QUESTIONS)} questions" in out.getvalue()


def test_load_faq_never_overwrites_staff_edits(db):
    call_command("load_faq", verbosity=0)
    Question.objects.filter(slug="refund-guarantee").update(answer="Edited by staff.", is_published=False)
    Question.objects.filter(slug="receipts").delete()
    out = StringIO()

    call_command("load_faq", stdout=out)

    edited = Question.objects.get(slug="refund-guarantee")
    assert edited.answer == "Edited by staff."
    assert not edited.is_published
    assert Question.objects.filter(slug="receipts").exists()
    assert "Created 1 questions: receipts." in out.getvalue()


def test_launch_faq_answers_the_articles_questions_and_buying_questions(db):
    call_command("load_faq", verbosity=0)

    topics = set(Question.objects.values_list("topic", flat=True))
    assert topics == {choice for choice, _ in Question.Topic.choices}
    assert Question.objects.filter(question__icontains="PMP").exists()
    assert Question.objects.filter(question__icontains="post-production").exists()
    assert Question.objects.filter(answer__contains="{savings:bundle}").exists()


def test_upgrade_answer_states_the_credit_window_in_force(settings):
    """The answer says "within the past year" in words; it must change with BUNDLE_CREDIT_DAYS."""
    from faq.seed import QUESTIONS

    answer = next(q["answer"] for q in QUESTIONS if q["slug"] == "upgrading-from-level-i")
    assert "within the past year" in answer
    assert settings.BUNDLE_CREDIT_DAYS == 365
    assert "{price:bundle}" in answer and "{price:level-i}" in answer and "$" not in answer
