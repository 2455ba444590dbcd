FROM python:3.12-slim AS base
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
RUN curl -L -o model.bin https://example.com/model.bin
CMD ["python", "app.py"]
