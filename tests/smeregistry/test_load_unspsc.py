import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smeregistry.models import UnspscCategory

pytestmark = pytest.mark.django_db


def test_load_adds_and_updates_and_links_parents(tmp_path, capsys):
    csv_file = tmp_path / "unspsc.csv"
    csv_file.write_text(
        "code,name_es,name_en\n43211503,Computadores portátiles,Notebook computers\n43211500,Computadoras,Computers\n",
        encoding="utf-8",
    )

    call_command("load_unspsc", str(csv_file))

    notebook = UnspscCategory.objects.get(code="43211503")
    assert (notebook.level, notebook.prefix, notebook.parent.code) == ("commodity", "43211503", "43211500")
    assert UnspscCategory.objects.get(code="43211500").name_es == "Computadoras"
    assert "1 added, 1 updated" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,name_es\n43211500,x\n", "missing columns name_en"),
        ("code,name_es,name_en\n4321,x,y\n", ":2: a UNSPSC code has 8 digits"),
        ("code,name_es,name_en\n43211500,,y\n", ":2: both names are required"),
    ],
)
def test_bad_files_are_refused_and_change_nothing(tmp_path, content, message):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(content, encoding="utf-8")
    before = list(UnspscCategory.objects.values_list("code", "name_es"))

    with pytest.raises(CommandError, match=message):
        call_command("load_unspsc", str(csv_file))

    assert list(UnspscCategory.objects.values_list("code", "name_es")) == before
