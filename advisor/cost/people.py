"""People who scale with a self-hosted fleet: a staffed 24x7 on-call rotation for large fleets."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.cost.options import Context, Line

HOURS_A_MONTH_WORKED = 160.0  # as in cost.inputs: an hour of the team's loaded cost


def oncall_line(ctx: Context, fleet_gpus: float) -> Line | None:
    """On-call people a fleet of ``fleet_gpus`` GPUs needs beyond the team's own time.

    Rule (Google SRE book): a 24x7 rotation takes about two full-time people (eight engineers at
    most 25 % on call). The team's share of time on the deployment counts towards it; the rest
    is added at the team's loaded hourly cost. Below the fleet-size threshold: none.
    """
    from advisor.cost.options import Line

    inp = ctx.inputs
    if "oncall_fte" not in inp.values or fleet_gpus < inp["oncall_fleet_gpus"]:
        return None
    team_fte = sum(r.count * r.share_of_time for r in ctx.scenario.team.roles)
    extra = max(inp["oncall_fte"] - team_fte, 0.0)
    if extra <= 0:
        return None
    monthly = extra * float(inp.hourly_rate_usd) * HOURS_A_MONTH_WORKED
    return Line("oncall", monthly, "fixed", ("people_cost",))


def colocation_monthly(ctx: Context, installed_kw: float) -> float:
    """Rack space and power for installed hardware: per kW, but never below one cabinet.

    The per-kW default is a wholesale rate for 250-500 kW; a small deployment rents at least one
    cabinet. A rate of 0 (your own data centre) costs nothing.
    """
    inp = ctx.inputs
    per_kw = installed_kw * inp["colocation_usd_per_kw_month"]
    if inp["colocation_usd_per_kw_month"] <= 0 or "colocation_min_usd_per_month" not in inp.values:
        return per_kw
    return max(per_kw, inp["colocation_min_usd_per_month"])
