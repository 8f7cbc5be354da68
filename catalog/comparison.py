"""The credential comparison for production buyers: the academy's own, and the page says so.

It holds only what a reader can check: cost, study time, exam, renewal, and what in the credential is about
production, each judged from what its provider publishes. There are no grades: the academy sells three of
the rows, so a grade would be the seller marking its own work. Our own rows take their price and link from
the catalogue; for others' credentials we state only what their providers publish, or say where to look.
"""

from dataclasses import dataclass

BASIS = (
    "This comparison is the academy's own, and the academy sells three of the options in it. So it gives "
    "no grades, only what you can check: what each option costs, how long it takes, whether it ends in an "
    "exam, whether it has to be renewed, and what in it is about production, all taken from what each "
    "provider publishes. Where a provider's figures vary or we have not checked them, we say so: ask them."
)


@dataclass(frozen=True)
class Credential:
    name: str
    provider: str
    cost: str  # for our own products the catalogue's price is shown instead
    study_time: str
    exam: str
    renewal: str
    production: str  # what in it is about film, TV and production work, from its published contents
    product_slug: str | None = None  # our own products: price and link come from the catalogue


CREDENTIALS = (
    Credential(
        name="PMP",
        provider="Project Management Institute (PMI)",
        cost="An exam fee set by PMI (see pmi.org), plus the training it requires if you have not had it.",
        study_time="35 hours of project management education before you may sit the exam, and several "
        "years of documented project experience.",
        exam="Yes, after PMI approves your application.",
        renewal="Every three years, by earning 60 professional development units.",
        production="Nothing specific: its frameworks assume fixed deliverables, steps in sequence and "
        "requirements known up front, and leave out pre-production, department heads and shoot constraints.",
    ),
    Credential(
        name="Production-technical courses",
        provider="For example line producing courses, post-production supervision courses and producing MFAs",
        cost="Varies by course: from a short course to a degree.",
        study_time="Varies: from days to years.",
        exam="Varies by provider.",
        renewal="Varies by provider.",
        production="All of it, in one slice of the craft: budget mechanics, or the technical post pipeline. "
        "Briefs, approvals, decision logs and revision rounds are not their subject.",
    ),
    Credential(
        name="AIGA Project Management Certificate for Creatives",
        provider="AIGA",
        cost="Not checked by us: see AIGA.",
        study_time="Not checked by us: see AIGA.",
        exam="Not checked by us: see AIGA.",
        renewal="Not checked by us: see AIGA.",
        production="Nothing specific: it is written for design studios and design teams.",
    ),
    Credential(
        name="CPMA Level I Certification",
        provider="Creative Project Management Academy",
        cost="",
        study_time="Eight self-paced modules, about 10 to 15 hours.",
        exam="Yes: 70% passes, and retakes are free and unlimited.",
        renewal="None: the digital certificate never expires.",
        production="Written for creative project management in general; the curriculum page sets each "
        "module beside its production equivalent (treatments, production meetings, dailies, wrap).",
        product_slug="level-i",
    ),
    Credential(
        name="CPMA Level II Certification",
        provider="Creative Project Management Academy",
        cost="",
        study_time="Five self-paced sections; study hours not published yet.",
        exam="Details not published yet.",
        renewal="Not published yet.",
        production="Advanced creative project management; the curriculum page maps its five sections to "
        "slates, mid-shoot changes, production risks, scheduling and post tools, and production scenarios.",
        product_slug="level-ii",
    ),
    Credential(
        name="CPMA Bundle",
        provider="Creative Project Management Academy",
        cost="",
        study_time="Level I and Level II, plus the Resume Kit and the AI Kit.",
        exam="As Level I and Level II.",
        renewal="As Level I and Level II.",
        production="As the two levels, plus a Resume Kit that follows production resume conventions "
        "(selected credits, IMDb credits).",
        product_slug="bundle",
    ),
)
