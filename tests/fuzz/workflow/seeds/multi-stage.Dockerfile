# multi-stage.Dockerfile: the cafeboo blog's four-stage Dockerfile (base, deps,
# models, final), verbatim except where its URLs must point at bench's
# emulated world and one line the blog got wrong. Every change is marked
# "bench:"; the Korean comments are the blog's own.
#
# Note what the blog's layout does to the cache: models is FROM deps, so a
# requirements.txt change re-downloads both models; final is FROM models, so
# the COPY --from lines copy what is already there; `COPY . .` takes the
# whole repository, so a workflow-only commit changes the last layer too.

# bench: the base image is a build arg so bench can use its registry-free
# stand-in (bench/python:3.12.7-slim); the default is the blog's image.
ARG BASE_IMAGE=python:3.12.7-slim

# 1. Base: OS + Python 환경
FROM ${BASE_IMAGE} AS base
WORKDIR /app
RUN apt-get update \
  && apt-get install -y curl tar \
  && rm -rf /var/lib/apt/lists/*

# 2. Deps: pip requirements 설치
FROM base AS deps
# bench: pip reads PIP_INDEX_URL and PIP_TRUSTED_HOST from the environment and
# build args are in the environment of RUN steps, so the blog's `pip install`
# reaches the emulated PyPI unchanged.
ARG PIP_INDEX_URL
ARG PIP_TRUSTED_HOST
COPY ai_project/requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# 3. Models: 모델 파일 다운로드만 수행
FROM deps AS models
# bench: MODEL_BASE_URL replaces https://storage.googleapis.com in the curl
# lines (the default keeps the blog's URLs).
ARG MODEL_BASE_URL=https://storage.googleapis.com
WORKDIR /app/ai_project/models
# bench: the blog's RUN had no backslash after `rm embedding_model.tar.gz`, so
# the RUN ended there and the next line, `&& curl -L -o best_model.pt ...`,
# was a Dockerfile parse error ("unknown instruction: &&"). The trailing
# backslash is the only change.
RUN curl -L -o embedding_model.tar.gz ${MODEL_BASE_URL}/ai_model_cafeboo/embedding_model.tar.gz \
 && tar -xzf embedding_model.tar.gz \
 && rm embedding_model.tar.gz \
 && curl -L -o best_model.pt ${MODEL_BASE_URL}/ai_model_cafeboo/moderation_model/best_model.pt

# 4. Final: 최종 이미지 - 실행에 필요한 것만 복사
FROM models AS final

WORKDIR /app

# (1) 의존성 복사
COPY --from=deps /usr/local/lib/python3.12 /usr/local/lib/python3.12
COPY --from=deps /usr/local/bin /usr/local/bin

# (2) 모델 복사
COPY --from=models /app/ai_project/models /app/ai_project/models

# (3) 코드 복사
COPY . .

# 실행
CMD ["uvicorn", "ai_project.main:app", "--host", "0.0.0.0", "--port", "8000", "--log-level", "debug"]
