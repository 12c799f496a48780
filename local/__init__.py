"""The local run: template.yaml served on 127.0.0.1 over moto, with no AWS account and no Docker."""
