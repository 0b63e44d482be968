"""What the map routes share: the server's data folder and the run a route names."""
from __future__ import annotations

from fastapi import Request

from kawasan.errors import NotFoundError
from kawasan.spatial.runs.catalog import DataFolder, Entry
from kawasan.i18n import Message


def data_folder(request: Request) -> DataFolder:
    """The data folder the server was started with (``kawasan serve --data DIR``); 404 when it has none."""
    data = getattr(request.app.state, "data", None)
    if data is None:
        raise NotFoundError(Message("web.err.common.server_has_data_folder"), field="data_dir")
    return data


def run_entry(request: Request, run_id: str) -> Entry:
    return data_folder(request).run(run_id)


def area_entry(request: Request, area_id: str) -> Entry:
    return data_folder(request).study_area(area_id)
