"""Report what the document examples ran and what they skipped, with reasons."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001 - pytest's hook
    from .test_doc_examples import RAN, SKIPPED

    if not RAN and not SKIPPED:
        return
    tr = terminalreporter
    tr.write_sep("-", "document examples")
    tr.write_line(f"{sum(RAN.values())} examples run in {len(RAN)} documents; "
                  f"{len(SKIPPED)} skipped:")
    for where, reason in SKIPPED:
        tr.write_line(f"  {where}: {reason}")
