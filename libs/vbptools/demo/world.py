"""Who and what the demo's story (``make demo``) is about: hospitals of every level in three
provinces, the companies that make and deliver, one batch per policy preset with its products,
and the year-1 volumes each hospital agreed. Names are real places and firms of the seeds; every
unified social credit code here is made up (with a correct GB 32100-2015 check character)."""

from __future__ import annotations

from dataclasses import dataclass

# hospital code → (name, level, region); the L1 Chongqing centre agrees volumes and never buys
# (MON-3 onboarding); the Shenyang hospital's city settles directly with companies (SET-5)
HOSPITALS = {
    "H500101001": ("重庆医科大学附属第一医院", 3, "500103"),
    "H500101002": ("重庆市人民医院", 3, "500106"),
    "H500101003": ("重庆市渝中区人民医院", 2, "500103"),
    "H500101004": ("重庆市渝中区大坪街道社区卫生服务中心", 1, "500103"),
    "H210100001": ("中国医科大学附属第一医院", 3, "210102"),
    "H210200001": ("大连医科大学附属第一医院", 3, "210202"),
    "H532301001": ("楚雄彝族自治州人民医院", 3, "532301"),
    "H532301002": ("楚雄市鹿城镇卫生院", 1, "532301"),
}

# credit code → (name, roles)
COMPANIES = {
    "91310000MA1FL0001R": ("上海微创医疗器械(集团)有限公司", ["manufacturer"]),
    "91110000MA00L0002J": ("赛诺医疗科学技术股份有限公司", ["manufacturer"]),
    "91500000MA60Y0003Y": ("重庆药友制药有限责任公司", ["manufacturer"]),
    "91310000MA1FL00043": ("微创神通医疗科技(上海)有限公司", ["manufacturer"]),
    "91371000MA3C000055": ("山东威高集团医用高分子制品股份有限公司", ["manufacturer"]),
    "91500000MA5U00006F": ("国药控股重庆有限公司", ["distributor"]),
    "91210100MA0Y00007G": ("国药控股沈阳有限公司", ["distributor"]),
    "91530000MA6K00008K": ("云南省医药有限公司", ["distributor"]),
}
SHENYANG = "210100"  # settles directly (SET-5) from 2023-01-01


@dataclass(frozen=True)
class Item:
    """A winning product of a batch: its listing row and who delivers it where."""

    registration_no: str
    name: str
    spec: str
    manufacturer: str
    price: str            # winning price, yuan
    service: str          # of which 伴随服务
    distributor: str
    baseline: str         # pre-procurement price (MON-9)


@dataclass(frozen=True)
class Batch:
    code: str
    name: str
    kind: str
    organiser_level: str
    document_no: str
    starts_on: str
    cycle_years: int
    preset: str
    items: tuple[Item, ...]
    agreed: dict[tuple[str, int], int]  # (hospital, item index) → year-1 quantity

    def create(self) -> dict:
        return {"code": self.code, "name": self.name, "kind": self.kind, "organiser_level": self.organiser_level,
                "document_no": self.document_no, "starts_on": self.starts_on, "cycle_years": self.cycle_years,
                "preset": self.preset, "groups": [{"code": "G1", "name": "第1组"}]}


CQ_DISTRIBUTOR, LN_DISTRIBUTOR, CX_DISTRIBUTOR = "91500000MA5U00006F", "91210100MA0Y00007G", "91530000MA6K00008K"

BATCHES = (
    # seed 003, the table as published (imported by demo.load); the story adds the credit codes
    Batch("GJ-GMZJ-2023", "国家组织冠脉支架集中带量接续采购", "consumable", "national", "渝医保办〔2023〕3号",
          "2023-01-31", 3, "chongqing-stent-2023", (
              Item("国械注准20163132305", "冠脉雷帕霉素洗脱钴基合金支架系统", "", "91310000MA1FL0001R", "730", "50",
                   CQ_DISTRIBUTOR, "10800"),
              Item("国械注准20203131021", "药物洗脱支架系统", "", "91110000MA00L0002J", "779", "50", CQ_DISTRIBUTOR,
                   "11200"),
          ), {("H500101001", 0): 240, ("H500101001", 1): 120, ("H500101002", 0): 120, ("H500101003", 0): 60}),
    # seeds 000/002: Chongqing's own drug renewal
    Batch("CQ-YP-2023", "重庆市药品集中带量采购接续", "drug", "provincial", "渝医保发〔2023〕5号",
          "2023-02-01", 2, "chongqing-2025", (
              Item("国药准字H20233001", "阿托伐他汀钙片", "20mg×28片", "91500000MA60Y0003Y", "12.60", "0",
                   CQ_DISTRIBUTOR, "38.50"),
          ), {("H500101001", 0): 12000, ("H500101002", 0): 12000, ("H500101003", 0): 6000, ("H500101004", 0): 2400}),
    # seed 001: Liaoning's flow-diverter stents, 医保支付标准 41,600
    Batch("LN-XLDX-2023", "辽宁省血流导向密网支架集中带量采购", "consumable", "provincial", "辽医保〔2023〕8号",
          "2023-02-01", 2, "liaoning-2025", (
              Item("国械注准20233130101", "血流导向密网支架", "4.0×20mm", "91310000MA1FL00043", "41600", "0",
                   LN_DISTRIBUTOR, "98000"),
          ), {("H210100001", 0): 24, ("H210200001", 0): 12}),
    # seed 004: Chuxiong's consumables, offsets progressive with purchases
    Batch("CX-HC-2023", "楚雄州医用耗材集中带量采购", "consumable", "prefecture", "楚医保发〔2023〕2号",
          "2023-02-01", 1, "chuxiong-2022", (
              Item("国械注准20233140201", "一次性使用输液器 带针", "0.7mm", "91371000MA3C000055", "1.80", "0",
                   CX_DISTRIBUTOR, "4.20"),
          ), {("H532301001", 0): 60000, ("H532301002", 0): 12000}),
)

FIRST_DAY, LAST_DAY = "2023-01-16", "2023-07-03"
MONTHS = ("2023-02", "2023-03", "2023-04", "2023-05", "2023-06")
# the share of a twelfth of the agreed volume each month's order asks for
MONTHLY_SHARE = {"2023-02": 1.0, "2023-03": 0.9, "2023-04": 1.1, "2023-05": 1.0, "2023-06": 0.8}
FUND_PAYABLE = {3: "200000.00", 2: "60000.00", 1: "12000.00"}  # yuan a month, by hospital level
