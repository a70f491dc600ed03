"""Bulk import (JSON or multipart upload) in one transaction, and export of the whole graph."""

from __future__ import annotations

import importlib.util
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from qmsgraph.errors import ValidationError
from qmsgraph.io.export import export
from qmsgraph.io.readers import apply_parsed, parse_files

from ..auth import Principal, require_role
from ..deps import AUTH_ERRORS, INVALID, problem
from ..problems import ProblemException
from ..schemas import ExportFormat, ImportOptions, ImportReport, ImportRequest
from ..state import AppState, state

router = APIRouter(tags=["import and export"], responses=AUTH_ERRORS)
Viewer = Annotated[Principal, Depends(require_role("viewer"))]
Planner = Annotated[Principal, Depends(require_role("planner"))]
State = Annotated[AppState, Depends(state)]

MEDIA_TYPES = {"ttl": "text/turtle", "jsonld": "application/ld+json",
               "graphml": "application/graphml+xml", "gexf": "application/gexf+xml",
               "cyjs": "application/json", "yaml": "application/yaml"}
EXPORT_SCHEMAS: dict[str, dict[str, Any]] = {
    "text/turtle": {"type": "string"},
    "application/ld+json": {"type": ["object", "array"]},
    "application/graphml+xml": {"type": "string"},
    "application/gexf+xml": {"type": "string"},
    "application/json": {"type": "object", "description": "Cytoscape.js elements."},
    "application/yaml": {"type": "object", "description": "The model file (docs/formats.md)."},
}
FORM_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True,
                 "false": False, "0": False, "no": False, "off": False}
HAVE_MULTIPART = importlib.util.find_spec("python_multipart") is not None


def run_import(st: AppState, who: Principal, files: list[tuple[str, str | bytes]],
               request: ImportOptions) -> ImportReport:
    """Parse every file (name, text or bytes as uploaded) against the store's graph, then
    apply (or only check) at once."""
    names = [name for name, _ in files]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValidationError(f"two files named {', '.join(dup)}", field="files")
    texts = dict(files)
    # Parse before anything touches the store: a large or hostile file holds up nobody else;
    # a write conflicting with another's is worked out and applied again (apply_parsed).
    parsed = parse_files(names, agent=who.name, reason=request.reason, texts=texts)
    try:
        result = apply_parsed(st.store, parsed, mode=request.mode, dry_run=request.dry_run)
    except ValidationError as err:
        if not request.dry_run:
            raise
        return ImportReport(valid=False, dry_run=True, files=names,
                            problems=list(err.problems))
    return ImportReport(valid=True, dry_run=request.dry_run, files=names,
                        nodes_added=result.nodes_added, nodes_updated=result.nodes_updated,
                        edges_added=result.edges_added,
                        versions={} if request.dry_run else result.versions)


IMPORT_DOC = """Load model files in one transaction: all of them, or nothing if any is wrong.

Formats by file suffix: YAML model files, CSV registers and measure data
(`measure_id,date,value`), Excel workbooks (`.xlsx`, upload only), ArchiMate exchange files,
Turtle and JSON-LD (docs/formats.md). With `dry_run` the files
are only checked: the report lists every problem (200, `valid: false`) and nothing is
written. Without it, a bad file gives 422 with every problem in `errors`."""


@router.post("/import", response_model=ImportReport, summary="Import files (JSON body)",
             description=IMPORT_DOC, responses=INVALID)
async def import_json(st: State, who: Planner, body: ImportRequest) -> ImportReport:
    return await _import(st, who, [(f.name, f.content) for f in body.files], body)


async def _import(st: AppState, who: Principal, files: list[tuple[str, str | bytes]],
                  options: ImportOptions) -> ImportReport:
    if options.dry_run:  # a check is a read: it takes no write slot and no lock
        return await run_in_threadpool(run_import, st, who, files, options)
    return await st.writes.run(run_import, st, who, files, options)


