"""What a person reads: Dutch display names and Dutch number formats, in one place.

The report, its CSV and xlsx exports and the what-if app all take their names and number
formats from here, so a variant, provider or KPI reads the same everywhere.

>>> euro(523626)
'€ 523.626'
>>> euro(108_712_345, million=True)
'€ 108,7 mln'
>>> percent(0.048)
'4,8%'
>>> number(14252)
'14.252'
>>> name("variant", "output_monthly")
'Outputgericht maandtarief'
>>> name("provider", "onbekend_x")
'onbekend_x'
"""
from __future__ import annotations

import math
import re
from decimal import Decimal

from simulation.config.errors import fixed_number

NAMES: dict[str, dict[str, str]] = {
    "variant": {
        "traject": "Trajectfinanciering",
        "plekken": "Plekken (capaciteit)",
        "pxq": "PxQ (prijs x hoeveelheid)",
        "output_monthly": "Outputgericht maandtarief",
        "lumpsum": "Lumpsum",
        "budget": "Budgetafspraak",
        "plafond": "Budgetplafond",
        "population": "Populatiebekostiging",
        "regio_budget": "Regiobudget",
        "resultaat": "Resultaatbekostiging",
        "beschikbaarheid": "Beschikbaarheid + trajecten (budget met tussentijdse bijstelling)",
        "casusbudget": "PxQ uurtarief binnen casusbudget",
        "boeggolf": "Vast tarief, boeggolfcontract",
        "opvolger": "Opvolger van een boeggolfcontract (vast tarief)",
    },
    "provider": {
        "jeugd_regio_a": "Jeugd regionaal A",
        "jeugd_regio_b": "Jeugd regionaal B",
        "jeugd_regio_c": "Jeugd regionaal C",
        "jeugd_lokaal_praktijken": "Jeugd lokaal (praktijken)",
        "jeugd_lokaal_dagbesteding": "Jeugd lokaal (dagbesteding)",
        "wmo_regio_begeleiding_a": "Wmo begeleiding regionaal A",
        "wmo_regio_begeleiding_b": "Wmo begeleiding regionaal B",
        "wmo_lokaal_begeleiding": "Wmo begeleiding lokaal",
        "wmo_hbh_regio_a": "Hulp bij het huishouden regionaal A",
        "wmo_hbh_regio_b": "Hulp bij het huishouden regionaal B",
        "wmo_hbh_lokaal": "Hulp bij het huishouden lokaal",
        "wmo_logeren_lokaal": "Logeren lokaal",
        "pw_s1_regio": "Participatie begeleiding collectief regionaal",
        "pw_s1_lokaal": "Participatie begeleiding collectief lokaal",
        "pw_s2_regio": "Participatie begeleiding individueel regionaal",
        "pw_s2_lokaal": "Participatie begeleiding individueel lokaal",
        "pw_s3_regio": "Werkgeversondersteuning regionaal",
        "pw_s3_lokaal": "Werkgeversondersteuning lokaal",
    },
    "kpi": {
        "instroom": "Instroom",
        "uitstroom": "Uitstroom",
        "unieke_clienten": "Unieke cliënten",
        "caseload_1jan": "In zorg op 1 januari",
        "doorlooptijd_gem": "Doorlooptijd, gemiddeld (dagen)",
        "doorlooptijd_mediaan": "Doorlooptijd, mediaan (dagen)",
        "wacht_dagen_gem": "Wachttijd, gemiddeld (dagen)",
        "wacht_dagen_p90": "Wachttijd, 90e percentiel (dagen)",
        "aandeel_gewacht": "Aandeel dat wachtte",
        "wachtlijst_eind": "Wachtlijst op 31 december",
        "plekken": "Plekken",
        "bezettingsgraad": "Bezettingsgraad",
        "clienten_per_plek": "Cliënten per plek",
        "aandeel_afschaling": "Aandeel afgeschaald naar het voorliggend veld",
        "recidive_365": "Terugkeer binnen een jaar",
        "aandeel_uitval": "Aandeel uitval",
        "instroom_inwoners": "Instroom unieke inwoners",
        "uitstroom_inwoners": "Uitstroom unieke inwoners",
        "doorstroom_voorliggend_veld": "Doorstroom naar het voorliggend veld (unieke inwoners)",
        "afgesloten_trajecten": "Afgesloten trajecten",
        "doel_behaald": "Doel behaald",
        "aandeel_uitval_afgesloten": "Aandeel uitval (afgesloten trajecten)",
        "zonder_hulp_verder": "Zonder hulp verder",
        "geen_nieuwe_start": "Geen nieuwe start",
        "doelrealisatie": "Doelrealisatie",
        "uitgaven": "Uitgaven",
        "kosten_per_client": "Kosten per cliënt",
        "terugbetaalde_plekdagen": "Terugbetaalde plekdagen",
        "verrekening": "Verrekening",
        "marge_aanbieders": "Marge aanbieders",
        "clienten_equivalent": "Cliënten bediend door de plekken",
    },
    "segment": {   # the segments of 004 par. 6 (params/data/noord_limburg_2019_segments.csv, 'description')
        "S1": "Verblijf met behandeling (jeugd)",
        "S2": "Wonen (jeugd)",
        "S3": "Dagbesteding/dagbehandeling (jeugd)",
        "S4": "Ambulant/specialistisch (jeugd)",
        "S1a": "Complexe meervoudige ondersteuningsvraag (Wmo)",
        "S1b": "Kortdurende enkelvoudige ondersteuningsvraag (Wmo)",
        "S2a": "Langdurige ondersteuningsvraag (Wmo)",
        "S2b": "Ouderdom gerelateerde beperkingen (Wmo)",
        "S3a": "Hulp bij het huishouden (Wmo)",
        "S3b": "Logeren (Wmo)",
    },
    "column": {
        "municipality": "Gemeente",
        "segment": "Segment",
        "provider": "Aanbieder",
        "variant": "Bekostigingsvariant",
        "year": "Jaar",
        "replication": "Replicatie",
        "mean": "Gemiddelde",
        "ci_low": "95%-BI ondergrens",
        "ci_high": "95%-BI bovengrens",
        "n": "Aantal replicaties",
        "measure": "Maat",
        "baseline": "Basis",
        "whatif": "Wat-als",
        "difference": "Verschil",
        "sd": "Standaardafwijking",
        "parameter": "Parameter",
        "value": "Waarde",
        "source": "Bron",
        "inwoners": "Inwoners",
        "clienten_per_1000": "Cliënten per 1.000 inwoners",
        "stap": "Stap",
        "per_jaar": "Per jaar",
        "keuze": "Bekostigingskeuze",
        "domain": "Domein",
        "spend_basis": "Basis van de uitgaven",
        "clients_error_pct": "Afwijking cliënten (%)",
        "spend_error_pct": "Afwijking uitgaven (%)",
        "clients_model_sd": "Cliënten model (standaardafwijking)",
        "traject_type": "Trajecttype",
        "family": "Verdeling",
        "cv": "Variatiecoëfficiënt",
        "uitval": "Aandeel uitval",
        "closed": "Afgesloten",
        "open": "Open aan het eind",
        "left_truncated": "Begonnen vóór de periode",
        "factor": "Factor",
        "growth": "Groei per jaar",
        "without_measures": "Zonder maatregelen",
        "with_measures": "Met maatregelen",
        "bekostiging": "Bekostiging",
        "conventie": "Conventie",
        "oordeel": "Oordeel",
        "ontwerp": "Ontwerp",
        "step": "Stap",
        "iteration": "Stap",
        "target": "Doel",
        "achieved": "Bereikt",
        "share": "Aandeel",
        "count": "Aantal",
        "days": "Dagen",
        "rho": "Belasting (rho)",
        "servers": "Plekken",
        "wait": "Wachttijd (dagen)",
        "kans_boven_budget": "Kans boven budget",
        "uitgaven_cv_pct": "Spreiding uitgaven (%)",
        "marge": "Marge aanbieders",
        "segments": "Segmenten",
        "ci_laag": "95%-BI ondergrens",
        "ci_hoog": "95%-BI bovengrens",
        # notebook 05: occupancy against the number of plekken, and the M/M/N check
        "busy": "Bezette plekken (gemiddeld)",
        "wait_mean": "Wachttijd, gemiddeld (dagen)",
        "wait_min": "Wachttijd, laagste replicatie (dagen)",
        "wait_max": "Wachttijd, hoogste replicatie (dagen)",
        "share_waited": "Aandeel dat wachtte",
        "wait_days_total": "Wachtdagen, totaal",
        "erlang_bezetting": "Bezetting volgens Erlang C",
        "erlang_p_wait": "Kans op wachten volgens Erlang C",
        "erlang_wait_mean": "Wachttijd volgens Erlang C (dagen)",
        "empty_plek_days": "Lege plekdagen",
        "cost_empty_eur": "Kosten lege plekken (€)",
        "cost_waiting_eur": "Kosten van wachten (€)",
        "cost_total_eur": "Kosten totaal (€)",
        "wacht_gem_model": "Wachttijd model (dagen)",
        "wacht_gem_erlang_c": "Wachttijd Erlang C (dagen)",
        "binnen_ci": "Erlang C binnen het 95%-BI",
        "kans_wachten_model": "Kans op wachten, model",
        "kans_wachten_erlang_c": "Kans op wachten, Erlang C",
        "kans_binnen_ci": "Erlang C-kans binnen het 95%-BI",
        "binnen_familie": "Binnen het familie-interval (Bonferroni)",
        # notebook 06: the measures' calibration and the growth they take off
        "doorlooptijd_factor": "Doorlooptijdfactor",
        "reduction_points": "Lagere groei (procentpunt)",
        "target_points": "Doel lagere groei (procentpunt)",
        "growth_autonomous": "Groei per jaar zonder maatregelen",
        "growth_with measures": "Groei per jaar met maatregelen",
        "reduction_ci_low": "Lagere groei (95%-BI ondergrens)",
        "reduction_ci_high": "Lagere groei (95%-BI bovengrens)",
        "autonomous": "Zonder maatregelen",
        "with measures": "Met maatregelen",
        "covers": "Reikwijdte",
        "difference_pct": "Verschil (%)",
        # notebook 08: durations from the records and the model check
        "km": "Doorlooptijd Kaplan-Meier (dagen)",
        "naief_gem_gesloten": "Doorlooptijd gesloten trajecten, naïef gemiddelde (dagen)",
        "pi_laag": "95%-voorspellingsinterval ondergrens",
        "pi_hoog": "95%-voorspellingsinterval bovengrens",
        "binnen": "Binnen het voorspellingsinterval",
        "km_mediaan_plek": "Kaplan-Meier-mediaan onder plekken (dagen)",
        "km_mediaan_traject": "Kaplan-Meier-mediaan onder trajecten (dagen)",
        "n_plek": "Trajecten onder plekken",
        "n_traject": "Trajecten onder trajectfinanciering",
        "gemeenten_plek": "Gemeenten met plekken",
        "gemeenten_traject": "Gemeenten met trajecten",
        # notebook 10, Achterhoek: the start budget step by step (000 par. 3.3)
        "clienten_vorig": "Cliënten vorige periode",
        "uitgaven_per_client": "Uitgaven per cliënt (€)",
        "ontwikkeling": "Ontwikkeling (factor)",
        "clienten_verwacht": "Cliënten verwacht",
        "eerste_raming": "Eerste raming (€)",
        "indexering": "Indexering (factor)",
        "efficiency": "Efficiency (factor)",
        "ketenafspraken": "Ketenafspraken (factor)",
        "startbudget": "Startbudget (€)",
    },
    # column-name endings that summarise() and the notebooks add to a KPI or column name (exports.header)
    "suffix": {
        "_gem": "gemiddelde",
        "_ci_laag": "95%-BI ondergrens",
        "_ci_hoog": "95%-BI bovengrens",
        "_sd": "standaardafwijking",
        "_mediaan": "mediaan",
    },
    "input": {
        "scenario": "Regioscenario",
        "municipality": "Gemeente",
        "segment": "Segment",
        "variant": "Bekostigingsvariant",
        "plekken": "Plekken per jaar",
        "tariffs": "Tarief per traject",
        "band": "Bandbreedte (aandeel)",
        "budget": "Budget per jaar (EUR)",
        "ceiling": "Budgetplafond per jaar (EUR)",
        "settlement": "Verrekening",
        "doorlooptijd_factor": "Doorlooptijdfactor",
        "intensity_factor": "Intensiteitsfactor",
        "refusal_probability": "Kans op weigering zware cliënt",
        "horizon_years": "Horizon (jaren)",
        "replications": "Replicaties",
        "seed": "Seed",
        "all": "Alle",
        "as_is": "Zoals in het scenario",
        "whole": "Het hele verschil",
        "outside_band": "Alleen buiten de band",
    },
}


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")


