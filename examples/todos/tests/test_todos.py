"""The tutorial's test: requests.get is patched and the mock returns `todos`."""

from unittest.mock import Mock, patch

from project.services import get_todos


@patch("project.services.requests.get")
def test_getting_todos_when_response_is_ok(mock_get):
    todos = [{"userId": 1, "id": 1, "title": "Make the bed", "completed": False}]

    mock_get.return_value = Mock(ok=True)
    mock_get.return_value.json.return_value = todos

    response = get_todos()

    assert response is not None
    assert response.json() == todos


@patch("project.services.requests.get")
def test_getting_todos_when_response_is_not_ok(mock_get):
    mock_get.return_value.ok = False

    assert get_todos() is None
