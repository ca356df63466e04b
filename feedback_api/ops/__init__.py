"""What an operator of the deployment watches: readiness, metrics, key rotation."""
