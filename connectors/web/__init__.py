"""The web channel: the customer-portal robot and the web order API."""
