"""A small thesaurus of NHS quality-improvement wording, for matching project aims.

Teams write the same aim in different words: "bed sores" and "pressure ulcers", "A&E" and
"emergency department", "getting patients home" and "discharge". Before the aims are
compared (:mod:`.text`), each phrase below is replaced by one concept word, so that the
comparison sees one term where the teams used several. Phrases are matched whole, longest
first, after lower-casing; the list is plain data and can be extended.

The words in ``QI_STOP_WORDS`` are in almost every aim (reduce, increase, patients, ...) and
say nothing about which work it is, so they are left out of the comparison.
"""

from __future__ import annotations

# concept word -> phrases meaning it (the concept word itself need not be listed)
CONCEPTS: dict[str, tuple[str, ...]] = {
    "emergencydept": ("a&e", "a and e", "accident and emergency", "emergency department",
                      "emergency departments", "ed", "casualty", "emergency unit"),
    "pressureulcer": ("pressure ulcer", "pressure ulcers", "pressure sore", "pressure sores",
                      "bed sore", "bed sores", "bedsore", "bedsores", "pressure injury",
                      "pressure injuries", "pressure damage"),
    "fall": ("falls", "falling", "falling over", "fell", "fall over", "slips trips and falls"),
    "older": ("elderly", "older people", "older patients", "older adults", "frail", "frailty",
              "geriatric", "care of the elderly", "elderly care", "older person"),
    "discharge": ("discharged", "discharges", "going home", "go home", "get home",
                  "getting home", "getting patients home", "sent home", "send home",
                  "leave hospital", "leaving hospital", "ready to leave"),
    "dna": ("did not attend", "dna", "dnas", "missed appointment", "missed appointments",
            "miss their appointment", "miss their appointments", "miss their clinic",
            "no-show", "no-shows", "no show", "no shows"),
    "sms": ("text message", "text messages", "text reminders", "sms"),
    "outpatient": ("outpatients", "outpatient clinic", "outpatient clinics", "clinic",
                   "clinics"),
    "medicine": ("medicines", "medication", "medications", "drugs", "prescribed drugs"),
    "pharmacy": ("pharmacist", "pharmacists", "pharmacy team"),
    "theatre": ("theatres", "operating theatre", "operating theatres", "operating room",
                "operating rooms"),
    "surgery": ("surgical", "operation", "operations", "operated", "operated on",
                "an operation"),
    "retention": ("turnover", "staff turnover", "leavers", "retain", "retaining",
                  "vacancies"),
    "hipfracture": ("hip fracture", "hip fractures", "broken hip", "broken hips",
                    "fractured hip", "fractured neck of femur", "neck of femur"),
    "deterioration": ("deteriorating", "deteriorating patient", "getting sicker",
                      "getting worse", "news2", "early warning score", "early warning scores"),
    "escalation": ("escalate", "escalated", "escalating", "escalations"),
    "uti": ("urinary tract infection", "urinary tract infections", "uti", "utis",
            "urine infection", "urine infections", "cauti"),
    "endoflife": ("end of life", "end of their lives", "end of their life", "last year of life",
                  "dying", "palliative"),
    "careplan": ("advance care plan", "advance care plans", "advance care planning",
                 "what people want", "their wishes", "preferences for care"),
    "gp": ("gps", "general practice", "general practices", "primary care", "gp practice",
           "gp practices", "gp surgery"),
    "camhs": ("camhs", "child and adolescent mental health", "children's mental health",
              "young people's mental health", "children and young people's mental health"),
    "diabetes": ("diabetic", "diabetics"),
    "agency": ("agency", "agencies", "locum", "locums", "temporary staff",
               "temporary nurses", "temporary nursing"),
    "spend": ("spending", "cost", "costs", "expenditure", "pay bill"),
    "aki": ("acute kidney injury", "aki"),
    "nutrition": ("malnutrition", "hydration", "eat", "eating", "eat and drink", "food",
                  "meals", "drink", "drinking", "fluid", "fluids"),
    "violence": ("aggression", "assault", "assaults", "violent", "violence and aggression"),
    "restraint": ("restraints", "restrictive practice", "restrictive practices"),
    "mentalhealth": ("mental health", "psychiatric", "psychiatry"),
    "twoweek": ("two week", "two weeks", "2 week", "2 weeks", "fortnight", "14 days",
                "two week wait"),
    "breastcancer": ("breast cancer", "breast lump", "breast symptoms"),
    "dtoc": ("delayed transfer of care", "delayed transfers of care", "dtoc",
             "medically fit", "medically optimised", "medically stable", "stranded",
             "stuck in hospital"),
    "carepackage": ("care package", "care packages", "social care package",
                    "social care packages", "package of care", "packages of care"),
    "handhygiene": ("hand hygiene", "handwashing", "hand washing", "washing hands",
                    "hand-washing"),
    "carehome": ("care home", "care homes", "nursing home", "nursing homes",
                 "residential home", "residential homes", "care home residents",
                 "nursing and residential care homes"),
    "admission": ("admissions", "admitted", "admit", "admitting", "out of hospital",
                  "hospital admissions", "emergency admissions"),
    "pregnancy": ("pregnant", "pregnancy", "expectant mothers", "expectant", "antenatal",
                  "mothers-to-be", "pregnant women"),
    "smoking": ("smokers", "smoke", "tobacco", "quit", "stop smoking", "smoking cessation"),
    "lengthofstay": ("length of stay", "lengths of stay", "los", "hospital stay",
                     "hospital stays", "stays"),
    "vte": ("vte", "venous thromboembolism", "blood clot", "blood clots", "dvt",
            "thrombosis"),
    "sickness": ("sickness absence", "sick leave", "absence", "sickness"),
    "hca": ("healthcare support worker", "healthcare support workers", "hca", "hcas",
            "healthcare assistant", "healthcare assistants", "nursing assistant",
            "nursing assistants", "support workers"),
    "fourhour": ("four hour", "four hours", "4 hour", "4 hours", "4-hour"),
    "overyear": ("52 weeks", "over a year", "more than a year", "a year or more",
                 "over 52 weeks"),
    "antibiotic": ("antibiotics", "antimicrobial", "antimicrobials"),
    "threeday": ("72 hours", "three days", "3 days"),
    "districtnursing": ("district nursing", "district nurses", "district nurse",
                        "community nurses", "community nursing", "community nurse"),
    "staff": ("workforce", "colleagues", "employees", "nurses and doctors"),
}

# Words in nearly every aim: they say what direction, not which work.
QI_STOP_WORDS = frozenset("""
reduce reducing reduced reduction increase increasing increased improve improving improved
improvement better more fewer less lower higher cut cutting ensure ensuring make making sure
help helping get getting keep patient patients people person proportion percent number
rate rates by from to within through using use with the a an and or of in on for at our
their every all each per into out over under than up down
""".split())
