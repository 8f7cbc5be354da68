from django.db import models


class Question(models.Model):
    class Topic(models.TextChoices):
        CHOOSING = "choosing", "Choosing a credential"
        ROLES = "roles", "Production roles"
        BUYING = "buying", "Buying and access"
        EMPLOYERS = "employers", "For employers"

    question = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=120, unique=True, help_text="The stable anchor of this question on /faq/."
    )
    answer = models.TextField(
        help_text="Plain text; blank lines separate paragraphs. Write prices as placeholders such as "
        "{price:level-i}, {separate_value:bundle} or {savings:bundle} so they follow the catalogue."
    )
    topic = models.CharField(max_length=20, choices=Topic.choices)
    position = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField("published", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic", "position", "id"]

    def __str__(self) -> str:
        return self.question
