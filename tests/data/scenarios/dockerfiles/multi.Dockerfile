# Test fixture for tests/test_scenario.c: a multi-stage Dockerfile.
FROM scratch AS deps
COPY . /deps
FROM scratch AS final
COPY --from=deps /deps /app
