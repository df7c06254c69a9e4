"""One `Definitions` for the whole platform, merged from the domain folders."""

from dagster import Definitions, in_process_executor

from orchestration import schedules as platform_schedules
from orchestration.billing import schedules as billing_schedules
from orchestration.billing.assets import ingest_assets as billing_ingest
from orchestration.billing.resources import billing_source_from_env
from orchestration.content import schedules as content_schedules
from orchestration.content.assets import ingest_assets as content_ingest
from orchestration.dbt.assets import dbt_incremental_models, dbt_models
from orchestration.dbt.exposures import exposure_specs
from orchestration.dbt.resources import dbt_project, dbt_resource
from orchestration.event_log import relax_sqlite_commits
from orchestration.events import assets as events
from orchestration.events import schedules as events_schedules
from orchestration.events.resources import events_source_from_env
from orchestration.payments.assets import ingest_assets as payments_ingest
from orchestration.reports import schedules as reports_schedules
from orchestration.reports.assets import published_marts
from orchestration.reports.resources import telegram_bot_from_env
from orchestration.resources import ExportsDir, LandingZone, warehouse_from_env
from orchestration.viewing import assets as viewing
from orchestration.viewing import schedules as viewing_schedules
from orchestration.viewing.resources import mongodb_from_env, viewing_source_from_env

# Every process that runs jobs (command line, run workers, code servers) loads these definitions.
relax_sqlite_commits()

defs = Definitions(
    assets=[
        *viewing.assets,
        *billing_ingest,
        *content_ingest,
        *payments_ingest,
        *events.assets,
        dbt_incremental_models,
        dbt_models,
        published_marts,
        *exposure_specs(dbt_project.manifest_path),
    ],
    jobs=[
        platform_schedules.daily_pipeline,
        *viewing_schedules.jobs,
        *billing_schedules.jobs,
        *content_schedules.jobs,
        *events_schedules.jobs,
        *reports_schedules.jobs,
    ],
    schedules=[
        *platform_schedules.schedules,
        *viewing_schedules.schedules,
        *billing_schedules.schedules,
        *content_schedules.schedules,
        *events_schedules.schedules,
        *reports_schedules.schedules,
    ],
    # A run is one process, as on the command line: its steps take turns on the warehouse anyway (the lease), and
    # a process per step would import Dagster, dbt and the definitions again for each (4 to 5 s).
    executor=in_process_executor,
    resources={
        "warehouse": warehouse_from_env(),
        "landing": LandingZone(),
        "exports": ExportsDir(),
        "dbt": dbt_resource(),
        "viewing_source": viewing_source_from_env(),
        "mongodb": mongodb_from_env(),
        "events_source": events_source_from_env(),
        "billing_source": billing_source_from_env(),
        "telegram": telegram_bot_from_env(),
    },
)
