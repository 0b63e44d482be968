"""kawasan project|stage|template|user|agency|calendar|db: the licensing path as a live plan.

Thin commands over :class:`kawasan.tracker.ProjectService`. Who acts: on a shared database (PostgreSQL,
or SQLite with ``KAWASAN_SHARED=1``) the owner of the personal API token in ``KAWASAN_TOKEN``, or ``--as
USER`` (``KAWASAN_USER``) with the password asked; on the local single-user embedded database ``--as`` /
``KAWASAN_USER`` as given, and the local administrator ``admin`` when neither is given. Dates are YYYY-MM-DD. ``--json`` prints one stable JSON
object (or list) documented in docs/reference/licensing-storage.md.
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import click
from rich.text import Text

from kawasan.cli.language import command_language as _lang
from kawasan.cli.main import cli
from kawasan.cli.output import Table, console as _base_console
from kawasan.licensing.labels import role_label
from kawasan.i18n import Message, fmt_date, fmt_int, format_number, has, t, text_in

STATES = ("not_started", "in_progress", "submitted", "clarification", "approved", "rejected", "blocked", "waived")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MIN_YEAR, MAX_YEAR = 1900, 2200  # a licensing date outside these years is a typo (and beyond the holiday calendar)


class DateType(click.ParamType):
    """A calendar date written YYYY-MM-DD (anything else: exit 2 naming the option and the format)."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if _DATE_RE.match(text):
            try:
                d = date.fromisoformat(text)
            except ValueError:
                pass
            else:
                if MIN_YEAR <= d.year <= MAX_YEAR:
                    return d
                self.fail(Message("cli.err.licensing.date_outside_years", value=value, first=MIN_YEAR, last=MAX_YEAR),
                          param, ctx)
        self.fail(Message("cli.err.licensing.not_a_date", value=value), param, ctx)


DATE = DateType()
ID = click.IntRange(1, 2**31 - 1)  # project, obstacle and version numbers: a bigger one is a typo (and overflows SQL)


def console():
    """The shared console, at least 160 columns wide when output goes to a file or pipe (no squeezed tables)."""
    con = _base_console()
    if not con.is_terminal:
        con.width = max(con.width, 160)
    return con


def _service():
    """The tracker on the configured database; its connections are closed when the command ends.

    For a command that acts (it has ``--as``) on a shared database, who acts is proven first (:func:`_prove`)."""
    from kawasan.tracker import ProjectService

    svc = ProjectService()
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(svc.close)
        if "actor" in ctx.params and svc.settings.shared:
            svc.user = _prove(svc, ctx.params.get("actor"))
    return svc


def _prove(svc, claimed: str | None) -> str | None:
    """The proven username on a shared database: the owner of the API token in ``KAWASAN_TOKEN``, else ``--as``
    (``KAWASAN_USER``) with its password, asked without echo. A fresh database without users needs no proof
    (its first administrator is being created). On the local embedded database ``--as`` is taken as given."""
    import os

    token = (os.environ.get("KAWASAN_TOKEN") or "").strip()
    if not token and not svc.has_users():
        return claimed
    password = None
    if not token and claimed:
        try:
            password = click.prompt(t("record.password_prompt", _lang(), user=claimed), hide_input=True,
                                    default="", show_default=False)
        except (click.exceptions.Abort, EOFError):  # no terminal to ask: the same refusal as no proof at all
            password = None
    return svc.prove_identity(token=token or None, username=claimed, password=password)


def _emit(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=str))


def _as_option(f):
    return click.option("--as", "actor", envvar="KAWASAN_USER", default=None, metavar="USER",
                        help="Who acts (default: KAWASAN_USER; on the embedded database the local 'admin'). On a "
                             "shared database proven by KAWASAN_TOKEN or the password asked.")(f)


def _json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")(f)


def _today_option(f):
    return click.option("--today", type=DATE, default=None,
                        help="Evaluate clocks and the forecast as of this date (default: today).")(f)


def _day(value, lang: str, short: bool = True) -> str:
    """A date in a table ("4 Des 2026"; short=False: "4 Desember 2026"); "-" for none."""
    return fmt_date(value, lang, short=short) if value else "-"


def _state(status: str | None, lang: str) -> str:
    """A stage state in words (a value that is not a state, as it is)."""
    return t(f"tracker.state.{status}", lang) if status and has(f"tracker.state.{status}") else (status or "-")


def _label(prefix: str, value: str | None, lang: str) -> str:
    """The catalogue's word for a code (prefix + value), or the code when there is none."""
    return t(prefix + value, lang) if value and has(prefix + value) else (value or "-")


def _warn(res: dict) -> None:
    """The warnings of a change, in the user's language when the service gave their catalogue keys."""
    lang = _lang()
    codes = res.get("warning_codes")
    texts = [t(c["key"], lang, **c["params"]) for c in codes] if codes is not None else res.get("warnings", [])
    for w in texts:
        click.echo(t("tracker.warning", lang, text=w), err=True)


