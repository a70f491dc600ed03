"""The ontology as the code sees it: node kinds, their hierarchy, and the edge kinds.

This table is the code's side of the contract with ``ontology/qms.ttl``. The drift test
(``tests/core/test_drift.py``) loads the OWL and checks that every kind and relation here is
there with the same parents, domain and range, and the other way round.

Domain and range are *sets of classes*; a node of a subclass is accepted wherever its
superclass is (``Team`` is an ``OrganisationalUnit``). In OWL a set of more than one class
is written as ``owl:unionOf``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

QMS = "https://w3id.org/qmsgraph/ontology#"
DATA = "https://w3id.org/qmsgraph/id/"

# kind -> (parent kind or None, QMS aspect, plain definition)
# Aspects: QP planning, QC control, QA assurance, QI improvement, ORG structure, LS learning
NODE_KINDS: dict[str, tuple[str | None, str, str]] = {
    "Purpose": (None, "QP", "Why the organisation exists: its mission, vision and values."),
    "Mission": ("Purpose", "QP", "What the organisation is for, in one statement."),
    "Vision": ("Purpose", "QP", "The future the organisation is working towards."),
    "Value": ("Purpose", "QP", "A principle that guides behaviour and decisions."),
    "PopulationNeed": (None, "QP", "A health or care need of the population served, from "
                       "needs assessment or public health data."),
    "StrategicGoal": (None, "QP", "A measurable strategic priority set by the Board, with a "
                      "target and a deadline; active, deprioritised or retired."),
    "Objective": (None, "QP", "A specific, time-bound objective that contributes to a goal."),
    "LocalPriority": (None, "QP", "A priority a unit records for itself (from its own "
                      "plan, population or staff), owned by the unit; it may or may not "
                      "contribute to a Board goal."),
    "Service": (None, "QP", "A service or pathway delivered to patients or service users."),
    "Process": (None, "QC", "A repeatable way of working; driver, mainstay or support."),
    "Measure": (None, "QC", "A measure tracked over time: outcome, process, balancing or "
                "structure, with an improvement direction."),
    "ImprovementProject": (None, "QI", "Time-limited improvement work with an aim, a method "
                           "and a tier (project, directorate or system)."),
    "PrimaryDriver": (None, "QI", "A driver diagram's primary driver: a main factor that "
                      "must change to reach the aim."),
    "SecondaryDriver": (None, "QI", "A driver diagram's secondary driver: a factor that "
                        "influences a primary driver."),
    "ChangeIdea": (None, "QI", "A specific change to test, acting on a secondary driver."),
    "PDSACycle": (None, "QI", "A Plan-Do-Study-Act cycle testing a change idea."),
    "AssuranceActivity": (None, "QA", "Periodic checking that the system meets standards "
                          "and need."),
    "Audit": ("AssuranceActivity", "QA", "A clinical or internal audit against a standard."),
    "Inspection": ("AssuranceActivity", "QA", "An inspection by a regulator or peer team."),
    "Review": ("AssuranceActivity", "QA", "A structured review, such as a mortality or "
               "thematic review."),
    "Standard": (None, "QA", "A standard or guideline that care is checked against, such as "
                 "a NICE guideline."),
    "Risk": (None, "QA", "A risk on a risk register."),
    "Incident": (None, "QA", "A reported patient-safety or other incident."),
    "FeedbackSource": (None, "LS", "A source of feedback from people who use or deliver "
                       "services: surveys, complaints, compliments, staff voice."),
    "Enabler": (None, "LS", "A condition for quality: leadership, workforce, culture, "
                "information, learning/improvement/research, whole-system approach (the Duty "
                "of Quality enablers), or skills, infrastructure, method, learning system."),
    "Lesson": (None, "LS", "Something learned - from feedback, assurance, an incident, a "
               "project or a learning cycle - that should inform a decision."),
    "LearningCycle": (None, "LS", "A 90-day learning cycle (scan, focus, summarise): a "
                      "question it answers and what it informed."),
    "Tool": (None, "LS", "A tool or method of quality management, used by a unit, role, "
             "person or piece of work."),
    "PlanningTool": ("Tool", "QP", "A quality planning tool: service model, job plan, "
                     "commissioning, contract or service specification."),
    "ControlTool": ("Tool", "QC", "A quality control tool: huddle, visual management "
                    "board, SPC chart, escalation process."),
    "AssuranceTool": ("Tool", "QA", "A quality assurance tool: audit tool, gap analysis, "
                      "action tracker."),
    "ImprovementTool": ("Tool", "QI", "A quality improvement tool: Model for Improvement, "
                        "driver diagram, Pareto chart, process map, cause-and-effect "
                        "diagram, project charter."),
    "OrganisationalUnit": (None, "ORG", "A unit at some level of the organisation."),
    "HealthSystem": ("OrganisationalUnit", "ORG", "A system or national level: an integrated "
                     "care system, region or nation."),
    "Organisation": ("OrganisationalUnit", "ORG", "An organisation with a Board, such as a "
                     "health board or trust."),
    "Directorate": ("OrganisationalUnit", "ORG", "A directorate or division of an "
                    "organisation."),
    "Team": ("OrganisationalUnit", "ORG", "A team or clinical microsystem: a ward, clinic or "
             "department."),
    "Person": (None, "ORG", "A person who owns, leads, sponsors or takes part in quality "
               "work."),
    "Role": (None, "ORG", "A role a person holds: team leader, team member, senior clinician, "
             "service user, senior leader."),
    "Responsibility": (None, "ORG", "What a role is responsible for in one QMS aspect "
                       "(planning, control, assurance or improvement)."),
}


@dataclass(frozen=True)
class EdgeKind:
    name: str
    domain: tuple[str, ...]
    range: tuple[str, ...]
    label: str
    definition: str
    thread: bool  # part of the golden thread (followed source -> target towards the purpose)
    reverse: str | None = None  # column name for the reverse direction in CSV registers


_E = EdgeKind
EDGE_KINDS: dict[str, EdgeKind] = {e.name: e for e in [
    _E("serves", ("StrategicGoal",), ("Purpose",), "serves",
       "A goal serves the organisation's purpose.", True),
    _E("addresses", ("StrategicGoal", "Objective", "Service"), ("PopulationNeed",),
       "addresses", "A goal, objective or service addresses a population need.", False),
    _E("contributesTo", ("Objective", "Service", "LocalPriority"), ("StrategicGoal", "Objective"),
       "contributes to", "An objective, service or local priority contributes to a goal or "
       "objective.", True),
    _E("supports", ("Process", "Enabler"), ("StrategicGoal", "Objective", "Service",
                                           "LocalPriority"),
       "supports", "A process or enabler supports a goal, objective, service or local "
       "priority.", True),
    _E("indicates", ("Measure",), ("StrategicGoal", "Objective", "LocalPriority"), "indicates",
       "A measure indicates progress towards a goal, objective or local priority.", True),
    _E("measures", ("Measure",), ("Process", "Service"), "measures",
       "A measure monitors a process or service (quality control).", True),
    _E("improves", ("ImprovementProject", "ChangeIdea"), ("Measure", "Process"), "improves",
       "Improvement work aims to improve a measure or a process.", True),
    _E("partOf", ("Process", "Service"), ("Process", "Service"), "part of",
       "A process or service is part of a larger one.", True),
    _E("subProjectOf", ("ImprovementProject",), ("ImprovementProject",), "sub-project of",
       "A project is part of a directorate or system programme.", True),
    _E("drives", ("PrimaryDriver", "SecondaryDriver"), ("ImprovementProject", "PrimaryDriver"),
       "drives", "A driver diagram element drives the aim or a primary driver.", True),
    _E("changes", ("ChangeIdea",), ("SecondaryDriver",), "changes",
       "A change idea acts on a secondary driver.", True),
    _E("tests", ("PDSACycle",), ("ChangeIdea",), "tests",
       "A PDSA cycle tests a change idea.", True),
    _E("unitOf", ("OrganisationalUnit",), ("OrganisationalUnit",), "unit of",
       "A unit is part of a larger unit (Board-to-floor chain).", False),
    _E("owns", ("OrganisationalUnit", "Person"), ("Process", "Measure", "Service", "Risk",
                                                 "LocalPriority"),
       "owns", "A unit or person is accountable for a process, measure, service, risk or "
       "local priority.", True, "owned_by"),
    _E("delivers", ("OrganisationalUnit",), ("Service",), "delivers",
       "A unit delivers a service.", True, "delivered_by"),
    _E("monitors", ("OrganisationalUnit",), ("Measure",), "monitors",
       "A unit watches a measure in daily control (huddle, visual management board).",
       False, "monitored_by"),
    _E("sponsors", ("Person", "OrganisationalUnit"), ("ImprovementProject",), "sponsors",
       "A person or unit sponsors a project.", False, "sponsored_by"),
    _E("leads", ("Person", "OrganisationalUnit"), ("ImprovementProject", "AssuranceActivity"),
       "leads", "A person or unit leads a project or an assurance activity.", True, "led_by"),
    _E("memberOf", ("Person",), ("OrganisationalUnit",), "member of",
       "A person works in a unit.", False),
    _E("holdsRole", ("Person",), ("Role",), "holds role", "A person holds a role.", False),
    _E("assures", ("AssuranceActivity",), ("Process", "Service", "Measure", "StrategicGoal",
                                            "Objective"), "assures",
       "An assurance activity checks a process, service, measure or goal.", False),
    _E("checksAgainst", ("AssuranceActivity", "Process", "Service"), ("Standard",),
       "checks against", "Work or assurance that is held to a standard.", False),
    _E("informs", ("FeedbackSource", "Incident", "AssuranceActivity", "Risk", "Lesson",
                   "LearningCycle"),
       ("StrategicGoal", "Objective", "ImprovementProject", "Process", "Service",
        "PopulationNeed", "Risk", "LearningCycle"), "informs",
       "Feedback, incidents, assurance findings, lessons and learning cycles inform "
       "planning and improvement.", False),
    _E("uses", ("OrganisationalUnit", "Person", "Role", "ImprovementProject", "Process",
                "AssuranceActivity", "LearningCycle"), ("Tool",), "uses",
       "A unit, person, role or piece of work uses a quality management tool.", False,
       "used_by"),
    _E("hasResponsibility", ("Role",), ("Responsibility",), "has responsibility",
       "A role carries a responsibility in one QMS aspect.", False),
    _E("yields", ("ImprovementProject", "PDSACycle", "AssuranceActivity", "Incident",
                  "FeedbackSource", "LearningCycle"), ("Lesson",), "yields",
       "Work, assurance, incidents or feedback yield a lesson.", False),
    _E("handsOverTo", ("ImprovementProject",), ("OrganisationalUnit",), "hands over to",
       "A finished project hands its measures over to a unit's daily control (holding the "
       "gains).", False, "handed_over_by"),
    _E("escalatesTo", ("OrganisationalUnit", "Risk", "Incident"), ("OrganisationalUnit",),
       "escalates to", "Where a unit, risk or incident escalates to.", False),
    _E("threatens", ("Risk",), ("StrategicGoal", "Objective", "Service", "Process"),
       "threatens", "A risk threatens a goal, objective, service or process.", False),
    _E("alignsTo", ("ImprovementProject", "Process", "Measure"), ("StrategicGoal", "Objective",
                                                                  "LocalPriority"),
       "aligns to (declared)",
       "The priority a piece of work declares it serves; evidence comes from the thread.",
       False),
]}

# Node attributes (beyond id, kind, label, description, provenance) as RDF datatype
# properties: name -> (domain kinds, XSD datatype or "iri:<Class>" for named individuals,
# local name of the RDF property in the qms: namespace).
ATTRIBUTES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "status": (("StrategicGoal", "ImprovementProject"), "string", "status"),
    "target": (("StrategicGoal", "Objective", "Measure"), "double", "target"),
    "deadline": (("StrategicGoal", "Objective"), "date", "deadline"),
    "quality_domains": (("StrategicGoal", "Objective", "Measure"), "iri:QualityDomain",
                        "qualityDomain"),
    "quadruple_aim": (("StrategicGoal", "Objective", "Measure"), "iri:QuadrupleAimDimension",
                      "quadrupleAim"),
    "process_type": (("Process",), "string", "processType"),
    "measure_type": (("Measure",), "string", "measureType"),
    "direction": (("Measure",), "string", "improvementDirection"),
    "unit_of_measure": (("Measure",), "string", "unitOfMeasure"),
    "frequency": (("Measure", "Process", "AssuranceActivity", "Tool"), "string", "frequency"),
    "chart_type": (("Measure",), "string", "chartType"),
    "tier": (("ImprovementProject",), "string", "tier"),
    "method": (("ImprovementProject",), "string", "method"),
    "aim": (("ImprovementProject",), "string", "aimStatement"),
    "start_date": (("ImprovementProject", "LearningCycle"), "date", "startDate"),
    "end_date": (("ImprovementProject", "LearningCycle"), "date", "endDate"),
    "progress_recorded": (("ImprovementProject",), "double", "progressRecorded"),
    "date": (("AssuranceActivity", "PDSACycle", "ChangeIdea", "Incident", "Lesson"), "date",
             "date"),
    "question": (("LearningCycle",), "string", "question"),
    "phase": (("LearningCycle",), "string", "phase"),
    "aspect": (("Responsibility",), "string", "inAspect"),
    "rating": (("AssuranceActivity", "Risk", "Incident"), "string", "rating"),
    "reference": (("Standard",), "string", "reference"),
    "publisher": (("Standard",), "string", "publisher"),
    "channel": (("FeedbackSource",), "string", "channel"),
    "enabler_type": (("Enabler",), "string", "enablerType"),
    "email": (("Person",), "string", "email"),
}
# Named individuals: value in the code -> local name in the qms: namespace.
INDIVIDUALS: dict[str, dict[str, str]] = {
    "QualityDomain": {"safe": "Safe", "timely": "Timely", "effective": "Effective",
                      "efficient": "Efficient", "equitable": "Equitable",
                      "person-centred": "PersonCentred"},
    "QuadrupleAimDimension": {"population-health": "PopulationHealth",
                              "experience-of-care": "ExperienceOfCare", "value": "ValueForMoney",
                              "staff-experience": "StaffExperience"},
}

QUALITY_DOMAINS = ("safe", "timely", "effective", "efficient", "equitable", "person-centred")
QUADRUPLE_AIM = ("population-health", "experience-of-care", "value", "staff-experience")
GOAL_STATUSES = ("active", "deprioritised", "retired")
PROJECT_STATUSES = ("proposed", "active", "paused", "completed", "stopped")
PROJECT_TIERS = ("project", "directorate", "system")
PROCESS_TYPES = ("driver", "mainstay", "support")
# The IHI Model for Improvement progress assessment scale (0.5 to 5.0 in steps of 0.5).
PROGRESS_LEVELS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)
MEASURE_TYPES = ("outcome", "process", "balancing", "structure")
DIRECTIONS = ("increase", "decrease", "neutral")
# The Duty of Quality enablers first, then the earlier framework's terms (still accepted).
DOQ_ENABLERS = ("leadership", "workforce", "culture", "information",
                "learning-improvement-research", "whole-system")
ENABLER_TYPES = (*DOQ_ENABLERS, "skills", "infrastructure", "method", "learning-system")
# How often an activity happens: planning yearly, control daily, assurance periodic.
CADENCES = ("daily", "weekly", "monthly", "quarterly", "yearly", "ad-hoc")
LEARNING_PHASES = ("scan", "focus", "summarise", "complete")
QMS_ASPECTS = ("planning", "control", "assurance", "improvement")


def is_a(kind: str, ancestor: str) -> bool:
    """True if ``kind`` is ``ancestor`` or one of its subclasses."""
    k: str | None = kind
    while k is not None:
        if k == ancestor:
            return True
        k = NODE_KINDS[k][0]
    return False


def ancestors(kind: str) -> list[str]:
    """``kind`` followed by its superclasses, nearest first."""
    out: list[str] = []
    k: str | None = kind
    while k is not None:
        out.append(k)
        k = NODE_KINDS[k][0]
    return out


def aspect(kind: str) -> str:
    return NODE_KINDS[kind][1]


@cache
def allowed(edge_kind: str, source_kind: str, target_kind: str) -> bool:
    e = EDGE_KINDS[edge_kind]
    return any(is_a(source_kind, d) for d in e.domain) and any(
        is_a(target_kind, r) for r in e.range)


def concrete_subkinds(kinds: tuple[str, ...]) -> list[str]:
    """Every kind that is one of ``kinds`` or below them (for error messages)."""
    return [k for k in NODE_KINDS if any(is_a(k, a) for a in kinds)]


THREAD_EDGES = frozenset(n for n, e in EDGE_KINDS.items() if e.thread)
REVERSE_COLUMNS = {e.reverse: e.name for e in EDGE_KINDS.values() if e.reverse}
# Friendlier column names for outgoing relations in model files and registers.
ALIAS_COLUMNS = {"declared_priority": "alignsTo"}
