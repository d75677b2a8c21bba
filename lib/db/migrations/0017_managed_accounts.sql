CREATE TABLE "managed_accounts" (
	"account_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"organizations_state" text,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_managed_at" timestamp with time zone,
	"reachable" boolean,
	"unreachable_reason" text,
	"reachability_checked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "managed_accounts_status_idx" ON "managed_accounts" USING btree ("status");