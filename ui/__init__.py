"""The web workbench: exceptions, payments, dashboard, connector runs, login and roles."""
