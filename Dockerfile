# The dashboard on an office server: Python slim, Debian's Chromium and Noto fonts (PowerPoint/PDF exports), the
# data on a volume (/data), logs as JSON lines on stdout, a health endpoint that checks the warehouse opens.
#   docker compose up -d            then   docker compose exec app python -m etl registry /data/danh_muc.xlsx
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DX_DB=/data/warehouse.duckdb \
    DX_LOG_FORMAT=json \
    DX_HEALTH_PORT=8502 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-noto-core fonts-noto-color-emoji \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY app.py ./
COPY .streamlit ./.streamlit
COPY pages ./pages
COPY dashboard ./dashboard
COPY etl ./etl
COPY data/reference ./data/reference
COPY data/settings.toml ./data/settings.toml

RUN useradd --system --create-home --home-dir /home/dx dx && mkdir -p /data && chown dx /data
USER dx
VOLUME ["/data"]
EXPOSE 8501 8502
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8502/health', timeout=4).status != 200)"
CMD ["python", "-m", "dashboard.serve"]
