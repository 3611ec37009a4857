{#- The backtest: does the score on a past date D rank the customers who went on to do something
    (the outcome) in the N days after it? Everything its vars decide is read here, so the dates
    model, the population and the marts agree, and a bad var stops the run naming it. -#}

{% macro engagement_backtest_horizon_days() %}
    {{ return(engagement_whole_number_var('engagement_backtest_horizon_days', 30, 1)) }}
{% endmacro %}

{#- A higher score should mean less of the outcome (a churn date): the backtest then ranks
    customers by the negated score (engagement_backtest_ranking_score). -#}
{% macro engagement_backtest_outcome_is_bad() %}
    {{ return(engagement_boolean_var('engagement_backtest_outcome_is_bad', false)) }}
{% endmacro %}

{#- Tiers need this many customers on a date to count in the monotonicity check: the outcome rate
    of a handful of customers moves by chance. -#}
{% macro engagement_backtest_min_tier_customers() %}
    {{ return(engagement_whole_number_var('engagement_backtest_min_tier_customers', 30, 1)) }}
{% endmacro %}

{#- The model or seed (of the project running dbt) holding the outcome, or none for the default
    outcome "any accepted event". -#}
{% macro engagement_backtest_outcome_model() %}
    {%- set name = var('engagement_backtest_outcome_model', none) -%}
    {%- if name is none or name == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if name is not string or not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', name) -%}
        {{ exceptions.raise_compiler_error("engagement_backtest_outcome_model must name a model or seed of your project, got '" ~ name ~ "'") }}
    {%- endif -%}
    {{ return(name) }}
{% endmacro %}

{% macro engagement_backtest_outcome_name() %}
    {{ return(engagement_backtest_outcome_model() or 'any_event') }}
{% endmacro %}

{#- The backtest dates of var engagement_backtest_score_dates (default: the score date minus the
    horizon), as {'kept': [dates, ascending], 'skipped': [(date, why), ...]}. A date is skipped
    when the history cannot answer it: its outcome window is not over by engagement_score_date,
    or it lies before engagement_history_start_date (the history has no scores then). -#}
{% macro engagement_backtest_score_dates() %}
    {%- set score_date = engagement_score_date() -%}
    {%- set horizon = engagement_backtest_horizon_days() -%}
    {%- set one_day = modules.datetime.timedelta(days=1) -%}
    {%- set configured = var('engagement_backtest_score_dates', none) -%}
    {%- if configured is none -%}
        {%- set texts = [(score_date - modules.datetime.timedelta(days=horizon)).isoformat()] -%}
    {%- else -%}
        {%- set texts = engagement_list_var('engagement_backtest_score_dates', []) -%}
    {%- endif -%}
    {%- set dates = [] -%}
    {%- for text in texts -%}
        {%- set parsed = engagement_parse_date_var('engagement_backtest_score_dates', text) -%}
        {%- if parsed not in dates -%}
            {%- do dates.append(parsed) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set history_start = engagement_history_start_date() -%}
    {%- set kept = [] -%}
    {%- set skipped = [] -%}
    {%- for backtest_date in dates | sort -%}
        {%- set outcome_end = backtest_date + modules.datetime.timedelta(days=horizon) -%}
        {%- if outcome_end > score_date -%}
            {%- do skipped.append((backtest_date, "its outcome window " ~ (backtest_date + one_day) ~ " to " ~ outcome_end
                ~ " is not over by engagement_score_date " ~ score_date)) -%}
        {%- elif history_start is not none and backtest_date < history_start -%}
            {%- do skipped.append((backtest_date, "it is before engagement_history_start_date " ~ history_start
                ~ ", so the history has no scores for it")) -%}
        {%- else -%}
            {%- do kept.append(backtest_date) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'kept': kept, 'skipped': skipped}) }}
{% endmacro %}

{#- The score the backtest ranks customers by: the score, or its negation when a higher score
    should mean less of the outcome, so that an AUC above 0.5, a lift above 1 and a rising
    capture curve mean "the score works" either way. -#}
{% macro engagement_backtest_ranking_score(score) -%}
    {%- if engagement_backtest_outcome_is_bad() -%}-{%- endif -%}{{ score }}
{%- endmacro %}

{#- Rows of tiers (date or scale in `partition_columns`, tier_rank, customers, positives) →
    `tier_monotonicity`: per partition, whether the outcome rate never falls as tier rank rises
    (never rises, when the outcome is bad) among the tiers with at least
    engagement_backtest_min_tier_customers customers; null when fewer than two tiers have that
    many. Rates are compared as cross products of whole numbers, so equal rates are equal. -#}
{% macro engagement_backtest_monotonicity_ctes(tier_rates, partition_columns) %}
    {%- set partition = partition_columns | join(', ') -%}
    {%- set falls = '>' if engagement_backtest_outcome_is_bad() else '<' -%}
qualifying_tiers as (
    select
        {{ partition }},
        tier_rank,
        customers,
        positives,
        lag(customers) over (partition by {{ partition }} order by tier_rank) as lower_tier_customers,
        lag(positives) over (partition by {{ partition }} order by tier_rank) as lower_tier_positives
    from {{ tier_rates }}
    where customers >= {{ engagement_backtest_min_tier_customers() }}
),

tier_monotonicity as (
    select
        {{ partition }},
        case
            when count(*) >= 2
                then sum(
                    case
                        when positives * lower_tier_customers {{ falls }} lower_tier_positives * customers then 1
                        else 0
                    end
                ) = 0
        end as tiers_monotone
    from qualifying_tiers
    group by {{ partition }}
)
{%- endmacro %}

{#- Target shares per tier for engagement_tier_suggestions: a mapping of tier name to its share of
    the customers above the lowest tier (which keeps its bounds), each above 0, summing to 1.
    Returned as a list of (tier, share). -#}
{% macro engagement_tier_suggestion_shares() %}
    {%- set name = 'engagement_tier_suggestion_shares' -%}
    {%- set shares = var(name, {'disengaged': 0.4, 'somewhat_engaged': 0.3, 'highly_engaged': 0.2, 'power_user': 0.1}) -%}
    {%- if shares is not mapping or shares | length == 0 -%}
        {{ exceptions.raise_compiler_error(name ~ " must map tier names to shares, e.g. {disengaged: 0.4, somewhat_engaged: 0.3, highly_engaged: 0.2, power_user: 0.1}, got '" ~ shares ~ "'") }}
    {%- endif -%}
    {%- set pairs = [] -%}
    {%- set total = namespace(value=0) -%}
    {%- for tier, share in shares.items() -%}
        {%- if share is not number or share is boolean or share <= 0 or share > 1 -%}
            {{ exceptions.raise_compiler_error(name ~ ": the share of '" ~ tier ~ "' must be a number above 0 and at most 1, got '" ~ share ~ "'") }}
        {%- endif -%}
        {%- set total.value = total.value + share -%}
        {%- do pairs.append((tier | string | lower, share)) -%}
    {%- endfor -%}
    {%- if (total.value - 1) | abs > 0.000001 -%}
        {{ exceptions.raise_compiler_error(name ~ ": the shares must sum to 1, got " ~ total.value) }}
    {%- endif -%}
    {{ return(pairs) }}
{% endmacro %}
