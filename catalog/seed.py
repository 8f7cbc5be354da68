"""The launch catalogue. `load_catalog` creates what is missing and never touches what staff have edited.

Level I ($147) and the Bundle ($297, separate value $498) are the academy's published prices. Level II,
the Resume Kit and the AI Kit have no published 2026 stand-alone prices: the figures below are
placeholders (together $351, so the Bundle's separate value comes out at $498) for staff to edit; they
are flagged `price_is_placeholder`, which admin shows until staff confirm or change the price.

Prices in pounds and euros (`prices`): the academy has published none, so every one below is a placeholder
(ProductPrice.is_placeholder, on the admin's needs-attention list) chosen so that the Bundle still costs less
than its parts in each currency: £239 against £402, €279 against €469.
"""

# The academy lists eight Level I modules but names only these five where we could read them; the other
# three are left out rather than guessed (staff can add them in admin).
LEVEL_I_MODULES = [
    (
        "Brief writing and project initiation",
        "Turning a request into a brief people can work from, and starting a project with its roles, "
        "approvers and dates agreed.",
        "Treatments, scripts, shot lists and the director's vision document.",
    ),
    (
        "Planning and forecasting",
        "Laying out the work, its timeline and the people it needs before it starts.",
        "Pre-production planning: shoot days, crew, locations and the schedule that ties them together.",
    ),
    (
        "Scope management",
        "Agreeing what is in and what is out, and holding that line when requests grow.",
        "What the shoot will and will not cover, settled in pre-production.",
    ),
    (
        "Execution and workflow management",
        "Keeping the work moving day to day: who does what, in which order, and how progress is tracked.",
        "Production meetings and dailies reviews that keep departments in step.",
    ),
    (
        "Feedback and revision",
        "Collecting notes, sending them to the person who can approve them, and keeping each round of "
        "changes bounded.",
        "Script and edit revision rounds, and notes from talent and financiers.",
    ),
]

LEVEL_II_MODULES = [
    (
        "Advanced Forecasting and Planning",
        "Capacity planning, sharing resources across concurrent projects and forecasting demand you cannot "
        "yet see.",
        "Running a slate of productions and forecasting crew and equipment needs across the year.",
    ),
    (
        "Execution Challenges",
        "Keeping creative work moving at scale when priorities shift underneath it.",
        "Priorities that change mid-shoot because of weather or talent, and one department's slip "
        "cascading into the others.",
    ),
    (
        "Risk Mitigation",
        "Spotting what could derail the work early and planning the response before it is needed.",
        "Talent unavailability, a lost location, equipment failure, weather, permits, late post vendors "
        "and cost overruns.",
    ),
    (
        "Collaborative Tools",
        "Choosing and connecting the systems a creative team works in.",
        "Movie Magic Scheduling, StudioBinder, Setkeeper and Yamdu; Frame.io, ShotGrid and Adobe's "
        "production tools; AI tools across the pipeline.",
    ),
    (
        "Problem-Solving Scenarios",
        "Case-based practice for the calls that have no textbook answer.",
        "A lead actor leaving two weeks before principal photography, a location withdrawn three days out, "
        "a post vendor missing delivery, a financier asking for cuts that hurt the film.",
    ),
]

# What buyers see under "How to start" until staff write the real words in admin (platform, sign-in address,
# first step). It says plainly that it is unfinished, so nobody mistakes it for the real instructions.
TO_FILL_MARK = "[Staff: replace this text in admin before selling.]"
COURSE_INSTRUCTIONS_TO_FILL = (
    f"{TO_FILL_MARK} Name the course platform and its address, say to sign in there with the email address "
    "the order or seat was given to, and what to open first.\n\n"
    "Until then: if the email saying how to sign in has not arrived within one working day, write to the "
    "academy (Contact, at the foot of every page)."
)
KIT_INSTRUCTIONS_TO_FILL = (
    f"{TO_FILL_MARK} Say which file to open first and what each one is for.\n\n"
    "Until then: the kit's files are listed under this heading on your purchases page; download them while "
    "signed in there."
)

