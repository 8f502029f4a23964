"""The bundled demo: a small users API that drifts from v1 to v2, served on 127.0.0.1."""
