"""Write examples/eastbrook.yaml: Eastbrook NHS Foundation Trust, a fictional mental health and
community trust modelled on the QMS framework texts (ELFT's four aspects with their tools and
five roles x four aspects; HIS's learning system and 90-day cycle; NHS Wales's Duty of Quality
domains and enablers). Every person, team and number is invented. Deterministic: standard
library and PyYAML only. Its planted problems are listed in examples/EASTBROOK.md.

    python examples/generate_eastbrook.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
WIGGLE = (0.0, 1.2, -0.8, 0.6, -1.1, 0.9, -0.4, 1.0, -1.2, 0.3, -0.6, 1.1)  # common cause only


def series(level: float, n: int = 24) -> list[dict[str, Any]]:
    out, y, m = [], 2023, 10
    for i in range(n):
        out.append({"date": dt.date(y, m, 1), "value": round(level + WIGGLE[i % 12], 2)})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def shifted(level: float, drop: float, before: int = 18, after: int = 12
            ) -> list[dict[str, Any]]:
    """Monthly points from April 2023: ``before`` common-cause points around ``level``, then
    ``after`` points ``drop`` lower (with half the wiggle): special-cause improvement for a
    lower-is-better measure from the first lower point, and no point of concern."""
    out, y, m = [], 2023, 4
    for i in range(before + after):
        v = level + WIGGLE[i % 12] if i < before else level - drop + WIGGLE[i % 12] / 2
        out.append({"date": dt.date(y, m, 1), "value": round(v, 2)})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def node(nid: str, kind: str, label: str, **fields: Any) -> dict[str, Any]:
    return {"id": nid, "kind": kind, "label": label, **fields}


def build() -> dict[str, Any]:
    n: list[dict[str, Any]] = []
    add = n.append
    # ---- purpose and need
    add(node("PUR-M", "Mission", "Improving the quality of life for all we serve"))
    add(node("PUR-V", "Vision", "Mental and physical health care as one, close to home"))
    for nid, label in [("PN-SMI", "People with severe mental illness die 15-20 years early"),
                       ("PN-CRISIS", "Rising demand for mental health crisis care"),
                       ("PN-CYP", "Long waits for children and young people's mental health"),
                       ("PN-FRAIL", "Frail older people at home with several conditions"),
                       ("PN-ISOL", "Loneliness and social isolation in older residents")]:
        add(node(nid, "PopulationNeed", label))
    # ---- goals (none names 'efficient': domain-without-goal, planted)
    add(node("G-SAFE", "StrategicGoal", "Safe care, free of restrictive practice",
             quality_domains=["safe", "person-centred"], quadruple_aim=["experience-of-care"],
             serves="PUR-M", addresses=["PN-CRISIS"], target=30, deadline="2027-03-31"))
    add(node("G-ACCESS", "StrategicGoal", "Fair and timely access to care",
             quality_domains=["timely", "equitable"], quadruple_aim=["population-health"],
             serves="PUR-M", addresses=["PN-CYP", "PN-FRAIL"]))
    add(node("G-PHYS", "StrategicGoal", "Better physical health for people with SMI",
             quality_domains=["effective"], quadruple_aim=["population-health"],
             serves="PUR-M", addresses=["PN-SMI"]))
    add(node("O-RESTRAINT", "Objective", "Halve the use of restraint on inpatient wards",
             contributesTo="G-SAFE"))
    add(node("O-CYP", "Objective", "CYP seen within 4 weeks of referral",
             contributesTo="G-ACCESS"))
    add(node("O-CHECKS", "Objective", "Annual physical health checks for people with SMI",
             contributesTo="G-PHYS"))
    # ---- organisation, Board to floor
    add(node("ORG-EB", "Organisation", "Eastbrook NHS Foundation Trust"))
    add(node("DIR-MH", "Directorate", "Mental health services", unitOf="ORG-EB"))
    add(node("DIR-COM", "Directorate", "Community health services", unitOf="ORG-EB"))
    add(node("DIR-QUAL", "Directorate", "Quality and nursing", unitOf="ORG-EB"))
    add(node("T-WARD-A", "Team", "Aspen Ward (acute adult inpatient)", unitOf="DIR-MH"))
    add(node("T-CMHT-N", "Team", "North community mental health team", unitOf="DIR-MH"))
    add(node("T-CAMHS", "Team", "Children and young people's mental health", unitOf="DIR-MH"))
    add(node("T-DN", "Team", "District nursing (east)", unitOf="DIR-COM"))
    add(node("T-QI", "Team", "QI and learning team", unitOf="DIR-QUAL"))
    # ---- services and processes (driver processes are the planning of each directorate)
    add(node("S-INPT", "Service", "Adult acute inpatient care", delivered_by="T-WARD-A",
             addresses="PN-CRISIS", contributesTo="O-RESTRAINT"))
    add(node("S-CMHT", "Service", "Community mental health", delivered_by="T-CMHT-N",
             addresses="PN-SMI", contributesTo="O-CHECKS"))
    add(node("S-CAMHS", "Service", "CAMHS", delivered_by="T-CAMHS", contributesTo="O-CYP"))
    add(node("S-DN", "Service", "District nursing", delivered_by="T-DN",
             addresses="PN-FRAIL", contributesTo="G-ACCESS"))
    add(node("PR-PLAN-MH", "Process", "Annual mental health service planning",
             process_type="driver", frequency="yearly", owned_by="DIR-MH", supports="G-SAFE"))
    add(node("PR-PLAN-COM", "Process", "Annual community service planning and commissioning",
             process_type="driver", frequency="yearly", owned_by="DIR-COM",
             supports="G-ACCESS"))
    add(node("PR-HUDDLE", "Process", "Ward safety huddle", process_type="mainstay",
             frequency="daily", owned_by="T-WARD-A", supports="O-RESTRAINT"))
    add(node("PR-TRIAGE", "Process", "CAMHS referral triage", process_type="mainstay",
             frequency="daily", owned_by="T-CAMHS", supports="O-CYP"))
    add(node("PR-PHC", "Process", "Physical health check clinic", process_type="mainstay",
             frequency="weekly", owned_by="T-CMHT-N", supports="O-CHECKS"))
    add(node("PR-LEARN", "Process", "Learning from feedback and incidents",
             process_type="support", frequency="monthly", owned_by="T-QI", supports="G-SAFE"))
    # ---- measures (with data; CAMHS wait and checks carry 'timely'; none 'equitable')
    meas = [("M-RESTRAINT", "Restraint per 1,000 occupied bed days", "outcome", "decrease",
             12.0, "O-RESTRAINT", ["safe"], "T-WARD-A"),
            ("M-ASSAULT", "Assaults on staff per 1,000 bed days", "balancing", "decrease",
             6.0, "O-RESTRAINT", ["safe"], "T-WARD-A"),
            ("M-CYP-WAIT", "CYP seen within 4 weeks (%)", "process", "increase", 61.0,
             "O-CYP", ["timely"], "T-CAMHS"),
            ("M-DN-VISITS", "District nursing visits on the planned day (%)", "process",
             "increase", 88.0, "G-ACCESS", ["timely"], "T-DN"),
            ("M-PHC", "People with SMI with a full health check (%)", "outcome", "increase",
             54.0, "O-CHECKS", ["effective"], "T-CMHT-N"),
            ("M-EXPERIENCE", "Service users who would recommend us (%)", "outcome",
             "increase", 84.0, "G-SAFE", ["person-centred"], "T-WARD-A")]
    CHART_TYPES = {"M-ASSAULT": "c", "M-EXPERIENCE": "run"}  # noqa: N806
    for mid, label, mt, direction, level, ind, doms, team in meas:
        add(node(mid, "Measure", label, measure_type=mt, direction=direction,
                 indicates=ind, quality_domains=doms, owned_by=team, data=series(level),
                 quadruple_aim=["staff-experience"] if mid == "M-ASSAULT" else [],
                 # charts as an NHS analyst would choose them: counts of events on a c
                 # chart, a survey percentage on a run chart; the rest XmR (the default)
                 **({"chart_type": CHART_TYPES[mid]} if mid in CHART_TYPES else {})))
    # ---- improvement: one live, one completed and handed over, one completed and not held
    add(node("QI-RESTRAINT", "ImprovementProject", "Safewards: reducing restraint on Aspen",
             status="completed", method="Model for Improvement", start_date="2024-01-08",
             end_date="2025-03-31", led_by="T-WARD-A", improves="M-RESTRAINT",
             alignsTo="O-RESTRAINT", handsOverTo="T-WARD-A"))
    add(node("QI-CAMHS", "ImprovementProject", "CAMHS single point of access",
             status="active", method="Model for Improvement", start_date="2025-02-03",
             led_by="T-CAMHS", improves="M-CYP-WAIT", alignsTo="O-CYP"))
    add(node("QI-PHC", "ImprovementProject", "Health checks in the community clinic",
             status="completed", start_date="2024-04-01", end_date="2025-01-31",
             led_by="T-CMHT-N", improves="M-PHC", handsOverTo="T-CMHT-N"))
    # ---- the QI hub (issue 20): progress from the evidence. EB-QI-P01 is completed,
    # sustained and spread (5.0, as recorded); EB-QI-P02 records 3.5 with evidence for 1.0
    # (planted: progress-not-evidenced)
    add(node("M-SECLUSION", "Measure", "Seclusion episodes per 1,000 occupied bed days",
             measure_type="outcome", direction="decrease", target=8.0, indicates="O-RESTRAINT",
             quality_domains=["safe"], owned_by="T-WARD-A", data=shifted(10.0, 2.0)))
    add(node("EB-QI-P01", "ImprovementProject", "Sensory de-escalation on Aspen Ward",
             status="completed", method="Model for Improvement",
             aim="Reduce seclusion on Aspen Ward from 10 to 8 episodes per 1,000 bed days by "
                 "31 March 2025", start_date="2024-04-01", end_date="2025-03-31",
             progress_recorded=5.0, led_by="T-WARD-A", improves="M-SECLUSION",
             alignsTo="O-RESTRAINT", handsOverTo=["T-WARD-A", "DIR-MH"]))
    add(node("EB-PD-P1", "PrimaryDriver", "Calm, predictable ward environment",
             drives="EB-QI-P01"))
    add(node("EB-SD-P1", "SecondaryDriver", "Alternatives to seclusion when distress rises",
             drives="EB-PD-P1"))
    add(node("EB-CI-P1", "ChangeIdea", "Sensory room and comfort boxes", date="2024-08-05",
             changes="EB-SD-P1", improves="M-SECLUSION"))
    add(node("EB-PDSA-P1.1", "PDSACycle", "Sensory room on the evening shift for two weeks",
             date="2024-05-13", tests="EB-CI-P1"))
    add(node("EB-PDSA-P1.2", "PDSACycle", "Sensory room and comfort boxes on every shift",
             date="2024-06-24", tests="EB-CI-P1"))
    add(node("EB-QI-P02", "ImprovementProject", "Digital self-referral for young people",
             status="active", method="Model for Improvement", progress_recorded=3.5,
             aim="Increase young people seen within 4 weeks of referral by March 2026",
             start_date="2025-04-07", led_by="T-CAMHS", improves="M-CYP-WAIT",
             alignsTo="O-CYP"))
    # ---- issue 20 (ids EB-QI-O..): a finished project with its lesson, which
    # examples/proposal-eastbrook-visits.yaml repeats in other words, and district nursing's
    # own priority with the work for it (locally aligned: no Board goal holds it)
    add(node("EB-QI-O01", "ImprovementProject", "Visits on the planned day",
             status="completed", method="Model for Improvement", start_date="2023-05-01",
             end_date="2024-02-29", led_by="T-DN", improves="M-DN-VISITS",
             handsOverTo="T-DN",
             aim="Increase district nursing visits made on the day they were planned from 80% "
             "to 90% with caseload zoning and a morning allocation huddle"))
    add(node("EB-L-O01", "Lesson", "Zoning the caseload by street kept visits on the planned "
             "day; the allocation huddle slipped when it ran past 9am", date="2024-03-15",
             informs="PR-PLAN-COM"))
    add(node("EB-LP-DN-ISOL", "LocalPriority", "Fewer of our housebound patients are lonely",
             description="District nursing (east) chose this after its caseload review; the "
                         "Board's goals do not hold it.", owned_by="T-DN"))
    add(node("EB-PR-O-BEFRIEND", "Process", "Befriending referrals from district nursing",
             process_type="mainstay", frequency="weekly", owned_by="T-DN",
             supports="EB-LP-DN-ISOL"))
    add(node("EB-QI-O02", "ImprovementProject", "Social prescribing for housebound patients",
             status="active", method="Model for Improvement", start_date="2025-04-07",
             led_by="T-DN", improves="EB-PR-O-BEFRIEND", alignsTo="EB-LP-DN-ISOL",
             aim="Every housebound patient who says they are lonely is offered a befriender "
             "within two weeks"))
    # ---- tools per aspect (ELFT's examples), and who uses them
    tools = [("TL-SERVICE-MODEL", "PlanningTool", "Service model and pathway", "yearly",
              ["DIR-MH", "DIR-COM"]),
             ("TL-JOB-PLAN", "PlanningTool", "Job plans", "yearly", ["DIR-COM"]),
             ("TL-HUDDLE", "ControlTool", "Team huddle", "daily",
              ["T-WARD-A", "T-CAMHS", "T-DN"]),
             ("TL-VMB", "ControlTool", "Visual management board", "daily", ["T-WARD-A"]),
             ("TL-SPC", "ControlTool", "SPC charts of key measures", "weekly",
              ["T-WARD-A", "T-CAMHS"]),
             ("TL-GAP", "AssuranceTool", "Gap analysis against NICE guidance", "yearly",
              ["T-CMHT-N"]),
             ("TL-ACTIONS", "AssuranceTool", "Action tracker", "monthly", ["T-QI"]),
             ("TL-MFI", "ImprovementTool", "Model for Improvement", None,
              ["T-WARD-A", "T-CAMHS", "T-QI"]),
             ("TL-DRIVER", "ImprovementTool", "Driver diagram", None, ["T-CAMHS"]),
             ("TL-PARETO", "ImprovementTool", "Pareto chart", None, ["T-QI"]),
             ("TL-PROCESS-MAP", "ImprovementTool", "Process map", None, ["T-CAMHS"]),
             ("TL-FISHBONE", "ImprovementTool", "Cause-and-effect diagram", None, ["T-QI"]),
             ("TL-CHARTER", "ImprovementTool", "Project charter", None, ["T-QI"])]
    for tid, kind, label, freq, users in tools:
        extra = {"frequency": freq} if freq else {}
        add(node(tid, kind, label, used_by=users, **extra))
    # ---- assurance: the north CMHT does much assurance and little else (planted)
    for aid, label in [("AUD-CPA", "Care programme approach audit"),
                       ("AUD-RECORDS", "Record-keeping audit"),
                       ("AUD-MEDS", "Medicines management audit"),
                       ("AUD-SAFEGUARD", "Safeguarding audit")]:
        add(node(aid, "Audit", label, frequency="quarterly", led_by="T-CMHT-N",
                 informs="PR-PHC"))
    add(node("INS-CQC", "Inspection", "CQC well-led inspection", date="2024-11-12",
             frequency="ad-hoc", led_by="DIR-QUAL", assures="G-SAFE", informs="G-SAFE"))
    # ---- the learning system
    add(node("FB-FFT", "FeedbackSource", "Friends and family test", channel="survey",
             informs=["PR-HUDDLE", "QI-CAMHS"]))
    add(node("FB-CARERS", "FeedbackSource", "Carers' forum", channel="forum"))  # planted
    add(node("LC-QMS", "LearningCycle", "90-day cycle: what does a QMS look like for us?",
             question="What would a quality management system look like at ward level?",
             phase="complete", start_date="2024-09-02", end_date="2024-12-01",
             uses="TL-PARETO"))
    add(node("L-CONTROL", "Lesson", "Teams need real-time control before more projects",
             date="2024-12-01", informs="PR-LEARN"))
    add(node("L-RESTRAINT", "Lesson", "Safewards calm-down methods hold when huddles own "
             "them", date="2025-04-01", informs="PR-HUDDLE"))
    # ---- enablers: the six Duty of Quality enablers
    for eid, et, label in [("EN-LEAD", "leadership", "Board and clinical leadership"),
                           ("EN-WF", "workforce", "Workforce with QI skills"),
                           ("EN-CULT", "culture", "Just and learning culture"),
                           ("EN-INFO", "information", "Shared data and SPC reporting"),
                           ("EN-LIR", "learning-improvement-research",
                            "Learning, improvement and research"),
                           ("EN-WS", "whole-system", "Whole-system partnership")]:
        add(node(eid, "Enabler", label, enabler_type=et, supports="G-SAFE"))
    # ---- five roles x four aspects (ELFT)
    resp = {"team-leader": ("Team leader", [
                "contribute to service planning and commissioning",
                "be transparent about performance and take corrective action",
                "share assurance data and address gaps against standards",
                "support regular time for reflection and improvement"]),
            "team-member": ("Team member", [
                "share views on the biggest opportunity to improve the service",
                "monitor how the team is performing and solve problems daily",
                "take part in audit, inspection and learning lessons",
                "use QI tools to test ideas and build them into practice"]),
            "senior-clinician": ("Consultant or senior clinician", [
                "identify the best service model for the population's needs",
                "ensure daily practice meets agreed standards",
                "help set the standards the team is measured against",
                "bring ideas from research and clinical expertise"]),
            "service-user": ("Service user", [
                "help identify needs and the services that would meet them",
                "feed back experiences of the service",
                "help audit or inspect services",
                "contribute to improvement work and say whether changes helped"]),
            "senior-leader": ("Senior leader", [
                "develop the vision, mission and strategic plan with partners",
                "monitor how the system performs and use data for decisions",
                "ensure assurance activities add value and are meaningful",
                "sponsor improvement work and help teams find time to improve"])}
    aspects = ("planning", "control", "assurance", "improvement")
    for rid, (label, texts) in resp.items():
        ids = [f"RS-{rid}-{a}" for a in aspects]
        add(node(f"R-{rid}", "Role", label, hasResponsibility=ids))
        for rs, a, text in zip(ids, aspects, texts, strict=True):
            add(node(rs, "Responsibility", text, aspect=a))
    add(node("P-CHAIR", "Person", "Amira Okafor (chief nurse)", holdsRole="R-senior-leader",
             memberOf="DIR-QUAL"))
    for x in n:
        for k in [k for k, v in x.items() if v is None or v == []]:
            del x[k]
    edges = [{"source": "T-WARD-A", "kind": "monitors", "target": "M-ASSAULT",
              "reason": "daily safety huddle"},
             {"source": "T-WARD-A", "kind": "monitors", "target": "M-EXPERIENCE",
              "reason": "weekly visual management board"},
             {"source": "T-CAMHS", "kind": "monitors", "target": "M-CYP-WAIT",
              "reason": "daily triage huddle"},
             {"source": "T-DN", "kind": "monitors", "target": "M-DN-VISITS",
              "reason": "morning huddle"},
             {"source": "T-CMHT-N", "kind": "monitors", "target": "M-PHC",
              "reason": "weekly clinic review"},
             {"source": "T-WARD-A", "kind": "monitors", "target": "M-SECLUSION",
              "reason": "daily safety huddle"},
             {"source": "LC-QMS", "kind": "yields", "target": "L-CONTROL",
              "reason": "summary of the 90-day cycle"},
             {"source": "QI-RESTRAINT", "kind": "yields", "target": "L-RESTRAINT",
              "reason": "project close report"},
             {"source": "EB-QI-O01", "kind": "yields", "target": "EB-L-O01",
              "reason": "project close report"}]
    return {"qmsgraph": 1, "name": "Eastbrook NHS Foundation Trust", "nodes": n,
            "edges": edges}


def main() -> None:
    text = ("# Eastbrook NHS Foundation Trust: a fictional mental health and community trust.\n"
            "# Written by examples/generate_eastbrook.py - edit that script, not this file.\n"
            "# Planted problems: examples/EASTBROOK.md.\n")
    text += yaml.safe_dump(build(), sort_keys=False, allow_unicode=True, width=100)
    (HERE / "eastbrook.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
