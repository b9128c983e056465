# syntax=docker/dockerfile:1
# Pareto: docker build -t pareto . && docker run -p 8080:8080 -v pareto-data:/data pareto
# See README.md ("Docker").

# ---- build ------------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=local
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# templ output (*_templ.go) is committed, so a plain build is enough.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/pareto ./cmd/pareto

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim
# The PostgreSQL server binaries let the default (a private cluster in
# PARETO_DATA_DIR) work in the container; with DATABASE_URL they go unused.
# Debian's package would create a "main" cluster on install: we never use it.
RUN mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/pareto.conf \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home pareto \
 && mkdir -p /data && chown pareto:pareto /data
COPY --from=build /out/pareto /usr/local/bin/pareto
ENV PARETO_DATA_DIR=/data \
    PARETO_ADDR=:8080
VOLUME /data
WORKDIR /data
USER pareto:pareto
EXPOSE 8080
ENTRYPOINT ["pareto"]
CMD ["serve", "--seed-demo"]
