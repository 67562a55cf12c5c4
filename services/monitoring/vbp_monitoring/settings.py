from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict
from vbpkit.runtime.settings import ServiceSettings

ASSESSED = ("completion", "on_time_payment", "onboarding", "substitutes", "on_platform")


class MonitoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore")

    alert_check_seconds: float = Field(
        default=60.0, gt=0, description="how often the MON-2 stockpiling and MON-3 onboarding checks run "
        "(they act on the clock's date)")
    assessment_weights: dict[str, int] = Field(
        default={"completion": 40, "on_time_payment": 30, "onboarding": 10, "substitutes": 20, "on_platform": 0},
        description="MON-7 weights of the hospital score's components, as JSON "
        "(MONITORING_ASSESSMENT_WEIGHTS='{\"completion\": 50, ...}'); no seed sets them: the bureau's choice. "
        "on_platform (MON-11, bought on the platform ÷ what the HIS stocked in) weighs 0 until the bureau sets it, "
        "and may be left out")
    assessment_grades: list[tuple[str, int]] = Field(
        default=[("A", 90), ("B", 75), ("C", 60), ("D", 0)],
        description="MON-7 grade bands, highest first: a score reaching a band's floor gets its grade")

    @field_validator("assessment_weights")
    @classmethod
    def _weights_name_every_component(cls, weights: dict[str, int]) -> dict[str, int]:
        weights = {"on_platform": 0, **weights}  # MON-11's component came later: 0 where a bureau set none
        if set(weights) != set(ASSESSED) or any(w < 0 for w in weights.values()) or not sum(weights.values()):
            raise ValueError(f"give a weight ≥ 0 to each of {', '.join(ASSESSED)}, not all 0")
        return weights

    @field_validator("assessment_grades")
    @classmethod
    def _grades_descend(cls, grades: list[tuple[str, int]]) -> list[tuple[str, int]]:
        floors = [floor for _, floor in grades]
        if not grades or floors != sorted(floors, reverse=True) or floors[-1] != 0:
            raise ValueError("grade bands run from the highest floor down to one at 0")
        return grades