def name(kind: str, key: str) -> str:
    """The Dutch display name of ``key`` (a variant, provider, kpi or column); the key itself if none is set."""
    return NAMES.get(kind, {}).get(key, key)


def number(x: float, decimals: int = 0) -> str:
    """A number in Dutch format: thousands with a dot, decimals with a comma ('14.252', '4,75'); '–' for none
    (``config.errors.fixed_number``, which the config layer's messages share)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return fixed_number(x, decimals)


def table_number(x: float) -> str:
    """A float in a table shown on a page: Dutch format with the decimals it has, at most three
    ('2.107', '168,3', '0,843'); the notebooks set it as pandas' display float format."""
    if x is None or x != x:
        return "–"
    decimals = next((d for d in range(3) if round(x, d) == round(x, 3)), 3)
    return number(x, decimals)


def euro(x: float, million: bool = False, decimals: int | None = None) -> str:
    """An amount in euros: '€ 523.626', or with ``million`` '€ 108,7 mln' (one unit for millions everywhere)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if million:
        return f"€ {number(x / 1e6, 1 if decimals is None else decimals)} mln"
    return f"€ {number(x, 0 if decimals is None else decimals)}"


def percent(share: float, decimals: int = 1) -> str:
    """A share as a Dutch percentage: 0.048 -> '4,8%'."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{number(100 * share, decimals)}%"


