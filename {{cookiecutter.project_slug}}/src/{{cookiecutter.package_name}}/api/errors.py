"""Errors as HTTP responses: a missing row is a 404, a refused write a 409."""

import uuid

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

CONFLICT = (
    "the database refused the change: a value must be unique, a referenced row is "
    "missing, or a row still refers to this one"
)


def not_found(table: str, row_id: uuid.UUID) -> HTTPException:
    return HTTPException(status_code=404, detail=f"no {table} with id {row_id}")


async def conflict(request: Request, error: Exception) -> JSONResponse:
    """An integrity error is the client's to fix, not a server error; the request's
    session has rolled back by now (see session.py)."""
    return JSONResponse(status_code=409, content={"detail": CONFLICT})


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IntegrityError, conflict)
