"""The shared smtp_sink fixture receives what Django's SMTP backend sends over a real socket."""

from django.core.mail import send_mail


def test_mail_reaches_the_sink(smtp_sink):
    send_mail("Weekly report", "Body", "noreply@voronka.test", ["boss@acme.test"])
    [message] = smtp_sink.to("boss@acme.test")
    assert message["Subject"] == "Weekly report"
