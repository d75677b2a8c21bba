CREATE TABLE "rate_limit_holds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"account_id" text NOT NULL,
	"user_name" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rate_limit_holds_user_idx" ON "rate_limit_holds" USING btree ("account_id","user_name","kind","at");--> statement-breakpoint
CREATE TABLE "sign_in_failures" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"key_id" text NOT NULL,
	"address" text
);
--> statement-breakpoint
CREATE INDEX "sign_in_failures_key_idx" ON "sign_in_failures" USING btree ("key_id","at");--> statement-breakpoint
CREATE INDEX "sign_in_failures_address_idx" ON "sign_in_failures" USING btree ("address","at");
