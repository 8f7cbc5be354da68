from django import forms

from catalog.recommend import ROLE_LABELS, SENIORITY_LABELS, Role, Seniority
from catalog.seats import MAX_SEATS, MIN_TEAM_SEATS

PICK_ONE = "Choose one of the answers listed."
SEATS_MAX = f"One order holds up to {MAX_SEATS} seats."


class RecommenderForm(forms.Form):
    """The "Which one fits me?" questions. Submitted with GET, so the answer page can be cached and shared."""

    role = forms.ChoiceField(
        label="Which role is closest to yours?",
        choices=[(role.value, label) for role, label in ROLE_LABELS.items()],
        error_messages={"required": "Choose the role closest to yours.", "invalid_choice": PICK_ONE},
        widget=forms.RadioSelect,
    )
    seniority = forms.ChoiceField(
        label="Where are you in your career?",
        choices=[(level.value, label) for level, label in SENIORITY_LABELS.items()],
        error_messages={"required": "Choose where you are in your career.", "invalid_choice": PICK_ONE},
        widget=forms.RadioSelect,
    )
    buying_for = forms.ChoiceField(
        label="Who are you buying for?",
        choices=[("me", "Just me"), ("team", "My team")],
        initial="me",
        required=False,  # unanswered means "just me"
        error_messages={"invalid_choice": PICK_ONE},
        widget=forms.RadioSelect,
    )
    seats = forms.IntegerField(
        label="Seats, if you are buying for a team (optional)",
        min_value=MIN_TEAM_SEATS,
        max_value=MAX_SEATS,
        required=False,
        help_text="You can change the number of seats before you pay.",
        error_messages={
            "min_value": f"A team order needs at least {MIN_TEAM_SEATS} seats.",
            "max_value": SEATS_MAX,
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        data["buying_for"] = data.get("buying_for") or "me"
        if data["buying_for"] != "team":
            data["seats"] = None
        return data

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            "role": Role(data["role"]),
            "seniority": Seniority(data["seniority"]),
            "for_team": data["buying_for"] == "team",
            "seats": data["seats"],
        }
