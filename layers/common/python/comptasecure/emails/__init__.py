"""French emails and their SES sender."""
