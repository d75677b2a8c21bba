CREATE TABLE "enrollment_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"account_id" text NOT NULL,
	"user_name" text NOT NULL,
	"enrollment_id" text,
	"device_type" text,
	"serial" text,
	"kind" text NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "enrollment_events_user_idx" ON "enrollment_events" USING btree ("account_id","user_name","at");--> statement-breakpoint
CREATE INDEX "enrollment_events_enrollment_idx" ON "enrollment_events" USING btree ("enrollment_id");--> statement-breakpoint
CREATE INDEX "enrollment_events_kind_idx" ON "enrollment_events" USING btree ("kind","at");