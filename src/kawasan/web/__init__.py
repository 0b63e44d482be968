"""The web application: the licensing tracker in the browser and its JSON API (FastAPI + Jinja2).

:func:`kawasan.web.app.create_app` builds it; ``kawasan serve`` runs it. The web layer calls the
tracker (:mod:`kawasan.tracker`) and the domain packages only, never :mod:`kawasan.storage`.
"""
