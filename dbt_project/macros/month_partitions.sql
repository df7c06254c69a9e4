{#- Small day-grained marts are partitioned by month: every partition is a part the warehouse loads when it
    opens, and a year of daily partitions across the small tables was thousands of them. A run still rebuilds
    days, but insert_overwrite replaces whole partitions, so the model's incremental query carries the rest
    of each month it rebuilds over from the table unchanged. `rebuilt_days` is a query of the days the run
    recomputes, in a column named `day`; they must be all the days the model's own rows cover. -#}
{% macro rest_of_rebuilt_months(day_column, rebuilt_days) -%}
{%- if is_incremental() %}
union all
select * from {{ this }}
where toStartOfMonth({{ day_column }}) in (select toStartOfMonth(day) from ({{ rebuilt_days }}))
    and {{ day_column }} not in (select day from ({{ rebuilt_days }}))
{%- endif %}
{%- endmacro %}

{#- The days of the run window (partition_window's), widened the same way, as a query with column `day`. -#}
{% macro window_days(days_before=0, days_after=0) -%}
    {%- set first = "toDate('" ~ var('min_date') ~ "') - " ~ days_before -%}
    {%- set last = "toDate('" ~ var('max_date') ~ "') + " ~ days_after -%}
    select {{ first }} + number as day from numbers(toUInt64({{ last }} - ({{ first }}) + 1))
{%- endmacro %}

{#- post-hook: an insert_overwrite model's partition holds the parts its query wrote (one per stream of the
    insert: two or more for a grouped or unioned query); the partitions with more than one are merged into
    one. The embedded warehouse reads every part's files each time it opens, and its short sessions leave
    background merges little time (a ClickHouse server would merge them later; here it is done at once). -#}
{% macro merge_partition_parts() -%}
    {%- if execute and model.config.materialized == 'incremental'
          and model.config.incremental_strategy == 'insert_overwrite' -%}
        {%- set split = run_query("select partition_id from system.parts where active and database = '"
            ~ this.schema ~ "' and table = '" ~ this.identifier ~ "' group by partition_id having count() > 1") -%}
        {%- for row in split.rows -%}
            {%- do run_query("optimize table " ~ this ~ " partition id '" ~ row[0] ~ "' final") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
