"""GW-6 and issue 7 items 7–8 through the gateway: every service's background loops are in
/health, and every consuming service offers its parked events to an admin only."""

CONSUMERS = ("contracts", "settlement", "monitoring")


class TestHealthShowsEveryLoop:
    async def test_every_service_reports_its_loops_alive(self, shared_platform):
        body = await shared_platform.settled()
        for name, service in body["services"].items():
            assert service["tasks"]["relay"]["alive"], name
            assert service["tasks"]["housekeeping"]["alive"], name
            if name in CONSUMERS:
                assert service["tasks"]["consumer"]["alive"], name
                assert service["consumer"]["parked"] == 0, name


class TestParkedEventsThroughTheGateway:
    async def test_an_admin_lists_them_and_others_are_refused(self, shared_platform):
        hospital = shared_platform.client(await shared_platform.issue_key("hospital", "H500101001"))
        for service in CONSUMERS:
            listed = await shared_platform.admin.get(f"/{service}/parked-events")
            assert listed.status_code == 200, listed.text
            assert listed.json() == {"items": [], "next_cursor": None}
            refused = await hospital.get(f"/{service}/parked-events")
            assert refused.status_code == 403
            assert refused.headers["content-type"].startswith("application/problem+json")
            retry = await hospital.post(f"/{service}/parked-events/00000000-0000-0000-0000-000000000000/retry")
            assert retry.status_code == 403
