"""Write the Northvale Health Board example: a fictional NHS health board's QMS.

Run ``python examples/generate.py`` to (re)write, next to this script:

* ``northvale.yaml``   - the model: purpose, needs, goals, objectives, units, people, services,
  processes, enablers, standards, assurance, risks, incidents, feedback, driver diagrams;
* ``measures.csv``     - the measure register;
* ``measure_data.csv`` - 30 monthly points per measure (April 2023 to September 2025);
* ``projects.csv``     - the improvement project register.

Everything comes from the tables below and one fixed seed, so a second run rewrites the files
byte for byte. Standard library and PyYAML only.

The example is clean except for a small set of problems planted on purpose (README.md lists
them with the rule each breaks). Every series is drawn from a seeded random generator and
redrawn, deterministically, until it shows exactly the SPC behaviour intended for it: plain
common-cause variation, or one deliberate special-cause signal (a shift, a trend or a point
beyond the process limits), checked with the NHS "Making Data Count" XmR rules implemented
below.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

SEED = 20250901
HERE = Path(__file__).resolve().parent
FIRST_MONTH = dt.date(2023, 4, 1)
N_MONTHS = 30  # 2023-04-01 .. 2025-09-01


def _months(n: int) -> list[dt.date]:
    out = []
    y, m = FIRST_MONTH.year, FIRST_MONTH.month
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


MONTHS = _months(N_MONTHS)
D = dt.date.fromisoformat

# =============================================================================================
# Purpose, needs, goals, objectives
# =============================================================================================

PURPOSE = [
    dict(id="PUR-MISSION", kind="Mission",
         label="Healthier lives for everyone in Northvale",
         description="We work with the people of Northvale to prevent ill health, and give "
                     "safe, kind and timely care when it is needed."),
    dict(id="PUR-VISION", kind="Vision",
         label="The right care, in the right place, first time, by 2030",
         description="By 2030 most care happens close to home, nobody waits longer than they "
                     "should, and where you live no longer decides how long you live well."),
    dict(id="VAL-KINDNESS", kind="Value", label="Kindness and compassion"),
    dict(id="VAL-RESPECT", kind="Value", label="Respect and dignity"),
    dict(id="VAL-TOGETHER", kind="Value", label="Working together"),
    dict(id="VAL-LEARNING", kind="Value", label="Always learning"),
]

NEEDS = [
    dict(id="PN-AGEING", kind="PopulationNeed",
         label="An ageing population with rising frailty",
         description="Residents aged 75 and over are projected to rise by 18% by 2030 "
                     "(Northvale needs assessment 2024)."),
    dict(id="PN-UEC", kind="PopulationNeed",
         label="High and rising demand for urgent and emergency care",
         description="Emergency attendances are 9% above 2019/20 levels."),
    dict(id="PN-CANCER", kind="PopulationNeed",
         label="Rising cancer incidence and later diagnosis in deprived areas"),
    dict(id="PN-INEQ", kind="PopulationNeed",
         label="A nine-year gap in healthy life expectancy between the most and least "
               "deprived neighbourhoods"),
    dict(id="PN-MH", kind="PopulationNeed",
         label="Growing need for mental health support among young adults"),
    dict(id="PN-LTC", kind="PopulationNeed",
         label="Long-term conditions: diabetes and COPD prevalence above the national rate"),
]

GOALS = [
    dict(id="G1", kind="StrategicGoal", label="Safe, effective and person-centred care",
         description="Reduce avoidable harm by 20% and put people's experience at the heart "
                     "of care.",
         status="active", target=20, deadline=D("2027-03-31"),
         quality_domains=["safe", "effective", "person-centred"],
         quadruple_aim=["experience-of-care", "population-health"],
         serves=["PUR-MISSION", "PUR-VISION"], addresses=["PN-AGEING", "PN-LTC", "PN-MH"]),
    dict(id="G2", kind="StrategicGoal",
         label="Timely access to urgent, planned and cancer care",
         description="Nobody waits longer than the national standards for urgent, planned "
                     "or cancer care.",
         status="active", target=80, deadline=D("2027-03-31"),
         quality_domains=["timely", "effective"],
         quadruple_aim=["experience-of-care", "value"],
         serves=["PUR-MISSION", "PUR-VISION"], addresses=["PN-UEC", "PN-CANCER"]),
    dict(id="G3", kind="StrategicGoal", label="A great place to work",
         description="Colleagues are well, stay with us and would recommend Northvale as a "
                     "place to work.",
         status="active", target=65, deadline=D("2027-03-31"),
         quality_domains=["safe", "efficient"],
         quadruple_aim=["staff-experience", "value"],
         serves=["PUR-MISSION"]),
    dict(id="G4", kind="StrategicGoal", label="Narrow health inequalities across Northvale",
         description="Close the gap in healthy life expectancy between the most and least "
                     "deprived neighbourhoods.",
         status="active", target=2, deadline=D("2030-03-31"),
         quality_domains=["equitable"], quadruple_aim=["population-health"],
         serves=["PUR-MISSION", "PUR-VISION"], addresses=["PN-INEQ"]),
    dict(id="G5", kind="StrategicGoal",
         label="Recover elective activity to pre-pandemic levels",
         description="Retired by the Board in April 2024 once elective activity passed its "
                     "2019/20 level; waiting times are now part of G2.",
         status="retired", target=104, deadline=D("2024-03-31"),
         quality_domains=["timely"], quadruple_aim=["value"],
         serves=["PUR-MISSION"]),
]

OBJECTIVES = [
    # G1
    dict(id="O1-FALLS", label="Reduce inpatient falls by 20% by March 2026", target=5.2,
         deadline=D("2026-03-31"), quality_domains=["safe"], contributesTo="G1",
         addresses="PN-AGEING"),
    dict(id="O1-PU", label="Reduce hospital-acquired pressure ulcers by a third by March 2026",
         target=0.8, deadline=D("2026-03-31"), quality_domains=["safe"], contributesTo="G1"),
    dict(id="O1-DETER", label="Recognise and respond reliably to deterioration and sepsis",
         target=95, deadline=D("2026-03-31"), quality_domains=["safe", "effective"],
         contributesTo="G1"),
    dict(id="O1-IPC", label="Reduce healthcare-associated infection",
         target=3, deadline=D("2026-03-31"), quality_domains=["safe"], contributesTo="G1"),
    dict(id="O1-MEDS", label="Reduce avoidable harm from medicines, including VTE prophylaxis",
         target=0.4, deadline=D("2026-03-31"), quality_domains=["safe"], contributesTo="G1"),
    dict(id="O1-EXP", label="Improve experience of care and learn from complaints",
         target=95, deadline=D("2026-03-31"), quality_domains=["person-centred"],
         quadruple_aim=["experience-of-care"], contributesTo="G1"),
    # G2
    dict(id="O2-UEC", label="See 80% of Emergency Department patients within 4 hours by "
                            "March 2026",
         target=80, deadline=D("2026-03-31"), quality_domains=["timely"], contributesTo="G2",
         addresses="PN-UEC"),
    dict(id="O2-CANCER", label="Meet the 62-day cancer treatment standard of 75%",
         target=75, deadline=D("2026-03-31"), quality_domains=["timely", "effective"],
         contributesTo="G2", addresses="PN-CANCER"),
    dict(id="O2-PLANNED", label="Reduce waits for planned care and diagnostics",
         target=65, deadline=D("2026-03-31"), quality_domains=["timely"], contributesTo="G2"),
    dict(id="O2-FLOW", label="Discharge patients as soon as they are ready to leave",
         target=50, deadline=D("2026-03-31"), quality_domains=["timely", "efficient"],
         contributesTo="G2"),
    # G3
    dict(id="O3-ATTEND", label="Reduce sickness absence to 4.5%", target=4.5,
         deadline=D("2026-03-31"), quadruple_aim=["staff-experience"], contributesTo="G3"),
    dict(id="O3-RETAIN", label="Reduce staff turnover to 10%", target=10,
         deadline=D("2027-03-31"), quadruple_aim=["staff-experience"], contributesTo="G3"),
    dict(id="O3-RESOURCE", label="Fill vacancies and reduce reliance on agency staff",
         target=3.2, deadline=D("2026-03-31"), quadruple_aim=["value"], contributesTo="G3"),
    dict(id="O3-DEVELOP", label="Every colleague trained and appraised", target=90,
         deadline=D("2026-03-31"), quadruple_aim=["staff-experience"], contributesTo="G3"),
    # G4 (no measure yet: planted goal-without-measure)
    dict(id="O4-CHECKS", label="Raise NHS Health Check uptake in the most deprived quintile "
                               "to 60%",
         target=60, deadline=D("2026-03-31"), quality_domains=["equitable"],
         quadruple_aim=["population-health"], contributesTo="G4", addresses="PN-INEQ"),
    dict(id="O4-ACCESS", label="Equitable access: interpreting and accessible information for "
                               "everyone who needs them",
         target=95, deadline=D("2026-03-31"), quality_domains=["equitable", "person-centred"],
         contributesTo="G4", addresses="PN-INEQ"),
    # G5 (retired)
    dict(id="O5-ACTIVITY", label="Deliver 104% of 2019/20 elective activity", target=104,
         deadline=D("2024-03-31"), quality_domains=["timely"], contributesTo="G5"),
]

# =============================================================================================
# Organisation: units, roles, people
# =============================================================================================

SYSTEM = dict(id="HS-NORTHVALE", kind="HealthSystem",
              label="Northvale Regional Health and Care Partnership")
BOARD = dict(id="ORG-NHB", kind="Organisation", label="Northvale Health Board",
             unitOf="HS-NORTHVALE",
             description="A fictional health board serving about 480,000 people.")

DIRECTORATES = [
    ("DIR-MED", "Medicine and Urgent Care"),
    ("DIR-SURG", "Surgery, Cancer and Diagnostics"),
    ("DIR-COMM", "Community and Mental Health"),
    ("DIR-NQ", "Nursing, Quality and Patient Experience"),
    ("DIR-WF", "Workforce and Organisational Development"),
    ("DIR-PH", "Public Health"),
]

TEAMS = [
    ("T-ED", "Emergency Department", "DIR-MED"),
    ("T-AMU", "Acute Medical Unit", "DIR-MED"),
    ("T-W7", "Ward 7 (Care of the Elderly)", "DIR-MED"),
    ("T-W9", "Ward 9 (Respiratory)", "DIR-MED"),
    ("T-STROKE", "Stroke Unit", "DIR-MED"),
    ("T-FLOW", "Patient Flow and Discharge Hub", "DIR-MED"),
    ("T-THEATRES", "Main Theatres", "DIR-SURG"),
    ("T-DSU", "Day Surgery Unit", "DIR-SURG"),
    ("T-W12", "Ward 12 (Trauma and Orthopaedics)", "DIR-SURG"),
    ("T-CANCER", "Cancer Pathway Team", "DIR-SURG"),
    ("T-RAD", "Radiology", "DIR-SURG"),
    ("T-OPD", "Outpatients", "DIR-SURG"),
    ("T-DN", "District Nursing (North Locality)", "DIR-COMM"),
    ("T-FRAILTY", "Community Frailty Team", "DIR-COMM"),
    ("T-CMHT", "Adult Community Mental Health Team", "DIR-COMM"),
    ("T-CRISIS", "Crisis Resolution and Home Treatment Team", "DIR-COMM"),
    ("T-PST", "Patient Safety Team", "DIR-NQ"),
    ("T-PET", "Patient Experience Team", "DIR-NQ"),
    ("T-IPC", "Infection Prevention and Control Team", "DIR-NQ"),
    ("T-TV", "Tissue Viability Service", "DIR-NQ"),
    ("T-PHARM", "Pharmacy and Medicines Safety", "DIR-NQ"),
    ("T-QIHUB", "Quality Improvement Hub", "DIR-NQ"),
    ("T-AUDIT", "Clinical Audit and Effectiveness", "DIR-NQ"),
    ("T-RECRUIT", "Recruitment", "DIR-WF"),
    ("T-BUREAU", "Staff Bank and Rostering", "DIR-WF"),
    ("T-OH", "Occupational Health and Wellbeing", "DIR-WF"),
    ("T-LEARN", "Learning and Development", "DIR-WF"),
    ("T-HI", "Health Improvement", "DIR-PH"),
    ("T-PHI", "Population Health Intelligence", "DIR-PH"),
]

ROLES = [
    ("ROLE-SENIOR-LEADER", "Senior leader"),
    ("ROLE-SENIOR-CLINICIAN", "Senior clinician"),
    ("ROLE-TEAM-LEADER", "Team leader"),
    ("ROLE-TEAM-MEMBER", "Team member"),
    ("ROLE-SERVICE-USER", "Service user"),
]

# id, name, job title, unit, role
PEOPLE = [
    ("p-osei", "Dr Amara Osei", "Chief Executive", "ORG-NHB", "ROLE-SENIOR-LEADER"),
    ("p-llewellyn", "Gareth Llewellyn", "Chief Operating Officer", "ORG-NHB",
     "ROLE-SENIOR-LEADER"),
    ("p-marsh", "Helen Marsh", "Executive Director of Nursing", "ORG-NHB",
     "ROLE-SENIOR-LEADER"),
    ("p-menon", "Dr Rajiv Menon", "Medical Director", "ORG-NHB", "ROLE-SENIOR-LEADER"),
    ("p-kerr", "Siobhan Kerr", "Director of Workforce and Organisational Development",
     "DIR-WF", "ROLE-SENIOR-LEADER"),
    ("p-nowak", "Dr Tomasz Nowak", "Director of Public Health", "DIR-PH",
     "ROLE-SENIOR-LEADER"),
    ("p-grant", "Fiona Grant", "Director of Medicine and Urgent Care", "DIR-MED",
     "ROLE-SENIOR-LEADER"),
    ("p-mensah", "Kwame Mensah", "Director of Surgery, Cancer and Diagnostics", "DIR-SURG",
     "ROLE-SENIOR-LEADER"),
    ("p-pryce", "Eleanor Pryce", "Director of Community and Mental Health", "DIR-COMM",
     "ROLE-SENIOR-LEADER"),
    ("p-rees", "Bethan Rees", "Head of Quality Improvement", "T-QIHUB", "ROLE-TEAM-LEADER"),
    ("p-whitfield", "Jo Whitfield", "Ward Sister, Ward 7", "T-W7", "ROLE-TEAM-LEADER"),
    ("p-price", "Owen Price", "Healthcare Support Worker, Ward 7", "T-W7", "ROLE-TEAM-MEMBER"),
    ("p-achebe", "Dr David Achebe", "Consultant in Emergency Medicine", "T-ED",
     "ROLE-SENIOR-CLINICIAN"),
    ("p-tran", "Lucy Tran", "Ward Manager, Ward 12", "T-W12", "ROLE-TEAM-LEADER"),
    ("p-okafor", "Sam Okafor", "Head of Patient Flow", "T-FLOW", "ROLE-TEAM-LEADER"),
    ("p-shah", "Priya Shah", "Lead Cancer Nurse", "T-CANCER", "ROLE-SENIOR-CLINICIAN"),
    ("p-ellis", "Mark Ellis", "Theatres Manager", "T-THEATRES", "ROLE-TEAM-LEADER"),
    ("p-bevan", "Ruth Bevan", "Nurse Consultant, Tissue Viability", "T-TV",
     "ROLE-SENIOR-CLINICIAN"),
    ("p-khalil", "Ahmed Khalil", "Consultant Pharmacist", "T-PHARM", "ROLE-SENIOR-CLINICIAN"),
    ("p-hughes", "Nia Hughes", "Head of Patient Experience", "T-PET", "ROLE-TEAM-LEADER"),
    ("p-fraser", "Colin Fraser", "Occupational Health Lead", "T-OH", "ROLE-TEAM-LEADER"),
    ("p-adeyemi", "Grace Adeyemi", "Recruitment Manager", "T-RECRUIT", "ROLE-TEAM-LEADER"),
    ("p-blake", "Hannah Blake", "Health Improvement Lead", "T-HI", "ROLE-TEAM-LEADER"),
    ("p-campbell", "Ian Campbell", "Patient Safety Lead", "T-PST", "ROLE-TEAM-LEADER"),
    ("p-doyle", "Dr Ciaran Doyle", "Consultant Stroke Physician", "T-STROKE",
     "ROLE-SENIOR-CLINICIAN"),
    ("p-iqbal", "Dr Sana Iqbal", "Consultant Geriatrician", "T-FRAILTY",
     "ROLE-SENIOR-CLINICIAN"),
    ("p-walsh", "Karen Walsh", "District Nursing Team Leader", "T-DN", "ROLE-TEAM-LEADER"),
    ("p-booth", "Rachel Booth", "Clinical Audit Manager", "T-AUDIT", "ROLE-TEAM-LEADER"),
    ("p-silva", "Maria Silva", "Patient Partner, Northvale Patient Panel", "T-PET",
     "ROLE-SERVICE-USER"),
]

# =============================================================================================
# Services, processes, enablers, standards
# =============================================================================================

SERVICES = [
    dict(id="SVC-ED", label="Emergency and urgent care", contributesTo="G2",
         addresses="PN-UEC", delivered_by=["T-ED"], checksAgainst="STD-RCEM"),
    dict(id="SVC-ACUTE-MED", label="Acute and general medicine", contributesTo="G1",
         addresses=["PN-AGEING", "PN-LTC"], delivered_by=["T-AMU", "T-W7", "T-W9"]),
    dict(id="SVC-STROKE", label="Stroke care", contributesTo="G1", addresses="PN-AGEING",
         delivered_by=["T-STROKE"]),
    dict(id="SVC-SURG", label="Planned surgery", contributesTo="G2",
         delivered_by=["T-THEATRES", "T-DSU", "T-W12"]),
    dict(id="SVC-CANCER", label="Cancer diagnosis and treatment", contributesTo="G2",
         addresses="PN-CANCER", delivered_by=["T-CANCER"]),
    dict(id="SVC-DIAG", label="Diagnostic imaging", contributesTo="G2", delivered_by=["T-RAD"]),
    dict(id="SVC-OPD", label="Outpatients", contributesTo="G2", delivered_by=["T-OPD"]),
    dict(id="SVC-COMMUNITY", label="Community nursing and frailty care", contributesTo="G1",
         addresses="PN-AGEING", delivered_by=["T-DN", "T-FRAILTY", "T-TV"]),
    dict(id="SVC-MH", label="Adult mental health", contributesTo="G1", addresses="PN-MH",
         delivered_by=["T-CMHT", "T-CRISIS"]),
    dict(id="SVC-HEALTHCHECKS", label="Health checks and community outreach",
         contributesTo="G4", addresses=["PN-INEQ", "PN-LTC"], delivered_by=["T-HI"]),
]

# id, label, type, owner, supports, extra relations
PROCESSES: list[tuple[str, str, str, str, list[str], dict[str, Any]]] = [
    # driver: preparing to meet need
    ("PR-STRAT-PLAN", "Annual planning and prioritisation", "driver", "ORG-NHB",
     ["G1", "G2", "G3", "G4"], {"checksAgainst": "STD-HCQS"}),
    ("PR-HNA", "Population health needs assessment", "driver", "T-PHI", ["G4"], {}),
    ("PR-EQUITY-AUDIT", "Equity impact assessment of service changes", "driver", "DIR-PH",
     ["G4"], {}),
    ("PR-HORIZON", "Horizon scanning and demand and capacity planning", "driver",
     "p-llewellyn", ["G2"], {}),
    ("PR-FEEDBACK", "Learning from patient feedback and complaints", "driver", "T-PET",
     ["O1-EXP"], {}),
    ("PR-INCIDENT", "Incident reporting and learning responses (PSIRF)", "driver", "T-PST",
     ["G1"], {}),
    ("PR-MORTALITY", "Learning from deaths (structured judgement review)", "driver",
     "T-AUDIT", ["O1-DETER"], {}),
    # mainstay: the services delivered
    ("PR-UEC", "Urgent and emergency care pathway", "mainstay", "DIR-MED",
     ["SVC-ED", "O2-UEC"], {}),
    ("PR-ED-TRIAGE", "Streaming and initial assessment in the Emergency Department",
     "mainstay", "T-ED", [], {"partOf": "PR-UEC", "checksAgainst": "STD-RCEM"}),
    ("PR-AMB-HANDOVER", "Ambulance handover", "mainstay", "T-ED", [],
     {"partOf": "PR-UEC"}),
    ("PR-O-MEALS", "Ward 9 protected mealtimes and red trays", "mainstay", "T-W9",
     ["LP-W9-NUTRITION"], {}),
    ("PR-DISCHARGE", "Discharge planning (SAFER patient flow bundle)", "mainstay", "T-FLOW",
     ["O2-FLOW"], {"checksAgainst": "STD-NICE-NG27"}),
    ("PR-FALLS", "Falls prevention and post-fall care", "mainstay", "T-PST", ["O1-FALLS"],
     {"checksAgainst": "STD-NICE-CG161"}),
    ("PR-PU", "Pressure ulcer prevention (SSKIN)", "mainstay", "T-TV", ["O1-PU"],
     {"checksAgainst": "STD-NICE-CG179"}),
    ("PR-DETERIORATION", "Recognising and responding to deterioration and sepsis",
     "mainstay", "T-AMU", ["O1-DETER"], {"checksAgainst": "STD-NICE-NG51"}),
    ("PR-IPC", "Infection prevention and control", "mainstay", "T-IPC", ["O1-IPC"],
     {"checksAgainst": "STD-NHB-IPC"}),
    ("PR-MEDS", "Medicines reconciliation and safe administration", "mainstay", "T-PHARM",
     ["O1-MEDS"], {"checksAgainst": "STD-NICE-NG5"}),
    ("PR-STROKE", "Hyperacute stroke pathway", "mainstay", "T-STROKE", ["SVC-STROKE"],
     {"checksAgainst": "STD-NICE-NG128"}),
    ("PR-CANCER-PATH", "Cancer pathway tracking and escalation", "mainstay", "T-CANCER",
     ["O2-CANCER", "SVC-CANCER"], {"checksAgainst": "STD-NICE-NG12"}),
    ("PR-THEATRE-SCHED", "Theatre list scheduling", "mainstay", "T-THEATRES",
     ["O2-PLANNED", "SVC-SURG"], {}),
    ("PR-DIAG", "Diagnostic booking and reporting", "mainstay", "T-RAD",
     ["O2-PLANNED", "SVC-DIAG"], {}),
    ("PR-CMHT", "Community mental health assessment and care planning", "mainstay", "T-CMHT",
     ["SVC-MH"], {}),
    ("PR-CRISIS", "Mental health crisis response", "mainstay", "T-CRISIS", ["SVC-MH"], {}),
    ("PR-DN-VISITS", "District nursing visit planning", "mainstay", "T-DN",
     ["SVC-COMMUNITY"], {}),
    ("PR-FRAILTY", "Comprehensive geriatric assessment", "mainstay", "T-FRAILTY",
     ["SVC-COMMUNITY"], {}),
    ("PR-TOBACCO", "Inpatient tobacco dependence treatment", "mainstay", "T-HI",
     ["SVC-ACUTE-MED"], {}),
    ("PR-OUTREACH", "Community outreach health checks", "mainstay", "T-HI",
     ["O4-CHECKS", "SVC-HEALTHCHECKS"], {}),
    # support: what the rest relies on
    ("PR-INTERPRET", "Interpreting and accessible information", "support", "T-PET",
     ["O4-ACCESS"], {}),
    ("PR-RECRUIT", "Recruitment and onboarding", "support", "T-RECRUIT", ["O3-RESOURCE"], {}),
    ("PR-ROSTER", "E-rostering and temporary staffing", "support", "T-BUREAU",
     ["O3-RESOURCE"], {}),
    ("PR-OH", "Occupational health and wellbeing support", "support", "T-OH", ["O3-ATTEND"],
     {}),
    ("PR-TRAINING", "Mandatory training and appraisal", "support", "T-LEARN", ["O3-DEVELOP"],
     {}),
    ("PR-QI-COACH", "Quality improvement coaching and skills programme", "support", "T-QIHUB",
     ["G1", "G2", "G3", "G4"], {}),
]

ENABLERS = [
    ("EN-LEADERSHIP", "Compassionate and inclusive leadership programme", "leadership",
     ["G3"]),
    ("EN-CULTURE", "Just and learning culture", "culture", ["G1", "G3"]),
    ("EN-SKILLS", "Improvement skills for all: Bronze, Silver and Gold QI training", "skills",
     ["G1", "G2", "G3", "G4"]),
    ("EN-INFRA", "Integrated performance dashboard and data warehouse", "infrastructure",
     ["G1", "G2", "G3"]),
    ("EN-METHOD", "The Northvale Improvement Method (Model for Improvement)", "method",
     ["G1", "G2", "G3", "G4"]),
    ("EN-LEARNING", "Learning system: safety huddles and Learning from Excellence",
     "learning-system", ["G1"]),
]

STANDARDS = [
    ("STD-NICE-CG161", "Falls in older people: assessing risk and prevention", "NICE CG161",
     "NICE"),
    ("STD-NICE-CG179", "Pressure ulcers: prevention and management", "NICE CG179", "NICE"),
    ("STD-NICE-NG51", "Sepsis: recognition, diagnosis and early management", "NICE NG51",
     "NICE"),
    ("STD-NICE-NG12", "Suspected cancer: recognition and referral", "NICE NG12", "NICE"),
    ("STD-NICE-NG128", "Stroke and transient ischaemic attack in over 16s", "NICE NG128",
     "NICE"),
    ("STD-NICE-NG5", "Medicines optimisation", "NICE NG5", "NICE"),
    ("STD-NICE-NG27", "Transition between inpatient hospital settings and community or care "
                      "home settings", "NICE NG27", "NICE"),
    ("STD-RCEM", "Initial assessment of Emergency Department patients", "RCEM-IA-2021",
     "Royal College of Emergency Medicine"),
    ("STD-NHB-IPC", "Northvale infection prevention and control manual", "NHB-IPC-v4",
     "Northvale Health Board"),
    ("STD-HCQS", "Health and care quality standards (fictional national framework)",
     "HCQS-2023", "National quality regulator (fictional)"),
]

# id, kind, label, date, rating, led_by, assures, checksAgainst, informs
ASSURANCE = [
    ("AUD-FALLS", "Audit", "Annual inpatient falls audit", "2025-02-14", "partial assurance",
     "T-AUDIT", ["M-FALLS", "PR-FALLS"], ["STD-NICE-CG161"], ["QI-007", "QI-061"]),
    ("AUD-SEPSIS", "Audit", "Quarterly sepsis audit: antibiotics within one hour",
     "2025-07-18", "limited assurance", "T-AUDIT", ["M-SEPSIS-ABX"], ["STD-NICE-NG51"],
     ["O1-DETER"]),
    ("AUD-PU", "Audit", "Pressure ulcer prevalence audit", "2025-03-20",
     "reasonable assurance", "T-TV", ["M-PU", "PR-PU"], ["STD-NICE-CG179"], ["QI-009"]),
    ("AUD-MEDREC", "Audit", "Medicines reconciliation audit", "2025-05-09",
     "partial assurance", "T-PHARM", ["M-MEDREC", "PR-MEDS"], ["STD-NICE-NG5"], ["QI-013"]),
    ("AUD-STAFFING", "Audit", "Safe nurse staffing establishment review", "2025-04-30",
     "partial assurance", "DIR-NQ", ["M-RN-FILL"], ["STD-HCQS"], ["RISK-NURSE-VAC"]),
    ("INS-ED", "Inspection", "Unannounced inspection of the Emergency Department",
     "2025-06-11", "requires improvement", "DIR-NQ", ["SVC-ED", "M-ED4H"],
     ["STD-RCEM", "STD-HCQS"], ["QI-002", "RISK-ED-CROWDING"]),
    ("INS-IPC", "Inspection", "Infection prevention peer inspection of medical wards",
     "2024-11-21", "good", "T-IPC", ["PR-IPC", "M-HANDHYG"], ["STD-NHB-IPC"], ["O1-IPC"]),
    ("REV-MORTALITY", "Review", "Quarterly learning-from-deaths review", "2025-08-29",
     "reasonable assurance", "T-AUDIT", ["M-HSMR", "O1-DETER"], [], ["PR-MORTALITY"]),
    ("REV-COMPLAINTS", "Review", "Thematic review of complaints about discharge",
     "2025-01-31", "partial assurance", "T-PET", ["PR-FEEDBACK", "PR-DISCHARGE"], [],
     ["PR-DISCHARGE", "QI-069"]),
    ("REV-CANCER", "Review", "Harm reviews for patients waiting more than 104 days for "
                             "cancer treatment",
     "2025-09-12", "limited assurance", "T-CANCER", ["M-CANCER62", "PR-CANCER-PATH"],
     ["STD-NICE-NG12"], ["QI-003", "RISK-CANCER-CAP"]),
    ("REV-BOARD", "Review", "Board quality and safety committee annual review of the "
                            "strategic goals",
     "2025-04-24", "partial assurance", "ORG-NHB", ["G1", "G2", "G3", "G4"], ["STD-HCQS"],
     ["G4"]),
]

# id, label, rating, owner, threatens, escalatesTo
RISKS = [
    ("RISK-ED-CROWDING", "Crowding and corridor care in the Emergency Department",
     "20 (extreme)", "DIR-MED", ["O2-UEC", "SVC-ED"], "ORG-NHB"),
    ("RISK-NURSE-VAC", "Registered nurse vacancies on medical wards", "16 (high)", "p-marsh",
     ["O1-FALLS", "O3-RESOURCE"], "ORG-NHB"),
    ("RISK-CANCER-CAP", "Not enough diagnostic capacity for cancer pathways", "16 (high)",
     "DIR-SURG", ["O2-CANCER"], "ORG-NHB"),
    ("RISK-WF-DATA", "Workforce reports lost in the move to a new workforce system",
     "9 (moderate)", "DIR-WF", ["O3-DEVELOP"], "DIR-WF"),
    ("RISK-CYBER", "Cyber attack disrupting clinical systems", "15 (high)", "ORG-NHB",
     ["G2"], "ORG-NHB"),
]

# id, label, date, rating, informs, escalatesTo
INCIDENTS = [
    ("INC-2025-0412", "Unwitnessed fall with hip fracture on Ward 12", "2025-04-12",
     "moderate harm", ["PR-FALLS", "QI-061"], "DIR-SURG"),
    ("INC-2025-0630", "Delayed antibiotics for a patient with sepsis in the Emergency "
                      "Department", "2025-06-30", "severe harm", ["PR-DETERIORATION"],
     "DIR-MED"),
    ("INC-2024-1105", "Category 3 pressure ulcer acquired at home under district nursing care",
     "2024-11-05", "moderate harm", ["PR-PU"], "DIR-COMM"),
    ("INC-2025-0817", "Ambulance handover delayed by more than six hours", "2025-08-17",
     "low harm", ["QI-017", "RISK-ED-CROWDING"], "DIR-MED"),
]

# id, label, channel, informs
FEEDBACK = [
    ("FB-FFT", "Friends and Family Test", "SMS and card survey", ["O1-EXP", "PR-FEEDBACK"]),
    ("FB-COMPLAINTS", "Complaints and concerns (PALS)", "complaints team",
     ["PR-FEEDBACK", "PR-DISCHARGE"]),
    ("FB-STAFF-SURVEY", "Staff survey and quarterly pulse", "online survey",
     ["O3-RETAIN", "QI-004"]),
    ("FB-PATIENT-PANEL", "Northvale Patient Panel", "monthly meeting",
     ["PN-INEQ", "QI-006"]),
    ("FB-COMMUNITY-COUNCIL", "Community Health Council reports", "published reports",
     ["PN-AGEING", "SVC-COMMUNITY"]),
]

# =============================================================================================
# Measures and their series
# =============================================================================================
# Series spec: base level, noise sd, decimals; "count" draws Poisson-like counts; pattern is
# one of common | improve-shift | improve-trend | improve-outlier | concern-shift |
# concern-trend | concern-outlier, with its parameters; stop=N ends the series after N points.


def S(base: float, sd: float, dp: int = 1, *, count: bool = False, pattern: str = "common",
      stop: int | None = None, **params: Any) -> dict[str, Any]:
    return dict(base=base, sd=sd, dp=dp, count=count, pattern=pattern, stop=stop, **params)


MEASURES: list[dict[str, Any]] = [
    # ---------------------------------------------------------------- G1 safe, effective care
    dict(id="M-FALLS", label="Inpatient falls per 1,000 occupied bed days",
         measure_type="outcome", direction="decrease", unit_of_measure="per 1,000 bed days",
         target=5.2, quality_domains=["safe"], owned_by=["T-PST"],
         monitored_by=["T-W12", "T-AMU"], huddle=[("T-W7", "08:30 ward safety huddle: "
                                                  "falls safety cross")],
         indicates=["O1-FALLS"], measures=["PR-FALLS"],
         series=S(6.9, 0.55, 2, pattern="improve-shift", n_post=12, delta=-0.95,
                  sd_post=0.22)),
    dict(id="M-FALLS-HARM", label="Falls causing moderate or severe harm",
         measure_type="outcome", direction="decrease", unit_of_measure="falls per month",
         target=2, quality_domains=["safe"], owned_by=["T-PST"], monitored_by=["T-PST"],
         indicates=["O1-FALLS"], series=S(3.2, 0, 0, count=True), chart="c"),
    dict(id="M-FALLS-RA", label="Patients with a multifactorial falls risk assessment within "
                                "24 hours of admission",
         measure_type="process", direction="increase", unit_of_measure="%", target=95,
         quality_domains=["safe"], owned_by=["T-W7"], monitored_by=["T-W7"],
         measures=["PR-FALLS"], series=S(86.0, 3.0, 1), chart="p", denominator=(110, 150)),
    dict(id="M-PU", label="Hospital-acquired category 2+ pressure ulcers per 1,000 bed days",
         measure_type="outcome", direction="decrease", unit_of_measure="per 1,000 bed days",
         target=0.8, quality_domains=["safe"], owned_by=["T-TV"],
         monitored_by=["T-TV", "T-W9"], indicates=["O1-PU"], measures=["PR-PU"],
         series=S(1.25, 0.2, 2), chart="u", denominator=(5500, 6500)),
    dict(id="M-SSKIN", label="SSKIN bundle compliance", measure_type="process",
         direction="increase", unit_of_measure="%", target=95, quality_domains=["safe"],
         owned_by=["T-TV"], monitored_by=["T-W9"], measures=["PR-PU"],
         series=S(86.0, 2.8, 1), chart="run"),
    dict(id="M-HSMR", label="Hospital standardised mortality ratio (monthly)",
         measure_type="outcome", direction="decrease", unit_of_measure="ratio (100 = expected)",
         target=100, quality_domains=["safe", "effective"], owned_by=["p-menon"],
         monitored_by=["DIR-MED", "T-AUDIT"], indicates=["O1-DETER"], series=S(102.0, 5.5, 1)),
    dict(id="M-SEPSIS-ABX", label="Patients with red-flag sepsis given IV antibiotics within "
                                  "1 hour",
         measure_type="process", direction="increase", unit_of_measure="%", target=90,
         quality_domains=["safe", "timely"], owned_by=["p-menon"], monitored_by=[],
         indicates=["O1-DETER"],
         description="Reported quarterly from the sepsis audit (AUD-SEPSIS); no ward or "
                     "board tracks it day to day.",
         series=S(71.0, 4.0, 1)),
    dict(id="M-NEWS2", label="NEWS2 escalations reviewed by a clinician within 1 hour",
         measure_type="process", direction="increase", unit_of_measure="%", target=95,
         quality_domains=["safe"], owned_by=["T-AMU"], monitored_by=["T-W9"],
         huddle=[("T-AMU", "twice-daily AMU board round")], indicates=["O1-DETER"],
         measures=["PR-DETERIORATION"], series=S(84.0, 3.0, 1)),
    dict(id="M-CDIFF", label="Healthcare-associated C. difficile cases",
         measure_type="outcome", direction="decrease", unit_of_measure="cases per month",
         target=3, quality_domains=["safe"], owned_by=["T-IPC"], monitored_by=["T-IPC"],
         indicates=["O1-IPC"], measures=["PR-IPC"], series=S(4.5, 0, 0, count=True)),
    dict(id="M-HANDHYG", label="Hand hygiene compliance", measure_type="process",
         direction="increase", unit_of_measure="%", target=95, quality_domains=["safe"],
         owned_by=["T-IPC"], monitored_by=["T-W7", "T-IPC"], measures=["PR-IPC"],
         series=S(92.0, 1.6, 1)),
    dict(id="M-MEDERR", label="Medication incidents causing harm per 1,000 bed days",
         measure_type="outcome", direction="decrease", unit_of_measure="per 1,000 bed days",
         target=0.4, quality_domains=["safe"], owned_by=["T-PHARM"], monitored_by=["T-PHARM"],
         indicates=["O1-MEDS"], series=S(0.55, 0.1, 2)),
    dict(id="M-MEDREC", label="Medicines reconciliation within 24 hours of admission",
         measure_type="process", direction="increase", unit_of_measure="%", target=80,
         quality_domains=["safe"], owned_by=["T-PHARM"], monitored_by=["T-PHARM", "T-AMU"],
         measures=["PR-MEDS"], series=S(68.0, 3.5, 1)),
    dict(id="M-VTE", label="Adult inpatients risk-assessed for VTE on admission",
         measure_type="process", direction="increase", unit_of_measure="%", target=95,
         quality_domains=["safe"], owned_by=[], monitored_by=["T-AMU"],
         indicates=["O1-MEDS"],
         description="Reported by the informatics team since the e-prompt went live; nobody "
                     "has been named as its owner.",
         series=S(91.0, 1.8, 1)),
    dict(id="M-COMPLAINTS", label="Formal complaints received", measure_type="outcome",
         direction="decrease", unit_of_measure="complaints per month",
         quality_domains=["person-centred"], owned_by=["T-PET"], monitored_by=["T-PET"],
         indicates=["O1-EXP"], series=S(52.0, 0, 0, count=True)),
    dict(id="M-COMPL-30D", label="Complaints answered within 30 working days",
         measure_type="process", direction="increase", unit_of_measure="%", target=75,
         quality_domains=["person-centred", "timely"], owned_by=["T-PET"],
         monitored_by=["T-PET"], measures=["PR-FEEDBACK"], series=S(64.0, 4.0, 1)),
    dict(id="M-FFT", label="Friends and Family Test: inpatients rating care good or very good",
         measure_type="outcome", direction="increase", unit_of_measure="%", target=95,
         quality_domains=["person-centred"], owned_by=["T-PET"], monitored_by=["DIR-NQ"],
         indicates=["O1-EXP"], series=S(93.0, 1.1, 1)),
    dict(id="M-RN-FILL", label="Registered nurse day-shift fill rate",
         measure_type="structure", direction="increase", unit_of_measure="%", target=95,
         quality_domains=["safe"], owned_by=["p-marsh"], monitored_by=["DIR-NQ"],
         indicates=["G1"], series=S(93.5, 1.5, 1)),
    dict(id="M-STROKE-4H", label="Stroke patients admitted to the stroke unit within 4 hours",
         measure_type="process", direction="increase", unit_of_measure="%", target=75,
         quality_domains=["effective", "timely"], owned_by=["T-STROKE"],
         monitored_by=["T-STROKE"], measures=["PR-STROKE"], series=S(58.0, 5.5, 1)),
    dict(id="M-TOBACCO", label="Inpatients who smoke referred for tobacco dependence "
                               "treatment",
         measure_type="process", direction="increase", unit_of_measure="%", target=80,
         quality_domains=["effective"], owned_by=["T-HI"], monitored_by=["T-HI", "DIR-PH"],
         measures=["PR-TOBACCO"], series=S(52.0, 4.5, 1)),
    dict(id="M-MH-72H", label="Patients followed up within 72 hours of discharge from mental "
                              "health inpatient care",
         measure_type="process", direction="increase", unit_of_measure="%", target=90,
         quality_domains=["safe", "effective"], owned_by=["T-CMHT"], monitored_by=["T-CMHT"],
         measures=["PR-CMHT"], series=S(74.0, 4.5, 1)),
    dict(id="M-CRISIS-4H", label="Urgent crisis referrals assessed within 4 hours",
         measure_type="process", direction="increase", unit_of_measure="%", target=85,
         quality_domains=["timely", "safe"], owned_by=["T-CRISIS"], monitored_by=["T-CRISIS"],
         measures=["PR-CRISIS"], series=S(69.0, 4.5, 1)),
    dict(id="M-DN-VISITS", label="District nursing visits delivered as planned",
         measure_type="process", direction="increase", unit_of_measure="%", target=95,
         quality_domains=["effective"], owned_by=["T-DN"], monitored_by=["T-DN"],
         measures=["PR-DN-VISITS"], series=S(88.0, 2.2, 1)),
    dict(id="M-DN-CASELOAD", label="District nursing caseload per whole-time equivalent nurse",
         measure_type="structure", direction="neutral", unit_of_measure="patients per WTE",
         quality_domains=["efficient"], owned_by=["T-DN"], monitored_by=["DIR-COMM"],
         measures=["PR-DN-VISITS"], series=S(42.0, 2.2, 1)),
    dict(id="M-FRAILTY-CGA", label="Frail older people with a comprehensive geriatric "
                                   "assessment within 72 hours",
         measure_type="process", direction="increase", unit_of_measure="%", target=80,
         quality_domains=["effective"], owned_by=["T-FRAILTY"], monitored_by=["T-FRAILTY"],
         measures=["PR-FRAILTY"], series=S(61.0, 4.5, 1)),
    # ---------------------------------------------------------------- G2 timely access
    dict(id="M-ED4H", label="Patients seen within 4 hours in the Emergency Department",
         measure_type="outcome", direction="increase", unit_of_measure="%", target=80,
         quality_domains=["timely"], owned_by=["T-ED"], monitored_by=["DIR-MED"],
         huddle=[("T-ED", "two-hourly Emergency Department board round")],
         indicates=["O2-UEC"], measures=["SVC-ED"],
         series=S(73.4, 1.9, 1, pattern="concern-shift", n_post=9, delta=-4.6,
                  sd_post=1.2)),
    dict(id="M-ED12H", label="Patients spending more than 12 hours in the Emergency "
                             "Department",
         measure_type="outcome", direction="decrease", unit_of_measure="patients per month",
         target=200, quality_domains=["timely", "safe"], owned_by=["T-ED"],
         monitored_by=["T-ED"], indicates=["O2-UEC"], series=S(430.0, 32.0, 0)),
    dict(id="M-HANDOVER", label="Ambulance handovers taking longer than 60 minutes",
         measure_type="process", direction="decrease", unit_of_measure="handovers per month",
         target=30, quality_domains=["timely", "safe"], owned_by=["T-ED"],
         monitored_by=["T-ED"], measures=["PR-AMB-HANDOVER"],
         series=S(112.0, 11.0, 0, pattern="concern-outlier", index=28, delta=78)),
    dict(id="M-ED-TRIAGE", label="Median time from arrival to initial assessment in the "
                                 "Emergency Department",
         measure_type="process", direction="decrease", unit_of_measure="minutes", target=15,
         quality_domains=["timely"], owned_by=["T-ED"], monitored_by=["T-ED"],
         measures=["PR-ED-TRIAGE"], series=S(24.0, 1.8, 0)),
    dict(id="M-CANCER62", label="Patients starting cancer treatment within 62 days of an "
                                "urgent referral",
         measure_type="outcome", direction="increase", unit_of_measure="%", target=75,
         quality_domains=["timely", "effective"], owned_by=["T-CANCER"],
         monitored_by=["T-CANCER", "DIR-SURG"], indicates=["O2-CANCER"],
         series=S(69.5, 2.0, 1, pattern="concern-trend", step=-1.05, sd_trend=0.25)),
    dict(id="M-FDS", label="Cancer Faster Diagnosis Standard: diagnosis within 28 days",
         measure_type="process", direction="increase", unit_of_measure="%", target=80,
         quality_domains=["timely"], owned_by=["T-CANCER"], monitored_by=["T-CANCER"],
         indicates=["O2-CANCER"], measures=["PR-CANCER-PATH"], series=S(76.0, 2.2, 1)),
    dict(id="M-RTT18", label="Referral to treatment: patients waiting under 18 weeks",
         measure_type="outcome", direction="increase", unit_of_measure="%", target=65,
         quality_domains=["timely"], owned_by=["p-mensah"], monitored_by=["DIR-SURG"],
         indicates=["O2-PLANNED"], series=S(57.5, 1.2, 1)),
    dict(id="M-DIAG6W", label="Patients waiting more than 6 weeks for a diagnostic test",
         measure_type="process", direction="decrease", unit_of_measure="%", target=5,
         quality_domains=["timely"], owned_by=["T-RAD"], monitored_by=["T-RAD"],
         measures=["PR-DIAG"], series=S(21.0, 2.0, 1)),
    dict(id="M-THEATRE-UTIL", label="Theatre touch-time utilisation", measure_type="process",
         direction="increase", unit_of_measure="%", target=85,
         quality_domains=["efficient"], owned_by=["T-THEATRES"], monitored_by=["T-THEATRES"],
         measures=["PR-THEATRE-SCHED"], series=S(77.0, 2.3, 1)),
    dict(id="M-CANCELLED-OPS", label="Operations cancelled on the day for non-clinical reasons",
         measure_type="balancing", direction="decrease", unit_of_measure="operations per month",
         quality_domains=["efficient", "person-centred"], owned_by=["T-THEATRES"],
         monitored_by=["T-THEATRES"], measures=["PR-THEATRE-SCHED"],
         series=S(28.0, 0, 0, count=True)),
    dict(id="M-DAYCASE", label="Elective procedures done as day cases",
         measure_type="outcome", direction="increase", unit_of_measure="%", target=85,
         quality_domains=["efficient"], owned_by=["T-DSU"], monitored_by=["T-DSU"],
         indicates=["O2-PLANNED"], series=S(81.0, 1.6, 1)),
    dict(id="M-NCTR", label="Inpatients with no criteria to reside (daily average)",
         measure_type="process", direction="decrease", unit_of_measure="patients", target=50,
         quality_domains=["timely", "efficient"], owned_by=["T-FLOW"], monitored_by=[],
         huddle=[("T-FLOW", "10:00 system flow huddle")], indicates=["O2-FLOW"],
         measures=["PR-DISCHARGE"], series=S(86.0, 6.5, 0)),
    dict(id="M-DISCH-NOON", label="Discharges before noon", measure_type="process",
         direction="increase", unit_of_measure="%", target=33,
         quality_domains=["timely", "efficient"], owned_by=["T-FLOW"],
         monitored_by=["T-FLOW", "T-W7"], measures=["PR-DISCHARGE"], series=S(17.0, 1.8, 1)),
    dict(id="M-LOS", label="Average length of stay for emergency admissions",
         measure_type="outcome", direction="decrease", unit_of_measure="days", target=6.5,
         quality_domains=["efficient"], owned_by=["DIR-MED"], monitored_by=["DIR-MED"],
         indicates=["O2-FLOW"], series=S(7.3, 0.3, 2)),
    dict(id="M-READMIT", label="Emergency readmissions within 30 days of discharge",
         measure_type="balancing", direction="decrease", unit_of_measure="%", target=11,
         quality_domains=["effective", "safe"], owned_by=["T-FLOW"],
         monitored_by=["T-FLOW", "T-FRAILTY"], indicates=["O2-FLOW"],
         series=S(12.4, 0.55, 1)),
    # ---------------------------------------------------------------- G3 great place to work
    dict(id="M-SICKNESS", label="Staff sickness absence rate", measure_type="outcome",
         direction="decrease", unit_of_measure="% of contracted hours", target=4.5,
         owned_by=["p-kerr"], monitored_by=["DIR-WF"],
         huddle=[("T-OH", "weekly wellbeing huddle")], indicates=["O3-ATTEND"],
         series=S(5.8, 0.2, 2, pattern="improve-trend", step=-0.075, sd_trend=0.035)),
    dict(id="M-TURNOVER", label="Staff turnover (annualised, from monthly leavers)",
         measure_type="outcome", direction="decrease", unit_of_measure="%", target=10,
         owned_by=["DIR-WF"], monitored_by=["DIR-WF", "T-LEARN"], indicates=["O3-RETAIN"],
         series=S(13.1, 0.55, 1, pattern="improve-shift", n_post=12, delta=-0.95,
                  sd_post=0.22)),
    dict(id="M-RECOMMEND", label="Staff who would recommend Northvale as a place to work "
                                 "(monthly pulse survey)",
         measure_type="outcome", direction="increase", unit_of_measure="%", target=65,
         owned_by=["DIR-WF"], monitored_by=["DIR-WF"], indicates=["O3-RETAIN"],
         series=S(57.0, 1.8, 1)),
    dict(id="M-VACANCY", label="Registered nurse vacancy rate", measure_type="structure",
         direction="decrease", unit_of_measure="%", target=5, owned_by=["T-RECRUIT"],
         monitored_by=["T-RECRUIT"], indicates=["O3-RESOURCE"], series=S(8.9, 0.45, 1)),
    dict(id="M-AGENCY", label="Agency spend as a share of the pay bill",
         measure_type="process", direction="decrease", unit_of_measure="%", target=3.2,
         quality_domains=["efficient"], owned_by=["T-BUREAU"], monitored_by=["T-BUREAU"],
         indicates=["O3-RESOURCE"], measures=["PR-ROSTER"], series=S(4.6, 0.28, 2)),
    dict(id="M-UNFILLED", label="Rostered shifts left unfilled", measure_type="balancing",
         direction="decrease", unit_of_measure="%", quality_domains=["safe"],
         owned_by=["T-BUREAU"], monitored_by=["T-BUREAU"], measures=["PR-ROSTER"],
         series=S(6.2, 0.6, 1)),
    dict(id="M-TTH", label="Time to hire, from advert to start date", measure_type="process",
         direction="decrease", unit_of_measure="days", target=45, quality_domains=["efficient"],
         owned_by=["T-RECRUIT"], monitored_by=["T-RECRUIT"], measures=["PR-RECRUIT"],
         series=S(61.0, 3.6, 0)),
    dict(id="M-MANDTRAIN", label="Mandatory training compliance", measure_type="process",
         direction="increase", unit_of_measure="%", target=90, owned_by=["T-LEARN"],
         monitored_by=["T-LEARN"], indicates=["O3-DEVELOP"], measures=["PR-TRAINING"],
         series=S(86.0, 1.0, 1, pattern="improve-outlier", index=11, delta=6.2)),
    dict(id="M-APPRAISAL", label="Staff with an appraisal in the last 12 months",
         measure_type="process", direction="increase", unit_of_measure="%", target=85,
         owned_by=["T-LEARN"], monitored_by=["T-LEARN"], indicates=["O3-DEVELOP"],
         description="Reporting stopped after March 2025 when the workforce system moved to "
                     "a new supplier (see RISK-WF-DATA).",
         series=S(74.0, 2.4, 1, stop=24)),
    dict(id="M-OH-10D", label="Occupational health referrals seen within 10 working days",
         measure_type="process", direction="increase", unit_of_measure="%", target=85,
         owned_by=["T-OH"], monitored_by=["T-OH"], measures=["PR-OH"],
         series=S(80.0, 3.5, 1)),
    # ---------------------------------------------------------------- G5 (retired)
    dict(id="M-ELECTIVE-ACT", label="Elective activity as a share of the 2019/20 baseline",
         measure_type="outcome", direction="increase", unit_of_measure="% of 2019/20",
         target=104, quality_domains=["timely"], owned_by=["p-mensah"],
         monitored_by=["DIR-SURG"], indicates=["O5-ACTIVITY"], series=S(102.0, 2.3, 1)),
    # ---------------------------------------------------------------- linked to nothing
    dict(id="M-OPD-LETTERS", label="Outpatient clinic letters sent within 7 days",
         measure_type="process", direction="increase", unit_of_measure="%", target=90,
         owned_by=["T-OPD"], monitored_by=["T-OPD"], series=S(63.0, 3.8, 1)),
]

# =============================================================================================
# Improvement projects
# =============================================================================================

# The declared priority is written in the ``alignsTo`` column (the edge kind, project -> goal).
PROJECT_COLUMNS = ["id", "label", "status", "tier", "method", "aim", "start_date", "end_date",
                   "led_by", "sponsored_by", "improves", "subProjectOf", "alignsTo"]

MFI = "Model for Improvement"
LEAN = "Lean"
EBCD = "Experience-based co-design"
DMAIC = "Lean Six Sigma (DMAIC)"

# id, label, status, tier, method, aim, start, end, led_by, sponsor, improves, parent, declared
PROJECTS: list[tuple[str, str, str, str, str, str, str, str, str, str, list[str], str, str]] = [
    # ----- programmes (system and directorate tier)
    ("QI-001", "Safer Care Northvale", "active", "system", MFI,
     "Reduce falls causing moderate or severe harm from 3 to 2 a month, and bring HSMR from "
     "102 to below 100, by 31 March 2027", "2024-04-01", "2027-03-31", "DIR-NQ", "p-marsh",
     ["M-FALLS-HARM", "M-HSMR"], "", "G1"),
    ("QI-002", "Urgent and Emergency Care Recovery", "active", "system", LEAN,
     "Reduce patients spending more than 12 hours in the Emergency Department from 430 to 200 "
     "a month by 30 September 2026", "2024-06-03", "2026-09-30", "DIR-MED", "p-llewellyn",
     ["M-ED12H"], "", "G2"),
    ("QI-003", "Cancer Pathway Transformation", "active", "directorate", LEAN,
     "Increase patients starting cancer treatment within 62 days from 69% to 75% by 31 March "
     "2026", "2024-09-02", "2026-03-31", "DIR-SURG", "p-mensah", ["M-CANCER62"], "", "G2"),
    ("QI-004", "Great Place to Work", "active", "system", MFI,
     "Increase staff who would recommend Northvale as a place to work from 57% to 65% by 31 "
     "March 2027", "2024-04-01", "2027-03-31", "DIR-WF", "p-kerr", ["M-RECOMMEND"], "", "G3"),
    ("QI-005", "Planned Care Productivity", "active", "directorate", LEAN,
     "Increase patients waiting under 18 weeks from 57% to 65% by 31 March 2026",
     "2024-10-01", "2026-03-31", "DIR-SURG", "p-mensah", ["M-RTT18"], "", "G2"),
    ("QI-006", "Fair Health Northvale", "active", "directorate", MFI,
     "Increase service changes with a completed equity impact assessment from 20% to 90% by "
     "31 March 2026", "2025-01-06", "2027-03-31", "DIR-PH", "p-nowak", ["PR-EQUITY-AUDIT"],
     "", "G4"),
    # ----- Safer Care Northvale
    ("QI-007", "Ward 7 falls collaborative", "active", "project", MFI,
     "Reduce inpatient falls on Ward 7 from 8.4 to 6.0 per 1,000 occupied bed days by 31 "
     "March 2026", "2024-04-08", "2026-03-31", "T-W7", "p-grant",
     ["M-FALLS", "M-FALLS-RA"], "QI-001", "G1"),
    ("QI-008", "SSKIN every shift on Ward 9", "active", "project", MFI,
     "Increase SSKIN bundle compliance on Ward 9 from 84% to 95% by 19 December 2025",
     "2024-11-04", "2025-12-19", "T-W9", "p-grant", ["M-SSKIN"], "QI-001", "G1"),
    ("QI-009", "React to Red: pressure ulcer prevention", "active", "project", EBCD,
     "Reduce hospital-acquired category 2+ pressure ulcers from 1.25 to 0.8 per 1,000 bed "
     "days by 31 March 2026", "2024-07-01", "2026-03-31", "T-TV", "p-marsh", ["M-PU"],
     "QI-001", "G1"),
    ("QI-010", "NEWS2 reliability on the Acute Medical Unit", "active", "project", MFI,
     "Increase NEWS2 escalations reviewed within 1 hour on AMU from 84% to 95% by 31 December "
     "2025", "2025-01-13", "2025-12-31", "T-AMU", "p-menon", ["M-NEWS2"], "QI-001", "G1"),
    ("QI-011", "Hand hygiene: bare below the elbows", "completed", "project", MFI,
     "Increase hand hygiene compliance from 88% to 95% by 31 March 2024", "2023-05-01",
     "2024-03-29", "T-IPC", "p-marsh", ["M-HANDHYG"], "QI-001", "G1"),
    ("QI-012", "Antimicrobial stewardship to reduce C. difficile", "active", "project", MFI,
     "Reduce healthcare-associated C. difficile cases from 4.5 to 3 a month by 31 March 2026",
     "2024-10-07", "2026-03-31", "T-PHARM", "p-menon", ["M-CDIFF"], "QI-001", "G1"),
    ("QI-013", "Medicines reconciliation by pharmacy technicians", "active", "project", LEAN,
     "Increase medicines reconciliation within 24 hours of admission from 68% to 80% by 30 "
     "January 2026", "2025-02-03", "2026-01-30", "T-PHARM", "p-menon", ["M-MEDREC"],
     "QI-001", "G1"),
    ("QI-014", "Patient Safety Incident Response Framework roll-out", "active", "project", MFI,
     "Increase patient safety incidents with a learning response within 30 days from 40% to "
     "80% by 31 December 2025", "2024-04-01", "2025-12-31", "T-PST", "p-marsh",
     ["PR-INCIDENT"], "QI-001", "G1"),
    # ----- Urgent and Emergency Care Recovery
    ("QI-015", "Every Hour Matters", "active", "project", MFI,
     "Increase patients seen within 4 hours in the Emergency Department from 72% to 80% by "
     "31 March 2026", "2024-09-02", "2026-03-31", "T-ED", "p-llewellyn", ["M-ED4H"], "QI-002",
     "G2"),
    ("QI-016", "Rapid assessment and triage at the front door", "active", "project", LEAN,
     "Reduce median time from arrival to initial assessment from 24 to 15 minutes by 28 "
     "November 2025", "2024-11-04", "2025-11-28", "T-ED", "p-grant", ["M-ED-TRIAGE"], "QI-002",
     "G2"),
    ("QI-017", "Ambulance handover cohorting", "active", "project", LEAN,
     "Reduce ambulance handovers taking longer than 60 minutes from 115 to 30 a month by 31 "
     "March 2026", "2025-03-03", "2026-03-31", "T-ED", "p-llewellyn", ["M-HANDOVER"],
     "QI-002", "G2"),
    ("QI-018", "SAFER bundle: discharge before noon", "active", "project", MFI,
     "Increase discharges before noon from 17% to 33% by 31 December 2025", "2024-06-03",
     "2025-12-31", "T-FLOW", "p-grant", ["M-DISCH-NOON"], "QI-002", "G2"),
    ("QI-019", "Criteria-led discharge", "active", "project", MFI,
     "Reduce inpatients with no criteria to reside from 86 to 50 a day by 31 March 2026",
     "2025-01-06", "2026-03-31", "T-FLOW", "p-grant", ["M-NCTR"], "QI-002", "G2"),
    ("QI-020", "Same Day Emergency Care expansion", "active", "project", LEAN,
     "Reduce average length of stay for emergency admissions from 7.3 to 6.5 days by 31 March "
     "2026", "2024-10-01", "2026-03-31", "T-AMU", "p-grant", ["M-LOS"], "QI-002", "G2"),
    ("QI-021", "Frailty virtual ward", "active", "project", MFI,
     "Reduce emergency readmissions within 30 days from 12.4% to 11% by 31 March 2026",
     "2024-12-02", "2026-03-31", "T-FRAILTY", "p-pryce", ["M-READMIT"], "QI-002", "G2"),
    # ----- Cancer Pathway Transformation
    ("QI-022", "Straight-to-test for suspected colorectal cancer", "active", "project", LEAN,
     "Increase patients told their diagnosis within 28 days from 76% to 80% by 31 December "
     "2025", "2024-10-07", "2025-12-31", "T-CANCER", "p-mensah", ["M-FDS"], "QI-003", "G2"),
    ("QI-023", "Radiology reporting turnaround", "active", "project", DMAIC,
     "Reduce patients waiting more than 6 weeks for a diagnostic test from 21% to 5% by 31 "
     "March 2026", "2025-01-06", "2026-03-31", "T-RAD", "p-mensah", ["M-DIAG6W"], "QI-003",
     "G2"),
    ("QI-024", "Prehabilitation before cancer surgery", "proposed", "project", EBCD,
     "Increase patients offered prehabilitation within 7 days of diagnosis from 10% to 60% by "
     "30 October 2026", "2025-11-03", "2026-10-30", "T-CANCER", "p-shah", ["PR-CANCER-PATH"],
     "QI-003", "G2"),
    # ----- Great Place to Work
    ("QI-025", "Attendance Matters", "active", "project", MFI,
     "Reduce staff sickness absence from 5.8% to 4.5% by 31 March 2026", "2024-06-03",
     "2026-03-31", "T-OH", "p-kerr", ["M-SICKNESS"], "QI-004", "G3"),
    ("QI-026", "Stay conversations", "active", "project", MFI,
     "Reduce staff turnover from 13.1% to 10% by 31 March 2026", "2024-05-01", "2026-03-31",
     "T-LEARN", "p-kerr", ["M-TURNOVER"], "QI-004", "G3"),
    ("QI-027", "Faster recruitment", "active", "project", LEAN,
     "Reduce time to hire from 61 to 45 days by 19 December 2025", "2024-09-02", "2025-12-19",
     "T-RECRUIT", "p-kerr", ["M-TTH", "M-VACANCY"], "QI-004", "G3"),
    ("QI-028", "Bank first", "active", "project", LEAN,
     "Reduce agency spend from 4.6% to 3.2% of the pay bill by 31 March 2026", "2025-01-06",
     "2026-03-31", "T-BUREAU", "p-kerr", ["M-AGENCY", "M-UNFILLED"], "QI-004", "G3"),
    ("QI-029", "Occupational health self-referral", "completed", "project", LEAN,
     "Increase occupational health referrals seen within 10 working days from 70% to 85% by "
     "30 June 2024", "2023-06-05", "2024-06-28", "T-OH", "p-kerr", ["M-OH-10D"], "QI-004",
     "G3"),
    ("QI-030", "Mandatory training redesign", "completed", "project", LEAN,
     "Increase mandatory training compliance from 84% to 90% by 31 March 2024", "2023-09-04",
     "2024-03-29", "T-LEARN", "p-kerr", ["M-MANDTRAIN"], "QI-004", "G3"),
    # ----- Planned Care Productivity
    ("QI-031", "Theatre scheduling: 6-4-2", "active", "project", LEAN,
     "Increase theatre touch-time utilisation from 77% to 85% by 31 March 2026", "2024-10-07",
     "2026-03-31", "T-THEATRES", "p-mensah", ["M-THEATRE-UTIL", "M-CANCELLED-OPS"], "QI-005",
     "G2"),
    ("QI-032", "Day case by default", "active", "project", LEAN,
     "Increase elective procedures done as day cases from 81% to 85% by 30 January 2026",
     "2025-02-03", "2026-01-30", "T-DSU", "p-mensah", ["M-DAYCASE"], "QI-005", "G2"),
    ("QI-033", "Waiting list validation sprint", "completed", "project", LEAN,
     "Increase patients waiting under 18 weeks from 55% to 58% by 22 December 2023",
     "2023-07-03", "2023-12-22", "DIR-SURG", "p-mensah", ["M-RTT18"], "", "G2"),
    # ----- Fair Health Northvale
    ("QI-034", "Health checks where people are", "active", "project", EBCD,
     "Increase NHS Health Check uptake in the most deprived quintile from 38% to 60% by 31 "
     "March 2026", "2025-01-06", "2026-03-31", "T-HI", "p-nowak", ["PR-OUTREACH"], "QI-006",
     "G4"),
    ("QI-035", "Interpreting on demand", "active", "project", LEAN,
     "Reduce appointments without a booked interpreter when one is needed from 22% to 5% by "
     "31 March 2026", "2025-04-07", "2026-03-31", "T-PET", "p-hughes", ["PR-INTERPRET"],
     "QI-006", "G4"),
    ("QI-036", "Neighbourhood needs profiles", "completed", "project", MFI,
     "Increase neighbourhoods with an up-to-date needs profile from 0 to 12 by 27 September "
     "2024", "2024-01-08", "2024-09-27", "T-PHI", "p-nowak", ["PR-HNA"], "", "G4"),
    # ----- other projects
    ("QI-037", "Direct admission to the stroke unit", "active", "project", MFI,
     "Increase stroke patients admitted to the stroke unit within 4 hours from 58% to 75% by "
     "31 March 2026", "2024-10-01", "2026-03-31", "T-STROKE", "p-menon", ["M-STROKE-4H"], "",
     "G1"),
    ("QI-038", "Insulin safety", "completed", "project", MFI,
     "Reduce medication incidents causing harm from 0.7 to 0.5 per 1,000 bed days by 31 March "
     "2024", "2023-05-02", "2024-03-28", "T-PHARM", "p-menon", ["M-MEDERR"], "", "G1"),
    ("QI-039", "VTE risk assessment e-prompt", "completed", "project", MFI,
     "Increase adult inpatients risk-assessed for VTE on admission from 88% to 95% by 30 June "
     "2024", "2023-10-02", "2024-06-28", "T-AMU", "p-menon", ["M-VTE"], "", "G1"),
    ("QI-040", "Complaints: early resolution", "active", "project", LEAN,
     "Increase complaints answered within 30 working days from 64% to 75% by 31 December 2025",
     "2024-07-01", "2025-12-31", "T-PET", "p-hughes", ["M-COMPL-30D", "M-COMPLAINTS"], "",
     "G1"),
    ("QI-041", "Always Events on Ward 9", "paused", "project", EBCD,
     "Increase inpatients rating care good or very good on Ward 9 from 92% to 97% by 31 March "
     "2026", "2024-09-02", "2026-03-31", "T-W9", "p-hughes", ["M-FFT"], "", "G1"),
    ("QI-042", "Crisis single point of access", "active", "project", MFI,
     "Increase urgent crisis referrals assessed within 4 hours from 69% to 85% by 31 March "
     "2026", "2024-11-04", "2026-03-31", "T-CRISIS", "p-pryce", ["M-CRISIS-4H"], "", "G1"),
    ("QI-043", "Follow-up within 72 hours of discharge", "active", "project", MFI,
     "Increase patients followed up within 72 hours of discharge from 74% to 90% by 30 "
     "January 2026", "2025-02-03", "2026-01-30", "T-CMHT", "p-pryce", ["M-MH-72H"], "", "G1"),
    ("QI-044", "District nursing visit scheduling", "paused", "project", LEAN,
     "Increase district nursing visits delivered as planned from 88% to 95% by 31 March 2026",
     "2024-09-02", "2026-03-31", "T-DN", "p-pryce", ["M-DN-VISITS"], "", "G1"),
    ("QI-045", "Frailty at the front door", "active", "project", MFI,
     "Increase frail older people with a comprehensive geriatric assessment within 72 hours "
     "from 61% to 80% by 31 March 2026", "2024-07-01", "2026-03-31", "T-FRAILTY", "p-pryce",
     ["M-FRAILTY-CGA"], "", "G1"),
    ("QI-046", "Tobacco dependence treatment for inpatients", "active", "project", MFI,
     "Increase inpatients who smoke referred for treatment from 52% to 80% by 31 March 2026",
     "2024-10-01", "2026-03-31", "T-HI", "p-nowak", ["M-TOBACCO"], "", "G1"),
    ("QI-047", "Hospital at home", "proposed", "directorate", MFI,
     "Increase patients discharged to hospital at home from 0 to 40 a month by 31 March 2027",
     "2026-01-05", "2027-03-31", "DIR-COMM", "p-pryce", ["PR-DISCHARGE"], "", "G2"),
    ("QI-048", "Electronic observations on medical wards", "proposed", "project", LEAN,
     "Increase observation sets recorded electronically from 0% to 95% by 30 September 2026",
     "2025-12-01", "2026-09-30", "T-W9", "p-menon", ["PR-DETERIORATION"], "", "G1"),
    ("QI-049", "Weekend radiology insourcing", "stopped", "project", LEAN,
     "Reduce patients waiting more than 6 weeks for a diagnostic test from 24% to 10% by 31 "
     "December 2024", "2024-02-05", "2024-08-30", "T-RAD", "p-mensah", ["M-DIAG6W"], "",
     "G2"),
    ("QI-050", "Frequent attenders case management", "stopped", "project", MFI,
     "Reduce Emergency Department attendances by the 50 most frequent attenders from 120 to "
     "60 a month by 31 March 2025", "2024-03-04", "2024-10-31", "T-ED", "p-achebe",
     ["PR-ED-TRIAGE"], "", "G2"),
    ("QI-051", "Discharge lounge first", "stopped", "project", LEAN,
     "Increase discharges before noon from 15% to 30% by 31 March 2024", "2023-09-04",
     "2024-02-29", "T-FLOW", "p-grant", ["M-DISCH-NOON"], "", "G2"),
    ("QI-052", "Preceptorship for newly qualified nurses", "completed", "project", MFI,
     "Reduce staff turnover from 14% to 12% by 31 March 2024", "2023-04-03", "2024-03-28",
     "T-LEARN", "p-marsh", ["M-TURNOVER"], "", "G3"),
    ("QI-053", "International nurse recruitment", "completed", "project", LEAN,
     "Reduce the registered nurse vacancy rate from 11% to 8% by 30 September 2024",
     "2023-04-03", "2024-09-30", "T-RECRUIT", "p-marsh", ["M-VACANCY"], "", "G3"),
    ("QI-054", "Mental health first aiders in every team", "proposed", "project", MFI,
     "Increase teams with a trained mental health first aider from 30% to 80% by 30 June 2026",
     "2025-11-03", "2026-06-30", "T-OH", "p-kerr", ["PR-OH"], "", "G3"),
    ("QI-055", "Theatre lists starting on time", "completed", "project", LEAN,
     "Increase theatre lists starting on time from 45% to 80% by 31 January 2024",
     "2023-06-05", "2024-01-31", "T-THEATRES", "p-mensah", ["PR-THEATRE-SCHED"], "", "G2"),
    ("QI-056", "Heel offloading in orthopaedics", "completed", "project", MFI,
     "Reduce hospital-acquired category 2+ pressure ulcers from 1.4 to 1.1 per 1,000 bed days "
     "by 31 March 2024", "2023-07-03", "2024-03-29", "T-TV", "p-marsh", ["M-PU"], "", "G1"),
    ("QI-057", "Learning from deaths: structured judgement reviews", "active", "project", MFI,
     "Increase deaths with a structured judgement review within 8 weeks from 35% to 90% by "
     "31 December 2025", "2024-04-01", "2025-12-31", "T-AUDIT", "p-menon", ["PR-MORTALITY"],
     "", "G1"),
    ("QI-058", "Falls risk assessment within 24 hours", "completed", "project", MFI,
     "Increase falls risk assessments within 24 hours on Ward 7 from 70% to 90% by 29 "
     "February 2024", "2023-05-02", "2024-02-29", "T-W7", "p-grant", ["M-FALLS-RA"], "", "G1"),
    ("QI-059", "Cancer tracking dashboard", "paused", "project", LEAN,
     "Reduce patients on a cancer pathway without a booked next step from 15% to 2% by 31 "
     "March 2026", "2025-03-03", "2026-03-31", "T-CANCER", "p-mensah", ["PR-CANCER-PATH"], "",
     "G2"),
    ("QI-060", "Staff wellbeing app", "stopped", "project", MFI,
     "Increase staff using wellbeing support from 8% to 25% by 31 July 2024", "2024-01-08",
     "2024-07-31", "T-OH", "p-kerr", ["PR-OH"], "", "G3"),
    # ----- planted problems (see README.md)
    ("QI-061", "Enhanced supervision for orthopaedic patients at risk of falls", "active",
     "project", MFI,
     "Reduce inpatient falls on Ward 12 from 7.5 to 5.0 per 1,000 occupied bed days by 30 "
     "January 2026", "2025-01-13", "2026-01-30", "T-W12", "p-mensah", ["M-FALLS"], "", "G1"),
    ("QI-062", "Digital dictation for outpatient letters", "active", "project", LEAN,
     "Increase clinic letters sent within 7 days from 63% to 90% by 19 December 2025",
     "2025-02-03", "2025-12-19", "T-OPD", "p-mensah", ["M-OPD-LETTERS"], "", ""),
    ("QI-063", "Green theatres: cutting anaesthetic gas emissions", "active", "project", MFI,
     "Reduce desflurane from 12% to 0% of volatile anaesthetic used in main theatres by 31 "
     "March 2026", "2025-04-07", "2026-03-31", "T-THEATRES", "p-mensah", [], "", ""),
    ("QI-064", "Quiet at night on Ward 9", "active", "project", EBCD,
     "Reduce patients on Ward 9 disturbed by noise at night from 40% to 20% by 27 February "
     "2026", "2025-05-06", "2026-02-27", "T-W9", "p-hughes", [], "", ""),
    ("QI-065", "Super-Saturday day-case lists", "active", "project", LEAN,
     "Increase elective activity from 98% to 104% of the 2019/20 baseline by 20 December 2025",
     "2023-09-02", "2025-12-20", "T-DSU", "p-mensah", ["M-ELECTIVE-ACT"], "", ""),
    ("QI-066", "Weekend insourcing of elective day cases", "active", "project", LEAN,
     "Increase elective activity from 101% to 106% of the 2019/20 baseline by 31 March 2026",
     "2024-02-05", "2026-03-31", "T-DSU", "p-llewellyn", ["M-ELECTIVE-ACT"], "", ""),
    ("QI-067", "Reducing agency nurses in theatres", "active", "project", LEAN,
     "Reduce agency nurse shifts in theatres from 140 to 60 a month by 31 March 2026",
     "2025-03-03", "2026-03-31", "T-THEATRES", "p-mensah", ["PR-ROSTER"], "", "G1"),
    ("QI-068", "Faster cancer diagnosis for deprived communities", "active", "project", MFI,
     "Increase patients from the most deprived quintile told their cancer diagnosis within 28 "
     "days from 70% to 80% by 31 March 2026", "2025-04-07", "2026-03-31", "T-CANCER",
     "p-nowak", ["M-FDS"], "", "G4"),
    ("QI-069", "Volunteer discharge companions", "active", "project", EBCD,
     "Reduce complaints about discharge from 9 to 4 a month by 27 February 2026",
     "2025-03-03", "2026-02-27", "T-PET", "p-hughes", ["M-COMPLAINTS"], "", "G2"),
    # ----- issue 20 (ids QI-O..): a finished project a new proposal repeats in other words
    # (examples/proposal-home-earlier.yaml), and a ward's work for its own priority
    ("QI-O01", "Home before lunch on the medical wards", "completed", "project", MFI,
     "Increase discharges before noon from the medical wards from 14% to 30% with a daily "
     "board round, criteria-led discharge and transport booked the day before",
     "2023-04-03", "2024-03-29", "T-FLOW", "p-llewellyn", ["M-DISCH-NOON"], "", ""),
    ("QI-O02", "Protected mealtimes on Ward 9", "active", "project", MFI,
     "Every patient on Ward 9 who needs help to eat gets it at every meal, with protected "
     "mealtimes and a red tray system, by December 2025", "2025-02-03", "2025-12-19",
     "T-W9", "p-grant", ["PR-O-MEALS"], "", "LP-W9-NUTRITION"),
]

# A team's own priority (LocalPriority, owned by the team) that no Board goal holds: the
# work for it is locally aligned (docs/alignment.md), not orphaned.
LOCAL_PRIORITIES = [
    dict(id="LP-W9-NUTRITION", kind="LocalPriority",
         label="Every Ward 9 patient eats and drinks well",
         description="Set by the Ward 9 team after its 2024 patient survey; not in the Board's "
         "goals.", owned_by=["T-W9"]),
]
LESSONS = [
    dict(id="L-O01", kind="Lesson", date="2024-04-15",
         label="Criteria-led discharge held only on wards where a senior nurse ran the daily "
         "board round; transport booked the day before mattered most",
         informs=["PR-DISCHARGE"]),
]

# =============================================================================================
# Driver diagrams for three flagship projects
# =============================================================================================
# project -> primary drivers -> secondary drivers -> change ideas (improves) -> PDSA cycles

DRIVER_DIAGRAMS: list[dict[str, Any]] = [
    dict(project="QI-007", code="F", primaries=[
        ("Reliable individual falls risk assessment and care plan", [
            ("Multifactorial risk assessment within 24 hours of admission", [
                ("Falls safety cross on the ward huddle board", ["M-FALLS-RA"], [
                    ("Safety cross on the day shift for two weeks", "2024-05-06"),
                    ("Safety cross on all shifts, reviewed at the 08:30 huddle",
                     "2024-06-03"),
                ]),
            ]),
            ("Review of medicines that raise falls risk", [
                ("Pharmacist review of sedatives within 48 hours", ["M-FALLS"], [
                    ("Pharmacist review for ten patients over 75", "2024-09-02"),
                ]),
            ]),
        ]),
        ("Safe environment and supervision", [
            ("Supervision of patients at high risk", [
                ("Baywatch: a staff member always present in the high-risk bay", ["M-FALLS"], [
                    ("Baywatch in bay B on night shifts", "2024-06-17"),
                    ("Baywatch extended to all bays, day and night", "2024-08-05"),
                ]),
            ]),
            ("Footwear, call bells and lighting", [
                ("Non-slip socks and a night-time lighting check", ["M-FALLS"], []),
            ]),
        ]),
    ]),
    dict(project="QI-015", code="ED", primaries=[
        ("Flow into the department", [
            ("Streaming to the right place at the front door", [
                ("Ambulance crews stream directly to Same Day Emergency Care", ["M-ED4H"], [
                    ("Direct streaming for chest pain, one crew base", "2024-11-04"),
                ]),
            ]),
            ("Early senior decision-making", [
                ("Consultant-led rapid assessment and treatment, 10:00-22:00", ["M-ED4H"], [
                    ("Rapid assessment on Mondays for four weeks", "2024-10-07"),
                    ("Rapid assessment every weekday", "2025-01-13"),
                ]),
            ]),
        ]),
        ("Flow out of the department", [
            ("Timely specialty review", [
                ("Specialty review within one hour of referral", ["M-ED4H"], [
                    ("One-hour review standard with the medical take", "2025-04-07"),
                ]),
            ]),
            ("Beds available early in the day", [
                ("Discharge lounge pulls patients by 09:00", ["M-ED4H"], []),
            ]),
        ]),
    ]),
    dict(project="QI-025", code="ATT", primaries=[
        ("Early support when colleagues are unwell", [
            ("Quick access to occupational health", [
                ("Self-referral to fast-track physiotherapy", ["M-SICKNESS"], [
                    ("Self-referral for Main Theatres staff", "2024-07-01"),
                    ("Self-referral open to all staff", "2024-10-07"),
                ]),
            ]),
            ("Supportive return-to-work conversations", [
                ("Wellbeing conversation toolkit for managers", ["M-SICKNESS"], [
                    ("Toolkit tested with five ward managers", "2024-09-02"),
                ]),
            ]),
        ]),
        ("Healthy working environments", [
            ("Rest and recovery during shifts", [
                ("Refurbished rest rooms and protected breaks", ["M-SICKNESS"], [
                    ("Protected breaks on Ward 7 for a month", "2024-11-04"),
                ]),
            ]),
        ]),
    ]),
]

# =============================================================================================
# The QI hub's progress examples (issue 20): projects written in the YAML with a recorded
# progress level (IHI 0.5-5), their driver diagrams and adopted (dated) change ideas
# =============================================================================================

# change idea id -> the date it was adopted as the way of working
ADOPTED: dict[str, str] = {
    "CI-F1.1.1": "2024-07-01",  # QI-007: safety cross on every shift
    "CI-F2.1.1": "2024-09-02",  # QI-007: Baywatch in every bay (falls shift from October)
    "CI-P11.1.1": "2024-08-01",  # QI-P01: stay conversations
}

HUB_PROJECTS: list[dict[str, Any]] = [
    # completed, sustained and spread: progress 5.0 from the evidence, as recorded
    dict(id="QI-P01", kind="ImprovementProject",
         label="Stay conversations for nurses in their first two years", status="completed",
         tier="project", method=MFI,
         aim="Reduce staff turnover from 13.1% to 11.5% by 30 June 2025",
         start_date=D("2024-04-01"), end_date=D("2025-06-30"), progress_recorded=5.0,
         led_by="T-LEARN", sponsored_by="p-kerr", improves=["M-TURNOVER"], alignsTo="G3",
         handsOverTo=["DIR-WF", "T-RECRUIT"]),
    # planted: records 4.0 (significant improvement), the evidence shows 2.5
    dict(id="QI-P02", kind="ImprovementProject",
         label="Sepsis Six within the hour on the medical wards", status="active",
         tier="project", method=MFI,
         aim="Increase patients with red-flag sepsis given IV antibiotics within 1 hour from "
             "71% to 90% by 31 March 2026",
         start_date=D("2025-01-06"), end_date=D("2026-03-31"), progress_recorded=4.0,
         led_by="T-AMU", sponsored_by="p-menon", improves=["M-SEPSIS-ABX"],
         alignsTo="O1-DETER"),
]

HUB_DRIVER_DIAGRAMS: list[dict[str, Any]] = [
    dict(project="QI-P01", code="P1", primaries=[
        ("Feeling valued and supported early in a career", [
            ("Regular conversations about what would make people stay", [
                ("Stay conversations at 3, 6 and 12 months", ["M-TURNOVER"], [
                    ("Stay conversations on two medical wards", "2024-05-13"),
                    ("All medical wards, prompted by the e-roster", "2024-07-01"),
                ]),
            ]),
            ("Flexible rostering for early-career nurses", [
                ("Self-rostering pilot", ["M-TURNOVER"], [
                    ("Self-rostering on Ward 12 for one roster period", "2024-06-10"),
                ]),
            ]),
        ]),
    ]),
    dict(project="QI-P02", code="P2", primaries=[
        ("Recognise sepsis early", [
            ("Screening at triage and on the wards", [
                ("Sepsis screening prompt in the electronic observations",
                 ["M-SEPSIS-ABX"], [
                     ("Screening prompt on the acute medical unit for one week",
                      "2025-02-03"),
                 ]),
            ]),
        ]),
    ]),
]

# =============================================================================================
# SPC (NHS "Making Data Count" XmR rules, as in NHSRplotthedots) for choosing the series
# =============================================================================================

LIMIT = 2.66
LIMIT_CLOSE = 2 * LIMIT / 3
SCREEN = 3.267
RUN = 7
SIGN = {"increase": 1, "decrease": -1, "neutral": 0}


def _sgn(x: float) -> int:
    return (x > 0) - (x < 0)


def xmr(y: Sequence[float], direction: str, screen: bool = True) -> dict[str, Any]:
    """Point types of one series: 'common', 'improvement', 'concern' or 'neutral'."""
    n = len(y)
    mean = sum(y) / n
    mr = [abs(y[i] - y[i - 1]) for i in range(1, n)]
    amr = sum(mr) / len(mr)
    if screen:
        mr = [m for m in mr if m < SCREEN * amr]
        amr = sum(mr) / len(mr)
    upl, lpl = mean + LIMIT * amr, mean - LIMIT * amr
    nupl, nlpl = mean + LIMIT_CLOSE * amr, mean - LIMIT_CLOSE * amr
    rtm = [_sgn(v - mean) for v in y]
    outside = [v > upl or v < lpl for v in y]
    close = [(not o) and (v > nupl or v < nlpl) for v, o in zip(y, outside, strict=True)]

    def part7(flags: list[int]) -> list[bool]:
        return [any(flags[j] for j in range(i, min(i + RUN, n))) for i in range(n)]

    trend = [0] * n
    for i in range(RUN - 1, n):
        d = {_sgn(y[i - k] - y[i - k - 1]) for k in range(RUN - 1)}
        if d == {1} or d == {-1}:
            trend[i] = 1
    run = [int(rtm[i] != 0 and i >= RUN - 1 and all(rtm[i - k] == rtm[i] for k in range(RUN)))
           for i in range(n)]
    c = [0, 0, *(int(x) for x in close), 0, 0]
    r = [0, 0, *rtm, 0, 0]
    two3 = [any(sum(c[i + o:i + o + 3]) >= 2 and abs(sum(r[i + o:i + o + 3])) == 3
                for o in range(3)) and close[i] for i in range(n)]
    p_trend, p_run = part7(trend), part7(run)
    sign = SIGN[direction]
    types = []
    for i in range(n):
        # first matching rule wins: outside the limits, trend, 2 of 3 close, run of 7
        if outside[i]:
            s = rtm[i]
        elif p_trend[i]:
            nxt = i + 1 < n and p_trend[i + 1]
            step = _sgn(y[i + 1] - y[i]) if nxt else (_sgn(y[i] - y[i - 1]) if i else 0)
            s = 1 if step == 1 else -1
        elif two3[i] or p_run[i]:
            s = rtm[i]
        else:
            types.append("common")
            continue
        if sign == 0:
            types.append("neutral")
        else:
            types.append("improvement" if s * sign > 0 else "concern")
    return dict(types=types, outside=outside, rtm=rtm, mean=mean, upl=upl, lpl=lpl)


def _longest_monotone(y: Sequence[float], sign: int) -> int:
    """Longest run of points strictly rising (sign 1) or falling (sign -1)."""
    best = cur = 1
    for i in range(1, len(y)):
        cur = cur + 1 if _sgn(y[i] - y[i - 1]) == sign else 1
        best = max(best, cur)
    return best


def _side_run_at_end(rtm: Sequence[int], side: int) -> int:
    k = 0
    for r in reversed(rtm):
        if r != side:
            break
        k += 1
    return k


def _accept(y: list[float], direction: str, spec: dict[str, Any]) -> bool:
    """Whether a drawn series shows exactly the behaviour wanted for it."""
    a, b = xmr(y, direction, True), xmr(y, direction, False)
    good = SIGN[direction] or 1
    pattern = spec["pattern"]
    if pattern == "common":
        return (all(t == "common" for t in a["types"] + b["types"])
                and _longest_monotone(y, 1) < 6 and _longest_monotone(y, -1) < 6)
    kind, signal = pattern.split("-")
    if kind == "improve":
        # improvement only: nothing anywhere that reads as a concern
        if "concern" in a["types"] + b["types"] or _longest_monotone(y, -good) >= 6:
            return False
        if a["types"][-1] != "improvement" and signal != "outlier":
            return False
        side = good
    else:
        if a["types"][-1] != "concern" and signal != "outlier":
            return False
        # concern only: no special cause of improvement to muddy the story
        if "improvement" in a["types"] + b["types"]:
            return False
        side = -good
    if signal == "shift":
        return _side_run_at_end(a["rtm"], side) >= 8
    if signal == "trend":
        tail = y[-RUN:]
        return all(_sgn(tail[i] - tail[i - 1]) == side for i in range(1, RUN))
    if signal == "outlier":
        i = spec["index"]
        if not (a["outside"][i] and b["outside"][i] and a["rtm"][i] == side):
            return False
        others = [t for j, t in enumerate(a["types"]) if j != i]
        return all(t == "common" for t in others) and _longest_monotone(y, 1) < 6 \
            and _longest_monotone(y, -1) < 6
    raise ValueError(f"unknown pattern {pattern!r}")


def _poisson(rng: random.Random, lam: float) -> int:
    if lam >= 20:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _draw(rng: random.Random, spec: dict[str, Any], n: int, unit: str) -> list[float]:
    base, sd, dp = spec["base"], spec["sd"], spec["dp"]
    pattern = spec["pattern"]
    levels = [base] * n
    sds = [sd] * n
    if pattern.endswith("shift"):
        for i in range(n - spec["n_post"], n):
            levels[i] = base + spec["delta"]
            sds[i] = spec["sd_post"]
    elif pattern.endswith("trend"):
        for k, i in enumerate(range(n - RUN, n), start=1):
            levels[i] = base + spec["step"] * k
            sds[i] = spec["sd_trend"]
    elif pattern.endswith("outlier"):
        levels[spec["index"]] = base + spec["delta"]
    out = []
    for lev, s in zip(levels, sds, strict=True):
        if spec["count"]:
            v = float(_poisson(rng, lev))
        else:
            v = round(lev + rng.gauss(0, s), dp)
        if unit.startswith("%") and "2019/20" not in unit:
            v = min(100.0, max(0.0, v))
        out.append(v)
    return out


def make_series(measure: dict[str, Any]) -> list[tuple[dt.date, float]]:
    spec = measure["series"]
    n = spec["stop"] or N_MONTHS
    rng = random.Random(f"{SEED}:{measure['id']}")
    for _ in range(50_000):
        y = _draw(rng, spec, n, measure["unit_of_measure"])
        if _accept(y, measure["direction"], spec):
            return list(zip(MONTHS[:n], y, strict=True))
    raise RuntimeError(f"no series found for {measure['id']}: loosen its parameters")


# =============================================================================================
# Writers
# =============================================================================================


def _num(v: float | int | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _fmt(v: float, dp: int) -> str:
    return f"{v:.{dp}f}"


def _one(xs: Sequence[str] | str) -> Any:
    """A list of one id is written as the id alone (YAML inline relations accept both)."""
    if isinstance(xs, str):
        return xs
    return xs[0] if len(xs) == 1 else list(xs)


def _node(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (_one(v) if isinstance(v, list) and k not in ("quality_domains",
                                                             "quadruple_aim") else v)
            for k, v in d.items() if v not in (None, "", [])}


def build_sections() -> tuple[list[tuple[str, list[dict[str, Any]]]], list[dict[str, Any]]]:
    sections: list[tuple[str, list[dict[str, Any]]]] = []
    sections.append(("Purpose: mission, vision and values", [_node(p) for p in PURPOSE]))
    sections.append(("Population needs (from the 2024 needs assessment)",
                     [_node(p) for p in NEEDS]))
    sections.append(("Strategic goals: four active, one retired",
                     [_node(g) for g in GOALS]))
    sections.append(("Objectives", [_node({"id": o["id"], "kind": "Objective", **{
        k: v for k, v in o.items() if k != "id"}}) for o in OBJECTIVES]))
    units = [_node(SYSTEM), _node(BOARD)]
    units += [_node(dict(id=i, kind="Directorate", label=label, unitOf="ORG-NHB"))
              for i, label in DIRECTORATES]
    units += [_node(dict(id=i, kind="Team", label=label, unitOf=parent))
              for i, label, parent in TEAMS]
    sections.append(("Organisation: health system -> Board -> directorates -> teams", units))
    sections.append(("Local priorities recorded by teams",
                     [_node(x) for x in LOCAL_PRIORITIES]))
    sections.append(("Lessons from finished projects",
                     [_node({**x, "date": D(x["date"])}) for x in LESSONS]))
    sections.append(("Roles", [_node(dict(id=i, kind="Role", label=label))
                               for i, label in ROLES]))
    people = []
    for pid, name, title, unit, role in PEOPLE:
        first = name.replace("Dr ", "").split()[0].lower()
        last = name.split()[-1].lower()
        people.append(_node(dict(id=pid, kind="Person", label=name, description=title,
                                 email=f"{first}.{last}@northvale.example", memberOf=unit,
                                 holdsRole=role)))
    sections.append(("People (fictional) and the roles they hold", people))
    sections.append(("Services and pathways", [_node(dict(id=s["id"], kind="Service", **{
        k: v for k, v in s.items() if k != "id"})) for s in SERVICES]))
    procs = []
    for pid, label, ptype, owner, supports, extra in PROCESSES:
        procs.append(_node(dict(id=pid, kind="Process", label=label, process_type=ptype,
                                owned_by=owner, supports=supports, **extra)))
    sections.append(("Processes: driver, mainstay and support", procs))
    sections.append(("Enablers", [_node(dict(id=i, kind="Enabler", label=label,
                                             enabler_type=t, supports=s))
                                  for i, label, t, s in ENABLERS]))
    sections.append(("Standards and guidelines", [
        _node(dict(id=i, kind="Standard", label=label, reference=ref, publisher=pub))
        for i, label, ref, pub in STANDARDS]))
    sections.append(("Quality assurance: audits, inspections and reviews", [
        _node(dict(id=i, kind=k, label=label, date=D(d), rating=rating, led_by=lead,
                   assures=assures, checksAgainst=against, informs=informs))
        for i, k, label, d, rating, lead, assures, against, informs in ASSURANCE]))
    sections.append(("Risks", [
        _node(dict(id=i, kind="Risk", label=label, rating=rating, owned_by=owner,
                   threatens=threat, escalatesTo=esc))
        for i, label, rating, owner, threat, esc in RISKS]))
    sections.append(("Incidents", [
        _node(dict(id=i, kind="Incident", label=label, date=D(d), rating=rating,
                   informs=informs, escalatesTo=esc))
        for i, label, d, rating, informs, esc in INCIDENTS]))
    sections.append(("Feedback sources", [
        _node(dict(id=i, kind="FeedbackSource", label=label, channel=ch, informs=informs))
        for i, label, ch, informs in FEEDBACK]))
    sections.append(("QI hub: projects with a recorded progress level (issue 20)",
                     [_node(p) for p in HUB_PROJECTS]))
    for dd in DRIVER_DIAGRAMS + HUB_DRIVER_DIAGRAMS:
        nodes: list[dict[str, Any]] = []
        code = dd["code"]
        for pi, (plabel, secondaries) in enumerate(dd["primaries"], start=1):
            pd_id = f"PD-{code}{pi}"
            nodes.append(_node(dict(id=pd_id, kind="PrimaryDriver", label=plabel,
                                    drives=dd["project"])))
            for si, (slabel, ideas) in enumerate(secondaries, start=1):
                sd_id = f"SD-{code}{pi}.{si}"
                nodes.append(_node(dict(id=sd_id, kind="SecondaryDriver", label=slabel,
                                        drives=pd_id)))
                for ci, (clabel, improves, cycles) in enumerate(ideas, start=1):
                    ci_id = f"CI-{code}{pi}.{si}.{ci}"
                    adopted = ADOPTED.get(ci_id)
                    nodes.append(_node(dict(id=ci_id, kind="ChangeIdea", label=clabel,
                                            date=D(adopted) if adopted else None,
                                            changes=sd_id, improves=improves)))
                    for k, (plabel2, d) in enumerate(cycles, start=1):
                        nodes.append(_node(dict(id=f"PDSA-{code}{pi}.{si}.{ci}.{k}",
                                                kind="PDSACycle", label=plabel2, date=D(d),
                                                tests=ci_id)))
        name = next((p[1] for p in PROJECTS if p[0] == dd["project"]), None) or next(
            p["label"] for p in HUB_PROJECTS if p["id"] == dd["project"])
        sections.append((f"Driver diagram for {dd['project']} {name}", nodes))
    edges: list[dict[str, Any]] = []
    for m in MEASURES:
        for unit, reason in m.get("huddle", []):
            edges.append(dict(source=unit, kind="monitors", target=m["id"], reason=reason))
    edges.append(dict(source="QI-O01", kind="yields", target="L-O01",
                      reason="project close-out report, April 2024"))
    for tid, _label, parent in TEAMS:
        edges.append(dict(source=tid, kind="escalatesTo", target=parent,
                          reason="escalation route from the team huddle"))
    for did, _label in DIRECTORATES:
        edges.append(dict(source=did, kind="escalatesTo", target="ORG-NHB",
                          reason="monthly directorate performance review"))
    return sections, edges


class _Dumper(yaml.SafeDumper):
    """Block mappings, with lists of plain values written inline: ``[a, b]``."""


def _list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(x, dict | list) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _list)


def _dump(obj: Any) -> str:
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=92,
                     default_flow_style=False)


def write_yaml(path: Path) -> None:
    sections, edges = build_sections()
    lines = [
        "# Northvale Health Board: a fictional NHS health board's quality management system.",
        "# Written by examples/generate.py - edit that script, not this file.",
        "# Measures, their data and the improvement projects are in the CSV files next to it;",
        "# load all four together, e.g.",
        "#   qmsgraph load examples/northvale.yaml examples/measures.csv \\",
        "#                 examples/measure_data.csv examples/projects.csv",
        "qmsgraph: 1",
        "name: Northvale Health Board",
        "nodes:",
    ]
    for title, nodes in sections:
        lines.append("")
        lines.append(f"  # ---- {title}")
        for node in nodes:
            text = _dump([node])
            lines += ["  " + ln if ln else ln for ln in text.rstrip("\n").split("\n")]
    lines.append("")
    lines.append("# Relations written out with a reason: daily-control huddles and escalation "
                 "routes")
    lines.append("edges:")
    for e in edges:
        flow = yaml.dump(e, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000,
                         default_flow_style=True)
        lines.append("  - " + flow.strip())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_measures(path: Path) -> None:
    header = ["id", "label", "measure_type", "direction", "unit_of_measure", "target",
              "frequency", "chart_type", "quality_domains", "owned_by", "monitored_by",
              "indicates", "measures", "description"]
    rows = []
    for m in MEASURES:
        rows.append([m["id"], m["label"], m["measure_type"], m["direction"],
                     m["unit_of_measure"], _num(m.get("target")), "monthly",
                     m.get("chart", "xmr"),
                     ";".join(m.get("quality_domains", [])), ";".join(m["owned_by"]),
                     ";".join(m["monitored_by"]), ";".join(m.get("indicates", [])),
                     ";".join(m.get("measures", [])), m.get("description", "")])
    _csv(path, header, rows)


def write_data(path: Path) -> dict[str, list[tuple[dt.date, float]]]:
    rows = []
    out = {}
    for m in MEASURES:
        series = make_series(m)
        out[m["id"]] = series
        if "denominator" in m:  # p / u charts: the count out of a denominator
            rows += _with_denominators(m, series)
            continue
        rows += [[m["id"], d.isoformat(), _fmt(v, m["series"]["dp"]), ""] for d, v in series]
    _csv(path, ["measure_id", "date", "value", "denominator"], rows)
    return out


def _with_denominators(m: dict[str, Any], series: list[tuple[dt.date, float]]
                       ) -> list[list[str]]:
    """Rows of a p or u chart measure: the count of patients (or events) out of a denominator
    (patients admitted, bed days) drawn per month, so that count / denominator x scale is the
    drawn percentage or rate (to the nearest whole count)."""
    rng = random.Random(f"{SEED}:{m['id']}:denominator")
    lo, hi = m["denominator"]
    scale = 100 if m["unit_of_measure"].startswith("%") else 1000
    rows = []
    for d, v in series:
        n = rng.randint(lo, hi)
        rows.append([m["id"], d.isoformat(), str(round(v / scale * n)), str(n)])
    return rows


def write_projects(path: Path) -> None:
    rows = []
    for p in PROJECTS:
        (pid, label, status, tier, method, aim, start, end, led, sponsor, improves, parent,
         declared) = p
        rows.append([pid, label, status, tier, method, aim, start, end, led, sponsor,
                     ";".join(improves), parent, declared])
    _csv(path, PROJECT_COLUMNS, rows)


def main(out_dir: Path = HERE, report: Callable[[str], None] = print) -> None:
    write_yaml(out_dir / "northvale.yaml")
    write_measures(out_dir / "measures.csv")
    data = write_data(out_dir / "measure_data.csv")
    write_projects(out_dir / "projects.csv")
    points = sum(len(s) for s in data.values())
    report(f"wrote {out_dir}/northvale.yaml, measures.csv ({len(MEASURES)} measures), "
           f"measure_data.csv ({points} points), projects.csv ({len(PROJECTS)} projects)")


if __name__ == "__main__":
    main()
