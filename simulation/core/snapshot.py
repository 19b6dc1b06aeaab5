"""Where every client is: the ``beginstand`` on day 0 (logged once) and the state at the horizon."""
from __future__ import annotations

from simulation.core import events as ev
from simulation.core.draws import Client


def beginstand_shared(model) -> None:
    """The state on day 0 of every client on the shared clock (private clients log their own)."""
    log, private = model.log, model.private_clients
    for tid, (cid, mi, si, ti, pi, start) in model.open_trajecten.items():
        if cid not in private:
            log((0.0, ev.BEGINSTAND, cid, tid, mi, si, ti, pi, ev.IN_ZORG, start))
    for tid, (cid, mi, si, ti, pi, since) in model.waiting.items():
        log((0.0, ev.BEGINSTAND, cid, tid, mi, si, ti, pi, ev.IN_WACHTLIJST, since))
    for cid, (mi, si, since) in model.in_toegang.items():
        if cid not in private:
            log((0.0, ev.BEGINSTAND, cid, -1, mi, si, -1, -1, ev.IN_TOEGANG, since))
    for cid, (mi, si, since) in model.in_vv.items():
        if cid not in private:
            log((0.0, ev.BEGINSTAND, cid, -1, mi, si, -1, -1, ev.IN_VOORLIGGEND_VELD, since))


def beginstand_of_client(model, client: Client) -> None:
    """The day-0 state of one client on a private clock, taken when its clock passes day 0."""
    log, cid = model.log, client.id
    for j in range(client.next_traject):
        row = model.open_trajecten.get(cid * 1000 + j)
        if row is not None:
            _, mi, si, ti, pi, start = row
            log((0.0, ev.BEGINSTAND, cid, cid * 1000 + j, mi, si, ti, pi, ev.IN_ZORG, start))
    if cid in model.in_toegang:
        mi, si, since = model.in_toegang[cid]
        log((0.0, ev.BEGINSTAND, cid, -1, mi, si, -1, -1, ev.IN_TOEGANG, since))
    if cid in model.in_vv:
        mi, si, since = model.in_vv[cid]
        log((0.0, ev.BEGINSTAND, cid, -1, mi, si, -1, -1, ev.IN_VOORLIGGEND_VELD, since))


def clients_at_horizon(model) -> dict[str, set[int]]:
    """The ids of the clients in care, waiting (and not also in care), at the toegang, and in
    the voorliggend veld with a recidive still to come, at the horizon."""
    in_care = {v[0] for v in model.open_trajecten.values()}
    places = {"in_zorg": in_care, "wachtlijst": {v[0] for v in model.waiting.values()} - in_care,
              "toegang": set(model.in_toegang), "voorliggend_veld_recidive": set(model.in_vv)}
    for place, ids in model.cohort.at_horizon.items():   # the cohort's clients are in none of the dicts
        for part in ids:
            places[place].update(part.tolist())
    return places


def state_at_horizon(model) -> dict[str, int]:
    """The model's own count of clients per place at the horizon (checked against the log in tests).

    Every client in the log is in exactly one place: in care (any open traject), waiting (an
    open wait and no traject in care), at the toegang, in the voorliggend veld with a recidive
    still to come, in the voorliggend veld for good, or gone after uitval. The last two count
    clients who got there on or after day 0 (``analysis.kpis.client_places`` derives the same from the log).
    """
    counts = {place: len(ids) for place, ids in clients_at_horizon(model).items()}
    return counts | {"voorliggend_veld": model.left[0], "uitgestroomd": model.left[1]}
