"""Parameters of the Swedish scenarios and where the generator reads and writes.

Every value is either sourced [S] or an assumption with its id (``docs/scenarios.md``); the
office and region tables are data files under ``data/sweden/`` (see its README).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data" / "sweden"
AREAS_CSV = DATA_DIR / "areas.csv"
OFFICES_CSV = DATA_DIR / "offices.csv"
REGIONS_CSV = DATA_DIR / "regions.csv"
LOCALITIES_CSV = DATA_DIR / "localities_2020.csv"
NETWORK_CSV = DATA_DIR / "network.csv"
OUT_DIR = ROOT / "configs" / "sweden"

START = dt.date(2023, 1, 2)  # a Monday; first weekday of 2023 (choice)
REGION_DAYS = 91  # 13 weeks (choice: keeps a 20-replication sweep fast)
REGION_WARMUP = 7  # 1 warm-up week (choice)
NATIONAL_DAYS = 365  # one year
NATIONAL_WARMUP = 0  # every day starts with an empty office, so no warm-up is needed
SEED = 2023

VISIT_RATE = 270.0  # A8: visits per 1,000 residents per year (2.8 M / 10.55 M, rounded)
# A16: the model's rate is of needs, before distance decay (A9) declines some of them; one
# factor makes the national locality network of 2024/25 expect the 2.8 M visits of 2024 [S]
# (the generator recomputes it and stops if it drifts: national.check_calibration)
CALIBRATION = 1.44
BASE_RATE = round(VISIT_RATE * CALIBRATION, 1)  # A8 x A16: 388.8 needs per 1,000 a year
LISTED_UPLIFT = 1.75  # A8: x1.5-2 in police-listed areas; midpoint
NATIONAL_VISITS = 2_800_000  # [S] 2.8 M visits in 2024 (DG Åsa Lindh, swedenherald.com 2025-02-20)

SERVICE_MEAN = 15  # A2: minutes per visit, lognormal
SERVICE_CV = 1.0  # A2
PATIENCE_MEDIAN = 30  # A6: minutes, lognormal
PATIENCE_CV = 0.8  # A6
BALK_QUEUE = 25  # A6: a walk-in leaves at once if 25 people wait ahead
RETURN_AFTER = ("reneged", "balked", "closed", "no_option")  # A14: who may come back
RETURN_PROBABILITY = 0.7  # A14: chance of another attempt after each failure (range 0.5-0.9)
RETURN_DELAY_DAYS = 2  # A14: gamma mean, days from the failure to the new need (range 1-5)
RETURN_DELAY_CV = 0.8  # A14
RETURN_MAX_ATTEMPTS = 3  # A14: the first attempt and at most two returns
MAX_DEFERRAL_DAYS = 7  # model default: a need can wait up to a week for an open place
DELAY_MIN_PER_DAY = 15  # model default: a day of delay weighs like 15 travel minutes

SPEED_KMH = 20  # A9 companion: door-to-door urban speed (walk + public transport)
CAR_SPEED_KMH = 50  # A17: door-to-door speed of residents who drive (rural, small localities)
CAR_LOCALITY_MAX = 50_000  # A17: residents of localities below this size (and outside any) drive
DETOUR = 1.3  # A9 companion: road/transit distance over straight-line distance
MAX_TRAVEL_MIN = 90  # nobody travels more than 1.5 h one way for a drop-in visit
WITHIN_AREA_MIN = 0  # a stop parked in an area costs what an office at its centroid costs
HALF_DEMAND_KM = 5  # A9: half the demand is acted on at ~5 km (urban)
DECAY_SCALE = round(HALF_DEMAND_KM * DETOUR / SPEED_KMH * 60 / math.log(2))  # 19.5 min / ln 2 = 28

OPENING = "10:00-16:00"  # A1: Mon-Fri, 6 h a day
OPEN_HOURS_PER_DAY = 6  # A1
WEEKDAYS_PER_YEAR = 365 * 5 / 7  # demand only arises Mon-Fri (A5 weights)
VISITS_PER_STAFF_DAY = 17  # §1.2 derived 15-17 per staff-day (3 M / 800 staff), A2 70-80 % load

WEEKDAY_PROFILE = {"mon": 1.3, "tue": 1.0, "wed": 1.0, "thu": 1.0, "fri": 0.8}  # A5
HOUR_PROFILE = {9: 0.8, 10: 1.5, 11: 1.2, 12: 1.0, 13: 1.0, 14: 0.8, 15: 0.6}  # A5

Errand = tuple[str, str, float]  # id, name, share
ERRANDS: tuple[Errand, ...] = (  # A7: agency mix of errands
    ("skatteverket", "Skatteverket", 0.35),
    ("forsakringskassan", "Försäkringskassan", 0.35),
    ("arbetsformedlingen", "Arbetsförmedlingen", 0.15),
    ("pensionsmyndigheten", "Pensionsmyndigheten", 0.10),
    ("migrationsverket", "Migrationsverket", 0.05),
)
MV = "migrationsverket"
MV_MIN_POPULATION = 140_000  # A7 (MV): MV service assumed at offices in municipalities this big

NEW_OFFICE_HOURS = "10:00-15:00"  # design choice for the new office (5 h a day, Mon-Fri)
NEW_OFFICE_MIN_COUNTERS = 2  # design choice
MOBILE_COUNTERS = 2  # A11: 2 staff
MOBILE_HOURS = "10:00-15:00"  # A11: 4-6 h per stop -> 5 h
MOBILE_SETUP_MIN = 45  # A11: travel and set-up before a stop
MOBILE_MAX_AREAS = 3  # A11: 2-3 stops a week in all
REPLICATIONS = 20  # paired replications per design (common random numbers)
LEVEL = 0.95  # confidence level of the pilot comparisons (Bonferroni family level)
KPIS = (
    "unserved_per_1000_yr@group:vulnerable",
    "unserved_per_1000_yr",
    "wait_mean",
    "wait_p90",
    "staff_hours_per_week",
)

DEFAULT_REGION = "norrkoping"  # the embedded default; see docs/scenarios.md for why

# The default pilot's robust comparison (docs/scenarios.md, "Uncertain ranges"): every design in
# UNCERTAIN_WORLDS Latin-hypercube worlds x UNCERTAIN_REPLICATIONS paired replications
UNCERTAIN_WORLDS = 32  # the smallest size at which SALib's indices are defined for 7 inputs
UNCERTAIN_REPLICATIONS = 3  # paired replications per design and world
UNCERTAIN_INPUTS: tuple[tuple[str, dict[str, object], str], ...] = (
    ("behaviour.decay.scale", {"low": 15, "high": 60},
     "A9: half the demand acts at 2.7-10.7 km instead of ~5 km (scale 28)"),
    ("behaviour.patience_minutes.median", {"low": 15, "high": 45}, "A6: median patience 30 min +-50 %"),
    ("areas[vulnerable].demand.per_1000_per_year", {"scale": {"low": 0.857, "high": 1.143}},
     "A8: listed-area uplift x1.5 to x2 (x1.75 in the scenario)"),
    ("areas[*].demand.per_1000_per_year", {"scale": {"low": 0.8, "high": 1.2}},
     "A8: the national rate of needs +-20 %"),
    ("demand_profile.weekday.mon", {"low": 1.0, "high": 1.6}, "A5: Monday's weight 1.3 +-0.3"),
    ("sites.mobile-1.setup_minutes", {"low": 30, "high": 60},
     "A11: the unit's travel and set-up before a stop, 45 min +-15"),
    ("behaviour.returns.probability", {"low": 0.5, "high": 0.9},
     "A14: the chance of trying again after a failed visit, 0.7 +-0.2"),
)  # fmt: skip

# Linköping + Norrköping: one mobile unit shared by two municipalities (A12, docs/scenarios.md)
SHARED_SLUG = "linkoping-norrkoping"
SHARED_MUNICIPALITIES = ("Linköping", "Norrköping")
SHARED_TOUR = (("skaggetorp", "tue"), ("navestad", "wed"), ("hageby", "thu"))
SHARED_NEW_OFFICES = ("skaggetorp", "hageby")