def _option_values(values) -> dict[str, str]:
    """``--option KEY=VALUE`` (repeatable) as a dict; a malformed or repeated one exits 2 naming it."""
    out: dict[str, str] = {}
    for v in values:
        key, sep, val = v.partition("=")
        key, val = key.strip(), val.strip()
        if not sep or not key or not val:
            raise click.BadParameter(Message("cli.err.licensing.expected_key_value_e", value=v), param_hint="--option")
        if key in out and out[key] != val:
            raise click.BadParameter(Message("cli.err.licensing.given_twice", option=key, first=out[key], second=val),
                                     param_hint="--option")
        out[key] = val
    return out


def _options_option(f):
    f = click.option("--application-date", "application_date", type=DATE, default=None,
                     help="Date the licence application is (or was) filed: chooses the regulation regime "
                          "(default: the start date; for template show, the rules in force now).")(f)
    return click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
                        help="A template option, e.g. land=public_interest (repeatable; see template show).")(f)


# ====================================================================== db

@cli.group("db")
def db_group():
    """The licensing database (KAWASAN_DATABASE_URL; default an SQLite file in the data folder)."""


@db_group.command("upgrade")
@_json_option
def db_upgrade(as_json):
    """Apply the database migrations (also done automatically on first use) and put back the append-only
    triggers of the event log if they were removed or disabled (it says so)."""
    from kawasan.tracker import upgrade_database

    repairs: list[str] = []
    before, after, url = upgrade_database(repairs=repairs)
    res = {"database": url, "from": before, "to": after, "repaired": repairs}
    if as_json:
        _emit(res)
    else:
        click.echo(t("tracker.db_upgraded", _lang(), url=url, before=before or "-", after=after))
        for what in repairs:
            click.echo(t("record.guard_repaired", _lang(), what=text_in(what, _lang())))


@db_group.command("refresh-forecasts")
@_today_option
@_json_option
def db_refresh_forecasts(today, as_json):
    """Recompute the stored forecasts that are stale (a change, or a new day): run it early each morning so
    the first portfolio view of the day is fast. The web app also does it in the background."""
    from kawasan.tracker import ProjectService

    svc = ProjectService(today=today)
    click.get_current_context().call_on_close(svc.close)
    n = svc.refresh_forecasts()
    _emit({"refreshed": n}) if as_json else click.echo(t("accounts.forecasts_refreshed", _lang(), count=n))


# ====================================================================== agencies and users

@cli.group("agency")
def agency_group():
    """Agencies (OPD, ministries, Customs) that hold stages."""


@agency_group.command("add")
@click.argument("code")
@click.option("--name", required=True, help="Full name of the agency.")
@click.option("--kind", type=click.Choice(["regency", "province", "national", "system", "private", "other"]),
              default="regency", show_default=True, help="Level of the agency.")
@click.option("--regency", default=None, help="Regency of a regency agency (OPD).")
@_as_option
@_json_option
def agency_add(code, name, kind, regency, actor, as_json):
    """Add an agency with its CODE (as used in templates, e.g. DPMPTSP, DLH, 'Kanwil DJBC'). Administrators only."""
    res = _service().add_agency(code, name, kind=kind, regency=regency, actor=actor)
    _emit(res) if as_json else click.echo(t("tracker.agency_added", _lang(), code=res["code"], name=res["name"]))


@agency_group.command("list")
@_json_option
def agency_list(as_json):
    """List the agencies."""
    rows = _service().list_agencies()
    if as_json:
        return _emit(rows)
    lang = _lang()
    table = Table(title=t("tracker.agencies_title", lang))
    for key in ("code", "name", "kind", "regency"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)))
    for r in rows:
        table.add_row(r["code"], r["name"], _label("web.admin.kind.", r["kind"], lang), r["regency"] or "-")
    console().print(table)


@cli.group("user")
def user_group():
    """Users and their roles: administrator, coordinator, agency_officer, viewer."""


@user_group.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["administrator", "coordinator", "agency_officer", "viewer"]))
@click.option("--agency", default=None, help="Agency code (required for an agency_officer).")
@click.option("--regency", default=None, help="Regency (required for a coordinator).")
@click.option("--full-name", default=None)
@_as_option
@_json_option
def user_add(username, role, agency, regency, full_name, actor, as_json):
    """Add a user. Administrators only (on an empty database the first user must be an administrator)."""
    res = _service().add_user(username, role, agency=agency, regency=regency, full_name=full_name, actor=actor)
    _emit(res) if as_json else click.echo(t("tracker.user_added", _lang(), user=res["username"],
                                            role=role_label(res["role"], _lang())))


@user_group.command("list")
@_json_option
def user_list(as_json):
    """List the users with their role, agency and regency."""
    rows = _service().list_users()
    if as_json:
        return _emit(rows)
    lang = _lang()
    table = Table(title=t("tracker.users_title", lang))
    for key in ("user", "role", "agency", "regency"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)))
    for r in rows:
        table.add_row(r["username"], role_label(r["role"], lang), r["agency"] or "-", r["regency"] or "-")
    console().print(table)


