CREATE TABLE "program_user_facts" (
	"account_id" text NOT NULL,
	"user_name" text NOT NULL,
	"category_id" integer,
	"decision" text NOT NULL,
	"expires_at" timestamp with time zone,
	"console_access" boolean NOT NULL,
	"mfa_state" text NOT NULL,
	"has_devices" boolean NOT NULL,
	"phishing_resistant" boolean NOT NULL,
	"device_types" jsonb NOT NULL,
	"of_allowed_type" integer NOT NULL,
	"allowed_devices" integer NOT NULL,
	"min_devices" integer NOT NULL,
	"tags" jsonb NOT NULL,
	CONSTRAINT "program_user_facts_account_id_user_name_pk" PRIMARY KEY("account_id","user_name")
);
--> statement-breakpoint
-- What the program_users view resolved per row on every read (the category selector, the decision, the devices of
-- allowed types) is resolved at write time instead: 0.5 s of each 100,000-user page went there. Only what does not
-- depend on the clock is stored; an exception's expiry is still compared with now() when read (program_user_verdicts).
-- This function is the rule (lib/program/resolve.ts in SQL, as 0011 had it inline); the triggers below apply it to
-- every row an insert, update or delete of inventory_users, program_decisions or program_categories can change.
CREATE FUNCTION program_user_facts_of(u inventory_users) RETURNS SETOF program_user_facts LANGUAGE sql STABLE ROWS 1 AS $$
SELECT u.account_id, u.user_name, c.id, r.decision, r.expires_at, u.console_access, u.mfa_state,
  jsonb_array_length(u.devices) > 0, u.devices @> '[{"type":"fido"}]'::jsonb,
  (SELECT coalesce(jsonb_object_agg(t.type, t.n), '{}'::jsonb)
   FROM (SELECT e ->> 'type' AS type, count(*) AS n FROM jsonb_array_elements(u.devices) e GROUP BY 1) t),
  a.of_allowed_type, a.allowed_devices, r.min_devices, u.tags
FROM (SELECT 1) one
LEFT JOIN program_decisions d ON d.account_id = u.account_id AND d.user_name = u.user_name
LEFT JOIN LATERAL (
  SELECT c.id FROM program_categories c
  WHERE d.category_id IS NULL AND CASE c.selector_kind
    WHEN 'group' THEN u.groups ? c.selector_value
    WHEN 'tag' THEN (u.tags ->> c.selector_key) = c.selector_value
    WHEN 'path' THEN left(u.path, length(c.selector_value)) = c.selector_value
    WHEN 'account' THEN u.account_id = c.selector_value
    ELSE false END
  ORDER BY c.position, c.id LIMIT 1
) sel ON true
LEFT JOIN program_categories c ON c.id = coalesce(d.category_id, sel.id)
CROSS JOIN LATERAL (SELECT
  CASE WHEN d.decision IS NOT NULL THEN d.decision WHEN c.id IS NOT NULL THEN c.default_decision ELSE 'required' END AS decision,
  CASE WHEN d.decision IS NOT NULL THEN d.expires_at ELSE c.expires_at END AS expires_at,
  coalesce(c.allowed_device_types, '["virtual","hardware","fido"]'::jsonb) AS allowed_device_types,
  coalesce(c.min_devices, 1) AS min_devices,
  coalesce(c.require_certified_key, false) AS require_certified_key
) r
CROSS JOIN LATERAL (
  SELECT count(*)::int AS of_allowed_type,
    (count(*) FILTER (WHERE NOT r.require_certified_key OR (e ->> 'type' = 'fido' AND jsonb_typeof(e -> 'certifications') = 'object'
      AND EXISTS (SELECT 1 FROM jsonb_each_text(e -> 'certifications') cert WHERE cert.value <> ''))))::int AS allowed_devices
  FROM jsonb_array_elements(u.devices) e WHERE r.allowed_device_types ? (e ->> 'type')
) a
$$;
--> statement-breakpoint
CREATE FUNCTION program_user_facts_store(facts program_user_facts[]) RETURNS void LANGUAGE sql AS $$
INSERT INTO program_user_facts SELECT * FROM unnest(facts)
ON CONFLICT (account_id, user_name) DO UPDATE SET
  category_id = excluded.category_id, decision = excluded.decision, expires_at = excluded.expires_at,
  console_access = excluded.console_access, mfa_state = excluded.mfa_state, has_devices = excluded.has_devices,
  phishing_resistant = excluded.phishing_resistant, device_types = excluded.device_types, of_allowed_type = excluded.of_allowed_type,
  allowed_devices = excluded.allowed_devices, min_devices = excluded.min_devices, tags = excluded.tags
