"""会议记录: rooms and their bookings, meetings with invitees and attendance, minutes, and action items followed to
completion. Importing this package imports none of its modules."""
