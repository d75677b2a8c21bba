-- An eventID is unique within one account's CloudTrail: the claim is per (account, eventID).
ALTER TABLE "iam_events_applied" DROP CONSTRAINT "iam_events_applied_pkey";--> statement-breakpoint
ALTER TABLE "iam_events_applied" ADD CONSTRAINT "iam_events_applied_account_id_event_id_pk" PRIMARY KEY("account_id","event_id");
