"""neomodel declarations of the graph's labels and relationships (DESIGN.md, "The graph").

They document the model in code and serve single-node create/update (action requests, audit
events). Multi-node reads and traversals are named Cypher files; constraints come from
`cypher/schema/`, never from neomodel's `install_labels` (it cannot express `(tenant, id)` keys).
"""

from __future__ import annotations

from neomodel import (
    ArrayProperty,
    AsyncRelationshipFrom,
    AsyncRelationshipTo,
    AsyncStructuredNode,
    AsyncStructuredRel,
    BooleanProperty,
    DateTimeProperty,
    FloatProperty,
    IntegerProperty,
    JSONProperty,
    StringProperty,
)


class TenantNode(AsyncStructuredNode):
    __abstract_node__ = True

    tenant = StringProperty(required=True)
    # `id` is neomodel's own (element id) attribute, so the graph's `id` property is `key` here.
    key = StringProperty(required=True, db_property="id")


class AffectsRel(AsyncStructuredRel):
    weight = FloatProperty(required=True)
    relationship = StringProperty(required=True, choices={"direct": "direct", "inverse": "inverse"})


class Metric(TenantNode):
    name = StringProperty(required=True)
    description = StringProperty()
    domain = StringProperty(required=True)
    subdomain = StringProperty()
    source = StringProperty(required=True)
    formula = StringProperty()
    components = StringProperty()
    unit = StringProperty(required=True)
    direction = StringProperty(required=True)
    aggregation = StringProperty(required=True)
    view = StringProperty()
    embedding = ArrayProperty(FloatProperty())

    affects = AsyncRelationshipTo("Metric", "AFFECTS", model=AffectsRel)
    affected_by = AsyncRelationshipFrom("Metric", "AFFECTS", model=AffectsRel)
    thoughtlets = AsyncRelationshipTo("Thoughtlet", "BELONGS_TO")
    thoughts = AsyncRelationshipTo("Thought", "COMPOSES")
    thresholds = AsyncRelationshipTo("Threshold", "HAS_THRESHOLD")


class Thoughtlet(TenantNode):
    name = StringProperty(required=True)
    description = StringProperty()

    metrics = AsyncRelationshipFrom("Metric", "BELONGS_TO")


class Thought(TenantNode):
    name = StringProperty(required=True)
    description = StringProperty()
    category = StringProperty(required=True)
    priority = StringProperty(required=True)
    trigger = StringProperty(required=True)
    blast_radius = StringProperty()
    component_metrics = ArrayProperty(StringProperty())
    is_active = BooleanProperty(default=True)
    embedding = ArrayProperty(FloatProperty())

    components = AsyncRelationshipFrom("Metric", "COMPOSES")
    actions = AsyncRelationshipTo("Action", "TRIGGERS")
    cascades_to = AsyncRelationshipTo("Thought", "CASCADES_TO")
    instances = AsyncRelationshipFrom("ThoughtInstance", "INSTANCE_OF")


class Threshold(TenantNode):
    severity = StringProperty(required=True)
    kind = StringProperty(required=True)
    operator = StringProperty()
    value = FloatProperty()
    baseline = StringProperty()
    periods = IntegerProperty()
    trend = StringProperty()
    min_volume = FloatProperty()

    metric = AsyncRelationshipFrom("Metric", "HAS_THRESHOLD")


class Action(TenantNode):
    name = StringProperty(required=True)
    description = StringProperty()
    impact_level = StringProperty(required=True)
    requires_approval = BooleanProperty(default=False)
    integration_type = StringProperty(required=True)
    platform = StringProperty()
    embedding = ArrayProperty(FloatProperty())


class ThoughtInstance(TenantNode):
    status = StringProperty(required=True)
    severity = StringProperty(required=True)
    triggered_at = DateTimeProperty(required=True)
    updated_at = DateTimeProperty()
    snoozed_until = DateTimeProperty()
    summary = StringProperty()
    root_cause = StringProperty()
    confidence = FloatProperty()
    evidence = JSONProperty()
    analyst = StringProperty()

    definition = AsyncRelationshipTo("Thought", "INSTANCE_OF")
    recommends = AsyncRelationshipTo("ActionRequest", "RECOMMENDS")


class ActionRequest(TenantNode):
    status = StringProperty(required=True)
    action_id = StringProperty(required=True)
    requested_by = StringProperty()
    decided_by = StringProperty()
    scheduled_for = DateTimeProperty()
    outcome = StringProperty()

    thought = AsyncRelationshipFrom("ThoughtInstance", "RECOMMENDS")


class AuditEvent(TenantNode):
    at = DateTimeProperty(required=True)
    user = StringProperty(required=True)
    action = StringProperty(required=True)
    resource_type = StringProperty(required=True)
    resource_id = StringProperty()
    outcome = StringProperty(required=True)
    source_data_hash = StringProperty()
    metadata = JSONProperty()
