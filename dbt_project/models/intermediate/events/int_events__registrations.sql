-- One row per registration of an event: its ticket type and source, whether it was completed,
-- cancelled and checked in. The latest non-null ticket type and source win. completed_date is the day (of
-- the event's partition) of its first registration.completed. Grouped by registration: a filter on
-- registration_id or event_id reaches the events of those registrations only.
{{ registrations_from_events() }}
