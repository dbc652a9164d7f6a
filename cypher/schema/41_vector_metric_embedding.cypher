CREATE VECTOR INDEX metric_embedding IF NOT EXISTS
FOR (n:Metric) ON (n.embedding)
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}
