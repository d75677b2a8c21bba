ALTER TABLE "inventory_accounts" ADD COLUMN "root_status" text;--> statement-breakpoint
ALTER TABLE "program_categories" ADD COLUMN "require_certified_key" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- The view's rule gains certified keys; it is re-created in 0011_inventory_flag_evidence.sql (see 0009).
DROP VIEW IF EXISTS "program_users";
