CREATE VECTOR INDEX action_embedding IF NOT EXISTS
FOR (n:Action) ON (n.embedding)
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}
