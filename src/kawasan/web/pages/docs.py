"""The API's documentation page, rendered on the server from /openapi.json (no CDN, no script)."""
from __future__ import annotations

from fastapi import APIRouter, Request

from kawasan.web.render import render

router = APIRouter()


@router.get("/api/docs")
def api_docs(request: Request):
    spec = request.app.openapi()
    ops = []
    for path, methods in sorted(spec.get("paths", {}).items()):
        for method, op in methods.items():
            params = [p["name"] for p in op.get("parameters", [])]
            body = (op.get("requestBody") or {}).get("content", {})
            ref = next(iter(body.values()), {}).get("schema", {}).get("$ref", "") if body else ""
            ops.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "doc": op.get("description", ""), "params": params, "body": ref.rsplit("/", 1)[-1],
                        "tag": (op.get("tags") or ["-"])[0]})
    schemas = spec.get("components", {}).get("schemas", {})
    return render(request, "api_docs.html", {"ops": ops, "schemas": schemas, "info": spec.get("info", {})})
