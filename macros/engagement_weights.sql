{#- The weights as analysts wrote them, as text: the package's seed, plus, when the var
    `engagement_weight_overrides` names a seed (or model) of the root project (the one running dbt), that
    seed's rows, which replace the default row with the same (channel, event_type). -#}
{% macro engagement_weight_sources() %}
    {%- set sources = [{'weight_source': 'default', 'name': 'engagement_event_weights', 'relation': ref('engagement_event_weights')}] -%}
    {%- set overrides = engagement_weight_overrides() -%}
    {%- if overrides -%}
        {%- do sources.append({'weight_source': 'override', 'name': overrides, 'relation': ref(project_name, overrides)}) -%}
    {%- endif -%}
    {{ return(sources) }}
{% endmacro %}

{% macro engagement_weight_rows() %}
    {%- for weight_source in engagement_weight_sources() %}
        select
            '{{ weight_source.weight_source }}' as weight_source,
            cast(channel as {{ dbt.type_string() }}) as channel,
            cast(event_type as {{ dbt.type_string() }}) as event_type,
            cast(weight as {{ dbt.type_string() }}) as weight,
            cast(daily_cap as {{ dbt.type_string() }}) as daily_cap,
            cast(description as {{ dbt.type_string() }}) as description
        from {{ weight_source.relation }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- A number as an analyst may write it in the seed, on every engine alike: plain decimal or with
    an exponent (1.5, -20, .25, 2e-3); no thousands separators. Returns none when the text is not
    such a number, else {'decimals': places after the point of the value (0.2500000 has 2,
    1.23456789e3 has 5), 'integer_digits': digits before it, 'negative': bool, 'zero': bool}. -#}
{% macro engagement_parse_seed_number(text) %}
    {%- set match = modules.re.match('^([+-]?)([0-9]*)(?:[.]([0-9]*))?(?:[eE]([+-]?[0-9]+))?$', text) -%}
    {%- if match is none or (match.group(2) ~ (match.group(3) or '')) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set fraction = match.group(3) or '' -%}
    {%- set exponent = (match.group(4) or '0') | int -%}
    {%- set digits = match.group(2) ~ fraction -%}
    {%- set significant = digits.lstrip('0') -%}
    {%- set trimmed = significant.rstrip('0') -%}
    {#- value = int(digits) x 10^(exponent - len(fraction)); trailing zeros are not decimals. -#}
    {%- set scale = fraction | length - exponent - (significant | length - trimmed | length) -%}
    {{ return({
        'decimals': [scale, 0] | max,
        'integer_digits': [trimmed | length - scale, 0] | max,
        'negative': match.group(1) == '-',
        'zero': trimmed == '',
    }) }}
{% endmacro %}

{#- Every bad row of the weights seeds, as a list of {weight_source, seed, line, channel,
    event_type, weight, daily_cap, problem}; line is the row's line in the CSV file (the header is
    line 1), as the seed was loaded. Read when dbt executes; empty while it parses. -#}
{% macro engagement_weight_problems() %}
    {%- set problems = [] -%}
    {#- Resolved before the execute check, so that dbt records the seeds as the caller's parents. -#}
    {%- set weight_sources = engagement_weight_sources() -%}
    {%- if not execute -%}
        {{ return(problems) }}
    {%- endif -%}
    {%- set channels = engagement_channels() -%}
    {%- for weight_source in weight_sources if load_relation(weight_source.relation) is not none -%}
        {#- A plain scan returns a freshly loaded seed in file order on every supported engine. -#}
        {%- set rows = run_query(
            "select cast(channel as " ~ dbt.type_string() ~ "), cast(event_type as " ~ dbt.type_string()
            ~ "), cast(weight as " ~ dbt.type_string() ~ "), cast(daily_cap as " ~ dbt.type_string()
            ~ ") from " ~ weight_source.relation
        ).rows -%}
        {%- set first_line = {} -%}
        {%- for row in rows -%}
            {%- set line = loop.index + 1 -%}
            {%- set channel = (row[0] or '') | trim | lower -%}
            {%- set event_type = (row[1] or '') | trim | lower -%}
            {%- set weight = (row[2] or '') | trim -%}
            {%- set daily_cap = (row[3] or '') | trim -%}
            {%- set key = channel ~ '|' ~ event_type -%}
            {%- set weight_number = engagement_parse_seed_number(weight) -%}
            {%- set cap_number = engagement_parse_seed_number(daily_cap) -%}
            {%- if channel == '' -%}
                {%- set problem = 'missing channel' -%}
            {%- elif channel not in channels -%}
                {%- set problem = 'unknown channel (expected one of ' ~ channels | join(', ') ~ ')' -%}
            {%- elif event_type == '' -%}
                {%- set problem = 'missing event_type' -%}
            {%- elif key in first_line -%}
                {%- set problem = 'duplicate (channel, event_type): also on line ' ~ first_line[key] -%}
            {%- elif weight == '' -%}
                {%- set problem = 'missing weight' -%}
            {%- elif weight_number is none -%}
                {%- set problem = 'weight is not a number (write it like 1.5, -20 or 2e-3)' -%}
            {%- elif weight_number.decimals > 6 -%}
                {%- set problem = 'weight has more than 6 decimals' -%}
            {#- Points are numeric(30, 12): a weight times a day's units must stay below 10^18. -#}
            {%- elif weight_number.integer_digits > 9 -%}
                {%- set problem = 'weight is out of range (it must be smaller than a billion either way)' -%}
            {%- elif daily_cap != '' and cap_number is none -%}
                {%- set problem = 'daily_cap is not a number' -%}
            {%- elif daily_cap != '' and (cap_number.zero or cap_number.negative) -%}
                {%- set problem = 'daily_cap must be above 0' -%}
            {%- elif daily_cap != '' and cap_number.decimals > 0 -%}
                {%- set problem = 'daily_cap must be a whole number' -%}
            {%- elif daily_cap != '' and cap_number.integer_digits > 9 -%}
                {%- set problem = 'daily_cap is out of range (it must be smaller than a billion)' -%}
            {%- else -%}
                {%- set problem = none -%}
            {%- endif -%}
            {%- if channel != '' and event_type != '' and key not in first_line -%}
                {%- do first_line.update({key: line}) -%}
            {%- endif -%}
            {%- if problem is not none -%}
                {%- do problems.append({
                    'weight_source': weight_source.weight_source,
                    'seed': weight_source.name,
                    'line': line,
                    'channel': row[0],
                    'event_type': row[1],
                    'weight': row[2],
                    'daily_cap': row[3],
                    'problem': problem,
                }) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}

{#- One line per bad row, as the build prints it. -#}
{% macro engagement_weight_problem_message(problem) %}
    {{ return(
        'Bad row in seed ' ~ problem.seed ~ ', line ' ~ problem.line ~ ': '
        ~ [problem.channel, problem.event_type, problem.weight, problem.daily_cap] | map('default', '', true) | join(' | ')
        ~ ' | ' ~ problem.problem
    ) }}
{% endmacro %}

{#- Stops the model that reads the weights when a seed has a bad row, so `dbt run` without the
    seed's test never scores with a half-valid seed (nor picks one of two rows). -#}
{% macro engagement_raise_on_bad_weights() %}
    {%- set problems = engagement_weight_problems() -%}
    {%- if problems -%}
        {%- set lines = [] -%}
        {%- for problem in problems -%}
            {%- do lines.append(engagement_weight_problem_message(problem)) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "the weights seed has " ~ problems | length ~ " bad row(s); fix them and run again:\n" ~ lines | join('\n')
        ) }}
    {%- endif -%}
{% endmacro %}
