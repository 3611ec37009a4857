-- The package, pointed at this project's tables and weights, gives the hand-worked scores: any
-- row in one set and not the other fails.
with actual as (
    select
        customer_id,
        engagement_score,
        engagement_tier
    from {{ ref('customer_engagement_tiers') }}
),

expected as (
    select
        customer_id,
        engagement_score,
        engagement_tier
    from {{ ref('expected_customer_tiers') }}
),

missing as (
    select * from expected
    except
    select * from actual
),

unexpected as (
    select * from actual
    except
    select * from expected
)

select 'missing' as problem, missing.* from missing
union all
select 'unexpected' as problem, unexpected.* from unexpected
