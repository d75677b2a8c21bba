CREATE TABLE "inventory_accounts" (
	"run_id" bigint NOT NULL,
	"account_id" text NOT NULL,
	"alias" text,
	"collected_at" timestamp with time zone,
	"credential_report_at" timestamp with time zone,
	"root_mfa_active" boolean,
	"users" integer DEFAULT 0 NOT NULL,
	"error" text,
	CONSTRAINT "inventory_accounts_run_id_account_id_pk" PRIMARY KEY("run_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "inventory_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"actor" text NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"calls" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "inventory_snapshots" (
	"run_id" bigint PRIMARY KEY NOT NULL,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	"totals" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inventory_users" (
	"account_id" text NOT NULL,
	"user_name" text NOT NULL,
	"arn" text NOT NULL,
	"path" text DEFAULT '/' NOT NULL,
	"created_at" timestamp with time zone,
	"console_access" boolean NOT NULL,
	"password_last_used" timestamp with time zone,
	"access_key_last_used" timestamp with time zone,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"groups" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"devices" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"leftover_devices" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"mfa_state" text NOT NULL,
	"flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"source" text NOT NULL,
	"run_id" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_users_account_id_user_name_pk" PRIMARY KEY("account_id","user_name")
);
--> statement-breakpoint
ALTER TABLE "inventory_accounts" ADD CONSTRAINT "inventory_accounts_run_id_inventory_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."inventory_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_snapshots" ADD CONSTRAINT "inventory_snapshots_run_id_inventory_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."inventory_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inventory_runs_started_idx" ON "inventory_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "inventory_users_state_idx" ON "inventory_users" USING btree ("mfa_state","console_access");--> statement-breakpoint
CREATE INDEX "inventory_users_name_idx" ON "inventory_users" USING btree ("user_name");