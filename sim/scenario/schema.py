"""The scenario schema: frozen, typed pydantic objects for every part of a scenario file.

Countries, relations, blocs, patrons, dynamics parameters and events (MODEL.md sections 2 to 5),
with their ranges and defaults. Unknown keys are errors. Loading, cross-checks and dotted-path
overrides live in :mod:`sim.config`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from sim.scenario.calendar import month_to_step

CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
COUNTER_BLOC_KEY = "counter_bloc"  # the counter-bloc's name where a file names blocs
# Integration stages (MODEL.md, I1): depth below 1/3 is a declaration, up to 2/3 a security
# mechanism, above a formal alliance.
STAGE_BOUNDARIES = (1 / 3, 2 / 3)
STAGES = ("declaration", "security_mechanism", "formal_alliance")
Stage = Literal["declaration", "security_mechanism", "formal_alliance"]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Signed = Annotated[float, Field(ge=-1.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]


class Frozen(BaseModel):
    """Base of every schema object: unknown keys are errors, numbers must be finite (also when
    quoted: ``"inf"``, ``"nan"``) and objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --- countries, relations, blocs, patrons (MODEL.md section 2) -----------------------------------


class Country(Frozen):
    """A country's state at the start of a run."""

    name: str
    capability: Annotated[float, Field(gt=0.0)]  # military expenditure, US$ bn
    alignment: Signed  # Euro-Atlantic (+1) .. Russia-aligned (-1)
    anchor: Signed | None = None  # pulled back to this; None = initial alignment
    stubbornness: Unit = 0.05
    openness: Annotated[float, Field(ge=0.0, le=2.0)] = 0.6
    russia_ties: Unit = 0.0  # shorthand: its tie to the patron russia (patrons.russia.clients)
    nato: bool = False  # shorthand: guaranteed by the patron west (patrons.west.guarantees)
    eu: bool = False
    # Political cost of joining: one number for every bloc, or a mapping from bloc names to
    # costs (``counter_bloc`` names the counter-bloc; blocs it does not list cost 0).
    domestic_cost: NonNegative | dict[str, NonNegative] = 0.0
    misperception: NonNegative = 0.2
    # Non-alignment as a state (MODEL.md, N1): a neutral country's utility of joining any bloc
    # is lowered by its own cost of leaving neutrality (required, and sourced or marked
    # judgement, when ``neutral`` by policy); a set event can end neutrality or change its cost.
    # ``neutrality: law``: neutrality fixed in law or treaty (a constitutional law, a treaty
    # barring alliances): while neutral the country takes no membership decision at all.
    neutral: bool = False
    neutrality_cost: NonNegative = 0.0
    neutrality: Literal["policy", "law"] = "policy"
    lat: Annotated[float, Field(ge=-90.0, le=90.0)]
    lon: Annotated[float, Field(ge=-180.0, le=180.0)]


class Relation(Frozen):
    """A dyad's propensity to align and its tension (symmetric)."""

    affinity: Signed | None = None  # None = relation_defaults.affinity
    tension: NonNegative | None = None  # initial tension; None = relation_defaults.tension
    baseline: NonNegative | None = None  # what tension decays to; None = initial tension
    distance_km: NonNegative | None = None  # None = between the capitals (great circle)


class RelationDefaults(Frozen):
    """Values of every dyad a scenario does not list."""

    affinity: Signed = 0.0
    tension: NonNegative = 0.05


def stage_range(stage: str) -> tuple[float, float]:
    """The depths of an integration stage, [low, high]."""
    edges = (0.0, *STAGE_BOUNDARIES, 1.0)
    k = STAGES.index(stage)
    return edges[k], edges[k + 1]


class Integration(Frozen):
    """How far a bloc is integrated when it is founded, and whether it may erode (I1, I2).

    ``stage``: a mature alliance starts at its stage (depth: the middle of the stage unless
    ``depth`` is given, which must then lie in it). ``erodes``: whether its depth may fall
    below its founding depth (None: it may, unless a stage is given).
    """

    stage: Stage | None = None
    erodes: bool | None = None

    @property
    def may_erode(self) -> bool:
        return self.stage is None if self.erodes is None else self.erodes


Code = Annotated[str, Field(pattern=CODE_PATTERN)]


