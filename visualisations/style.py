"""How things look on the maps: rows (layers), shapes and colours by kind and aspect, SPC
symbols and finding badges. One table, shared by the map, its legend and the Board page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from qmsgraph import schema

# Aspect colours (NHS identity palette). Fill colours are used with a dark outline, and
# every colour is also named in text (legend, tooltip), so colour is never the only cue.
ASPECTS: dict[str, tuple[str, str]] = {
    "QP": ("Quality planning", "#005eb8"),
    "QC": ("Quality control", "#007f3b"),
    "QA": ("Quality assurance", "#7c2855"),
    "QI": ("Quality improvement", "#ed8b00"),
    "ORG": ("Organisation", "#425563"),
    "LS": ("Learning system", "#00a499"),
}

SEVERITY_COLOURS = {"error": "#d5281b", "warning": "#ffb81c", "info": "#005eb8"}
SEVERITY_BADGES = {"error": "\u2716", "warning": "\u26a0", "info": "\u2139"}
SEVERITY_WORDS = {"error": "Error", "warning": "Warning", "info": "Note"}
BREAK_COLOUR = "#d5281b"
FOCUS_COLOUR = "#212b32"
MUTED_FILL = "#e8edee"
MUTED_BORDER = "#c3cbd0"
MUTED_FONT = "#8a979f"
FONT_COLOUR = "#212b32"


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    kinds: tuple[str, ...]


# Board-to-floor: purpose at the top, then goals, objectives, the processes and measures
# that serve them, the improvement work on those, assurance, and the units at the bottom.
ROWS: tuple[Row, ...] = (
    Row("purpose", "Purpose & need",
        ("Purpose", "Mission", "Vision", "Value", "PopulationNeed")),
    Row("goals", "Strategic goals", ("StrategicGoal",)),
    Row("objectives", "Objectives and local priorities", ("Objective", "LocalPriority")),
    Row("processes", "Services & processes", ("Service", "Process", "Enabler")),
    Row("tools", "QMS tools", ("Tool", "PlanningTool", "ControlTool", "AssuranceTool",
                               "ImprovementTool")),
    Row("measures", "Measures", ("Measure",)),
    Row("projects", "Improvement projects", ("ImprovementProject",)),
    Row("primary", "Primary drivers", ("PrimaryDriver",)),
    Row("secondary", "Secondary drivers", ("SecondaryDriver",)),
    Row("changes", "Change ideas", ("ChangeIdea",)),
    Row("pdsa", "PDSA cycles", ("PDSACycle",)),
    Row("assurance", "Assurance & risk",
        ("AssuranceActivity", "Audit", "Inspection", "Review", "Standard", "Risk", "Incident",
         "FeedbackSource")),
    Row("learning", "Learning system", ("Lesson", "LearningCycle")),
    Row("system", "Health system", ("HealthSystem",)),
    Row("board", "Board", ("Organisation",)),
    Row("directorates", "Directorates", ("Directorate", "OrganisationalUnit")),
    Row("teams", "Teams & wards", ("Team",)),
    Row("people", "People", ("Person", "Role", "Responsibility")),
)
ROW_OF_KIND: dict[str, int] = {k: i for i, r in enumerate(ROWS) for k in r.kinds}
assert set(ROW_OF_KIND) == set(schema.NODE_KINDS), "every kind needs a row"

# vis-network shapes with the label below the symbol, so every node takes the same width.
SHAPES: dict[str, tuple[str, int]] = {
    "Purpose": ("star", 30), "Mission": ("star", 30), "Vision": ("star", 26),
    "Value": ("star", 18), "PopulationNeed": ("triangleDown", 18),
    "StrategicGoal": ("diamond", 26), "Objective": ("diamond", 18),
    "Service": ("hexagon", 18), "Process": ("square", 15), "Enabler": ("hexagon", 14),
    "Measure": ("dot", 14), "ImprovementProject": ("triangle", 17),
    "PrimaryDriver": ("triangleDown", 13), "SecondaryDriver": ("triangleDown", 12),
    "ChangeIdea": ("triangleDown", 11), "PDSACycle": ("dot", 9),
    "AssuranceActivity": ("square", 13), "Audit": ("square", 13),
    "Inspection": ("square", 13), "Review": ("square", 13), "Standard": ("square", 11),
    "Risk": ("triangleDown", 13), "Incident": ("triangleDown", 11),
    "FeedbackSource": ("dot", 11),
    "OrganisationalUnit": ("hexagon", 20), "HealthSystem": ("hexagon", 28),
    "Organisation": ("hexagon", 26), "Directorate": ("hexagon", 22), "Team": ("hexagon", 17),
    "Person": ("dot", 9), "Role": ("dot", 8), "Responsibility": ("dot", 7),
    "Lesson": ("star", 11), "LearningCycle": ("diamond", 13),
    "LocalPriority": ("diamond", 14),
    "Tool": ("square", 9), "PlanningTool": ("square", 9), "ControlTool": ("square", 9),
    "AssuranceTool": ("square", 9), "ImprovementTool": ("square", 9),
}

KIND_NAMES: dict[str, str] = {
    "Purpose": "Purpose", "Mission": "Mission", "Vision": "Vision", "Value": "Value",
    "PopulationNeed": "Population need", "StrategicGoal": "Strategic goal",
    "Objective": "Objective", "Service": "Service", "Process": "Process",
    "Measure": "Measure", "ImprovementProject": "Improvement project",
    "PrimaryDriver": "Primary driver", "SecondaryDriver": "Secondary driver",
    "ChangeIdea": "Change idea", "PDSACycle": "PDSA cycle",
    "AssuranceActivity": "Assurance activity", "Audit": "Audit", "Inspection": "Inspection",
    "Review": "Review", "Standard": "Standard", "Risk": "Risk", "Incident": "Incident",
    "FeedbackSource": "Feedback source", "Enabler": "Enabler",
    "OrganisationalUnit": "Unit", "HealthSystem": "Health system",
    "Organisation": "Organisation", "Directorate": "Directorate", "Team": "Team",
    "Person": "Person", "Role": "Role", "Responsibility": "Responsibility",
    "Lesson": "Lesson", "LearningCycle": "Learning cycle", "Tool": "Tool",
    "LocalPriority": "Local priority",
    "PlanningTool": "Planning tool", "ControlTool": "Control tool",
    "AssuranceTool": "Assurance tool", "ImprovementTool": "Improvement tool",
}
assert set(KIND_NAMES) == set(schema.NODE_KINDS)


def aspect_colour(kind: str) -> str:
    return ASPECTS[schema.aspect(kind)][1]


@cache
def lighten(hex_colour: str, amount: float) -> str:
    """Mix a colour with white (amount 0: unchanged, 1: white)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


