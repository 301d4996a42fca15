FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Runtime dependencies only (requirements-dev.lock, tests and lint, stays out of the image).
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
# The app runs as an unprivileged user that owns nothing but the uploads' volume (docker-compose
# mounts it at /data/media; a new named volume takes this folder's owner).
RUN useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin jiuzhu \
    && mkdir -p /data/media && chown jiuzhu:jiuzhu /data/media
COPY . .
RUN SECRET_KEY=build DATABASE_URL=postgres://unused/unused REDIS_URL=redis://unused:6379/0 \
    python manage.py collectstatic --no-input
USER jiuzhu
ENV MEDIA_ROOT=/data/media
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"]
