"""Optional demo data (``VBP_DEMO_DATA=1``): a few registry rows to explore the API with."""

DEMO_INSTITUTIONS = [
    {"code": "H500101001", "name": "重庆医科大学附属第一医院", "level": 3, "kind": "public", "region_code": "500103"},
    {"code": "H500101002", "name": "重庆市人民医院", "level": 3, "kind": "public", "region_code": "500112"},
    {"code": "H500101003", "name": "重庆市渝中区人民医院", "level": 2, "kind": "public", "region_code": "500103"},
    {"code": "H532301001", "name": "楚雄彝族自治州人民医院", "level": 3, "kind": "public", "region_code": "532301"},
    {"code": "H532301002", "name": "楚雄市鹿城镇卫生院", "level": 1, "kind": "public", "region_code": "532301"},
]
