from voronka.crm.models import CustomField
from voronka.crm.selectors.deals import deal_list
from voronka.crm.tests.factories import make_deal, make_pipeline


def test_deal_list_filters_by_a_custom_text_value(org, scoped):
    CustomField.objects.create(workspace=org.workspace, entity="deal", key="tier", label="Tier", kind="text")
    p = make_pipeline(org.workspace)
    d = make_deal(p, owner=org.admin, custom={"tier": "Gold"})
    make_deal(p, owner=org.admin, custom={"tier": "Silver"})
    assert [x.pk for x in deal_list(actor=org.actor(org.admin), custom={"tier": "Gold"})] == [d.pk]
