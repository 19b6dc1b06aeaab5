"""The ``beginstand``: the state on day 0 of every client in the system, logged once."""
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
