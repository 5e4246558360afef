"""crm's endpoints, one module per entity, under one Router."""

from ninja import Router

from . import activities, companies, contacts, custom_fields, deals, imports, merge, pipelines, products

router = Router()
for _module in (companies, contacts, products, activities, deals, pipelines, custom_fields, imports, merge):
    router.add_router("", _module.router)
