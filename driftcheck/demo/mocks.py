"""The mock a client of the demo API uses in its unit tests: written once, happy path only.

driftcheck reads it with `ast` (`fixtures = ["…/mocks.py::MOCK_USER"]`); it is never run.
"""

MOCK_USER = {
    "id": 1,
    "name": "Ada",
    "nickname": "ada",
    "age": 21,
    "profile": {"bio": "ada writes code", "avatar": "/a/1.png"},
    "contact": {"phone": "+15550000001", "email": "ada@example.com"},
    "active": True,
    "created_at": "2024-01-01T10:00:00Z",
}
