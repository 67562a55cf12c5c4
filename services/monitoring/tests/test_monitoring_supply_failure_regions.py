"""MON-12: a supply-failure alert is the region's where its facts lie — the one region, or the
nearest containing them all, or none across provinces (then every insurer sees it)."""

from vbp_monitoring.shortages.failures import common_region


def test_mon12_the_alerts_region_is_the_nearest_containing_every_region_concerned():
    assert common_region({"500103"}) == "500103"
    assert common_region({"500103", "500104"}) == "500000"
    assert common_region({"532301", "532300"}) == "532300"
    assert common_region({"210102", "532301"}) is None
    assert common_region({"999999"}) is None
