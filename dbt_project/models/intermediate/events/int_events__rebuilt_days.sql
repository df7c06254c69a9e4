-- The days whose daily event figures a run rebuilds (events_rebuilt_days: the days it loads and the completion
-- days of the registrations its events touch), found once per run: the daily breakdowns, the monthly
-- breakdowns and the organization daily mart read them here instead of each finding them again (0.6 to 0.9 s
-- each at 365 days of history). The row's invocation_id tells a reader whether its own run built the table,
-- else the reader finds the days itself (events_rebuilt_days_list).
{{ config(materialized='table', order_by='event_date') }}

select distinct event_date, '{{ invocation_id }}' as invocation_id
from {{ events_rebuilt_days() }}
where {{ 'true' if run_has_window() else 'false' }}  -- a build of all history rebuilds every day
