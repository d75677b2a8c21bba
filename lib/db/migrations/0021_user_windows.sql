CREATE TABLE "user_windows" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"user_name" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"days" integer,
	"reason" text NOT NULL,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"recovery_id" bigint
);
--> statement-breakpoint
ALTER TABLE "program_categories" ADD COLUMN "extension_max_days" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "program_categories" ADD COLUMN "extension_max_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "program_categories" ADD COLUMN "new_user_window_days" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "user_windows_one_active_idx" ON "user_windows" USING btree ("account_id","user_name") WHERE "user_windows"."status" = 'active';--> statement-breakpoint
CREATE INDEX "user_windows_user_idx" ON "user_windows" USING btree ("account_id","user_name");--> statement-breakpoint
CREATE INDEX "user_windows_status_idx" ON "user_windows" USING btree ("status","ends_at");--> statement-breakpoint
ALTER TABLE "user_windows" ADD CONSTRAINT "user_windows_kind_check" CHECK ("kind" IN ('extension', 'new-user', 'grace'));--> statement-breakpoint
ALTER TABLE "user_windows" ADD CONSTRAINT "user_windows_status_check" CHECK ("status" IN ('pending', 'active', 'ended', 'rejected'));--> statement-breakpoint
ALTER TABLE "user_windows" ADD CONSTRAINT "user_windows_end_reason_check" CHECK ("end_reason" IS NULL OR "end_reason" IN ('enrolled', 'expired', 'replaced', 'revoked'));--> statement-breakpoint
ALTER TABLE "program_categories" ADD CONSTRAINT "program_categories_window_limits_check" CHECK ("extension_max_days" >= 0 AND "extension_max_count" >= 0 AND "new_user_window_days" >= 0);--> statement-breakpoint
-- One rule for the date (issue 15, lib/windows): the effective deadline is the user's active window's end when there
-- is one, else the category's. The same columns as 0019's definition, `deadline` now the effective one, then the
-- category's own deadline and the window (CREATE OR REPLACE keeps every column and its type, and appends).
-- lib/program/resolve.ts is the same rule (program-view.integration.test.ts keeps them equal).
CREATE OR REPLACE VIEW "program_users" AS
SELECT u.account_id, u.user_name, u.arn, u.path, u.created_at, u.console_access, u.password_last_used, u.access_key_last_used,
  u.tags, u.groups, u.devices, u.leftover_devices, u.mfa_state, u.flags, u.source, u.run_id, u.updated_at,
  c.id AS category_id, c.name AS category_name,
  CASE WHEN d.category_id IS NOT NULL AND c.id IS NOT NULL THEN 'override' WHEN c.id IS NOT NULL THEN 'selector' ELSE 'none' END AS category_source,
  c.cohort, coalesce(w.ends_at, c.deadline) AS deadline, coalesce(c.allowed_device_types, '["virtual","hardware","fido"]'::jsonb) AS allowed_device_types,
  v.min_devices, coalesce(c.require_certified_key, false) AS require_certified_key,
  v.decision,
  CASE WHEN d.decision IS NOT NULL THEN 'user' WHEN c.id IS NOT NULL THEN 'category' ELSE 'default' END AS decision_source,
  CASE WHEN d.decision IS NOT NULL THEN d.reason ELSE c.reason END AS decision_reason,
  CASE WHEN d.decision IS NOT NULL THEN d.approver ELSE c.approver END AS approver,
  v.expires_at, d.decided_by, d.decided_at,
  v.exception_expired, v.allowed_devices, v.compliant, v.in_scope,
  CASE WHEN NOT v.in_scope OR v.compliant THEN NULL
    WHEN NOT v.has_devices THEN 'no-mfa'
    WHEN v.of_allowed_type = 0 THEN 'disallowed-type'
    WHEN v.allowed_devices = 0 THEN 'not-certified'
    ELSE 'needs-backup' END AS program_gap,
  u.flag_evidence,
  c.deadline AS category_deadline, w.id AS window_id, w.kind AS window_kind, w.ends_at AS window_ends_at
FROM inventory_users u
JOIN program_user_verdicts v ON v.account_id = u.account_id AND v.user_name = u.user_name
LEFT JOIN program_decisions d ON d.account_id = u.account_id AND d.user_name = u.user_name
LEFT JOIN program_categories c ON c.id = v.category_id
LEFT JOIN user_windows w ON w.account_id = u.account_id AND w.user_name = u.user_name AND w.status = 'active';
