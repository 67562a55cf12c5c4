from pydantic import BaseModel, ConfigDict


class MonitoredHospitalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: int
    region_code: str | None
