SHOW INDEXES YIELD name, type, labelsOrTypes, properties, options, state
RETURN name, type, labelsOrTypes, properties, options, state
ORDER BY name