def _read_password(username: str, from_stdin: bool) -> str:
    """The new password: one line from standard input (scripts), else typed twice without echo."""
    if from_stdin:
        line = click.get_text_stream("stdin").readline().rstrip("\r\n")
        if not line:
            raise click.BadParameter(Message("cli.err.licensing.no_password_on_stdin"),
                                     param_hint="--password-stdin")
        return line
    return click.prompt(t("accounts.password_prompt", _lang(), user=username), hide_input=True,
                        confirmation_prompt=t("accounts.password_repeat", _lang()))


def _password_stdin_option(f):
    return click.option("--password-stdin", "password_stdin", is_flag=True,
                        help="Read the password from the first line of standard input instead of prompting.")(f)


@user_group.command("create")
@click.argument("username")
@click.option("--admin", "admin", is_flag=True, help="Make the user an administrator (the first user must be).")
@click.option("--role", type=click.Choice(["administrator", "coordinator", "agency_officer", "viewer"]),
              default=None, help="The role (default: administrator with --admin, else required).")
@click.option("--agency", default=None, help="Agency code (required for an agency_officer).")
@click.option("--regency", default=None, help="Regency (required for a coordinator).")
@click.option("--full-name", default=None)
@_password_stdin_option
@_as_option
@_json_option
def user_create(username, admin, role, agency, regency, full_name, password_stdin, actor, as_json):
    """Create a user who signs in to the web app with a password (asked twice, never shown).

    `kawasan user create NAME --admin` makes the first administrator of a new server."""
    if admin and role not in (None, "administrator"):
        raise click.BadParameter(Message("cli.err.licensing.admin_role_disagree_give"), param_hint="--role")
    role = "administrator" if admin else role
    if role is None:
        raise click.BadParameter(Message("cli.err.licensing.give_role_role_admin"), param_hint="--role")
    from kawasan.tracker.accounts import check_password_quality

    password = _read_password(username, password_stdin)
    check_password_quality(password, username)
    svc = _service()
    res = svc.add_user(username, role, agency=agency, regency=regency, full_name=full_name, actor=actor)
    svc.set_password(username, password, actor=actor or (username if role == "administrator" else None))
    res = {**res, "has_password": True}
    _emit(res) if as_json else click.echo(t("tracker.user_added", _lang(), user=res["username"],
                                            role=role_label(res["role"], _lang())))


@user_group.command("set-password")
@click.argument("username")
@_password_stdin_option
@_as_option
@_json_option
def user_set_password(username, password_stdin, actor, as_json):
    """Set or reset USERNAME's password (an administrator for anyone); ends their sessions and lock-out."""
    password = _read_password(username, password_stdin)
    res = _service().set_password(username, password, actor=actor)
    _emit(res) if as_json else click.echo(t("accounts.password_set", _lang(), user=username))


@user_group.command("update")
@click.argument("username")
@click.option("--role", type=click.Choice(["administrator", "coordinator", "agency_officer", "viewer"]), default=None)
@click.option("--agency", default=None, help="Agency code ('' for none).")
@click.option("--regency", default=None, help="Regency ('' for none).")
@click.option("--full-name", default=None)
@click.option("--disable/--enable", "disabled", default=None, help="Disable (or enable again) the account.")
@_as_option
@_json_option
def user_update(username, role, agency, regency, full_name, disabled, actor, as_json):
    """Change a user's role, agency, regency or name, or disable the account. Administrators only."""
    res = _service().update_user(username, role=role, agency=agency, regency=regency, full_name=full_name,
                                 disabled=disabled, actor=actor)
    _emit(res) if as_json else click.echo(t("accounts.user_updated", _lang(), user=res["username"],
                                            role=role_label(res["role"], _lang())))


# ====================================================================== calendar

@cli.group("calendar")
def calendar_group():
    """The working calendar: Indonesian national holidays and joint leave, plus days an administrator adds."""


@calendar_group.command("add-holiday")
@click.argument("day", type=DATE)
@click.option("--description", default=None, help="What the day is (e.g. a regional holiday).")
@click.option("--workday", is_flag=True, help="Mark the day as an extra WORKING day instead (e.g. a Saturday "
                                               "declared a working day).")
@_as_option
@_json_option
def calendar_add(day, description, workday, actor, as_json):
    """Add DAY (YYYY-MM-DD) to the calendar as a holiday (or, with --workday, a working day). Administrators only."""
    res = _service().add_calendar_day(day, kind="workday" if workday else "holiday", description=description,
                                      actor=actor)
    _emit(res) if as_json else click.echo(t("tracker.calendar_added", _lang(), day=_day(res["day"], _lang(), False),
                                            kind=_label("tracker.day_kind.", res["kind"], _lang())))


@calendar_group.command("list")
@click.option("--year", type=click.IntRange(MIN_YEAR, MAX_YEAR), default=None,
              help="Year to list (default: this year).")
