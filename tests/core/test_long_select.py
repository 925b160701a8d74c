"""core.forms.LongSelect writes the same HTML as WTForms' own select widget, only faster."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectChoice
from wtforms.widgets import Select

from core.forms import LongSelect, LongSelectField


class Menu(Form):
    pick = LongSelectField("Pick", choices=[])


CHOICES = [
    SelectChoice("", "Anyone"),
    SelectChoice("7", 'Ann <"Admin"> & Co'),
    SelectChoice("8", "张伟"),
    SelectChoice(True, "a boolean value"),
    SelectChoice("9", ""),  # no label: the value shows
    SelectChoice("10", _l("Unassigned")),
    SelectChoice("11", "with attributes", render_kw={"disabled": True, "data_x": "1"}),
]


def test_long_select_renders_exactly_as_wtforms_select(app):
    with app.test_request_context():
        for chosen in ("", "7", "8", "True", "11", "missing"):
            form = Menu(data={"pick": chosen})
            form.pick.choices = CHOICES
            assert str(LongSelect()(form.pick)) == str(Select()(form.pick))
            assert str(LongSelect()(form.pick, class_="wide")) == str(Select()(form.pick, class_="wide"))


def test_the_chosen_option_is_marked_and_text_is_escaped(app):
    with app.test_request_context():
        form = Menu(data={"pick": "7"})
        form.pick.choices = CHOICES
        rendered = str(form.pick())
    assert '<option selected value="7">Ann &lt;&#34;Admin&#34;&gt; &amp; Co</option>' in rendered
    assert '<option value="9">9</option>' in rendered
    assert '<option data-x="1" disabled value="11">with attributes</option>' in rendered