UPLOAD_SCHEMA = {
    "type": "object",
    "required": ["files"],
    "properties": {
        "files": {"type": "array", "minItems": 1, "maxItems": 100,
                  "items": {"type": "string", "format": "binary"},
                  "description": "One or more files; the file name's suffix gives the format."},
        "mode": {"type": "string", "enum": ["add", "upsert"], "default": "add"},
        "dry_run": {"type": "boolean", "default": False},
        "reason": {"type": "string", "maxLength": 2000},
    },
}


@router.post("/import/upload", response_model=ImportReport,
             summary="Import files (multipart upload)",
             description=IMPORT_DOC + "\n\nThe same as `POST /import`, as a form upload: "
             "`curl -F files=@model.yaml -F files=@projects.csv -F dry_run=true ...`",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": UPLOAD_SCHEMA}}}},
             responses={**INVALID, 415: problem("Not a multipart/form-data request.")})
async def import_upload(st: State, who: Planner, request: Request) -> ImportReport:
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data") or not HAVE_MULTIPART:
        raise ProblemException(415, "send multipart/form-data with one or more 'files' "
                               "parts (or JSON to POST /import)")
    try:
        form = await request.form(max_files=100, max_fields=20)
    except Exception as err:  # malformed multipart
        raise ProblemException(422, f"malformed multipart body: {err}", field="files") \
            from None
    try:
        # Parts are passed on as bytes: the readers decode them as they do files on disk
        # (Excel's CSV encodings, .xlsx workbooks).
        files: list[tuple[str, str | bytes]] = []
        for part in form.getlist("files"):
            if isinstance(part, str) or not getattr(part, "filename", None):
                raise ValidationError("each 'files' part must be a file with a file name",
                                      field="files")
            name = part.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if len(name) > 255:
                raise ValidationError(f"file name too long ({len(name)} characters, at most "
                                      "255)", field="files")
            files.append((name or "upload", await part.read()))
        if not 1 <= len(files) <= 100:
            raise ValidationError("send 1 to 100 'files' parts", field="files")
        fields: dict[str, Any] = {}
        for key in ("mode", "dry_run", "reason"):
            value = form.get(key)
            if isinstance(value, str) and value != "":
                fields[key] = value
        if "dry_run" in fields:
            flag = str(fields["dry_run"]).strip().lower()
            if flag not in FORM_BOOLEANS:
                raise ValidationError(f"dry_run must be true or false, not {flag!r}",
                                      field="dry_run")
            fields["dry_run"] = FORM_BOOLEANS[flag]
        unknown = set(form.keys()) - {"files", "mode", "dry_run", "reason"}
        if unknown:
            raise ValidationError(f"unknown form field(s): {', '.join(sorted(unknown))}",
                                  field=sorted(unknown)[0])
        try:
            options = ImportOptions.model_validate(fields)
        except Exception as err:
            from pydantic import ValidationError as PydanticError

            if not isinstance(err, PydanticError):
                raise
            first = err.errors()[0]
            raise ValidationError("; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()),
                field=".".join(map(str, first["loc"]))) from None
    finally:
        await form.close()
    return await _import(st, who, files, options)


@router.get("/export/{fmt}", response_class=Response, summary="Export the whole graph",
            responses={200: {"description": "The graph in the format asked for.",
                             "content": {m: {"schema": sch}
                                         for m, sch in EXPORT_SCHEMAS.items()}},
                       **INVALID})
def export_graph(st: State, _: Viewer,
                 fmt: Annotated[ExportFormat, Path(description=(  # type: ignore[valid-type]
                     "ttl (Turtle), jsonld (JSON-LD), graphml (GraphML), gexf (GEXF, "
                     "for Gephi), cyjs (Cytoscape.js JSON) or yaml (the model file "
                     "format)."))]) -> Response:
    with st.store.snapshot():
        text = export(st.store.view(), fmt)
    return Response(text, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="qmsgraph.{fmt}"'})
