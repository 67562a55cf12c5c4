from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.domain.workdays import YearSchedule


class YearLoad(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holidays: list[date] = Field(description="every statutory holiday day off of the year (放假日)")
    makeup_workdays: list[date] = Field(description="weekend days that are working days (调休上班日)")
    document: str = Field(min_length=1, max_length=200, examples=["国办发明电〔2026〕7号"])


class YearRead(BaseModel):
    year: int
    source: str = Field(description="chinese-calendar (seeded) or ops (loaded)")
    holidays: list[date]
    makeup_workdays: list[date]


class WorkingDays(BaseModel):
    due_on: date
    explain: dict


def year_read(schedule: YearSchedule) -> YearRead:
    return YearRead(year=schedule.year, source=schedule.source, holidays=sorted(schedule.holidays),
                    makeup_workdays=sorted(schedule.makeup_workdays))
