from django.db import migrations


def install(apps, schema_editor):
    from evaluation.standard import install as install_standard

    install_standard(apps.get_model("evaluation", "Questionnaire"), apps.get_model("evaluation", "Item"))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
