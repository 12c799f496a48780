"""ComptaSecure account back end: the code every Lambda function shares (shipped as one layer)."""
