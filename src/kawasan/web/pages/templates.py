"""Templates: the built-in and registered licensing paths, and importing a team's plan CSV."""
from __future__ import annotations

from fastapi import APIRouter, Depends, File, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from kawasan.errors import InputError, TemplateError
from kawasan.web.api.directory import _template_by_name
from kawasan.web.auth import Identity, coordinators, current_user
from kawasan.web.planimport import import_plan as read_plan
from kawasan.web.pages.common import back, svc, text
from kawasan.web.render import language, render
from kawasan.web.uploads import saved_upload

router = APIRouter()


@router.get("/templates")
def templates(request: Request, me: Identity = Depends(current_user), done: str | None = None):
    return render(request, "templates.html", {"templates": svc(request).list_templates(), "done": done,
                                              "import_error": None})


@router.get("/templates/{name}")
def template(request: Request, name: str, me: Identity = Depends(current_user)):
    tpl = _template_by_name(svc(request), name)
    return render(request, "template.html", {"tpl": tpl, "levels": _levels(tpl)})


def _levels(tpl) -> list[list]:
    """Stages in columns by their depth in the prerequisite graph (the graph drawn as layers)."""
    depth: dict[str, int] = {}
    for sid in tpl.topological_order():
        st = tpl.stage(sid)
        depth[sid] = 1 + max((depth[r] for r in st.requires), default=-1)
    cols: list[list] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for st in tpl.stages:
        cols[depth[st.id]].append(st)
    return cols


@router.post("/templates/import")
async def import_plan(request: Request, file: UploadFile = File(...), me: Identity = Depends(coordinators)):
    """Import a plan CSV; every error is shown against its row, nothing is registered unless all rows pass."""
    form = await request.form()
    name = text(form, "name", required=True, max_length=128)
    s = svc(request)

    def run():
        with saved_upload(file, 5 * 1024 * 1024) as path:
            tpl = read_plan(path, name)
        return s.register_template(tpl, source=f"upload:{file.filename}", actor=me.username)

    try:
        await run_in_threadpool(run)
    except (TemplateError, InputError) as e:
        _in_language(e, language(request))
        return render(request, "templates.html", {"templates": s.list_templates(), "done": None,
                                                  "import_error": e, "import_name": name}, status_code=e.http_status)
    return back("/templates", "web.done.template_imported")


def _in_language(err, lang: str) -> None:
    """The refused plan's messages (the error and each row's) in the reader's language, for the page."""
    from kawasan.i18n import text_in

    for e in [err, *getattr(err, "errors", [])]:
        e.message = text_in(e.message, lang)