@_json_option
def calendar_list(year, as_json):
    """List the holidays of a year: national holidays, joint leave and the administrators' days."""
    svc = _service()
    year = year or svc.today().year
    cal = svc.calendar()
    hol = cal.holidays(year)
    items = hol.items() if isinstance(hol, dict) else [(d, "") for d in hol]
    rows = [{"day": d.isoformat(), "name": str(n), "origin": "national"} for d, n in sorted(items)]
    for d in svc.calendar_days():
        if d["day"].startswith(str(year)):
            rows.append({"day": d["day"], "name": d["description"] or d["kind"],
                         "origin": "administrator-" + d["kind"]})
    rows.sort(key=lambda r: r["day"])
    if as_json:
        return _emit({"year": year, "days": rows})
    lang = _lang()
    table = Table(title=t("tracker.calendar_title", lang, year=year))
    for key in ("day", "name", "origin"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)))
    for r in rows:
        table.add_row(_day(r["day"], lang), r["name"], _label("web.admin.origin.", r["origin"], lang))
    console().print(table)


# ====================================================================== templates

@cli.group("template")
def template_group():
    """Licensing workflow templates (data files): validate, import from a spreadsheet, list, show."""


@template_group.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
@_json_option
def template_validate(file, as_json):
    """Validate a template FILE (.yaml, .json or .csv); exit 2 naming the offending stage when it is not valid."""
    from kawasan.licensing import load_template

    tpl = load_template(file)
    res = {"valid": True, "name": tpl.name, "version": tpl.version, "stages": len(tpl.stages)}
    _emit(res) if as_json else click.echo(t("tracker.template_valid", _lang(), path=file, name=tpl.name,
                                            version=tpl.version, stages=len(tpl.stages)))


@template_group.command("import")
@click.argument("plan", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="Name of the new template.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Also write the template as YAML to this file (refused if it exists).")
@click.option("--register/--no-register", default=True, show_default=True,
              help="Store the template in the database so 'project create --template NAME' finds it.")
@_as_option
@_json_option
def template_import(plan, name, out, register, actor, as_json):
    """Make a template of a spreadsheet PLAN.csv with columns id,name,agency,duration_days,requires
    (requires separated by semicolons); it is validated like any other template."""
    import yaml

    from kawasan.errors import OutputError
    from kawasan.fileio import write_text_atomic
    from kawasan.licensing import import_csv

    tpl = import_csv(plan, name)
    if out is not None and out.exists():
        raise OutputError(Message("cli.err.licensing.file_exists_choose_another"), source=str(out))
    res = {"name": tpl.name, "version": tpl.version, "stages": len(tpl.stages), "registered": False, "out": None}
    if register:
        _service().register_template(tpl, source=str(plan), actor=actor)
        res["registered"] = True
    if out is not None:
        write_text_atomic(out, yaml.safe_dump(tpl.model_dump(mode="json"), allow_unicode=True, sort_keys=False))
        res["out"] = str(out)
    _emit(res) if as_json else click.echo(t("tracker.template_imported", _lang(), name=tpl.name, stages=len(tpl.stages),
                                            where=(t("tracker.where_database", _lang()) if register else "-")
                                            + (f", {out}" if out else "")))


@template_group.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@_as_option
@_json_option
def template_add(file, actor, as_json):
    """Register a template FILE (.yaml or .json) in the database under its own name and version."""
    from kawasan.licensing import load_template

    tpl = load_template(file)
    res = _service().register_template(tpl, source=str(file), actor=actor)
    _emit(res) if as_json else click.echo(t("tracker.template_imported", _lang(), name=tpl.name, stages=len(tpl.stages),
                                            where=t("tracker.where_database", _lang())))


@template_group.command("list")
@_json_option
def template_list(as_json):
    """List the built-in templates and those registered in the database."""
    rows = _service().list_templates()
    if as_json:
        return _emit(rows)
    lang = _lang()
    table = Table(title=t("tracker.templates_title", lang))
    for key in ("name", "version", "stages", "origin"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)))
    for r in rows:
        table.add_row(r["name"], r["version"], str(r["stages"]), _label("web.templates.origin.", r["origin"], lang))
    console().print(table)


@template_group.command("show")
@click.argument("name")
@_options_option
@_json_option
def template_show(name, options, application_date, as_json):
    """Show the options and stages of template NAME (built-in, registered, or a file); with --option or
    --application-date, the stages of that variant (otherwise the defaults and the rules in force now)."""
    from kawasan.licensing import choose_variant
    from kawasan.licensing.templates import CERTAINTY_TAGS

    tpl = _service().resolve_template(name)
    chosen = _option_values(options)
    variant = choose_variant(tpl, chosen, application_date)
    if as_json:
        return _emit((variant if (chosen or application_date) else tpl).model_dump(mode="json"))
    lang = _lang()
    con = console()
    if getattr(tpl, "synthetic", False):
        con.print(f"[bold yellow]{t('tracker.synthetic_template', lang)}[/]")
    if tpl.options:
        print_options(tpl, lang)
        con.print(t("tracker.variant_shown", lang, choices=_choices_text(variant, lang)), markup=False)
    table = Table(title=f"{variant.name} {variant.version}: {variant.title.get(lang)}")
    for key in ("stage", "name", "agency", "requires", "duration", "basis"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)), ratio=3 if key == "basis" else None,
                         overflow="fold")
    for st in variant.stages:
        d = st.duration
        dur = (t("tracker.statutory_days", lang, days=d.statutory_days) if d.statutory_days is not None else
               t("tracker.estimate_days", lang, lo=d.min, mid=d.likely, hi=d.max))
        if st.deemed_approval:
            dur += " " + t("tracker.fiktif_positif", lang)
        table.add_row(*map(Text, (st.id, st.name.get(lang), st.agency, ", ".join(st.requires) or "-", dur,
                                   f"[{st.legal_basis.tag_text(lang)}] {st.legal_basis.text(lang)}")))
    con.print(table)
    legend = "; ".join(f"{tag} = {t(f'licensing.certainty.{tag}', lang)}" for tag in CERTAINTY_TAGS)
    con.print(Text(f"{t('licensing.certainty.title', lang)}: {legend}"))


