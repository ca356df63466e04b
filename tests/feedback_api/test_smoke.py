from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import auth, make_case, make_user


def test_an_operator_sees_a_new_complaint_in_the_list(client: TestClient, session: Session) -> None:
    case = make_case(session)
    operator = make_user(session, "operator")

    answer = client.get("/api/v1/cases", headers=auth(operator))

    assert answer.status_code == 200
    assert [item["reference"] for item in answer.json()["items"]] == [case.reference]
