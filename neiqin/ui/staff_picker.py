"""The staff picker every ledger uses: type 张, zs or zhangsan, pick from the list with the keyboard.

Free text is allowed (a person not in the directory); a chosen person carries their id and department.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit

from neiqin.models.staff import StaffChoice, match_staff, staff_choices


class StaffPicker(QLineEdit):
    chosen = Signal(object)  # StaffChoice or None

    def __init__(self, parent=None, include_left: bool = False):
        super().__init__(parent)
        self._choices = staff_choices(include_left)
        self._by_label: dict[str, StaffChoice] = {}
        self._selected: StaffChoice | None = None
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.activated[str].connect(self._activated)
        self.setCompleter(completer)
        self.textEdited.connect(self._edited)

    def _edited(self, text: str) -> None:
        self._selected = None
        matches = match_staff(self._choices, text)
        self._by_label = {c.label: c for c in matches}
        self._model.setStringList(list(self._by_label))
        if text.strip() and matches:
            self.completer().complete()
        self.chosen.emit(None)

    def _activated(self, label: str) -> None:
        choice = self._by_label.get(label)
        if choice is not None:
            self.select(choice)

    def select(self, choice: StaffChoice) -> None:
        self._selected = choice
        # QCompleter writes the label into the field after activation; put the plain name back
        self.setText(choice.name)
        self.chosen.emit(choice)

    def selected(self) -> StaffChoice | None:
        if self._selected is None:
            exact = [c for c in self._choices if c.name == self.text().strip()]
            if len(exact) == 1:
                self._selected = exact[0]
        return self._selected

    def value(self) -> dict:
        c = self.selected()
        return {"id": c.id, "name": c.name, "department": c.department} if c else \
            {"id": None, "name": self.text().strip(), "department": ""}

    def set_value(self, value) -> None:
        if isinstance(value, dict):
            sid, name = value.get("id"), value.get("name", "")
        else:
            sid, name = value, ""
        for c in self._choices:
            if sid and c.id == sid:
                self._selected = c
                self.setText(c.name)
                return
        self._selected = None
        self.setText(name or "")
