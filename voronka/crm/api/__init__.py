"""crm's endpoints, one module per entity, under one Router."""

from ninja import Router

from . import activities, companies, contacts, custom_fields, deals, imports, merge, pipelines, products

router = Router()
# imports and merge first: /contacts/merge must not be taken for /contacts/{contact_id}.
for _module in (imports, merge, companies, contacts, products, activities, deals, pipelines, custom_fields):
    router.add_router("", _module.router)
