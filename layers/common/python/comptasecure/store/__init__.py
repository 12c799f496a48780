"""DynamoDB access. The only package that knows the table, its key shapes and its expressions."""
