ALTER TABLE "inventory_users" ADD COLUMN "flag_evidence" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
-- The live definition of program_users: the rule of lib/inventory/coverage-view.ts in SQL, with lateral joins (0009),
-- certified keys (0010: with require_certified_key only FIDO devices whose GetMFADevice certifications name a level
-- count, lib/device-types.ts isCertified; allowed-type devices with none certified is the gap not-certified) and each
-- flag's evidence. A database that applied 0010 when it still held a copy of the view has that copy here, so this
-- stays CREATE OR REPLACE (which may only add columns at the end).
CREATE OR REPLACE VIEW "program_users" AS
SELECT u.account_id, u.user_name, u.arn, u.path, u.created_at, u.console_access, u.password_last_used, u.access_key_last_used,
  u.tags, u.groups, u.devices, u.leftover_devices, u.mfa_state, u.flags, u.source, u.run_id, u.updated_at,
  c.id AS category_id, c.name AS category_name,
  CASE WHEN d.category_id IS NOT NULL AND c.id IS NOT NULL THEN 'override' WHEN c.id IS NOT NULL THEN 'selector' ELSE 'none' END AS category_source,
  c.cohort, c.deadline, r.allowed_device_types, r.min_devices, r.require_certified_key,
  r.decision, r.decision_source, r.decision_reason, r.approver, r.expires_at, d.decided_by, d.decided_at,
  r.exception_expired, a.allowed_devices,
  a.allowed_devices >= r.min_devices AS compliant,
  s.in_scope,
  CASE WHEN NOT s.in_scope OR a.allowed_devices >= r.min_devices THEN NULL
    WHEN jsonb_array_length(u.devices) = 0 THEN 'no-mfa'
    WHEN a.of_allowed_type = 0 THEN 'disallowed-type'
    WHEN a.allowed_devices = 0 THEN 'not-certified'
    ELSE 'needs-backup' END AS program_gap,
  u.flag_evidence
FROM inventory_users u
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
CROSS JOIN LATERAL (
  SELECT x.*, (x.decision = 'exception' AND x.expires_at IS NOT NULL AND x.expires_at <= now()) AS exception_expired
  FROM (SELECT
    CASE WHEN d.decision IS NOT NULL THEN d.decision WHEN c.id IS NOT NULL THEN c.default_decision ELSE 'required' END AS decision,
    CASE WHEN d.decision IS NOT NULL THEN 'user' WHEN c.id IS NOT NULL THEN 'category' ELSE 'default' END AS decision_source,
    CASE WHEN d.decision IS NOT NULL THEN d.reason ELSE c.reason END AS decision_reason,
    CASE WHEN d.decision IS NOT NULL THEN d.approver ELSE c.approver END AS approver,
    CASE WHEN d.decision IS NOT NULL THEN d.expires_at ELSE c.expires_at END AS expires_at,
    coalesce(c.allowed_device_types, '["virtual","hardware","fido"]'::jsonb) AS allowed_device_types,
    coalesce(c.min_devices, 1) AS min_devices,
    coalesce(c.require_certified_key, false) AS require_certified_key) x
) r
CROSS JOIN LATERAL (
  SELECT count(*)::int AS of_allowed_type,
    (count(*) FILTER (WHERE NOT r.require_certified_key OR (e ->> 'type' = 'fido' AND jsonb_typeof(e -> 'certifications') = 'object'
      AND EXISTS (SELECT 1 FROM jsonb_each_text(e -> 'certifications') cert WHERE cert.value <> ''))))::int AS allowed_devices
  FROM jsonb_array_elements(u.devices) e WHERE r.allowed_device_types ? (e ->> 'type')
) a
CROSS JOIN LATERAL (
  SELECT (u.console_access AND (r.decision = 'required' OR r.exception_expired)) AS in_scope
) s;
