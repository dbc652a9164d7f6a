MERGE (b:Briefing {tenant: $tenant, id: $id})
SET b += $props