WHERE ROW(program_user_facts.*) IS DISTINCT FROM ROW(excluded.*)
$$;
--> statement-breakpoint
-- Concurrency: a program change re-resolves every user under a SHARE ROW EXCLUSIVE lock, the per-user writers take
-- ROW EXCLUSIVE before resolving (each statement after it reads a fresh snapshot), so whichever commits second sees
-- the other's rows and no stored fact is left resolved against a program or a user row that has since changed.
CREATE FUNCTION program_user_facts_on_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE program_user_facts IN ROW EXCLUSIVE MODE;
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM program_user_facts;
  ELSIF TG_OP = 'DELETE' THEN
    DELETE FROM program_user_facts f USING old_rows o WHERE f.account_id = o.account_id AND f.user_name = o.user_name;
  ELSE
    PERFORM program_user_facts_store(ARRAY(SELECT f FROM new_rows n CROSS JOIN LATERAL program_user_facts_of(n) f));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER program_user_facts_users_insert AFTER INSERT ON inventory_users REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION program_user_facts_on_users();
--> statement-breakpoint
CREATE TRIGGER program_user_facts_users_update AFTER UPDATE ON inventory_users REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION program_user_facts_on_users();
--> statement-breakpoint
CREATE TRIGGER program_user_facts_users_delete AFTER DELETE ON inventory_users REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION program_user_facts_on_users();
--> statement-breakpoint
CREATE TRIGGER program_user_facts_users_truncate AFTER TRUNCATE ON inventory_users
  FOR EACH STATEMENT EXECUTE FUNCTION program_user_facts_on_users();
--> statement-breakpoint
CREATE FUNCTION program_user_facts_on_decisions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE program_user_facts IN ROW EXCLUSIVE MODE;
  PERFORM program_user_facts_store(ARRAY(
    SELECT f FROM inventory_users u CROSS JOIN LATERAL program_user_facts_of(u) f
    WHERE (TG_OP <> 'DELETE' AND u.account_id = NEW.account_id AND u.user_name = NEW.user_name)
       OR (TG_OP <> 'INSERT' AND u.account_id = OLD.account_id AND u.user_name = OLD.user_name)));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER program_user_facts_decisions AFTER INSERT OR UPDATE OR DELETE ON program_decisions
  FOR EACH ROW EXECUTE FUNCTION program_user_facts_on_decisions();
--> statement-breakpoint
CREATE FUNCTION program_user_facts_on_program() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE program_user_facts IN SHARE ROW EXCLUSIVE MODE;
  PERFORM program_user_facts_store(ARRAY(SELECT f FROM inventory_users u CROSS JOIN LATERAL program_user_facts_of(u) f));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER program_user_facts_categories AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON program_categories
  FOR EACH STATEMENT EXECUTE FUNCTION program_user_facts_on_program();
--> statement-breakpoint
INSERT INTO program_user_facts SELECT f.* FROM inventory_users u CROSS JOIN LATERAL program_user_facts_of(u) f;
--> statement-breakpoint
CREATE VIEW program_user_verdicts AS
SELECT f.*, x.exception_expired,
  (f.console_access AND (f.decision = 'required' OR x.exception_expired)) AS in_scope,
  f.allowed_devices >= f.min_devices AS compliant
FROM program_user_facts f
CROSS JOIN LATERAL (SELECT (f.decision = 'exception' AND f.expires_at IS NOT NULL AND f.expires_at <= now()) AS exception_expired) x;
--> statement-breakpoint
-- The same columns as 0011's definition, from the stored facts (CREATE OR REPLACE keeps every column and its type).
CREATE OR REPLACE VIEW "program_users" AS
SELECT u.account_id, u.user_name, u.arn, u.path, u.created_at, u.console_access, u.password_last_used, u.access_key_last_used,
  u.tags, u.groups, u.devices, u.leftover_devices, u.mfa_state, u.flags, u.source, u.run_id, u.updated_at,
  c.id AS category_id, c.name AS category_name,
  CASE WHEN d.category_id IS NOT NULL AND c.id IS NOT NULL THEN 'override' WHEN c.id IS NOT NULL THEN 'selector' ELSE 'none' END AS category_source,
  c.cohort, c.deadline, coalesce(c.allowed_device_types, '["virtual","hardware","fido"]'::jsonb) AS allowed_device_types,
  v.min_devices, coalesce(c.require_certified_key, false) AS require_certified_key,
  v.decision,
  CASE WHEN d.decision IS NOT NULL THEN 'user' WHEN c.id IS NOT NULL THEN 'category' ELSE 'default' END AS decision_source,
  CASE WHEN d.decision IS NOT NULL THEN d.reason ELSE c.reason END AS decision_reason,
  CASE WHEN d.decision IS NOT NULL THEN d.approver ELSE c.approver END AS approver,
  v.expires_at, d.decided_by, d.decided_at,
  v.exception_expired, v.allowed_devices, v.compliant, v.in_scope,
  CASE WHEN NOT v.in_scope OR v.compliant THEN NULL
    WHEN NOT v.has_devices THEN 'no-mfa'
    WHEN v.of_allowed_type = 0 THEN 'disallowed-type'
    WHEN v.allowed_devices = 0 THEN 'not-certified'
    ELSE 'needs-backup' END AS program_gap,
  u.flag_evidence
FROM inventory_users u
JOIN program_user_verdicts v ON v.account_id = u.account_id AND v.user_name = u.user_name
LEFT JOIN program_decisions d ON d.account_id = u.account_id AND d.user_name = u.user_name
LEFT JOIN program_categories c ON c.id = v.category_id;
