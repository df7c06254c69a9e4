from ingest import billing
from orchestration.ingest_assets import build_ingest_assets

ingest_assets = build_ingest_assets(billing.SOURCES)
