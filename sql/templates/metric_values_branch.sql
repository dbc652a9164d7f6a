SELECT '{metric_id}' AS metric_id, date, '' AS campaign, value FROM analytics.v_metric_{metric_id}
UNION ALL
SELECT '{metric_id}' AS metric_id, date, campaign, value FROM analytics.v_metric_{metric_id}_by_campaign
