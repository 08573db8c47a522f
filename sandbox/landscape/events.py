"""Which register records which life event: a trigger is seen only once its register has it."""

from __future__ import annotations

__all__ = ["EVENT_REGISTER"]

# Life events (the dataset contract's `soort`) → the register and attribute an organisation
# learns them from. A test checks this covers every event type and names real attributes.
EVENT_REGISTER: dict[str, tuple[str, str]] = {
    "geboorte": ("brp", "geboortedatum"),
    "overlijden": ("brp", "bewoners"),
    "verhuizing": ("brp", "adres"),
    "partnerschap": ("brp", "partner"),
    "scheiding": ("brp", "partner"),
    "uit_huis": ("brp", "bewoners"),
    "achttien_jaar": ("brp", "geboortedatum"),  # derived from the geboortedatum
    "aow_leeftijd": ("brp", "geboortedatum"),  # derived; the SVB holds the AOW itself
    "baanverlies": ("polis", "arbeidsstatus"),  # the monthly loonaangifte stops
    "baan_start": ("polis", "arbeidsstatus"),
    "inkomenswijziging": ("belastingdienst", "toetsingsinkomen"),  # known only after the year
}
