ALTER TABLE "inventory_users" ADD COLUMN "email_tag" text;--> statement-breakpoint
ALTER TABLE "inventory_users" ADD COLUMN "email_tag_key" text;--> statement-breakpoint
CREATE INDEX "inventory_users_email_tag_idx" ON "inventory_users" USING btree ("email_tag_key","email_tag");--> statement-breakpoint
-- Rows stored before the index existed, read with the default MFA_EMAIL_TAG_KEY ("email"); under another key they
-- stay out of the index (their accounts are scanned in full at sign-in) until the next inventory run rewrites them.
UPDATE "inventory_users" SET "email_tag_key" = 'email', "email_tag" = nullif(lower(btrim("tags"->>'email')), '');
