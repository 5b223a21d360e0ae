"""One vehicle serviced in two provinces: the ministry's national history holds both."""

from __future__ import annotations

import pytest

from tests.builders import record_payload, unique_plate, unique_vin
from tests.e2e_national.support import NationalSystem, eventually, hubei_payload, hubei_plate

pytestmark = pytest.mark.e2e


def test_national_history_holds_both_provinces_records_in_settlement_order(
    national: NationalSystem,
) -> None:
    # Given one VIN serviced in Hubei (settled later, uploaded first) and then in Jiangsu
    vin, jiangsu_plate, latest_plate = unique_vin(), unique_plate(), hubei_plate()
    hubei_receipt = national.upload(
        "420000",
        national.shop_token("420000"),
        hubei_payload(
            vin=vin,
            plate_number=latest_plate,
            repair_date="2024-06-14",
            settlement_date="2024-06-15",
            repair_mileage=15000,
        ),
    )
    jiangsu_receipt = national.upload(
        "320000",
        national.shop_token("320000"),
        record_payload(
            vin=vin,
            plate_number=jiangsu_plate,
            repair_date="2024-03-01",
            settlement_date="2024-03-02",
            repair_mileage=12000,
        ),
    )

    # When the forwarders have delivered both to the ministry
    def both_held() -> list[dict]:
        answer = national.national_history(vin, latest_plate)
        assert answer.status == 200, answer.json
        assert len(answer.json["records"]) == 2, answer.json
        return list(answer.json["records"])

    records = eventually(both_held)

    # Then the national history lists them by settlement date, each labelled with its province
    assert [(r["settlement_date"], r["province_code"]) for r in records] == [
        ("2024-03-02", "320000"),
        ("2024-06-15", "420000"),
    ]
    assert [r["mileage"] for r in records] == [12000, 15000]
    assert all("plate_number" not in r for r in records)  # no earlier plate leaks
    assert jiangsu_plate not in str(records)
    assert hubei_receipt["record_id"] != jiangsu_receipt["record_id"]


def test_national_history_needs_the_latest_plate_across_provinces(
    national: NationalSystem,
) -> None:
    # Given a vehicle whose latest record (by settlement date) is the Hubei one
    vin, old_plate, latest_plate = unique_vin(), unique_plate(), hubei_plate()
    national.upload(
        "320000",
        national.shop_token("320000"),
        record_payload(
            vin=vin, plate_number=old_plate, repair_date="2024-01-09", settlement_date="2024-01-10"
        ),
    )
    national.upload(
        "420000",
        national.shop_token("420000"),
        hubei_payload(
            vin=vin,
            plate_number=latest_plate,
            repair_date="2024-02-19",
            settlement_date="2024-02-20",
            repair_mileage=13000,
        ),
    )
    eventually(lambda: _assert_records(national, vin, latest_plate, 2))

    # When someone asks with the Jiangsu (older) plate
    answer = national.national_history(vin, old_plate)

    # Then the ministry answers as for an unknown vehicle: the proof is the latest plate
    assert answer.status == 404, answer.json


def _assert_records(national: NationalSystem, vin: str, plate: str, count: int) -> None:
    answer = national.national_history(vin, plate)
    assert answer.status == 200, answer.json
    assert len(answer.json["records"]) == count, answer.json
