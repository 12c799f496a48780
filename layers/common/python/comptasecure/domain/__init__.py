"""Business rules of SPEC.md, one module per aggregate; plain Python over the store."""