def stage_sets_depth(data: Any) -> Any:
    """A bloc's (or ``form_bloc`` event's) fields with the founding depth filled in from
    ``integration.stage`` when no ``depth`` is given: the stage's middle.

    The depth is then an ordinary value, so a dumped scenario (a results folder's manifest, a
    variant's overrides) loads again with the same depth, and paths such as
    ``blocs.<name>.depth`` name the depth the bloc really starts at.
    """
    if not isinstance(data, dict) or "depth" in data:
        return data
    integration = data.get("integration")
    stage = integration.get("stage") if isinstance(integration, dict) else None
    if isinstance(integration, Integration):
        stage = integration.stage
    if stage not in STAGES:
        return data  # none, or a mistake the schema reports
    return {**data, "depth": sum(stage_range(stage)) / 2}


class AccessionProcess(Frozen):
    """How a bloc with ``accession: process`` takes a member in (MODEL.md, P1 to P5).

    A candidate applies; the bloc invites it by ``invitation`` (None: the bloc's admission rule;
    ``leader``: the say of the member ``leader``) with the monthly chance ``invitation_rate``;
    every member then ratifies with its own monthly hazard (``ratification_rate``, overridden
    per member by ``ratification_rates``) unless it holds out, and membership takes effect
    ``effective_lag`` months after the last ratification. ``holdouts`` lowers a member's
    willingness to ratify (an explicit hold-out), ``side_payments`` raises it (a patron's
    payment to that member). With ``ratify_together`` a member ratifies all the candidates it
    is willing to ratify in one act: one draw of its hazard per month, not one per candidate.
    """

    invitation: Literal["unanimity", "majority", "leader"] | None = None
    leader: Code | None = None
    invitation_rate: Unit = 1 / 12  # chance per month that the bloc takes up an application
    ratification_rate: Unit = 1 / 4  # chance per month that a willing member ratifies
    ratification_rates: dict[Code, Unit] = {}
    holdouts: dict[Code, NonNegative] = {}  # willingness a member withholds from ratification
    side_payments: dict[Code, NonNegative] = {}  # willingness a patron's payment adds
    effective_lag: Annotated[int, Field(ge=0, le=120)] = 0  # months from last ratification
    # True: a member ratifies all its pending candidates of the bloc in one act (one draw per
    # member and month), as the allies ratified the seven protocols of 2003 (MODEL.md P3)
    ratify_together: bool = False


class Bloc(Frozen):
    """A security pact: its members, integration depth and admission rule."""

    members: list[Annotated[str, Field(pattern=CODE_PATTERN)]]
    depth: Unit = 0.1
    admission: Literal["unanimity", "majority"] = "unanimity"
    eligibility: Signed = 0.3  # minimum alignment to be considered
    open: bool = True
    integration: Integration = Integration()
    # countries whose accession is reported (summaries, figures); None: every country in no
    # bloc of the scenario, of the file or founded by an event (a rival bloc's members are not
    # candidates)
    candidates: list[Annotated[str, Field(pattern=r"^@?[A-Za-z][A-Za-z0-9_]*$")]] | None = None
    # "simple": one monthly step, allowed unless a member vetoes (V1); "process": application,
    # invitation, per-member ratification and an effective date (MODEL.md, P1 to P5)
    accession: Literal["simple", "process"] = "simple"
    process: AccessionProcess | None = None  # settings of accession: process (None: defaults)

    _stage_depth = model_validator(mode="before")(stage_sets_depth)


class Patron(Frozen):
    """An outside power (MODEL.md P2, A2, U1, C2): its pole on the alignment axis, its pull,
    the ties of its clients, its stance toward blocs and the countries it guarantees.

    A client's backing is ``support`` x its tie (``clients``): per-client support is written as
    per-client ties. ``endorsement`` is the stance toward the pact (the recorded bloc),
    ``stances`` toward other blocs by name. ``country`` names the scenario country the patron
    is, so that its threat (as a country) and its patronage (its clients borrow its size) are
    one actor.
    """

    pole: Signed  # where it pulls its clients: the West +1, Russia -1
    pull: NonNegative = 0.01  # kappa_p
    support: Unit = 0.5  # rho_p, the share of a full commitment it gives a full client
    endorsement: Signed = 0.0  # stance toward the pact; 0 = informed, no comment
    stances: dict[Annotated[str, Field(pattern=CODE_PATTERN)], Signed] = {}  # other blocs
    clients: dict[Annotated[str, Field(pattern=CODE_PATTERN)], Unit] = {}  # tau_pj
    guarantees: list[Annotated[str, Field(pattern=CODE_PATTERN)]] = []  # security guarantees
    country: Annotated[str, Field(pattern=CODE_PATTERN)] | None = None


