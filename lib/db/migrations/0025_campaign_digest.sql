CREATE TABLE "campaign_digest_sends" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"slot" text NOT NULL,
	"channel" text NOT NULL,
	"recipient" text,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"message_id" text,
	"error" text,
	"trigger" text NOT NULL,
	"actor" text NOT NULL,
	"gaps" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_digest_sends_once_idx" ON "campaign_digest_sends" USING btree ("slot","channel");--> statement-breakpoint
CREATE INDEX "campaign_digest_sends_claimed_idx" ON "campaign_digest_sends" USING btree ("claimed_at");