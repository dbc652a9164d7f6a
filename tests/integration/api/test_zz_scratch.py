import json, asyncio
import websockets
from kg_service.identity import Role
from .conftest import Demo

async def test_explore(demo: Demo) -> None:
    api = demo.api
    tok = api.token(demo.a, Role.VIEWER)
    for body, t in [({"query": "{ me { sub } }"}, None), ({"query": "{ me { sub } }"}, "garbage"), ([{"query": "{ me { sub } }"}], tok), ({"query": "{ __schema { types { name } } }"}, tok), ({"query": "{ " + " ".join(f"a{i}: me {{ sub }}" for i in range(21)) + " }"}, tok), ({"query": "{ me { sub } " + "__typename " * 2100 + "}"}, tok), ({"query": "{ metric(id: \"cpc\") " + "{ affects { metric " * 6 + "{ id }" + " } }" * 6 + " }"}, tok), ("{not json", tok), ({"query": "{ me { sub } }", "variables": "x"}, tok)]:
        r = await api.post(body, t)
        print(r.status_code, dict(r.headers).get("www-authenticate"), r.text[:400])
    r = await api.http.get("/graphql", params={"query": "{ me { sub } }"}, headers={"Authorization": f"Bearer {tok}"})
    print("GET", r.status_code, r.text[:200])
    r = await api.http.get("/readyz"); print(r.status_code, r.text)
    for proto in (["graphql-ws"], ["graphql-transport-ws"], None):
        try:
            async with websockets.connect(api.server.ws_url, subprotocols=proto) as ws:
                print("proto", proto, ws.subprotocol)
                await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
                try:
                    print(await asyncio.wait_for(ws.recv(), 3))
                except Exception as e:
                    print("recv", type(e), e, getattr(ws, "close_code", None), ws.close_reason)
        except Exception as e:
            print("connect", proto, type(e), e)
    async with websockets.connect(api.server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {tok}"}}))
        print(await ws.recv())
        await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": "{ me { sub } metrics { id } }"}}))
        print((await ws.recv())[:200]); print(await ws.recv())
        await ws.send(json.dumps({"type": "subscribe", "id": "2", "payload": {"query": "mutation { refreshData { jobId } }"}}))
        print((await ws.recv())[:300])
