"""A happy-path mock: every user has a profile. The real API disagrees."""

from unittest.mock import Mock, patch

from project.services import greeting

MOCK_USER = {
    "id": 1,
    "name": "Leanne Graham",
    "username": "Bret",
    "profile": {"display_name": "Bret", "bio": "Multi-layered client-server neural-net"},
    "contact": {"email": "Sincere@april.biz", "phone": "1-770-736-8031"},
}


@patch("project.services.requests.get")
def test_greeting(mock_get):
    mock_get.return_value = Mock(ok=True)
    mock_get.return_value.json.return_value = MOCK_USER

    assert greeting(1) == "Hello, Bret!"


def test_mock_user_matches_the_recorded_contract(assert_matches_contract):
    assert_matches_contract(MOCK_USER, "user")
