-- Tamper-evident audit log: every row carries seq (1, 2, 3 … without gaps), the previous row's hash and its own
-- hash = sha256 over a canonical serialisation of its fields and prev_hash. The BEFORE INSERT trigger sets all
-- three, under a transaction-scoped advisory lock, so every writer (any instance, any code path) extends the one
-- chain and two instances on one PostgreSQL cannot fork it. Rows written before this migration are chained here,
-- in (at, id) order. `npm run audit:verify` recomputes the chain (lib/audit/verify.ts).
ALTER TABLE "audit_log" ADD COLUMN "intent_id" bigint;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "prev_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- An intent row is written before an AWS mutation; its outcome row (success/failure) names it in intent_id.
ALTER TABLE "audit_log" DROP CONSTRAINT "audit_log_outcome_check";--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_outcome_check" CHECK ("outcome" IN ('intent', 'success', 'failure', 'denied'));--> statement-breakpoint
-- The canonical serialisation is a jsonb array's text form: deterministic (jsonb sorts object keys), unambiguous
-- (NULL is null, strings are escaped) and the same on PGlite and PostgreSQL. `at` enters as epoch microseconds so
-- the session's TimeZone cannot change it.
CREATE FUNCTION audit_log_row_hash(prev_hash text, id bigint, seq bigint, at timestamptz, actor text, action text, target text, outcome text, detail jsonb, intent_id bigint)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(
    jsonb_build_array(prev_hash, id, seq, (extract(epoch FROM at) * 1000000)::bigint, actor, action, target, outcome, detail, intent_id)::text,
    'UTF8')), 'hex')
$$;--> statement-breakpoint
-- The chain's head is read after taking the lock; READ COMMITTED gives that SELECT a fresh snapshot, so it sees
-- the row the previous lock holder committed.
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(7263012);
  SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
  NEW.seq := COALESCE(head_seq, 0) + 1;
  NEW.prev_hash := COALESCE(head_hash, '');
  NEW.hash := audit_log_row_hash(NEW.prev_hash, NEW.id, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.target, NEW.outcome, NEW.detail, NEW.intent_id);
  RETURN NEW;
END;
$$;--> statement-breakpoint
-- Chain the rows written before this migration. The append-only trigger is lifted for this one backfill only.
ALTER TABLE "audit_log" DISABLE TRIGGER audit_log_append_only;--> statement-breakpoint
DO $$
DECLARE
  r record;
  n bigint := 0;
  h text := '';
BEGIN
  FOR r IN SELECT * FROM audit_log ORDER BY at, id LOOP
    n := n + 1;
    UPDATE audit_log SET seq = n, prev_hash = h,
      hash = audit_log_row_hash(h, r.id, n, r.at, r.actor, r.action, r.target, r.outcome, r.detail, r.intent_id)
      WHERE id = r.id RETURNING hash INTO h;
  END LOOP;
END;
$$;--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE TRIGGER audit_log_append_only;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_seq_idx" ON "audit_log" USING btree ("seq");--> statement-breakpoint
CREATE TRIGGER audit_log_chain BEFORE INSERT ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
