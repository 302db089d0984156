"""Qt widgets only: main window, one pane per ledger on a shared base, dialogs."""