def _choices_text(tpl, lang: str) -> str:
    return "; ".join(f"{c.key}={c.value} ({c.choice_label.get(lang)})" for c in tpl.chosen) or "-"


def print_options(tpl, lang: str) -> None:
    """The options of a template: key, label, values (default starred), and who chooses."""
    table = Table(title=t("tracker.options_title", lang, name=tpl.name))
    for key in ("option", "name", "choices", "chosen_by"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)), overflow="fold")
    for o in tpl.options:
        values = "\n".join(f"{c.value}{' *' if c.value == o.default else ''}: {c.label.get(lang)} "
                           f"[{c.legal_basis.tag_text(lang)}]" for c in o.choices)
        who = t("tracker.chosen_by_user" if o.chosen_by == "user" else "tracker.chosen_by_date", lang)
        table.add_row(*map(Text, (o.key, o.label.get(lang), values, who)))
    console().print(table)


# ====================================================================== projects

@cli.group("project")
def project_group():
    """Licensing projects: an estate following a template from a start date."""


@project_group.command("create")
@click.option("--template", "template", required=True, help="Template name (built-in or registered) or file.")
@click.option("--name", required=True, help="Name of the estate.")
@click.option("--start", required=True, type=DATE, help="Start date of the project (YYYY-MM-DD).")
@click.option("--regency", default=None, help="Regency of the estate (default: the acting user's regency).")
@click.option("--site", type=click.Path(path_type=Path), default=None,
              help="Optional site geometry: a GeoJSON file (geometry, Feature or one-feature FeatureCollection).")
@_options_option
@_as_option
@_json_option
def project_create(template, name, start, regency, site, options, application_date, actor, as_json):
    """Create a project from a template with its options chosen; --json prints {"id", "name", "template",
    "options", "application_date", ...}."""
    geometry = _read_site(site) if site else None
    res = _service().create_project(name, template, start, regency=regency, site_geometry=geometry, actor=actor,
                                    options=_option_values(options), application_date=application_date)
    if as_json:
        return _emit(res)
    lang = _lang()
    click.echo(t("tracker.project_created", lang, id=res["id"], name=res["name"], template=res["template"],
                 stages=res["stages"]))
    if res["options"]:
        click.echo(t("tracker.project_created_options", lang, date=_day(res["application_date"], lang, False),
                     choices=", ".join(f"{k}={v}" for k, v in res["options"].items())))


def _read_site(path: Path) -> dict:
    from kawasan.errors import InputError

    from kawasan import guarded

    try:
        data = guarded.parse_mapping(guarded.read_text(path, error=InputError, what="GeoJSON file"), "json",
                                     source=str(path), error=InputError)
    except InputError as e:
        raise InputError(Message("cli.err.licensing.not_valid_geojson", detail=e.message), source=str(path),
                         field="--site") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        feats = data.get("features") or []
        if len(feats) != 1:
            raise InputError(Message("cli.err.licensing.expected_one_feature_site", count=len(feats)), source=str(path),
                             field="--site")
        data = feats[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon", "Point"):
        raise InputError(Message("cli.err.licensing.expected_polygon_multipolygon_point"), source=str(path),
                         field="--site")
    return data


@project_group.command("list")
@_json_option
def project_list(as_json):
    """List the projects with how many stages are in each state."""
    rows = _service().list_projects()
    if as_json:
        return _emit(rows)
    lang = _lang()
    table = Table(title=t("tracker.projects_title", lang))
    for key in ("id", "name", "regency", "template", "start", "progress"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)))
    for r in rows:
        c = r["status_counts"]
        done = c.get("approved", 0) + c.get("waived", 0)
        prog = t("tracker.progress", lang, done=done, total=r["stages"], blocked=c.get("blocked", 0))
        table.add_row(str(r["id"]), r["name"], r["regency"] or "-", r["template"], _day(r["start"], lang), prog)
    console().print(table)


@project_group.command("show")
@click.argument("project_id", type=ID)
@_today_option
@_json_option
def project_show(project_id, today, as_json):
    """Each stage: state, agency, due date, deemed-approved date, overdue days, obstacles."""
    res = _service().state(project_id, today=today)
    if as_json:
        return _emit(res)
    print_state(res, _lang())


