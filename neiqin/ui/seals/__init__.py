"""用印登记 tab: 印章, 证照, 用印 step by step, 外借."""
