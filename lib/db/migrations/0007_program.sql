CREATE TABLE "hardware_tokens" (
	"serial" text PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"issued_account_id" text,
	"issued_user_name" text,
	"issued_at" timestamp with time zone,
	"note" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "program_categories" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"selector_kind" text NOT NULL,
	"selector_key" text,
	"selector_value" text NOT NULL,
	"default_decision" text NOT NULL,
	"allowed_device_types" jsonb NOT NULL,
	"min_devices" integer DEFAULT 1 NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"cohort" text NOT NULL,
	"reason" text,
	"approver" text,
	"expires_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "program_decisions" (
	"account_id" text NOT NULL,
	"user_name" text NOT NULL,
	"category_id" integer,
	"decision" text,
	"reason" text,
	"approver" text,
	"expires_at" timestamp with time zone,
	"decided_by" text NOT NULL,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "program_decisions_account_id_user_name_pk" PRIMARY KEY("account_id","user_name")
);
--> statement-breakpoint
CREATE TABLE "program_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"reminder_days" jsonb DEFAULT '[14,7,1]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text DEFAULT 'system' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reminder_sends" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"user_name" text NOT NULL,
	"category_id" integer,
	"cohort" text,
	"deadline" timestamp with time zone NOT NULL,
	"step" text NOT NULL,
	"channel" text NOT NULL,
	"recipient" text,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"message_id" text,
	"error" text,
	"trigger" text NOT NULL,
	"actor" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "program_decisions" ADD CONSTRAINT "program_decisions_category_id_program_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."program_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hardware_tokens_issued_idx" ON "hardware_tokens" USING btree ("issued_account_id","issued_user_name");--> statement-breakpoint
CREATE UNIQUE INDEX "program_categories_name_idx" ON "program_categories" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "program_categories_position_idx" ON "program_categories" USING btree ("position");--> statement-breakpoint
CREATE INDEX "program_decisions_category_idx" ON "program_decisions" USING btree ("category_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reminder_sends_once_idx" ON "reminder_sends" USING btree ("account_id","user_name","deadline","step","channel");--> statement-breakpoint
CREATE INDEX "reminder_sends_claimed_idx" ON "reminder_sends" USING btree ("claimed_at");--> statement-breakpoint
ALTER TABLE "program_settings" ADD CONSTRAINT "program_settings_single_row" CHECK ("id" = 1);--> statement-breakpoint
INSERT INTO "program_settings" ("id") VALUES (1) ON CONFLICT DO NOTHING;--> statement-breakpoint
ALTER TABLE "program_categories" ADD CONSTRAINT "program_categories_min_devices" CHECK ("min_devices" BETWEEN 1 AND 8);--> statement-breakpoint
ALTER TABLE "program_decisions" ADD CONSTRAINT "program_decisions_exception_expiry" CHECK ("decision" IS DISTINCT FROM 'exception' OR "expires_at" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "program_categories" ADD CONSTRAINT "program_categories_exception_expiry" CHECK ("default_decision" <> 'exception' OR "expires_at" IS NOT NULL);--> statement-breakpoint
-- The program applied to every inventoried user. lib/program/resolve.ts is the same rule in TypeScript;
-- program.integration.test.ts checks the two agree on random organisations.
CREATE VIEW "program_users" AS
WITH matched AS (
  SELECT u.*,
    d.category_id AS override_category_id, d.decision AS user_decision, d.reason AS user_reason,
    d.approver AS user_approver, d.expires_at AS user_expires_at, d.decided_by, d.decided_at,
    (SELECT c.id FROM program_categories c
      WHERE CASE c.selector_kind
        WHEN 'group' THEN u.groups ? c.selector_value
        WHEN 'tag' THEN (u.tags ->> c.selector_key) = c.selector_value
        WHEN 'path' THEN left(u.path, length(c.selector_value)) = c.selector_value
        WHEN 'account' THEN u.account_id = c.selector_value
        ELSE false END
      ORDER BY c.position, c.id LIMIT 1) AS selector_category_id
  FROM inventory_users u
  LEFT JOIN program_decisions d ON d.account_id = u.account_id AND d.user_name = u.user_name
), resolved AS (
  SELECT m.*, c.id AS category_id, c.name AS category_name,
    CASE WHEN m.override_category_id IS NOT NULL THEN 'override' WHEN m.selector_category_id IS NOT NULL THEN 'selector' ELSE 'none' END AS category_source,
    c.cohort, c.deadline,
    coalesce(c.allowed_device_types, '["virtual","hardware","fido"]'::jsonb) AS allowed_device_types,
    coalesce(c.min_devices, 1) AS min_devices,
    CASE WHEN m.user_decision IS NOT NULL THEN m.user_decision WHEN c.id IS NOT NULL THEN c.default_decision ELSE 'required' END AS decision,
    CASE WHEN m.user_decision IS NOT NULL THEN 'user' WHEN c.id IS NOT NULL THEN 'category' ELSE 'default' END AS decision_source,
    CASE WHEN m.user_decision IS NOT NULL THEN m.user_reason ELSE c.reason END AS decision_reason,
    CASE WHEN m.user_decision IS NOT NULL THEN m.user_approver ELSE c.approver END AS approver,
    CASE WHEN m.user_decision IS NOT NULL THEN m.user_expires_at ELSE c.expires_at END AS expires_at
  FROM matched m
  LEFT JOIN program_categories c ON c.id = coalesce(m.override_category_id, m.selector_category_id)
), evaluated AS (
  SELECT r.*,
    (r.decision = 'exception' AND r.expires_at IS NOT NULL AND r.expires_at <= now()) AS exception_expired,
    (SELECT count(*)::int FROM jsonb_array_elements(r.devices) e WHERE r.allowed_device_types ? (e ->> 'type')) AS allowed_devices
  FROM resolved r
), scoped AS (
  SELECT e.*,
    e.allowed_devices >= e.min_devices AS compliant,
    (e.console_access AND (e.decision = 'required' OR e.exception_expired)) AS in_scope
  FROM evaluated e
)
SELECT account_id, user_name, arn, path, created_at, console_access, password_last_used, access_key_last_used,
  tags, groups, devices, leftover_devices, mfa_state, flags, source, run_id, updated_at,
  category_id, category_name, category_source, cohort, deadline, allowed_device_types, min_devices,
  decision, decision_source, decision_reason, approver, expires_at, decided_by, decided_at,
  exception_expired, allowed_devices, compliant, in_scope,
  CASE WHEN NOT in_scope OR compliant THEN NULL
    WHEN jsonb_array_length(devices) = 0 THEN 'no-mfa'
    WHEN allowed_devices = 0 THEN 'disallowed-type'
    ELSE 'needs-backup' END AS program_gap
FROM scoped;