def print_state(res: dict, lang: str) -> None:
    con = console()
    if res.get("synthetic"):
        con.print(f"[bold yellow]{t('tracker.synthetic_template', lang)}[/]")
    con.print(t("tracker.project_header", lang, id=res["id"], name=res["name"], regency=res["regency"] or "-",
                template=res["template"], version=res["template_version"], start=_day(res["start"], lang, False),
                today=_day(res["today"], lang, False)),
              markup=False)
    if res.get("options"):
        choices = "; ".join(f"{o['key']}={o['value']} ({o['choice'][lang if lang in ('id', 'en') else 'en']})"
                            for o in res["options"])
        con.print(t("tracker.project_options", lang, choices=choices, date=_day(res.get("application_date"), lang, False)),
                  markup=False)
    table = Table()
    for key in ("stage", "name", "state", "agency", "due", "deemed", "overdue", "obstacles"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)), max_width=48 if key == "name" else None)
    for s in res["stages"]:
        state = t(f"tracker.state.{s['status']}", lang)
        if s["status"] == "blocked" and s.get("reason"):
            state += f": {s['reason']}"
        due = _day(s["due"], lang)
        if s["due"] and not s["statutory"]:
            due += " " + t("tracker.est", lang)
        obs = "; ".join(f"#{o['id']} {o['description']} ({o['owner']})" for o in s["obstacles"]
                        if not o["resolved_on"]) or "-"
        table.add_row(s["id"], s["name"][lang if lang in ("id", "en") else "en"], state, s["agency"], due,
                      _day(s["deemed_approved"], lang), str(s["overdue_days"] or "-"), obs)
    con.print(table)


@project_group.command("forecast")
@click.argument("project_id", type=ID)
@_today_option
@click.option("--runs", type=click.IntRange(100, 1_000_000), default=10000, show_default=True,
              help="Monte Carlo runs over the min/likely/max estimates.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True)
@_json_option
def project_forecast(project_id, today, runs, seed, as_json):
    """Critical path from today's real states, earliest/latest dates, slack, and P50/P80 completion."""
    res = _service().forecast(project_id, today=today, runs=runs, seed=seed)
    if as_json:
        return _emit(res)
    print_forecast(res, _lang())


def print_forecast(res: dict, lang: str) -> None:
    con = console()
    con.print(t("tracker.forecast_header", lang, id=res["project"], name=res["name"], today=_day(res["today"], lang, False),
                finish=_day(res["finish"], lang, False), p50=_day(res["p50"], lang, False),
                p80=_day(res["p80"], lang, False), runs=res["runs"], seed=res["seed"]),
              markup=False)
    con.print(t("tracker.critical_path", lang, path=" -> ".join(res["critical_path"])), markup=False)
    table = Table()
    for key in ("stage", "es", "ef", "ls", "lf", "slack"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)), justify="left" if key == "stage" else "right")
    crit = set(res["critical_path"])
    for s in res["stages"]:
        mark = " *" if s["id"] in crit else ""
        table.add_row(s["id"] + mark, *(_num(s[k], lang) for k in ("es", "ef", "ls", "lf", "slack")))
    con.print(table)
    con.print(t("tracker.forecast_note", lang), markup=False)


def _num(v, lang: str = "en") -> str:
    if v is None:
        return "-"
    return format_number(v, "g", lang) if isinstance(v, (int, float)) else str(v)


def _pairs(values, option):
    out = []
    for v in values:
        parts = [p.strip() for p in v.split(",")]
        if len(parts) != 2 or not all(parts):
            raise click.BadParameter(Message("cli.err.licensing.expected_two_stage_ids", value=v),
                                     param_hint=option)
        out.append((parts[0], parts[1]))
    return out


def _assignments(values, option, convert, expected):
    out = {}
    for v in values:
        key, sep, val = v.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(Message("cli.err.licensing.expected_stage", value=v, expected=expected),
                                     param_hint=option)
        try:
            out[key.strip()] = convert(val.strip())
        except (ValueError, click.BadParameter):
            raise click.BadParameter(Message("cli.err.licensing.expected_stage", value=v, expected=expected),
                                     param_hint=option) from None
    return out


def _pos_days(text: str) -> float:
    v = float(text)
    if v < 0:
        raise ValueError(text)
    return v


def _iso_date(text: str) -> date:
    if not _DATE_RE.match(text):
        raise ValueError(text)
    d = date.fromisoformat(text)
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise ValueError(text)
    return d


@project_group.command("whatif")
@click.argument("project_id", type=ID)
@click.option("--parallel", multiple=True, metavar="A,B",
              help="Run stage B in parallel with its prerequisite A (where the law allows); repeatable.")
@click.option("--shorten", multiple=True, metavar="STAGE=DAYS",
              help="Take DAYS working days off STAGE's duration (never below zero); repeatable.")
@click.option("--resolve", multiple=True, metavar="STAGE=YYYY-MM-DD",
              help="Assume the blocker of STAGE is resolved on that date; repeatable.")
