"""The app: a module-level FastAPI instance whose routes get a session per request."""

from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, FastAPI
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.database import get_session
from app.models import Item

app = FastAPI()
Session = Annotated[AsyncSession, Depends(get_session)]


class ItemIn(BaseModel):
    name: str


class ItemOut(ItemIn):
    id: int


@app.post("/items", status_code=201)
async def create_item(item: ItemIn, session: Session) -> ItemOut:
    row = Item(name=item.name)
    session.add(row)
    await session.commit()
    return ItemOut(id=row.id, name=row.name)


@app.get("/items")
async def list_items(session: Session) -> list[ItemOut]:
    rows = await session.scalars(sa.select(Item).order_by(Item.id))
    return [ItemOut(id=row.id, name=row.name) for row in rows]
