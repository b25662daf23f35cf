from django.db import migrations

CHANNELS = [
    ("sms", "SMS", "SMS", "SMS", 1),
    ("email", "E-post", "E-post", "E-mail", 2),
]


def add_channels(apps, schema_editor):  # type: ignore[no-untyped-def]
    Channel = apps.get_model("consent", "Channel")
    for key, nb, nn, en, order in CHANNELS:
        Channel.objects.update_or_create(
            key=key, defaults={"name_nb": nb, "name_nn": nn, "name_en": en, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]
    operations = [migrations.RunPython(add_channels, migrations.RunPython.noop)]
