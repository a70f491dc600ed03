"""Questions a Board should be able to answer about its QMS, answered from the graph.

:mod:`.catalogue` lists NHS Wales's "where to start" questions (fourteen, with 6 and 7 in two
parts), the Appendix C questions for building a QMS and the Duty of Quality's domains; each is
a named query (:mod:`.planning`, :mod:`.operating`, :mod:`.building`) that returns a plain
answer, its evidence (node ids with a note) and what is missing to answer it better, or -
for a question the graph cannot answer - what would have to be recorded. :mod:`.duty` builds
the Duty of Quality report's content for a period. Everything reads through the Store
interface (:mod:`.context`).
"""

from __future__ import annotations

from .catalogue import QUESTIONS, Question, answer, ask, list_questions, question
from .context import Context
from .results import Answer, Item, QuestionInfo

__all__ = ["QUESTIONS", "Answer", "Context", "Item", "Question", "QuestionInfo", "answer",
           "ask", "list_questions", "question"]
