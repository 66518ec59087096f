"""The EPCIS exports of every lot of the demo province (issue 11, point 5): the public document
names the cooperative alone in its collection events and validates against the GS1 schema; in
the managers' exports no household pseudonym appears in two lots."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from linkage.extensions import db
from linkage.services.accounts import issue_token
from models import Collection, Cooperative, CooperativeStatus, Household, Lot, Role, User

from .conftest import demo_database
from .services.test_epcis import _validator, assert_valid, collection_parties, received


@pytest.fixture(scope="module")
def demo_app(database_url: str, _schema: None) -> Iterator[Flask]:
    """An app whose database holds the demo for this module (emptied at its end)."""
    with demo_database(database_url) as app:
        yield app


@pytest.fixture(scope="module")
def exports(demo_app: Flask) -> dict[str, Any]:
    """Per lot of an approved cooperative: the public document (anonymous) and the managers'
    one (a bearer token of one of its managers), both through the API."""
    client: FlaskClient = demo_app.test_client()
    headers: dict[int, dict[str, str]] = {}
    for manager in db.session.scalars(db.select(User).where(User.role == Role.MANAGER)):
        token = issue_token(manager, demo_app.config["TOKEN_LIFETIME"]).token
        for cooperative in manager.cooperatives:
            headers.setdefault(cooperative.id, {"Authorization": f"Bearer {token}"})
    db.session.commit()
    lots = db.session.scalars(
        db.select(Lot)
        .join(Cooperative, Cooperative.id == Lot.cooperative_id)
        .where(Cooperative.status == CooperativeStatus.APPROVED)
        .order_by(Lot.id)
    ).all()
    public, managers = {}, {}
    for lot in lots:
        url = f"/api/v1/lots/{lot.id}/epcis"
        answer = client.get(url)
        assert answer.status_code == 200, lot.code
        public[lot.id] = json.loads(answer.get_data(as_text=True))
        answer = client.get(url, headers=headers[lot.cooperative_id])
        assert answer.status_code == 200, lot.code
        assert answer.cache_control.no_store, lot.code
        managers[lot.id] = json.loads(answer.get_data(as_text=True))
    return {"lots": lots, "public": public, "managers": managers}


def test_the_demo_has_lots_of_few_and_of_many_households(exports):
    """Guards the tests below: both sides of the threshold of 10 households are exercised."""
    counts = db.session.execute(
        db.select(Collection.lot_id, db.func.count(db.distinct(Collection.household_id))).group_by(
            Collection.lot_id
        )
    ).all()
    assert len(exports["lots"]) >= 100
    assert any(households < 10 for _, households in counts)
    assert any(households >= 10 for _, households in counts)


def test_every_public_document_names_the_cooperative_alone_and_validates(exports):
    validator = _validator()
    named = db.session.execute(db.select(Household.code, Household.head_name)).all()
    household = re.compile("|".join(re.escape(text) for row in named for text in row))
    counted = 0
    for lot in exports["lots"]:
        document = exports["public"][lot.id]
        assert_valid(validator, document)
        events = received(document)
        assert events, lot.code  # every lot goes back to collections
        cooperative = f"http://localhost/id/cooperative/{lot.cooperative_id}"
        assert collection_parties(document) == {cooperative}, lot.code
        # one event per collected lot of the chain
        lots = [event["quantityList"][0]["epcClass"] for event in events]
        assert len(lots) == len(set(lots)), lot.code
        text = json.dumps(document, ensure_ascii=False)
        assert "/id/party/" not in text
        assert household.search(text) is None, lot.code
        for event in events:
            if "linkage:households" in event:
                assert event["linkage:households"] >= 10
                counted += 1
    assert counted  # some lots had 10 households or more


def test_no_household_pseudonym_appears_in_two_lots_exports(exports):
    seen: dict[str, int] = {}
    for lot in exports["lots"]:
        document = exports["managers"][lot.id]
        parties = collection_parties(document)
        assert parties, lot.code
        assert all("/id/party/" in party for party in parties), lot.code
        for party in parties:
            assert party not in seen, f"{party} in lots {seen.get(party)} and {lot.id}"
            seen[party] = lot.id
    # within one export, a household keeps its pseudonym: fewer pseudonyms than deliveries
    assert len(seen) < sum(len(received(d)) for d in exports["managers"].values())


def test_the_managers_documents_validate(exports):
    """A sample (the schema check of all of them takes half a minute): the first lots and the
    one with the most deliveries."""
    validator = _validator()
    documents = exports["managers"]
    largest = max(documents, key=lambda lot_id: len(received(documents[lot_id])))
    for lot_id in [*sorted(documents)[:5], largest]:
        assert_valid(validator, documents[lot_id])
