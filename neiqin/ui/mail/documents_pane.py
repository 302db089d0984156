"""收发文/快递 tab: 收文 and 发文 (this package's helpers), then the 快递 views (parcels_pane), Alt+1 … Alt+N."""

from __future__ import annotations

import dataclasses

from neiqin.models.mail.incoming import INCOMING
from neiqin.ui.mail.incoming_pane import IncomingPane
from neiqin.ui.mail.outgoing_pane import OutgoingPane
from neiqin.ui.mail.parcels_pane import PARCEL_SUBVIEWS
from neiqin.ui.multi_pane import MultiViewPane


class DocumentsPane(MultiViewPane):
    # the incoming spec under the tab's own title (same key: open_record("incoming", id) lands here)
    SPEC = dataclasses.replace(INCOMING, tab_title="收发文/快递")
    KEY = "documents"
    SUBVIEWS = [("收文", IncomingPane), ("发文", OutgoingPane), *PARCEL_SUBVIEWS]

    def __init__(self, datadir, ui_settings, parent=None):
        super().__init__(datadir, ui_settings, parent)
        self.incoming, self.outgoing = self.subpanes[:2]
