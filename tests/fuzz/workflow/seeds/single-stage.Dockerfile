# single-stage.Dockerfile: the cafeboo blog's original Dockerfile (one stage,
# everything in order), verbatim except where its URLs must point at bench's
# emulated world. Every change is marked "bench:"; the Korean comments are the
# blog's own.

# bench: the base image is a build arg so bench can use its registry-free
# stand-in (bench/python:3.12.7-slim); the default is the blog's image.
ARG BASE_IMAGE=python:3.12.7-slim

# Python 3.12.7 기반 이미지
FROM ${BASE_IMAGE}

# 작업 디렉토리 생성
WORKDIR /app

# 필수 시스템 유틸 설치
RUN apt-get update && apt-get install -y curl tar && rm -rf /var/lib/apt/lists/*

# bench: pip reads PIP_INDEX_URL and PIP_TRUSTED_HOST from the environment and
# build args are in the environment of later RUN steps, so the blog's
# `pip install` lines reach the emulated PyPI unchanged. Declared here, just
# before the first pip step, so the layers above keep the blog's cache keys.
ARG PIP_INDEX_URL
ARG PIP_TRUSTED_HOST

# 구글 관련 패키지 설치
RUN pip install google-genai

# requirements.txt 복사 및 설치
COPY ai_project/requirements.txt ./requirements.txt
RUN pip install --no-cache-dir -r requirements.txt

# 전체 코드 복사
COPY . .

# bench: MODEL_BASE_URL replaces https://storage.googleapis.com in the two
# curl lines below (the default keeps the blog's URLs).
ARG MODEL_BASE_URL=https://storage.googleapis.com

# embedding_model.tar.gz 다운로드 및 압축 해제
RUN curl -L -o embedding_model.tar.gz ${MODEL_BASE_URL}/ai_model_cafeboo/embedding_model.tar.gz && \
    tar -xzf embedding_model.tar.gz -C /app/ai_project/models && \
    rm embedding_model.tar.gz

# moderation_model 추가
RUN curl -L -o /app/ai_project/models/best_model.pt ${MODEL_BASE_URL}/ai_model_cafeboo/moderation_model/best_model.pt

# FastAPI 실행 (내부 통신용)
CMD ["uvicorn", "ai_project.main:app", "--host", "0.0.0.0", "--port", "8000", "--log-level", "debug"]
