MATCH (b:Briefing {tenant: $tenant, id: $id})
RETURN b {.id, .generated_at, .headline, .spoken_headline, .sections, .text, .speech} AS briefing
