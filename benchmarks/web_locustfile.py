"""Locust users for benchmarks/web.py: 50 investment-team members working on a SYNTHETIC portfolio.

Each simulated user signs in with a personal API token (bearer, as a script would) and mixes: My work
(page), the portfolio (page), a project (page), its stored forecast (API), a what-if (API, nothing
saved) and a stage update (API, the next legal state with the version just read). User i works on the
projects whose id is i modulo the number of users, so two users never update the same stage at once:
every refused update would be a real error, not a race the benchmark made.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import threading

from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(open(os.environ["KAWASAN_BENCH_ACCOUNTS"], encoding="utf-8").read())
NEXT = {"not_started": "in_progress", "in_progress": "submitted", "submitted": "approved"}
_ids = itertools.count()
_lock = threading.Lock()
ACCEPTED: list[dict] = []


class TeamMember(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        n = next(_ids)
        self.account = ACCOUNTS["users"][n % len(ACCOUNTS["users"])]
        self.client.headers["Authorization"] = f"Bearer {self.account['token']}"
        self.projects = [p for p in ACCOUNTS["projects"] if p % len(ACCOUNTS["users"]) == n % len(ACCOUNTS["users"])]
        self.rng = random.Random(n)

    def _project(self) -> int:
        return self.rng.choice(self.projects)

    @task(3)
    def my_work(self):
        self.client.get("/my-work", name="page: my work")

    @task(2)
    def portfolio(self):
        self.client.get("/projects", name="page: portfolio")

    @task(4)
    def project(self):
        self.client.get(f"/projects/{self._project()}", name="page: project")

    @task(3)
    def forecast(self):
        self.client.get(f"/api/v1/projects/{self._project()}/forecast", name="api: forecast")

    @task(1)
    def whatif(self):
        pid = self._project()
        self.client.post(f"/api/v1/projects/{pid}/whatif", json={"shorten": {"K6" if pid % 2 else "G5": 10}},
                         name="api: what-if")

    @task(2)
    def update_stage(self):
        pid = self._project()
        state = self.client.get(f"/api/v1/projects/{pid}", name="api: project state").json()
        done = {s["id"] for s in state["stages"] if s["status"] in ("approved", "waived")}
        mine = [s for s in state["stages"] if s["status"] in NEXT
                and (self.account["agency"] is None or s["agency"] == self.account["agency"])
                and (s["status"] != "not_started" or set(s["requires"]) <= done)]
        if not mine:
            return
        st = self.rng.choice(mine)
        with self.client.post(f"/api/v1/projects/{pid}/stages/{st['id']}/status", name="api: stage update",
                              json={"status": NEXT[st["status"]], "expected_version": st["version"],
                                    "reason": "benchmark (SYNTHETIC)"}, catch_response=True) as r:
            if r.status_code == 200:
                with _lock:
                    ACCEPTED.append({"project": pid, "stage": st["id"], "to": NEXT[st["status"]]})
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")


@events.test_stop.add_listener
def _save_accepted(environment, **_kw):
    with open(os.environ["KAWASAN_BENCH_ACCEPTED"], "w", encoding="utf-8") as f:
        json.dump(ACCEPTED, f)
