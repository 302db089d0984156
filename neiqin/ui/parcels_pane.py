"""快递 views of the 收发文/快递 tab (scaffold: being built).

``PARCEL_SUBVIEWS`` are (title, class) pairs the 收发文/快递 tab (documents_pane) places after 收文 and 发文.
"""

from __future__ import annotations

PARCEL_SUBVIEWS: list = []