# The two patrons every scenario has (with these poles unless it says otherwise): the names the
# country shorthands refer to (``russia_ties``: a tie to ``russia``; ``nato``: a guarantee by
# ``west``) and the paths ``patrons.west.endorsement`` and ``patrons.russia.support`` use.
STANDING_PATRONS = {"west": {"pole": 1.0}, "russia": {"pole": -1.0}}
TIES_PATRON, GUARANTOR = "russia", "west"


def with_standing_patrons(value: Any) -> Any:
    """The ``patrons`` mapping with ``west`` and ``russia`` first, filled in where missing."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        return value  # the schema reports a malformed section
    standing = {
        name: {**default, **value[name]} if isinstance(value.get(name), dict) else
        value.get(name, default)
        for name, default in STANDING_PATRONS.items()
    }  # fmt: skip
    return {**standing, **{k: v for k, v in value.items() if k not in STANDING_PATRONS}}


Patrons = Annotated[
    dict[Annotated[str, Field(pattern=CODE_PATTERN)], Patron],
    BeforeValidator(with_standing_patrons),
]


# --- dynamics parameters (MODEL.md sections 3 and 4; defaults calibrated in docs/MODEL.md) -------


class AlignmentParams(Frozen):
    rate: Unit = 0.05  # mu, bounded-confidence step
    balancing: NonNegative = 0.02  # kappa_bal, pull away from a threatening bloc
    noise: NonNegative = 0.01  # sigma_a


class PropensityParams(Frozen):
    alignment_weight: NonNegative = 0.5  # w_align
    similarity_range: Annotated[float, Field(gt=0.0, le=2.0)] = 0.6  # d0: similarity 0 there
    tension_weight: NonNegative = 0.5  # w_tension


class ThreatParams(Frozen):
    size_exponent: NonNegative = 0.5  # alpha
    distance_scale_km: Annotated[float, Field(gt=0.0)] = 600.0  # lambda
    # the security motive (U2): weight of an adversary's hostility toward third countries
    # (Walt's aggressive intentions; omega) and of an ally's distance (loss of strength; reach)
    intent_weight: NonNegative = 0.0  # omega
    ally_reach: Unit = 0.0  # omega_r: 0 = every ally's size counts in full wherever it is


class TensionParams(Frozen):
    reaction: NonNegative = 0.02  # k, Richardson reaction to threat
    decay: Unit = 0.04  # delta, pull back to baseline per month
    noise: NonNegative = 0.025  # sigma_T, relative (log-normal) noise
    provocation: NonNegative = 0.75  # pi


class AccessionParams(Frozen):
    frustration_weight: NonNegative = 8.0  # w_F
    security_weight: NonNegative = 2.0  # w_S
    endorsement_weight: NonNegative = 1.0  # w_E
    nato_discount: Unit = 0.7  # nu
    decision_rate: Unit = 1 / 24  # h, chance of a decision opportunity per month
    temperature: Annotated[float, Field(gt=0.0)] = 0.05
    veto_threshold: Signed = -0.2  # v
    exit_margin: NonNegative = 0.5
    exit_rate: Unit = 1 / 36  # h_exit
    cost_volatility: NonNegative = 0.2  # sigma_r: spread of domestic costs as governments change
    cost_persistence: Annotated[float, Field(ge=1.0)] = 48.0  # tau_r, months (a term of office)
    invitation_months: Annotated[int, Field(ge=1)] = 24  # an invitation stays open this long
    invitation_rate: Unit = 1 / 6  # chance per month that an invited government decides
    invitation_relief: Unit = 0.5  # share of the domestic cost an invitation removes


class IntegrationParams(Frozen):
    growth: NonNegative = 0.012  # g
    cohesion_threshold: Signed = 0.55  # c0
    rally: NonNegative = 0.5
    decay: Unit = 0.02  # q
    noise: NonNegative = 0.01  # sigma_D, monthly noise of depth


class CounterBlocParams(Frozen):
    enabled: bool = False
    threat_threshold: NonNegative = 0.15  # theta_form
    partner_threshold: Signed = 0.5  # theta_partner
    formation_rate: Unit = 1 / 36  # h_form


class CrisisParams(Frozen):
    rate: Unit = 0.05  # h_c
    steepness: NonNegative = 8.0  # gamma
    threshold: NonNegative = 1.2  # theta_c
    jump: NonNegative = 0.3
    emboldenment: NonNegative = 2.49  # b: rise in crisis odds at full patron backing (Benson)


class Dynamics(Frozen):
    alignment: AlignmentParams = AlignmentParams()
    propensity: PropensityParams = PropensityParams()
    threat: ThreatParams = ThreatParams()
    tension: TensionParams = TensionParams()
    accession: AccessionParams = AccessionParams()
    integration: IntegrationParams = IntegrationParams()
    counter_bloc: CounterBlocParams = CounterBlocParams()
    crisis: CrisisParams = CrisisParams()


# --- events (MODEL.md section 5) -----------------------------------------------------------------

MAX_STEP = 12_000  # a thousand years of months: beyond any horizon a run could have
Month = str | Annotated[int, Field(ge=0, le=MAX_STEP)]


EVENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class EventBase(Frozen):
    month: Month  # YYYY-MM or a step number
    note: str = ""
    id: Annotated[str, Field(pattern=EVENT_ID_PATTERN)] | None = None  # for variants' edits


class InviteEvent(EventBase):
    type: Literal["invite"]
    bloc: str
    country: str


class ApplyEvent(EventBase):
    """A candidate applies to a bloc with ``accession: process`` (its own dated decision)."""

    type: Literal["apply"]
    bloc: str
    country: str


class ConcessionEvent(EventBase):
    """A concession to a hold-out: ``value`` added to the willingness of ``to`` (a country or
    group) to let ``candidate`` in, from this month on. ``by`` names who gave it (the candidate,
    a third party), for the record."""

    type: Literal["concession"]
    to: str
    candidate: str
    value: float
    by: str = ""


class JoinEvent(EventBase):
    type: Literal["join"]
    bloc: str
    country: str


class LeaveEvent(EventBase):
    type: Literal["leave"]
    bloc: str
    country: str


class FormBlocEvent(EventBase):
    type: Literal["form_bloc"]
    name: Annotated[str, Field(pattern=CODE_PATTERN)]
    members: Annotated[list[str], Field(min_length=1)]  # codes or groups: two countries or more
    depth: Unit = 0.1
    admission: Literal["unanimity", "majority"] = "unanimity"
    eligibility: Signed = 0.3
    open: bool = True
    integration: Integration = Integration()

    _stage_depth = model_validator(mode="before")(stage_sets_depth)


def number_or_switch(value: Any) -> float | bool:
    """A change's value: true or false (a switch such as ``blocs.<name>.open``) or a finite
    number; whether it fits its path is checked when the scenario loads."""
    if isinstance(value, bool):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("a number (or true or false for a switch)") from None
    if not math.isfinite(number):
        raise ValueError("a finite number")
    return number


NumberOrSwitch = Annotated[Any, AfterValidator(number_or_switch)]


class SetEvent(EventBase):
    """Give the value at a dotted path a new value from this month on (a switch takes true or
    false)."""

    type: Literal["set"]
    path: str
    value: NumberOrSwitch


class AddEvent(EventBase):
    """Add ``value`` to the number at a dotted path from this month on."""

    type: Literal["add"]
    path: str
    value: NumberOrSwitch  # a switch is refused with its path when the scenario loads


class ShockEvent(EventBase):
    type: Literal["shock"]
    countries: Annotated[list[str], Field(min_length=2, max_length=2)]
    delta: float


class AffinityEvent(EventBase):
    type: Literal["affinity"]
    countries: Annotated[list[str], Field(min_length=2, max_length=2)]
    delta: float


Event = Annotated[
    InviteEvent
    | ApplyEvent
    | ConcessionEvent
    | JoinEvent
    | LeaveEvent
    | FormBlocEvent
    | SetEvent
    | AddEvent
    | ShockEvent
    | AffinityEvent,
    Field(discriminator="type"),
]
ChangeEvent = SetEvent | AddEvent


# --- patterns (pattern-oriented calibration; docs/configuration.md, "Patterns") -----------------

PatternEvent = Literal[
    "new_member",
    "join",
    "apply",
    "invite",
    "ratified",
    "crisis",
    "exit",
    "security_mechanism",
    "formal_alliance",
    "counter_bloc",
]
COUNTRY_PATTERN_EVENTS = ("join", "apply", "invite", "ratified")  # they need ``country``
STAGE_PATTERN_EVENTS = ("apply", "invite", "ratified")  # stages of accession: process


class Pattern(Frozen):
    """A statement the model should reproduce: a measure over a period with a target range.

    ``probability`` of an ``event`` (``join`` needs ``country``, and so do the stages of a pact
    with ``accession: process``: ``apply``, ``invite``, ``ratified``, the last ratification)
    from the scenario's start to the period's end; ``mean`` of a trajectory ``variable`` at the
    end of the period; ``rise``: the chance that ``variable`` is higher at the end of the
    period than before its start.
    ``bloc`` names the bloc whose event counts (None: the pact); ``country`` may be a group
    (``@name``: any of its members), and narrows ``exit`` to those countries. ``why`` gives the
    reasoning (or source) behind the target.
    """

    name: Annotated[str, Field(pattern=CODE_PATTERN)]
    measure: Literal["probability", "mean", "rise"]
    period: Annotated[list[Month], Field(min_length=2, max_length=2)]  # [first, last] month
    target: Annotated[list[float], Field(min_length=2, max_length=2)]  # [low, high]
    why: Annotated[str, Field(min_length=1)]
    event: PatternEvent | None = None
    bloc: Annotated[str, Field(pattern=CODE_PATTERN)] | None = None  # None: the pact
    country: str | None = None  # a code or @group (join: required; exit: optional)
    variable: str | None = None


class Scenario(Frozen):
    """A validated scenario. Build it with :func:`load_scenario` or :func:`scenario_from_dict`."""

    name: str
    description: str = ""
    start: str = "2025-03"
    # the bloc whose outcomes have the plain column names (every bloc's are recorded); a bloc of
    # ``blocs`` or one a form_bloc event founds; None = the first bloc (else the first founded)
    pact: str | None = None
    tracked_dyads: list[str] = []  # dyads whose peak tension is an outcome, e.g. SRB-XKX
    countries: Annotated[
        dict[Annotated[str, Field(pattern=CODE_PATTERN)], Country], Field(min_length=2)
    ]
    # named lists of countries, written @name where a country may stand (relations, events)
    groups: dict[
        Annotated[str, Field(pattern=CODE_PATTERN)], Annotated[list[str], Field(min_length=1)]
    ] = {}
    relation_defaults: RelationDefaults = RelationDefaults()
    relations: dict[str, Relation] = {}
    blocs: dict[Annotated[str, Field(pattern=CODE_PATTERN)], Bloc] = {}
    patrons: Patrons = Field(default_factory=dict, validate_default=True)
    dynamics: Dynamics = Dynamics()
    events: list[Event] = []
    patterns: list[Pattern] = []

    @property
    def codes(self) -> list[str]:
        """Country codes in file order: the index order of every array."""
        return list(self.countries)

    @property
    def pact_name(self) -> str | None:
        """The tracked bloc: its outcomes have the plain column names."""
        founded = (event.name for event in self.events if isinstance(event, FormBlocEvent))
        return self.pact or next(iter(self.blocs), None) or next(founded, None)

    def members_of(self, name: str) -> list[str]:
        """A country code as a list, or the members of the group ``@name`` (KeyError if none)."""
        if not name.startswith("@"):
            return [name]
        return list(self.groups[name[1:]])

    def expand(self, names: list[str]) -> list[str]:
        """Country codes and groups (``@name``) as the codes they name, each once, in order."""
        return list(dict.fromkeys(code for name in names for code in self.members_of(name)))

    def event_step(self, event: EventBase) -> int:
        """The model step at which ``event`` happens."""
        if isinstance(event.month, int):
            return event.month
        return month_to_step(event.month, start=self.start)
