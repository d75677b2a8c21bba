CREATE TABLE "console_sign_in_evidence" (
	"account_id" text NOT NULL,
	"user_name" text NOT NULL,
	"mfa_seen_at" timestamp with time zone,
	"without_mfa_seen_at" timestamp with time zone,
	"mfa_event_id" text,
	CONSTRAINT "console_sign_in_evidence_account_id_user_name_pk" PRIMARY KEY("account_id","user_name")
);
--> statement-breakpoint
CREATE TABLE "iam_events_applied" (
	"event_id" text PRIMARY KEY NOT NULL,
	"event_name" text NOT NULL,
	"account_id" text NOT NULL,
	"user_name" text,
	"event_time" timestamp with time zone NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "iam_events_applied_claimed_idx" ON "iam_events_applied" USING btree ("claimed_at");