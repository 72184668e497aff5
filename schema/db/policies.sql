-- Row-level security for the reporting role: one organisation's projects at a time
-- (SET app.org_id per session). The table's RLS is enabled by a revision's execute.
CREATE POLICY projects_of_current_org ON public.projects
  USING (org_id = current_setting('app.org_id', true)::bigint);
