-- Every task belongs to a tenant (from the caller's token or API key); a caller sees and uses only its
-- tenant's tasks. Tasks stored before tenants existed belong to tenant 'default' (the tenant of every call
-- while iris.security.enabled=false); give them to another with
--   UPDATE task SET tenant = '<tenant>' WHERE tenant = 'default';
ALTER TABLE task ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE task ALTER COLUMN tenant DROP DEFAULT;
-- one tenant's listing, page by page, oldest first
CREATE INDEX task_tenant_created ON task (tenant, created_at, id);
