// Idempotent: an event id derived from an idempotent operation is written once, however often
// that operation runs.
MERGE (e:AuditEvent {tenant: $tenant, id: $id})
ON CREATE SET e += $props
