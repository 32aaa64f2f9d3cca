"""Peru's procedure types and public holidays, loaded by a data migration and edited later as data.

The thresholds and minimum durations are illustrative defaults for the demo jurisdiction: each
agency sets the values of its law (in Peru they change with the annual budget law and the UIT).
"""

from datetime import date

# The live auction of a subasta inversa electrónica (see procurement/auction/rules.py): 10 minutes,
# extended by 2 when a bid comes in the last 2, never beyond 30; each bid at least 0.5% below the
# bidder's own last price and the best. Equal prices rank by time (the earlier price first), in the
# auction and in the score sheet that follows it, which scores the auction's final prices.
SUBASTA_AUCTION = {
    "duration_minutes": 10,
    "extension_window_minutes": 2,
    "extension_minutes": 2,
    "max_duration_minutes": 30,
    "decrement": {"kind": "percent", "value": "0.5"},
    "price": "total",
    "single_bidder": "negotiation",
}
SUBASTA_SCORING = {"tie_rules": ["earliest_submission", "mype_first", "lottery"]}

ALL_STAGES = [
    "enquiries",
    "integrated_bases",
    "bidding",
    "opening",
    "evaluation",
    "award",
    "appeal",
    "consent",
    "contract",
]

PROCEDURE_TYPES_PE = [
    {
        "code": "licitacion-publica",
        "name": "Licitación pública",
        "config": {
            "objects": ["goods", "works"],
            "stages": ALL_STAGES,
            "min_durations": {"enquiries": {"days": 10, "unit": "working"}, "bidding": {"days": 22, "unit": "working"}},
            "value_min": "481500.00",
            "value_max": None,
            "min_bids": 1,
            "appeal_window": {"days": 8, "unit": "working"},
            "evaluation": "weighted",
        },
    },
    {
        "code": "concurso-publico",
        "name": "Concurso público",
        "config": {
            "objects": ["services", "consulting"],
            "stages": ALL_STAGES,
            "min_durations": {"enquiries": {"days": 10, "unit": "working"}, "bidding": {"days": 22, "unit": "working"}},
            "value_min": "481500.00",
            "value_max": None,
            "min_bids": 1,
            "appeal_window": {"days": 8, "unit": "working"},
            "evaluation": "weighted",
        },
    },
    {
        "code": "adjudicacion-simplificada",
        "name": "Adjudicación simplificada",
        "config": {
            "objects": ["goods", "services", "works", "consulting"],
            "stages": ALL_STAGES,
            "min_durations": {"enquiries": {"days": 3, "unit": "working"}, "bidding": {"days": 8, "unit": "working"}},
            "value_min": "42800.00",
            "value_max": "481499.99",
            "min_bids": 1,
            "appeal_window": {"days": 5, "unit": "working"},
            "evaluation": "weighted",
        },
    },
    {
        "code": "subasta-inversa-electronica",
        "name": "Subasta inversa electrónica",
        "config": {
            "objects": ["goods", "services"],
            "stages": [
                "enquiries",
                "integrated_bases",
                "bidding",
                "opening",
                "auction",
                "evaluation",
                "award",
                "appeal",
                "consent",
                "contract",
            ],
            "min_durations": {"enquiries": {"days": 3, "unit": "working"}, "bidding": {"days": 8, "unit": "working"}},
            "value_min": "42800.00",
            "value_max": None,
            "min_bids": 2,
            "appeal_window": {"days": 5, "unit": "working"},
            "evaluation": "price_only",
            "auction": SUBASTA_AUCTION,
            "scoring": SUBASTA_SCORING,
        },
    },
    {
        "code": "comparacion-de-precios",
        "name": "Comparación de precios",
        "config": {
            "objects": ["goods", "services"],
            "stages": ["bidding", "opening", "evaluation", "award", "contract"],
            "min_durations": {"bidding": {"days": 5, "unit": "working"}},
            "value_min": "42800.00",
            "value_max": "80250.00",
            "min_bids": 2,
            "appeal_window": {},
            "evaluation": "price_only",
        },
    },
    {
        "code": "contratacion-directa",
        "name": "Contratación directa",
        "config": {
            "objects": ["goods", "services", "works", "consulting"],
            "stages": ["bidding", "evaluation", "award", "contract"],
            "min_durations": {},
            "value_min": None,
            "value_max": None,
            "min_bids": 1,
            "appeal_window": {},
            "evaluation": "weighted",
        },
    },
]

HOLIDAYS_PE = [
    (date(2026, 1, 1), "Año Nuevo"),
    (date(2026, 4, 2), "Jueves Santo"),
    (date(2026, 4, 3), "Viernes Santo"),
    (date(2026, 5, 1), "Día del Trabajo"),
    (date(2026, 6, 7), "Batalla de Arica y Día de la Bandera"),
    (date(2026, 6, 29), "San Pedro y San Pablo"),
    (date(2026, 7, 23), "Día de la Fuerza Aérea del Perú"),
    (date(2026, 7, 28), "Fiestas Patrias"),
    (date(2026, 7, 29), "Fiestas Patrias"),
    (date(2026, 8, 6), "Batalla de Junín"),
    (date(2026, 8, 30), "Santa Rosa de Lima"),
    (date(2026, 10, 8), "Combate de Angamos"),
    (date(2026, 11, 1), "Todos los Santos"),
    (date(2026, 12, 8), "Inmaculada Concepción"),
    (date(2026, 12, 9), "Batalla de Ayacucho"),
    (date(2026, 12, 25), "Navidad"),
]

# UN/ECE Recommendation 20 units most used in public purchasing (code, Spanish name).
UNITS_REC20 = [
    ("C62", "unidad"), ("H87", "pieza"), ("SET", "juego"), ("PR", "par"), ("DZN", "docena"),
    ("BX", "caja"), ("PK", "paquete"), ("RM", "resma"), ("KGM", "kilogramo"), ("GRM", "gramo"),
    ("TNE", "tonelada"), ("LTR", "litro"), ("MLT", "mililitro"), ("GLL", "galón"), ("MTR", "metro"),
    ("MTK", "metro cuadrado"), ("MTQ", "metro cúbico"), ("KMT", "kilómetro"), ("HUR", "hora"),
    ("DAY", "día"), ("MON", "mes"), ("ANN", "año"), ("E48", "unidad de servicio"), ("LS", "suma global"),
]  # fmt: skip

# Appeal fee (garantía por interposición del recurso de apelación): 3% of the appealed lot's
# reference value, at least this floor, in the tender's currency.
APPEAL_FEE_RULES_PE = [{"valid_from": date(2026, 1, 1), "rate": "0.03000", "minimum": "0.00"}]

# Soles per US dollar from a day on (a demo value; production loads the SBS rates daily).
EXCHANGE_RATES = [{"currency": "USD", "day": date(2026, 1, 1), "rate": "3.750000"}]
