CREATE TABLE "validation_reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"generated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"content" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "validation_reports_generated_idx" ON "validation_reports" USING btree ("generated_at");