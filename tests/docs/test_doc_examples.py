"""Every shell and Python example in the markdown documents (README.md, docs/, examples/,
ontology/, ...) runs (issue 15): a document that drifts from the code - a file that is not
shipped, an id the example organisation does not have, an option that was renamed, a
walk-through that stops at a 412 - fails here.

How the examples are run, and how one is marked as not runnable: tests/docs/doc_examples.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .doc_examples import REPO, VENV_BIN, Failure, Session, blocks, curl_wrapper, documents

RAN: dict[str, int] = {}
SKIPPED: list[tuple[str, str]] = []


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository as the README leaves it: the example files and the demo's store and
    folder, built the README's way (``scripts/demo.sh`` runs ``qmsgraph demo`` once the
    set-up it does is there; the test's own ``.venv`` is that set-up)."""
    script = (REPO / "scripts" / "demo.sh").read_text(encoding="utf-8")
    assert "exec .venv/bin/qmsgraph demo" in script  # what the fixture repeats, after set-up
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "examples", root / "examples",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    r = subprocess.run([str(VENV_BIN / "qmsgraph"), "demo"], cwd=root, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (root / "qmsgraph-demo.qmsdb").is_file()
    return root


def _fresh(demo: Path, tmp: Path) -> Path:
    work = tmp / "repo"
    shutil.copytree(demo, work, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    return work


@pytest.mark.parametrize("doc", documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_example_of_the_document_runs(doc: Path, demo_folder: Path, tmp_path: Path):
    found = blocks(doc)
    runnable = [b for b in found if b.runnable]
    for b in runnable:
        if b.skip:
            SKIPPED.append((b.where, b.skip))
    todo = [b for b in runnable if not b.skip]
    if not todo:
        RAN[str(doc.relative_to(REPO))] = 0
        return
    bin_dir = tmp_path / "bin"
    if any("curl " in b.text for b in todo) and not curl_wrapper(bin_dir):
        pytest.skip("curl is not installed: the document's HTTP examples cannot run")
    session = Session.start(_fresh(demo_folder, tmp_path), bin_dir)
    try:
        for b in todo:
            try:
                session.run(b)
            except Failure as err:
                pytest.fail(str(err), pytrace=False)
    finally:
        session.close()
        RAN[str(doc.relative_to(REPO))] = session.ran


def test_skip_markers_are_rare_and_say_why():
    """A skipped example names its reason; skips stay few (they are reported at the end of
    the run, see conftest.py)."""
    marked = [b for doc in documents() for b in blocks(doc) if b.skip]
    assert all(len(b.skip or "") >= 10 for b in marked), [b.where for b in marked]
    examples = [b for doc in documents() for b in blocks(doc) if b.runnable]
    assert len(marked) <= max(3, len(examples) // 3), [(b.where, b.skip) for b in marked]


def test_a_drifting_example_fails(tmp_path: Path, demo_folder: Path):
    """The runner is not lenient: an unknown id, a missing file, a shell pipe where a list
    was meant, an HTTP error and a Python NameError each fail their example."""
    doc = tmp_path / "doc.md"
    bad = ["qmsgraph thread NO-SUCH-NODE --store qmsgraph-demo.qmsdb",
           "qmsgraph load --dry-run --store qmsgraph-demo.qmsdb changes-not-shipped.yaml",
           "qmsgraph export --format ttl|jsonld --store qmsgraph-demo.qmsdb",
           "qmsgraph serve --store qmsgraph-demo.qmsdb\ncurl http://127.0.0.1:8000/nodes"]
    doc.write_text("".join(f"```sh\n{x}\n```\n\n" for x in bad)
                   + "```python\nstore.graph()\n```\n", encoding="utf-8")
    found = blocks(doc)
    assert [b.lang for b in found] == ["sh"] * 4 + ["python"]
    bin_dir = tmp_path / "bin"
    curl_wrapper(bin_dir)
    for i, b in enumerate(found):
        work = tmp_path / f"w{i}"
        session = Session.start(_fresh(demo_folder, work), bin_dir)
        try:
            with pytest.raises(Failure):
                session.run(b)
        finally:
            session.close()


def test_the_markdown_reader_finds_fences_and_markers(tmp_path: Path):
    doc = tmp_path / "d.md"
    doc.write_text("text\n<!-- doc-test: skip (needs a Neo4j server) -->\n\n```bash\n"
                   "qmsgraph push \\\n  bolt://x:7687\n```\n```yaml\na: 1\n```\n"
                   "````python\nprint('```')\n````\n", encoding="utf-8")
    found = blocks(doc)
    assert [(b.lang, b.line, b.skip) for b in found] == [
        ("bash", 4, "needs a Neo4j server"), ("yaml", 8, None), ("python", 11, None)]
    assert found[2].text == "print('```')"
    assert [b.runnable for b in found] == [True, False, True]


LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def test_every_relative_link_names_a_file_of_the_repository():
    """A link to a file that is not shipped (or to a folder outside the repository) is a
    document drifting too."""
    broken = []
    for doc in documents():
        text = doc.read_text(encoding="utf-8")
        for m in LINK.finditer(text):
            target = m["target"].split("#", 1)[0]
            if not target or re.match(r"[a-z][a-z0-9+.-]*:", target):
                continue  # an anchor in the same page, or http:, https:, mailto:
            path = (doc.parent / target).resolve()
            if not path.exists() or not path.is_relative_to(REPO):
                line = text.count("\n", 0, m.start()) + 1
                broken.append(f"{doc.relative_to(REPO)}:{line}: {m['target']}")
    assert not broken, broken


def _cli_commands() -> dict[str, object]:
    import typer.main

    from qmsgraph.cli import app

    out: dict[str, object] = {}

    def walk(cmd: object, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        out[" ".join(path)] = cmd
        for name, sub in (subs or {}).items():
            walk(sub, [*path, name])
    walk(typer.main.get_command(app), [])
    return out


def cli_mistakes(docs: list[Path]) -> tuple[int, list[str]]:
    """(lines checked, mistakes): every ``qmsgraph`` command line of the shell blocks (run or
    skipped) against the command line's own commands and options."""
    import shlex

    from .doc_examples import SHELL, logical_lines

    commands = _cli_commands()
    checked, wrong = 0, []
    for doc in docs:
        for b in blocks(doc):
            if b.lang not in SHELL:
                continue
            for line in logical_lines(b.text):
                try:
                    words = shlex.split(line, comments=True)
                except ValueError:
                    words = line.split()
                for i, w in enumerate(words):
                    if not (w == "qmsgraph" or w.endswith("$(qmsgraph")):
                        continue
                    if w == "qmsgraph" and i and words[i - 1] not in ("&&", ";", "||", "|"):
                        continue
                    checked += 1
                    rest = [x.rstrip(")") for x in words[i + 1:]]
                    path: list[str] = []
                    while rest and " ".join([*path, rest[0]]) in commands:
                        path.append(rest.pop(0))
                    if not path and rest and not rest[0].startswith("-"):
                        wrong.append(f"{b.where}: no command '{rest[0]}'")
                        continue
                    cmd = commands[" ".join(path)]
                    opts = {"--help"} | {
                        o for p in getattr(cmd, "params", [])
                        for o in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]}
                    for r in rest:
                        if r in ("&&", ";", "||", "|"):
                            break
                        name = r.split("=", 1)[0]
                        if r.startswith("-") and r != "-" and name not in opts:
                            wrong.append(f"{b.where}: 'qmsgraph {' '.join(path)}' has no {name}")
    return checked, wrong


def test_every_qmsgraph_line_names_real_commands_and_options():
    """Also in the blocks a test cannot run (Neo4j, benchmarks): each ``qmsgraph`` command
    line names a command that exists and options that command takes."""
    checked, wrong = cli_mistakes(documents())
    assert checked >= 50 and not wrong, (checked, wrong)


def test_a_wrong_command_or_option_is_found(tmp_path: Path):
    doc = tmp_path / "d.md"
    doc.write_text("```sh\nqmsgraph stats --fromat json\nKEY=$(qmsgraph keys create --nme a)\n"
                   "qmsgraph exprot -o x\nqmsgraph audit --fail-on error || echo x\n```\n",
                   encoding="utf-8")
    checked, wrong = cli_mistakes([doc])
    assert checked == 4 and len(wrong) == 3, wrong
