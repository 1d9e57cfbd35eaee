"""The app's tests as they were written before it took the test database."""

import httpx


async def test_create_item(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "pen"})

    assert response.status_code == 201
    assert response.json()["name"] == "pen"


async def test_items_start_empty(client: httpx.AsyncClient) -> None:
    response = await client.get("/items")

    assert response.json() == []


async def test_created_items_are_listed(client: httpx.AsyncClient) -> None:
    await client.post("/items", json={"name": "pen"})
    await client.post("/items", json={"name": "ink"})

    response = await client.get("/items")

    assert [item["name"] for item in response.json()] == ["pen", "ink"]
