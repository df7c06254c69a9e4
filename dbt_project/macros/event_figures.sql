{#- The dashboard figures of the rows that share a grain, merged: views and registrations summed, the viewers'
    states merged into a state (which a coarser grain merges again). -#}
{% macro merged_event_figures() -%}
    sum(total_views) as total_views,
    uniqExactMergeState(unique_viewers_state) as unique_viewers_state,
    sum(total_registrations) as total_registrations,
    sum(confirmed_registrations) as confirmed_registrations,
    sum(checked_in) as checked_in
{%- endmacro %}
