"""Owner grants at the ministry after a sale: the previous owner's proof is spent.

The party: a vehicle's previous owner, at the ministry's public grant page (`/grants`), holding
what they kept from their time with the vehicle: the VIN, their old plate and the settlement
numbers of their repairs. The vehicle was sold and re-registered since: the file shows a newer
repair under a new plate, in another province. What must hold: that old proof neither grants
nor revokes (one answer, whatever fact was wrong, as the public history refuses the old
plate); the consent the previous owner gave while they held the vehicle lets no agency read
the new owner's records; the new owner's proof (the current plate and a settlement list under
it) grants and revokes.
"""

from __future__ import annotations

import pytest

from tests.functional.console_browser import Browser
from tests.functional.sharing_support import agency_key, agency_read, ministry_vehicle, proof_form

CLAIMS = "claims_assessment"


@pytest.fixture
def sale(ministry_api):
    """A vehicle of Jiangsu whose previous owner consented to an insurer, then sold it; the new
    owner had it repaired in Hubei under a new plate."""
    api = ministry_api
    before = ministry_vehicle(api, settlement_date="2024-03-02", repair_date="2024-03-01")
    insurer = agency_key(api, "示范保险公司戊", "insurance", CLAIMS)
    option = f"{insurer['agency_id']}:{CLAIMS}"
    granted = Browser(api).request(
        "POST", "/grants/create", proof_form(before, option=option, days="90")
    )
    assert granted.status_code == 201, granted.text
    assert agency_read(api, insurer["key"], before["vin"]).status_code == 200
    after = ministry_vehicle(
        api,
        province="420000",
        vin=before["vin"],
        plate_number="鄂A7Q123",
        settlement_date="2024-09-02",
        repair_date="2024-09-01",
    )
    return {
        "before": before,
        "after": after,
        "insurer": insurer,
        "option": option,
        "old_grant": _grant_ids(granted.text)[0],
    }


def test_the_previous_owners_proof_neither_grants_nor_revokes(ministry_api, sale):
    # Given the previous owner's plate and settlement number, after the sale
    old, browser = sale["before"], Browser(ministry_api)
    # When they open the grant page, grant the insurer again, and revoke their own grant
    opened = browser.request("POST", "/grants", proof_form(old))
    granted = browser.request(
        "POST", "/grants/create", proof_form(old, option=sale["option"], days="90")
    )
    revoked = browser.request("POST", "/grants/revoke", proof_form(old, grant_id=sale["old_grant"]))
    # Then each answers the one failed-proof page, and the public history refuses that plate
    assert opened.status_code == granted.status_code == revoked.status_code == 404
    assert opened.body == granted.body == revoked.body
    assert 'data-notice="no_match"' in opened.text and "data-grant=" not in opened.text
    history = ministry_api.get(f"/v1/vehicles/{old['vin']}/history?plate={old['plate']}")
    assert history.status_code == 404
    # And the new owner sees no grant on the page (the previous owner's ended with the sale)
    page = browser.request("POST", "/grants", proof_form(sale["after"]))
    assert page.status_code == 200 and _grant_ids(page.text) == []


def test_a_failed_proof_is_one_answer_whichever_fact_was_wrong(ministry_api, sale):
    # Given the facts of both owners
    old, new, browser = sale["before"], sale["after"], Browser(ministry_api)
    attempts = {
        "old plate, old number": proof_form(old),
        "new plate, old number": {
            **proof_form(new),
            "settlement_list_code": old["settlement_list_code"],
        },
        "old plate, new number": {**proof_form(new), "plate": old["plate"]},
        "new plate, wrong number": {**proof_form(new), "settlement_list_code": "NOPE-1"},
        "unknown vehicle": {**proof_form(new), "vin": "LSVZZZZZZZZZZZZZZ"},
    }
    # When each is tried on the grant page
    answers = {name: browser.request("POST", "/grants", form) for name, form in attempts.items()}
    # Then all get the very same 404 page
    bodies = {answer.body for answer in answers.values()}
    assert {answer.status_code for answer in answers.values()} == {404}
    assert len(bodies) == 1, sorted(answers)


def test_the_previous_owners_grant_lets_no_agency_read_after_the_sale(ministry_api, sale):
    # Given the insurer's grant from the previous owner, unexpired and never revoked
    vin = sale["before"]["vin"]
    # When the insurer reads the vehicle's file now
    refused = agency_read(ministry_api, sale["insurer"]["key"], vin)
    # Then it is refused as if it had no grant at all (nothing says the vehicle was sold)
    assert refused.status_code == 403 and refused.json["code"] == "no_grant"
    assert "鄂A7Q123" not in refused.body.decode()


def test_the_current_owners_proof_grants_and_revokes(ministry_api, sale):
    # Given the new owner's plate and the settlement number of their Hubei repair
    new, browser = sale["after"], Browser(ministry_api)
    key = sale["insurer"]["key"]
    # When they grant the insurer, and the insurer reads
    granted = browser.request(
        "POST", "/grants/create", proof_form(new, option=sale["option"], days="30")
    )
    read = agency_read(ministry_api, key, new["vin"])
    # Then the grant is theirs alone, and the insurer reads both repairs under it
    assert granted.status_code == 201, granted.text
    (grant_id,) = _grant_ids(granted.text)
    assert grant_id != sale["old_grant"]
    assert read.status_code == 200 and read.json["grant"]["grant_id"] == grant_id
    assert len(read.json["records"]) == 2
    # When they revoke it, or try to revoke the previous owner's grant
    revoked = browser.request("POST", "/grants/revoke", proof_form(new, grant_id=grant_id))
    foreign = browser.request("POST", "/grants/revoke", proof_form(new, grant_id=sale["old_grant"]))
    # Then theirs ends at once; the previous owner's is not theirs to see or touch
    assert revoked.status_code == 200 and 'data-state="revoked"' in revoked.text
    assert agency_read(ministry_api, key, new["vin"]).json["code"] == "grant_revoked"
    assert foreign.status_code == 404


def _grant_ids(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('data-grant="')[1:]]
