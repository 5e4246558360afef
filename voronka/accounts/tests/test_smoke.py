from voronka.core.models import AuditEntry


def test_login_and_me(client, org, bearer):
    response = client.post("/accounts/login/", {"email": "rep@acme.test", "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="auth.login", actor_id=org.rep.pk).count() == 1
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["role"] == "rep"
    anon = client.__class__().get("/api/v1/me")
    assert anon.status_code == 401
    assert anon.json()["code"] == "not_authenticated"
    token_me = client.__class__().get("/api/v1/me", headers=bearer(org.admin, org.workspace))
    assert token_me.json()["role"] == "admin"
