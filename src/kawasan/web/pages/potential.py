"""The Regional potential pages: the choropleth, the ranking and its stress test, weights, a region's
sector structure (LQ, DLQ, shift-share, Klassen as tables and inline SVG charts), the economics report."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from kawasan.errors import KawasanError, NotFoundError
from kawasan.web.api.potential import folder_or_404
from kawasan.web.auth import Identity, current_user
from kawasan.web.potential import compute, economics_dir, options, public, query_string, tableset_info
from kawasan.web.render import language, render
from kawasan.i18n import Message, text_in

router = APIRouter()


@router.get("/potential")
async def potential(request: Request, me: Identity = Depends(current_user)):
    folder = economics_dir(request)
    ctx = {"folder": folder, "run": None, "error": None, "opts": None, "qs": ""}
    if folder is not None:
        opts = None
        try:
            opts = options(request)
            ctx["opts"], ctx["qs"] = opts, query_string(opts)
            run = await run_in_threadpool(compute, folder, opts)
            ctx.update(_view(run, opts, language(request)))
        except KawasanError as e:  # shown beside the field; the page shows the equal-weight result meanwhile
            ctx["error"] = e
            if opts is not None and (opts["weights"] or opts["ahp"]) and (e.field or "").startswith(("w_", "weights",
                                                                                                      "ahp")):
                try:
                    ctx.update(_view(await run_in_threadpool(compute, folder, {**opts, "weights": {}, "ahp": ""}), opts,
                                     language(request)))
                except KawasanError:
                    pass
            return render(request, "potential.html", ctx, status_code=e.http_status)
    return render(request, "potential.html", ctx)


def _view(run, opts, lang: str) -> dict:
    from kawasan.i18n import t

    res = run.result
    comps = res.components()
    for c in comps:  # why a component is shown but not scored, in the page's language (as the CLI prints it)
        code, kw = res.reasons.get(c["id"], (None, {}))
        c["reason_text"] = t(f"potential.reason.{code}", lang, **kw) if code else (c.get("not_scored_reason") or "")
    ts = run.tableset
    return {"run": run, "records": res.records(), "components": public(comps, ts.folder, ts.files), "stress": res.stress,
            "sectors": list(run.sector_table.sectors) if run.sector_table is not None else [],
            "weights_given": opts["weights"], "title": text_in(ts.title, lang), "tableset": tableset_info(ts, lang),
            "synthetic": res.synthetic, "notes": res.notes, "unmatched": res.unmatched,
            "ahp": res.weight_set.ahp}


@router.get("/potential/regions/{code}")
async def region(request: Request, code: str, me: Identity = Depends(current_user)):
    folder, opts = folder_or_404(request), options(request)
    run = await run_in_threadpool(compute, folder, opts)
    rec = next((r for r in run.result.records() if r["code"] == code), None)
    if rec is None:
        raise NotFoundError(Message("web.err.potential.region_with_code_table", code=code), field="code")
    sector = None
    if run.sector_table is not None and rec["region"] in run.sector_table.regions:
        from kawasan.reports.economics import collect

        ctx = await run_in_threadpool(collect, potential=run, region=rec["region"], reference=run.tableset.reference,
                                      sector=opts["sector"], lang=language(request))
        sector = ctx["sector"]
    return render(request, "potential_region.html", {"rec": rec, "sector": sector, "qs": query_string(opts),
                                                     "components": run.result.components(),
                                                     "stress": run.result.stress,
                                                     "title": text_in(run.tableset.title, language(request)),
                                                     "tableset": tableset_info(run.tableset, language(request))})


@router.get("/potential/report.html")
async def report(request: Request, me: Identity = Depends(current_user)):
    """The economics report (self-contained HTML) of the current options, as ``kawasan economy report``."""
    folder, opts = folder_or_404(request), options(request)
    run = await run_in_threadpool(compute, folder, opts)
    from kawasan.reports.economics import build_economics_report

    region = request.query_params.get("region") or None
    html = await run_in_threadpool(build_economics_report, potential=run, region=region,
                                   reference=run.tableset.reference, sector=opts["sector"], lang=language(request))
    html = public(html, run.tableset.folder, run.tableset.files)   # no server path in the downloaded report
    return Response(html, media_type="text/html; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="potential-report.html"'})
