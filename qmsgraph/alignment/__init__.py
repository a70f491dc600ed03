"""The alignment engine: golden threads, findings, portfolio views, project checks, impact.

How it is fast
--------------
The whole-portfolio audit does not search a path per project per goal. It builds (once per
graph revision) an array index of the graph, then computes for every node, in one vectorised
fixed-point sweep over the thread edges, the set of *anchors* (goals and objectives) it
reaches, as a bitmask. Anchors are numbered within each weakly connected part of the thread
graph, so a national graph of hundreds of organisations still needs only a word or two per
node. Every rule then reads those masks and per-kind degree counts with numpy. Paths are
worked out only for the few nodes that have a finding (breadth-first, deterministic).

Definitions shared by every store (and by the brute-force oracle in the tests)
-----------------------------------------------------------------------------
* *Thread edges* are the edge kinds marked ``thread`` in :mod:`qmsgraph.schema`, followed
  from source to target (project --improves--> measure --indicates--> objective ...).
* A node *reaches* a goal when a path of thread edges leads from it to the goal.
* *Live* projects have a status in ``AlignmentConfig.work_statuses``.
* A live project is **orphaned** when it reaches no goal, **misaligned** when it reaches
  goals but no active one, or when it declares (``alignsTo``) a goal or objective that it
  does not reach; otherwise it is **aligned**.

Layout
------
:mod:`.config` thresholds; :mod:`.results` the answers (pydantic models); :mod:`.index` the
array index; :mod:`.threads` golden threads and contributors; :mod:`.rules` the audit;
:mod:`.portfolio` balance, scores, X-matrix; :mod:`.proposals` check-project and impact.
"""

from __future__ import annotations

from .config import (
    SEVERITY_ORDER,
    AlignmentConfig,
    Severity,
    load_config,
)
from .evidence import Lookup, threads_of
from .index import (
    ANCHOR_CODES,
    ASPECTS,
    ASSURANCE_CODES,
    GOAL_CODES,
    KIND_CODE,
    KIND_CODES,
    PROJECT_STATUS,
    THREAD_KINDS,
    UNIT_CODES,
    Index,
    SlotMap,
    build_index,
    index_of,
    unit_tree,
)
from .portfolio import (
    balance,
    matrix,
    scores,
)
from .proposals import (
    check_project,
    impact,
)
from .results import (
    RULES,
    WORK_RULES,
    Alternative,
    AuditReport,
    Contributor,
    Contributors,
    Duplicate,
    Evidence,
    Facts,
    Finding,
    Impact,
    MatrixCell,
    ProjectCheck,
    ProjectProposal,
    Score,
    Step,
    Thread,
    ThreadResult,
    XMatrix,
)
from .rules import (
    audit,
    findings_from_facts,
    index_facts,
)
from .threads import (
    Neighbours,
    contributors,
    thread,
)

__all__ = [
    "ANCHOR_CODES",
    "ASPECTS",
    "ASSURANCE_CODES",
    "AlignmentConfig",
    "Alternative",
    "AuditReport",
    "Contributor",
    "Contributors",
    "Duplicate",
    "Evidence",
    "Facts",
    "Finding",
    "GOAL_CODES",
    "Impact",
    "Index",
    "KIND_CODE",
    "KIND_CODES",
    "Lookup",
    "MatrixCell",
    "Neighbours",
    "PROJECT_STATUS",
    "ProjectCheck",
    "ProjectProposal",
    "RULES",
    "SEVERITY_ORDER",
    "Score",
    "Severity",
    "SlotMap",
    "Step",
    "THREAD_KINDS",
    "Thread",
    "ThreadResult",
    "UNIT_CODES",
    "WORK_RULES",
    "XMatrix",
    "audit",
    "balance",
    "build_index",
    "check_project",
    "contributors",
    "findings_from_facts",
    "impact",
    "index_facts",
    "index_of",
    "load_config",
    "matrix",
    "scores",
    "thread",
    "threads_of",
    "unit_tree",
]
