# Test fixture for tests/test_scenario.c: a Dockerfile that only has to exist.
FROM scratch
COPY . /app
