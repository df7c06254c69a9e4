-- The days that hold events of the invoices and payouts with events in the run's window (the min_date..max_date
-- vars), found once per run in int_payments__invoice_days: the payments facts, their deletes and their tests
-- read these days instead of each looking them up again (a dozen and more lookups a run, each reading the
-- index's keys whole). Rebuilt by every run that builds the payments marts; the row's invocation_id tells a
-- reader whether it was built by its own run, else the reader looks the days up itself
-- (payment_event_days_in_window).
{{ config(materialized='table', order_by='event_date') }}

select event_date, '{{ invocation_id }}' as invocation_id
from {{ payment_event_days_looked_up() }}
where {{ 'true' if run_has_window() else 'false' }}  -- a build of all history reads every day
