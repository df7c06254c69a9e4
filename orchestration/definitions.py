"""One `Definitions` for the whole platform, merged from the domain folders."""

from dagster import Definitions

from orchestration.billing.assets import ingest_assets as billing_ingest
from orchestration.content.assets import ingest_assets as content_ingest
from orchestration.dbt.assets import dbt_incremental_models, dbt_models
from orchestration.dbt.resources import dbt_resource
from orchestration.events.assets import ingest_assets as events_ingest
from orchestration.payments.assets import ingest_assets as payments_ingest
from orchestration.resources import LandingZone, warehouse_from_env
from orchestration.schedules import schedules
from orchestration.viewing.assets import ingest_assets as viewing_ingest

defs = Definitions(
    assets=[
        *viewing_ingest,
        *billing_ingest,
        *content_ingest,
        *payments_ingest,
        *events_ingest,
        dbt_incremental_models,
        dbt_models,
    ],
    schedules=schedules,
    resources={"warehouse": warehouse_from_env(), "landing": LandingZone(), "dbt": dbt_resource()},
)
