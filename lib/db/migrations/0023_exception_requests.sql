CREATE TABLE "exception_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"account_id" text,
	"user_name" text,
	"category_id" integer,
	"justification" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	CONSTRAINT "exception_requests_one_target" CHECK (("exception_requests"."category_id" IS NULL AND "exception_requests"."account_id" IS NOT NULL AND "exception_requests"."user_name" IS NOT NULL) OR ("exception_requests"."category_id" IS NOT NULL AND "exception_requests"."account_id" IS NULL AND "exception_requests"."user_name" IS NULL)),
	CONSTRAINT "exception_requests_decided" CHECK (("exception_requests"."status" = 'pending') = ("exception_requests"."decided_at" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "exception_requests" ADD CONSTRAINT "exception_requests_category_id_program_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."program_categories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "exception_requests_pending_user_idx" ON "exception_requests" USING btree ("account_id","user_name") WHERE "exception_requests"."status" = 'pending' AND "exception_requests"."category_id" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "exception_requests_pending_category_idx" ON "exception_requests" USING btree ("category_id") WHERE "exception_requests"."status" = 'pending' AND "exception_requests"."category_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "exception_requests_status_idx" ON "exception_requests" USING btree ("status","requested_at");--> statement-breakpoint
CREATE INDEX "exception_requests_user_idx" ON "exception_requests" USING btree ("account_id","user_name");