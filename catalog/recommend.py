"""Which product fits a production buyer: one plain function, used by the recommender and the role pages.

The rules follow the academy's guidance for production people: the foundations for coordinators and
assistants, the advanced certification (or the Bundle, when it really is cheaper than its parts) for people
moving into senior roles, and the Bundle for anyone training a team.
"""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    COORDINATOR = "coordinator"
    PRODUCER = "producer"
    POST = "post"
    HEAD = "head"


class Seniority(StrEnum):
    EARLY = "early"
    MID = "mid"
    SENIOR = "senior"


ROLE_LABELS = {
    Role.COORDINATOR: "Production coordinator, assistant production manager or production assistant",
    Role.PRODUCER: "Producer, line producer, production manager or content production lead",
    Role.POST: "Post-production coordinator, supervisor or post producer",
    Role.HEAD: "Head of production or executive producer",
}

SENIORITY_LABELS = {
    Seniority.EARLY: "Early in my career",
    Seniority.MID: "Established, and aiming for the next step up",
    Seniority.SENIOR: "Senior: I run a department, a slate or a company",
}


@dataclass(frozen=True)
class Recommendation:
    product_slug: str
    reason: str
    alternative_slug: str | None = None
    alternative_reason: str = ""
    for_team: bool = False
    seats: int | None = None  # what the buyer asked for; a team purchase without it starts at a suggestion


def recommend(
    *,
    role: Role,
    seniority: Seniority,
    for_team: bool = False,
    seats: int | None = None,
    bundle_saves: bool = True,
) -> Recommendation:
    """The product to buy for this buyer.

    `bundle_saves` is False when the Bundle currently costs as much as its parts; then it is never called
    the better value. `seats` is only kept for team purchases.
    """
    if for_team:
        return Recommendation(
            "bundle",
            "Buying for a team? The Bundle gives every seat both certifications, so people can start at "
            "the foundations and carry on to the advanced level, and the AI Kit puts the whole team on the "
            "same AI tooling.",
            for_team=True,
            seats=seats,
        )
    if role == Role.HEAD:
        return Recommendation(
            "level-ii",
            "Level II is written for people who run slates and companies: forecasting across concurrent "
            "productions, risk, tooling and hard judgement calls.",
            "bundle",
            "Training your team as well? Buy the Bundle with one seat per person.",
        )
    if role == Role.POST:
        if seniority == Seniority.SENIOR:
            return Recommendation(
                "level-ii",
                "Heads of post and post producers get the most from Level II: vendor risk, schedules across "
                "several projects and the post tool chain.",
                "level-i",
                "Want the foundations certified first? Start with Level I.",
            )
        return Recommendation(
            "level-i",
            "Level I covers the day-to-day of post: taking over from production, routing director and "
            "client notes, keeping revision rounds bounded and delivering to spec.",
            "level-ii",
            "Running post for a company or a slate? Level II is the advanced step.",
        )
    if role == Role.PRODUCER and seniority != Seniority.EARLY:
        if bundle_saves:
            return Recommendation(
                "bundle",
                "Moving up to head of production or executive producer? The Bundle certifies both the "
                "foundations you learned on set and the advanced practice, adds the Resume Kit and the AI "
                "Kit, and costs less than buying them one by one.",
                "level-ii",
                "Only want the advanced certification? Buy Level II on its own.",
            )
        return Recommendation(
            "level-ii",
            "Level II is the advanced certification for producers heading into senior roles.",
            "bundle",
            "Want the foundations and both kits too? The Bundle has everything.",
        )
    return Recommendation(
        "level-i",
        "Level I turns what you are learning on the job into a recognised credential: briefs, scope, "
        "production meetings, notes, decision logs and wrap.",
        "bundle",
        "Planning to go further? The Bundle adds Level II and both kits.",
    )
