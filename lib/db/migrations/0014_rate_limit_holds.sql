CREATE TABLE "rate_limit_holds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"account_id" text NOT NULL,
	"user_name" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rate_limit_holds_user_idx" ON "rate_limit_holds" USING btree ("account_id","user_name","kind","at");
