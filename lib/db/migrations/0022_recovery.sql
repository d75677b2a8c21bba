CREATE TABLE "recovery_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"user_name" text NOT NULL,
	"device_serial" text NOT NULL,
	"device_type" text NOT NULL,
	"device_name" text NOT NULL,
	"what" text NOT NULL,
	"note" text,
	"reported_by" text NOT NULL,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'reported' NOT NULL,
	"checklist" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"reject_reason" text,
	"grace_ends_at" timestamp with time zone,
	"window_id" bigint,
	"completed_at" timestamp with time zone,
	CONSTRAINT "recovery_requests_status_check" CHECK ("status" IN ('reported', 'approved', 'rejected', 'completed', 'expired', 'cancelled')),
	CONSTRAINT "recovery_requests_what_check" CHECK ("what" IN ('lost', 'broken', 'stolen')),
	CONSTRAINT "recovery_requests_device_type_check" CHECK ("device_type" IN ('virtual', 'hardware', 'fido'))
);
--> statement-breakpoint
ALTER TABLE "program_settings" ADD COLUMN "recovery_checklist" jsonb DEFAULT '["Verified the person on a video or in-person call against their photo in the staff directory","Confirmed the request with their manager through a channel other than the one the request came from"]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "program_settings" ADD COLUMN "recovery_grace_hours" integer DEFAULT 24 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "recovery_requests_open_idx" ON "recovery_requests" USING btree ("account_id","user_name") WHERE "recovery_requests"."status" = 'reported';--> statement-breakpoint
CREATE INDEX "recovery_requests_status_idx" ON "recovery_requests" USING btree ("status","reported_at");--> statement-breakpoint
CREATE INDEX "recovery_requests_user_idx" ON "recovery_requests" USING btree ("account_id","user_name");