DUTCH_NUMBER_RE = re.compile(r"-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")


def input_number(x: float) -> str:
    """A value for a text input field, in Dutch format with every decimal it has, so that
    ``parse_number`` gives it back exactly: 4393.0 -> '4.393', 94.94 -> '94,94', 94.5 -> '94,50'."""
    if x is None or x != x or math.isinf(x):
        return ""
    whole, _, frac = format(Decimal(repr(float(x))), "f").partition(".")   # repr: the shortest exact digits
    frac = "" if frac in ("", "0") else frac.ljust(2, "0")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    groups = ".".join(digits[max(i - 3, 0):i] for i in range(len(digits), 0, -3)[::-1])
    return sign + groups + ("," + frac if frac else "")


def parse_number(text: str) -> float:
    """A number typed in Dutch format: decimal comma, optionally dots between groups of three digits
    ('1.234,56', '94,94', '1234', '€ 4.393'). Anything else raises ValueError with a Dutch message;
    a dot that is not a thousands separator ('94.94') is refused rather than guessed."""
    clean = str(text).replace("€", "").replace("\u00a0", "").replace(" ", "")
    if not clean:
        raise ValueError("leeg: vul een getal in (komma voor decimalen, bijvoorbeeld 1.234,56)")
    if not DUTCH_NUMBER_RE.fullmatch(clean):
        hint = (f"; gebruik een komma voor decimalen, bijvoorbeeld '{clean.replace('.', ',')}'"
                if re.fullmatch(r"-?\d+\.\d+", clean) else "")
        raise ValueError(f"'{text}' is geen getal in Nederlandse notatie (komma voor decimalen, punt voor "
                         f"duizendtallen, bijvoorbeeld 1.234,56){hint}")
    return float(clean.replace(".", "").replace(",", "."))
