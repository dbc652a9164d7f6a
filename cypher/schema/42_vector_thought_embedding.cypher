CREATE VECTOR INDEX thought_embedding IF NOT EXISTS
FOR (n:Thought) ON (n.embedding)
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}