PRODUCTS = [
    {
        "slug": "level-i",
        "prices": {"GBP": 11900, "EUR": 13900},
        "name": "CPMA Level I Certification",
        "kind": "course",
        "position": 10,
        "price_cents": 14700,
        "tagline": "The foundations of creative project management, certified.",
        "description": (
            "Level I teaches the working disciplines behind every well-run creative project: clear briefs, "
            "defended scope, kickoffs, reviews that end in decisions, bounded revision rounds, feedback "
            "routing, written decision logs and clean closeouts.\n\n"
            "Eight self-paced modules take roughly 10 to 15 hours, with templates, toolkits, case studies, "
            "video and audio; the curriculum below lists five of them. The exam can be retaken free as "
            "often as you need; a score of 70% passes, and the digital certificate arrives by email and "
            "never expires."
        ),
        "audience": (
            "Production coordinators, assistant production managers, content production assistants and "
            "post-production coordinators who want to formalise what they have learned on the job."
        ),
        "access_instructions": COURSE_INSTRUCTIONS_TO_FILL,
        "modules": LEVEL_I_MODULES,
    },
    {
        "slug": "level-ii",
        "prices": {"GBP": 15900, "EUR": 18500},
        "price_is_placeholder": True,
        "name": "CPMA Level II Certification",
        "kind": "course",
        "position": 20,
        "price_cents": 19700,
        "tagline": "Advanced practice for people who run slates, departments and companies.",
        "description": (
            "Level II is the advanced certification. Its five sections cover forecasting and planning "
            "across concurrent projects, execution under shifting priorities, risk mitigation, "
            "collaborative tooling and case-based problem solving."
        ),
        "audience": (
            "Producers, line producers and production managers stepping up to head of production, "
            "executive producer or company leadership; heads of post and post-production producers."
        ),
        "access_instructions": COURSE_INSTRUCTIONS_TO_FILL,
        "modules": LEVEL_II_MODULES,
    },
    {
        "slug": "resume-kit",
        "prices": {"GBP": 5500, "EUR": 6300},
        "price_is_placeholder": True,
        "name": "Project Manager Resume Kit",
        "kind": "kit",
        "position": 30,
        "price_cents": 6700,
        "tagline": "Templates and wording for creative project management hiring.",
        "description": (
            "Resume templates and language written for creative project management roles, including the "
            "conventions production hiring expects: a selected-credits layout, role-specific descriptions "
            "and how to bring in your IMDb credits."
        ),
        "audience": "Anyone updating a resume to move up or to move between productions.",
        "access_instructions": KIT_INSTRUCTIONS_TO_FILL,
        "modules": [],
    },
    {
        "slug": "ai-kit",
        "prices": {"GBP": 6900, "EUR": 8200},
        "price_is_placeholder": True,
        "name": "Creative PM AI Kit",
        "kind": "kit",
        "position": 40,
        "price_cents": 8700,
        "tagline": "Claude, ChatGPT and Gemini set up for creative project work.",
        "description": (
            "Setup files for Claude, ChatGPT and Gemini tuned to creative project management, plus prompt "
            "libraries and templates for transcription, drafting schedules, tightening briefs and writing "
            "to stakeholders."
        ),
        "audience": "Production teams bringing AI tools into pre-production, the shoot and post.",
        "access_instructions": KIT_INSTRUCTIONS_TO_FILL,
        "modules": [],
    },
    {
        "slug": "bundle",
        "prices": {"GBP": 23900, "EUR": 27900},
        "name": "CPMA Bundle",
        "kind": "bundle",
        "position": 0,
        "price_cents": 29700,
        "tagline": "Both certifications and both kits, for less than the parts.",
        "description": (
            "Both certifications and both kits in one purchase: Level I and Level II, plus the Resume Kit "
            "and the AI Kit. Mid-career production people get the foundations they learned on set and "
            "the advanced level certified at once; for teams it is the option chosen most often, because "
            "it covers the whole progression and puts everyone on the same AI tooling."
        ),
        "audience": (
            "Mid-career producers, line producers and production managers, and heads of production or "
            "executive producers buying seats for a team."
        ),
        "modules": [],
        "components": ["level-i", "level-ii", "resume-kit", "ai-kit"],
    },
]
