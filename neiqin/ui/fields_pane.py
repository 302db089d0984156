"""The shared pane of a ledger without a pane of its own (a catalogue entry with ``tab``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings

from neiqin.models.ledger import LedgerSpec
from neiqin.paths import DataDir
from neiqin.ui.forms import FormField
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.util import tr


class FieldsPane(LedgerPane):
    """The shared pane of a ledger without a pane of its own (a catalogue entry with ``tab``): the form, table,
    search, print and export all come from its LedgerSpec and field declaration."""

    def __init__(self, datadir: DataDir, ui_settings: QSettings, parent=None):
        super().__init__(self.SPEC, datadir, ui_settings, parent)
        self.add_action_button(tr("新建"), self.new_record, None, tr("新建") + self.SPEC.tab_title + tr("（Ctrl+N）"))
        self.add_action_button(tr("修改"), self.edit_record, None, tr("修改所选记录（Enter）"))
        self.add_action_button(tr("从 Excel 导入…"), self.import_file)
        self.finish_action_bar()

    @classmethod
    def for_spec(cls, spec: LedgerSpec) -> type[FieldsPane]:
        if spec.fields is None:
            raise TypeError(f"{spec.key}: a ledger shown with the shared pane needs its field declaration")
        return type(f"{spec.key.title().replace('-', '')}Pane", (cls,), {"SPEC": spec})

    def form_fields(self, record: Any = None) -> list[FormField]:
        return self.spec.fields.form()
