"""From realised records to a scenario: instroom, doorlooptijd, outcomes, providers, plekken.

``calibrate(records, base_scenario=None)`` returns (scenario dict, CalibrationReport);
``write_calibrated_yaml`` writes the scenario with a comment on every fitted number that
says how it was fitted and on how many records. ``python -m simulation calibrate`` is the
command line (simulation/cli/calibrate.py).

Modules: ``linking`` (voortzetting and opschaling links), ``survival`` (distributions with the
uitval mechanism, Kaplan-Meier), ``segment_fit`` (the censored fit), ``instroom``,
``trajecten`` (type shares, doorlooptijd, outcome shares), ``providers`` (weights, maatwerk,
plekken), ``pipeline`` (``calibrate``), ``report`` and ``commented_yaml``.

How each part is estimated (docs/records.md has the long version):

- Links between records. A record whose toewijzing starts on the day the same client's
  previous record at the same provider and segment stopped with reason 37 is a
  *voortzetting* (verlenging when the traject type is the same, step-down when it changes).
  A record that starts on the day a record of the same client stopped with reason 36/39 is
  an *opschaling* into its segment. Neither counts as instroom.
- Instroom: new episodes (client x segment x toewijzing date; two trajecten on one date
  are one episode with stacking) with a toewijzing in the study period, per municipality x
  segment x month; per_year = episodes per year / (1 - voorliggend_veld_share) with the
  share from the base scenario (records cannot see the voorliggend veld). Monthly factors
  become ``seasonality`` only when a chi-square test rejects a flat year (p < 0.01).
- Doorlooptijd: per segment, one censored maximum-likelihood fit over all traject types and
  providers of the model's own structure: a traject lasts D x m (provider maatwerk factor m),
  an uitval stops at a uniform fraction of that; trajecten still open at the period end are
  right-censored, trajecten that started before it are left-truncated. Families exponential,
  gamma and lognormal; per traject type the family with the lowest AIC. Goodness of fit: the
  largest distance between the fitted survival curve and the Kaplan-Meier curve.
- Outcome shares: uitval from the fit (it is censoring-aware), the other outcomes split the
  rest as their shares among closed non-uitval trajecten (the model draws them independently
  of the duration, so censoring does not bias these shares).
- Maatwerk factor: exp of the provider's log-scale effect, relative to the provider with the
  most trajecten in the segment (factor 1).
- Plekken: per municipality x provider x segment with bekostiging 'plek', the largest number
  of trajecten in care at once (a lower bound of plekken bought) and the mean occupancy.
"""
from simulation.data.calibration.commented_yaml import plain_values, to_commented_yaml, write_calibrated_yaml
from simulation.data.calibration.linking import prepare
from simulation.data.calibration.pipeline import calibrate
from simulation.data.calibration.providers import provider_choice_weights
from simulation.data.calibration.report import CalibrationReport
from simulation.data.calibration.segment_fit import SegmentFit, fit_segment
from simulation.data.calibration.survival import FAMILIES, kaplan_meier, km_median, mixture_survival
from simulation.data.calibration.trajecten import NON_UITVAL, round_shares

__all__ = [
    "FAMILIES", "NON_UITVAL", "CalibrationReport", "SegmentFit", "calibrate", "fit_segment", "kaplan_meier",
    "km_median", "mixture_survival", "plain_values", "prepare", "provider_choice_weights", "round_shares",
    "to_commented_yaml", "write_calibrated_yaml",
]
