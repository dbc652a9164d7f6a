import json
from kg_service.identity import Role
from .conftest import Demo

Q = """
query($id: ID!) { thoughtlet(id: $id) { id name metrics { id unit aggregation latest { date value } history(days: 30) { date } changePct status affects { weight relationship metric { id } } } } }
"""

async def test_explore(demo: Demo) -> None:
    api = demo.api
    for t in (demo.a, demo.b):
        tok = api.token(t, Role.VIEWER)
        r, c = await api.measure(lambda: api.graphql(Q, tok, id="google_ads"))
        print(c, json.dumps(r)[:1500])
        r, c = await api.measure(lambda: api.graphql(Q, tok, id="google_ads"))
        print(c)
