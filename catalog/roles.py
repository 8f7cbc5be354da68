"""The role pages: one per production buyer. Copy lives in code; what to buy comes from catalog.recommend."""

from dataclasses import dataclass

from django.urls import reverse

from catalog.recommend import Recommendation, Role, Seniority, recommend


@dataclass(frozen=True)
class RolePage:
    slug: str
    role: Role
    seniority: Seniority
    for_team: bool
    nav_label: str
    heading: str
    title: str
    description: str
    pitch: str
    points: tuple[str, ...]
    # The questions this reader asks, by their stable FAQ slug; the FAQ app fills in the answers.
    faq_slugs: tuple[str, ...] = ()

    def get_absolute_url(self) -> str:
        return reverse("catalog:role", kwargs={"slug": self.slug})

    def recommendation(self, *, bundle_saves: bool) -> Recommendation:
        return recommend(
            role=self.role, seniority=self.seniority, for_team=self.for_team, bundle_saves=bundle_saves
        )


ROLE_PAGES = (
    RolePage(
        slug="coordinators",
        role=Role.COORDINATOR,
        seniority=Seniority.EARLY,
        for_team=False,
        nav_label="Coordinators and assistants",
        heading="For production coordinators and assistants",
        title="Certification for production coordinators and assistants · CPMA",
        description="Early in a production career? Level I certifies the habits coordinators and "
        "assistant production managers build on the job: briefs, call-sheet-ready decisions and clean wrap.",
        pitch="You already keep the production office running. Level I gives names and a method to what "
        "you do by instinct, and a credential that production companies and agencies can see on your "
        "resume when you go for producer or production manager roles.",
        points=(
            "Hold the line on the treatment and the shot list before prep starts, not after the first "
            "shoot day.",
            "Run production meetings that end with owners and dates, and a written decision log that stops "
            "the “I thought we agreed” arguments.",
            "Route notes from the director, producers and financiers to the one person who can sign off.",
            "Close out a project properly: deliverables, paperwork and what to do better next time.",
        ),
        faq_slugs=("is-certification-worth-it-for-film", "exam-retakes-and-pass-mark", "refund-guarantee"),
    ),
    RolePage(
        slug="producers",
        role=Role.PRODUCER,
        seniority=Seniority.MID,
        for_team=False,
        nav_label="Producers and production managers",
        heading="For producers, line producers and production managers",
        title="Certification for producers, line producers and production managers · CPMA",
        description="Working producers and production managers moving toward head of production or "
        "executive producer: Level II for the senior work, or the Bundle for everything at once.",
        pitch="Most producers learned the job by doing it. The next step up, to head of production, "
        "executive producer or running a company, asks for a different kind of planning. Level II "
        "certifies that senior practice; the Bundle adds the Level I foundations and both kits.",
        points=(
            "Forecast crew and equipment across a slate rather than a single shoot.",
            "Keep departments moving when weather or talent forces a change mid-shoot, before one slip "
            "cascades into the rest.",
            "Plan for the risks that sink productions: lost locations, permits, equipment, late vendors, "
            "overruns.",
            "Practise the calls with no textbook answer, such as losing your lead two weeks before principal "
            "photography.",
        ),
        faq_slugs=(
            "best-certification-for-producers",
            "what-the-bundle-includes",
            "justify-certification-to-employer",
        ),
    ),
    RolePage(
        slug="post-production",
        role=Role.POST,
        seniority=Seniority.MID,
        for_team=False,
        nav_label="Post-production",
        heading="For post-production coordinators and supervisors",
        title="Certification for post-production coordinators and supervisors · CPMA",
        description="Post coordinators and supervisors: Level I covers the handoff from production, notes "
        "and revision rounds, and delivery to spec. Heads of post step up to Level II.",
        pitch="Post is where a production's loose ends arrive: footage, decisions and open questions from a "
        "shoot you were not on. Level I gives you the method for taking that over and running editorial, "
        "sound, colour and VFX through bounded rounds of notes to a clean delivery.",
        points=(
            "Take over from production with the decisions and intent written down, not just the drives.",
            "Organise notes from the director, producers and clients by source and priority, and send them "
            "to the person who can approve them.",
            "Scope each edit, colour and sound revision round so it ends.",
        ),
        faq_slugs=(
            "best-certification-for-post-production",
            "exam-retakes-and-pass-mark",
            "refund-guarantee",
        ),
    ),
    RolePage(
        slug="heads-of-production",
        role=Role.HEAD,
        seniority=Seniority.SENIOR,
        for_team=True,
        nav_label="Heads of production",
        heading="For heads of production and executive producers training a team",
        title="Team training for heads of production and executive producers · CPMA",
        description="Training a production team? The CPMA Bundle gives every seat both certifications, the "
        "Resume Kit and its own copy of the AI Kit. Buy one seat per person in a single order.",
        pitch="Give everyone on a slate the same method for briefs, approvals, decisions and revision "
        "rounds. The Bundle is the option teams choose most often: people start at the "
        "Level I foundations and progress to Level II, and the AI Kit gives the whole team the same setup "
        "for Claude, ChatGPT and Gemini.",
        points=(
            "One order for all seats, paid the way your company pays: send a payment request to accounts "
            "payable for an invoice on terms (bank transfer or card), or pay by card yourself.",
            "One shared vocabulary for briefs, approvals, decision logs and revision rounds across the team.",
            "A progression from coordinator to senior roles inside one purchase.",
            "A standard AI setup for scheduling drafts, transcription, brief refinement and stakeholder "
            "updates.",
        ),
        faq_slugs=(
            "company-pays-by-invoice",
            "buying-seats-for-a-team",
            "justify-certification-to-employer",
            "receipts",
        ),
    ),
)

ROLE_PAGES_BY_SLUG = {page.slug: page for page in ROLE_PAGES}
