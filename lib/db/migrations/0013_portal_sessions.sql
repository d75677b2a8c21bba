CREATE TABLE "portal_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"person" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"method" text NOT NULL,
	"roles" jsonb NOT NULL,
	"principals" jsonb NOT NULL,
	"groups_claim" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"roles_checked_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"idle_timeout_seconds" integer NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text
);
--> statement-breakpoint
CREATE INDEX "portal_sessions_person_idx" ON "portal_sessions" USING btree ("person","created_at");