"""The credential comparison for production buyers. Prices of our own rows come from the catalogue.

The fit grades are not ours: they summarise, in our words, how one published guide judges each option for
production work (GUIDE), and the page says so.
"""

from dataclasses import dataclass

GUIDE = "a May 2026 guide to project management certification for film, television and production teams"


@dataclass(frozen=True)
class Credential:
    name: str
    built_for: str
    fit: str  # the guide's judgement in one word a reader can scan: Strong, Good, Partial, Weak, Poor
    fit_detail: str
    product_slug: str | None = None  # our own products: price and link come from the catalogue


CREDENTIALS = (
    Credential(
        name="PMP (Project Management Institute)",
        built_for="Projects with fixed deliverables, steps in a straight line and stakeholders who know "
        "their requirements up front.",
        fit="Weak",
        fit_detail="Widely recognised as a general signal, but it has nothing on pre-production, department "
        "heads or schedules bound by locations, talent and weather.",
    ),
    Credential(
        name="Production-technical courses (line producing, post supervision, producing MFAs)",
        built_for="One slice of the craft: budget mechanics for line producers, or the technical post "
        "pipeline.",
        fit="Partial",
        fit_detail="Worth having next to a creative PM credential, not instead of one: they leave out the "
        "briefs, approvals, decisions and revision discipline that hold a production together.",
    ),
    Credential(
        name="AIGA Project Management Certificate for Creatives",
        built_for="Design studios and design teams.",
        fit="Poor",
        fit_detail="The strongest choice for design work, but it does not deal with production.",
    ),
    Credential(
        name="CPMA Level I Certification",
        built_for="The foundations of creative project management across creative industries, production "
        "included.",
        fit="Strong",
        fit_detail="Maps straight onto shoots, edit rooms and branded content pipelines: treatments, "
        "production meetings, dailies, notes, decision logs and wrap.",
        product_slug="level-i",
    ),
    Credential(
        name="CPMA Level II Certification",
        built_for="Senior roles: heads of production, executive producers with several projects at once, "
        "operations leads.",
        fit="Strong",
        fit_detail="Its five sections follow senior production work: slate forecasting, shifting "
        "priorities, production risks, crew and post tooling, and case-based judgement.",
        product_slug="level-ii",
    ),
    Credential(
        name="CPMA Bundle",
        built_for="Mid-career production people credentialing skills they built on the job, and teams.",
        fit="Strong",
        fit_detail="Both certifications plus the Resume Kit and the AI Kit, for people who want the "
        "foundations and the advanced level certified in one go.",
        product_slug="bundle",
    ),
)
