"""The Headway REST API, version 1, mounted at /api/v1/."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from . import accounts, goals_key_results, goals_links, goals_objectives, problems, strategy, teams
from .auth import SessionAuth, TokenAuth
from .parser import HeadwayParser


class HeadwayAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return problems.document(schema)


api = HeadwayAPI(
    title="Headway API",
    version="1",
    description=(
        "Objectives, key results and alignment for one organisation. Authenticate with a "
        "personal token (`Authorization: Bearer hw_…`) or a browser session. Errors are "
        "`application/problem+json` (RFC 9457)."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    parser=HeadwayParser(),
)
problems.install(api)
api.add_router("/", accounts.router)
api.add_router("/", teams.router)
api.add_router("/", strategy.router)
api.add_router("/", goals_objectives.router)
api.add_router("/", goals_key_results.router)
api.add_router("/", goals_links.router)

from . import goals_alignment  # noqa: E402

api.add_router("/", goals_alignment.router)

from . import coach  # noqa: E402

api.add_router("/", coach.router)

from . import goals_learning  # noqa: E402

api.add_router("/", goals_learning.router)

from . import goals_closing  # noqa: E402

api.add_router("/", goals_closing.router)

from . import insights  # noqa: E402

api.add_router("/", insights.router)

from . import insights_calibration  # noqa: E402

api.add_router("/", insights_calibration.router)

from . import discovery  # noqa: E402

api.add_router("/", discovery.router)

from . import discovery_survey  # noqa: E402

api.add_router("/", discovery_survey.router)

from . import discovery_analysis  # noqa: E402

api.add_router("/", discovery_analysis.router)

from . import adoption  # noqa: E402

api.add_router("/", adoption.router)

from . import rollout  # noqa: E402

api.add_router("/", rollout.router)

from . import webhooks  # noqa: E402

api.add_router("/", webhooks.router)

from . import notify  # noqa: E402

api.add_router("/", notify.router)

from . import rollout_brief  # noqa: E402

api.add_router("/", rollout_brief.router)

from . import export  # noqa: E402

api.add_router("/", export.router)

from . import transfer_import  # noqa: E402

api.add_router("/", transfer_import.router)
