"""A user's deadlines as an iCalendar feed (RFC 5545, written with the icalendar library).

One all-day event per due date and per deemed-approved (fiktif positif) date of the stages in the user's
My work. UIDs are stable (project, stage, kind), so a calendar program updates an event when a date moves.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from icalendar import Calendar, Event

from kawasan.i18n import t


def feed_ics(deadlines: list[dict], lang: str, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//kawasan//licensing deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", t("web.feed.name", lang))
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    for d in deadlines:
        day = date.fromisoformat(d["date"])
        ev = Event()
        ev.add("uid", f"kawasan-{d['project']}-{d['stage']}-{d['kind']}@kawasan")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + timedelta(days=1))
        ev.add("summary", t(f"web.feed.{d['kind']}", lang, stage=d["stage"], name=d["name"][lang],
                            project=d["project_name"]))
        ev.add("description", t("web.feed.description", lang, agency=d["agency"], basis=d["legal_basis"]["citation"],
                                tag=d["legal_basis"]["tag"]))
        ev.add("url", f"{base_url}/projects/{d['project']}")
        cal.add_component(ev)
    return cal.to_ical()
