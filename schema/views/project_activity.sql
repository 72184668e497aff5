-- Per project: how many documents it holds and when one last changed. Refreshed by the
-- application after a batch of edits (REFRESH MATERIALIZED VIEW CONCURRENTLY, hence the unique
-- index on project_id).
SELECT p.id AS project_id,
       p.org_id,
       count(d.id) AS documents,
       max(d.updated_at) AS last_change
  FROM projects p
  LEFT JOIN documents d ON d.project_id = p.id
 GROUP BY p.id, p.org_id