# Making Data Count icons as short symbols: (symbol, short text, colour).
# Colours follow the NHS icons: blue improvement, orange concern, purple neutral, grey common.
VARIATION: dict[str, tuple[str, str, str]] = {
    "common_cause": ("\u223c", "common cause", "#5d6b74"),
    "improvement_high": ("\u25b2", "improving (high)", "#005eb8"),
    "improvement_low": ("\u25bc", "improving (low)", "#005eb8"),
    "concern_high": ("\u25b2", "concern (high)", "#c65d00"),
    "concern_low": ("\u25bc", "concern (low)", "#c65d00"),
    "neutral_high": ("\u25b2", "special cause (high)", "#6c2c8c"),
    "neutral_low": ("\u25bc", "special cause (low)", "#6c2c8c"),
}
ASSURANCE: dict[str, tuple[str, str, str]] = {
    "pass": ("P", "target met", "#005eb8"),
    "fail": ("F", "target missed", "#c65d00"),
    "inconsistent": ("?", "hit and miss", "#5d6b74"),
}

EDGE_STYLES: dict[str, tuple[str, float, bool]] = {
    # kind class -> (colour, width, dashed)
    "thread": ("#4c6272", 1.4, False),
    "unitOf": ("#768692", 2.0, False),
    "alignsTo": ("#7c2855", 1.2, True),
    "other": ("#aeb7bd", 1.0, True),
}


def edge_class(kind: str) -> str:
    if kind in schema.THREAD_EDGES:
        return "thread"
    if kind in ("unitOf", "alignsTo"):
        return kind
    return "other"


# Colour by state: what a leader needs to see first. Kind is told by the shape.
STATES: dict[str, tuple[str, str]] = {
    # state -> (fill colour, words for the legend)
    "concern": ("#FAB428", "Measure: special-cause concern"),
    "improvement": ("#289DE0", "Measure: special-cause improvement"),
    "neutral": ("#7b5aa6", "Measure: special cause (no preferred direction)"),
    "common": ("#c9cbcb", "Measure: common cause"),
    "nochart": ("#ffffff", "Measure: too few points for a chart"),
    "aligned": ("#007f3b", "Project: aligned to an active goal"),
    "misaligned": ("#ffb81c", "Project: misaligned"),
    "orphaned": ("#d5281b", "Project: orphaned (no goal)"),
    "locally-aligned": ("#41b6e6", "Project: locally aligned (a unit's own priority)"),
    "weak": ("#ffd97a", "Project: weakly aligned"),
    "inactive": ("#e8edee", "Not live (completed, stopped, paused, proposed, retired)"),
    "error": ("#f4a49c", "Has an error finding"),
    "warning": ("#ffe08a", "Has a warning finding"),
    "ok": ("#9fb4c7", "No finding"),
    "goal": ("#005eb8", "Active goal or objective, no finding"),
}
INACTIVE_STATUSES = frozenset({"completed", "stopped", "paused", "proposed", "retired",
                               "deprioritised", "closed"})