@_today_option
@click.option("--runs", type=click.IntRange(100, 1_000_000), default=10000, show_default=True)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True)
@_json_option
def project_whatif(project_id, parallel, shorten, resolve, today, runs, seed, as_json):
    """Percepatan: the completion date under a scenario and which stages became critical."""
    from kawasan.licensing import Scenario

    scen = Scenario(parallel=_pairs(parallel, "--parallel"),
                    shorten=_assignments(shorten, "--shorten", _pos_days, "DAYS (a number >= 0)"),
                    resolve=_assignments(resolve, "--resolve", _iso_date, "YYYY-MM-DD"))
    res = _service().whatif(project_id, scen, today=today, runs=runs, seed=seed)
    if as_json:
        return _emit(res)
    lang = _lang()
    con = console()
    base, var = res["base"], res["variant"]
    saved = res["days_saved"]
    con.print(t("tracker.whatif_result" if saved >= 0 else "tracker.whatif_later", lang,
                base=_day(base["finish"], lang, False), variant=_day(var["finish"], lang, False), saved=saved,
                later=-saved, p80b=_day(base["p80"], lang, False), p80v=_day(var["p80"], lang, False)), markup=False)
    con.print(t("tracker.critical_path", lang, path=" -> ".join(var["critical_path"])), markup=False)
    if res["newly_critical"]:
        con.print(t("tracker.newly_critical", lang, ids=", ".join(res["newly_critical"])), markup=False)
    if res["no_longer_critical"]:
        con.print(t("tracker.no_longer_critical", lang, ids=", ".join(res["no_longer_critical"])), markup=False)
    from kawasan.licensing.notes import render

    for n in res.get("note_codes") or [{"key": "licensing.note.text", "params": {"text": x}} for x in res["notes"]]:
        con.print(f"- {render(n, lang)}", markup=False)


@project_group.command("history")
@click.argument("project_id", type=ID)
@click.option("--stage", "stage_id", default=None, help="Only the events of this stage.")
@_json_option
def project_history(project_id, stage_id, as_json):
    """The append-only event log of a project (or one stage): who, when, what from what to what, why."""
    rows = _service().history(project_id, stage_id)
    if as_json:
        return _emit(rows)
    lang = _lang()
    table = Table(title=t("tracker.history_title", lang, id=project_id))
    for key in ("event", "recorded", "effective", "who", "stage", "what", "change", "why"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)))
    for e in rows:
        change = f"{_state(e['from'], lang)} -> {_state(e['to'], lang)}" if e["from"] else _state(e["to"], lang)
        recorded = f"{_day(e['recorded_at'], lang)} {(e['recorded_at'] or '')[11:16]}".strip()
        table.add_row(str(e["id"]), recorded, _day(e["effective_date"], lang), e["actor"],
                      e["stage"] or "-", _label("tracker.event.", e["kind"], lang), change, e["reason"] or "-")
    console().print(table)


# ====================================================================== stages

@cli.group("stage")
def stage_group():
    """Record progress on a stage: update its state, block/unblock it, attach documents, obstacles."""


def _version_option(f):
    return click.option("--expect-version", type=ID, default=None,
                        help="The stage version you read (project show); a newer stored version is a conflict.")(f)


def _on_option(f):
    return click.option("--on", "on", type=DATE, default=None,
                        help="Date the change happened (YYYY-MM-DD, default today).")(f)


@stage_group.command("update")
@click.argument("project_id", type=ID)
@click.argument("stage_id")
@click.option("--status", required=True, type=click.Choice([s for s in STATES if s != "blocked"]),
              help="The new state (only legal transitions are accepted).")
@click.option("--reason", default=None, help="Why (required for waived; kept with every change).")
@_on_option
@_version_option
@_as_option
@_json_option
def stage_update(project_id, stage_id, status, reason, on, expect_version, actor, as_json):
    """Move STAGE of project PROJECT_ID to a new state."""
    res = _service().update_stage(project_id, stage_id, status, reason=reason, on=on,
                                  expected_version=expect_version, actor=actor)
    _emit(res) if as_json else click.echo(t("tracker.stage_updated", _lang(), **_fmt(res)))
    _warn(res)


def _fmt(res: dict) -> dict:
    lang = _lang()
    return {"project": res["project"], "stage": res["stage"], "old": _state(res["from"], lang),
            "new": _state(res["to"], lang), "version": res["version"], "on": _day(res["on"], lang, False)}


@stage_group.command("block")
@click.argument("project_id", type=ID)
@click.argument("stage_id")
@click.option("--reason", required=True, help="Why the stage is blocked.")
@click.option("--obstacle", default=None, help="Also record the obstacle (kendala) behind the block.")
@click.option("--owner", default=None, help="Who must solve the obstacle (default: the stage's agency).")
@click.option("--until", "until", type=DATE, default=None, help="Expected unblock date (YYYY-MM-DD).")
@_on_option
@_version_option
@_as_option
@_json_option
def stage_block(project_id, stage_id, reason, obstacle, owner, until, on, expect_version, actor, as_json):
    """Block STAGE with a reason (and optionally its obstacle and expected unblock date)."""
    res = _service().block_stage(project_id, stage_id, reason=reason, on=on, expected_unblock=until,
                                 obstacle=obstacle, owner=owner, expected_version=expect_version, actor=actor)
    _emit(res) if as_json else click.echo(t("tracker.stage_updated", _lang(), **_fmt(res)))
    _warn(res)


