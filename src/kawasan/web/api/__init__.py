"""The JSON API under /api/v1: the same service calls as the pages, one error shape, pagination on lists."""
from fastapi import APIRouter

from kawasan.web.api import analysis, directory, potential, projects
from kawasan.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
router.include_router(projects.router)
router.include_router(directory.router)
router.include_router(analysis.router)
router.include_router(potential.router)
