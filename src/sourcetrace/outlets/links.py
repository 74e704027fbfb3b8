"""Outlet linking: every outlet the article leans on, and its publisher, linked to the registry."""

from __future__ import annotations

from sourcetrace.article.entities import EntityIndex
from sourcetrace.models import Article, Attribution, EntityKind, OutletLink, OutletRole
from sourcetrace.outlets.registry import Outlet, Registry


def _link(outlet: Outlet | None, name: str) -> OutletLink:
    if outlet is None:
        return OutletLink(name=name)
    return OutletLink(name=outlet.name, registry_id=outlet.id, domains=outlet.domains, country=outlet.country,
                      labels=outlet.labels)


def link(article: Article, index: EntityIndex, attributions: list[Attribution], registry: Registry) -> list[OutletLink]:
    links: list[OutletLink] = []
    if article.url or article.site:
        publisher = registry.lookup_domain(article.url or article.site or "")
        link_ = _link(publisher, publisher.name if publisher else (article.site or article.url or ""))
        link_.roles.append(OutletRole.PUBLISHER)
        links.append(link_)
    for entity in index.entities():
        if entity.kind not in (EntityKind.OUTLET, EntityKind.ORGANIZATION):
            continue
        outlet = next((o for o in (registry.lookup_name(n) for n in [entity.name, *entity.aliases]) if o), None)
        if outlet is None and entity.kind is not EntityKind.OUTLET:
            continue  # an organisation that is not a registered outlet is not an outlet
        roles = []
        attribution_ids = []
        for attribution in attributions:
            if any(c.entity_id == entity.id for c in attribution.conduits):
                roles.append(OutletRole.CONDUIT)
                attribution_ids.append(attribution.id)
            if attribution.source is not None and attribution.source.entity_id == entity.id:
                roles.append(OutletRole.SOURCE)
                attribution_ids.append(attribution.id)
        same = next((x for x in links if outlet is not None and x.registry_id == outlet.id), None)
        link_ = same or _link(outlet, entity.name)
        link_.entity_id = link_.entity_id or entity.id
        link_.roles = sorted({*link_.roles, *(roles or [OutletRole.MENTIONED])})
        link_.evidence += [m.span for m in entity.mentions]
        link_.attribution_ids = sorted({*link_.attribution_ids, *attribution_ids}, key=lambda a: int(a[1:]))
        if same is None:
            links.append(link_)
    return links