@stage_group.command("unblock")
@click.argument("project_id", type=ID)
@click.argument("stage_id")
@click.option("--reason", default=None)
@click.option("--to", "to", type=click.Choice([s for s in STATES if s != "blocked"]), default=None,
              help="State after the block (default: the state before it).")
@_on_option
@_version_option
@_as_option
@_json_option
def stage_unblock(project_id, stage_id, reason, to, on, expect_version, actor, as_json):
    """Unblock STAGE: back to the state it had before the block (or --to)."""
    res = _service().unblock_stage(project_id, stage_id, reason=reason, on=on, to=to,
                                   expected_version=expect_version, actor=actor)
    _emit(res) if as_json else click.echo(t("tracker.stage_updated", _lang(), **_fmt(res)))
    _warn(res)


@stage_group.command("attach")
@click.argument("project_id", type=ID)
@click.argument("stage_id")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Document name (default: the file name without extension); "
                                           "attaching the same name again makes a new version.")
@_as_option
@_json_option
def stage_attach(project_id, stage_id, file, name, actor, as_json):
    """Attach FILE to STAGE (pdf, png, jpg, tif, docx, xlsx, pptx, odt, ods, geojson, gpkg, kml, kmz, zip)."""
    res = _service().attach(project_id, stage_id, file, name=name, actor=actor)
    _emit(res) if as_json else click.echo(t("tracker.attached", _lang(), name=res["name"], version=res["version"],
                                            stage=res["stage"], sha=res["sha256"][:12], size=fmt_int(res["size_bytes"], _lang())))


@stage_group.command("documents")
@click.argument("project_id", type=ID)
@click.argument("stage_id", required=False)
@_json_option
def stage_documents(project_id, stage_id, as_json):
    """List the documents (every version) of a project or one stage."""
    rows = _service().documents(project_id, stage_id)
    if as_json:
        return _emit(rows)
    lang = _lang()
    table = Table(title=t("tracker.documents_title", lang, id=project_id))
    for key in ("stage", "name", "version", "file", "size", "sha256"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)))
    for d in rows:
        table.add_row(d["stage"], d["name"], str(d["version"]), d["filename"], fmt_int(d["size_bytes"], lang),
                      d["sha256"][:16])
    console().print(table)


@stage_group.group("obstacle")
def obstacle_group():
    """Obstacles (kendala) on a stage: who owns them, since when, how they were resolved."""


@obstacle_group.command("add")
@click.argument("project_id", type=ID)
@click.argument("stage_id")
@click.option("--description", required=True, help="What stands in the way.")
@click.option("--owner", required=True, help="Who must solve it (agency or person).")
@click.option("--until", "until", type=DATE, default=None, help="Expected resolution date (YYYY-MM-DD).")
@_on_option
@_as_option
@_json_option
def obstacle_add(project_id, stage_id, description, owner, until, on, actor, as_json):
    """Record an obstacle against STAGE."""
    res = _service().add_obstacle(project_id, stage_id, description, owner=owner, on=on, expected_resolution=until,
                                  actor=actor)
    _emit(res) if as_json else click.echo(t("tracker.obstacle_added", _lang(), id=res["id"], stage=res["stage"]))


@obstacle_group.command("resolve")
@click.argument("obstacle_id", type=ID)
@click.option("--resolution", required=True, help="How it was resolved.")
@_on_option
@_as_option
@_json_option
def obstacle_resolve(obstacle_id, resolution, on, actor, as_json):
    """Record how obstacle OBSTACLE_ID was resolved."""
    res = _service().resolve_obstacle(obstacle_id, resolution, on=on, actor=actor)
    _emit(res) if as_json else click.echo(t("tracker.obstacle_resolved", _lang(), id=res["id"],
                                            on=_day(res["resolved_on"], _lang(), False)))


@obstacle_group.command("list")
@click.argument("project_id", type=ID)
@click.option("--stage", "stage_id", default=None)
@click.option("--open", "open_only", is_flag=True, help="Only obstacles not yet resolved.")
@_json_option
def obstacle_list(project_id, stage_id, open_only, as_json):
    """List the obstacles of a project (what the team meets about)."""
    rows = _service().obstacles(project_id, stage_id, open_only=open_only)
    if as_json:
        return _emit(rows)
    lang = _lang()
    table = Table(title=t("tracker.obstacles_title", lang, id=project_id))
    for key in ("id", "stage", "description", "owner", "raised", "resolution"):
        table.add_column(Text(t(f"tracker.col_{key}", lang)))
    for o in rows:
        res = f"{_day(o['resolved_on'], lang)}: {o['resolution']}" if o["resolved_on"] else t("tracker.open", lang)
        table.add_row(str(o["id"]), o["stage"], o["description"], o["owner"], _day(o["raised_on"], lang), res)
    console().print(table)


from kawasan.cli import db as _db  # noqa: E402,F401  (db verify/backup/restore/gc attach themselves to db_group)
