"""会议记录 tab: room grid, bookings, meetings, the minutes editor, action items."""
