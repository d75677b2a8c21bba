CREATE TABLE "account_contacts" (
	"account_id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "message_templates" (
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_templates_kind_channel_pk" PRIMARY KEY("kind","channel")
);
--> statement-breakpoint
CREATE TABLE "owner_contacts" (
	"owner" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "reminder_sends_once_idx";--> statement-breakpoint
ALTER TABLE "managed_accounts" ADD COLUMN "email" text;--> statement-breakpoint
ALTER TABLE "program_settings" ADD COLUMN "escalate_steps" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "reminder_sends" ADD COLUMN "recipient_role" text DEFAULT 'user' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "reminder_sends_once_idx" ON "reminder_sends" USING btree ("account_id","user_name","deadline","step","channel","recipient_role");